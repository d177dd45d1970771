"""Shared fixtures: a temporary data folder with a real database, with or without the demo district."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The command-line children the tests start write UTF-8, whatever the (Windows) code page.
os.environ.setdefault("PYTHONIOENCODING", "utf-8")

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture
def data_dir(tmp_path):
    from core.paths import DataDir

    return DataDir(tmp_path / "data")


def pytest_generate_tests(metafunc):
    """Every test that uses the ledger runs on SQLite and on a throwaway PostgreSQL server, except
    tests that drive the window (they stay on SQLite; the window's own server tests start theirs)."""
    if "engine" in metafunc.fixturenames:
        engines = ["sqlite"] if "qtbot" in metafunc.fixturenames else ["sqlite", "postgresql"]
        metafunc.parametrize("engine", engines, indirect=True)


@pytest.fixture
def engine(request):
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def pg_server():
    """A throwaway PostgreSQL cluster for the session. Under CI it must start; elsewhere the
    PostgreSQL half is skipped with the reason when it cannot."""
    from pg_cluster import Cluster

    try:
        cluster = Cluster().start()
    except Exception as exc:  # noqa: BLE001 - any reason the server cannot start
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL 测试服务器无法启动：{exc}")
        pytest.skip(f"PostgreSQL 测试服务器无法启动：{exc}")
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def pg_template(pg_server):
    """A database with the current schema and a new ledger's defaults, copied for every test."""
    from core.store import postgres
    from core.store import prepare_new_ledger
    from core import migrations_postgres

    admin = postgres.connect(pg_server.url())
    admin.run_script("CREATE DATABASE chuangcheng_template")
    admin.close()
    store = postgres.connect(pg_server.url("chuangcheng_template"))
    store.run_script("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    migrations_postgres.create(store, trigram=True)
    prepare_new_ledger(store)
    store.close()
    return "chuangcheng_template"


_pg_databases = iter(range(1, 10 ** 9))


@pytest.fixture(scope="session")
def pg_ledger_templates(pg_server, pg_template):
    """Ledgers filled once per kind and per day they are dated from (the demo's findings count back
    from today) into a template database, copied for every test instead of filled again."""
    from core import clock
    from core.paths import DataDir
    from core.store import open_store, postgres
    import tempfile

    made: dict[tuple[str, str], str] = {}

    def template(kind: str, fill) -> str:
        key = (kind, clock.today().isoformat())
        if key not in made:
            name = f"chuangcheng_{kind}_{len(made) + 1}"
            admin = postgres.connect(pg_server.url())
            admin.run_script(f"CREATE DATABASE {name} TEMPLATE {pg_template}")
            admin.close()
            with tempfile.TemporaryDirectory() as folder:
                store = open_store(DataDir(Path(folder)), "测试员", server=pg_server.url(name))
                fill(store)
                store.close()
            made[key] = name
        return made[key]

    return template


def _pg_copy(request, template: str) -> str:
    """The address of a new database copied from the template, dropped when the test ends."""
    from core.store import postgres

    server = request.getfixturevalue("pg_server")
    name = f"chuangcheng_test_{next(_pg_databases)}"
    admin = postgres.connect(server.url())
    admin.run_script(f"CREATE DATABASE {name} TEMPLATE {template}")

    def drop():
        admin.run_script(f"DROP DATABASE {name} WITH (FORCE)")
        admin.close()

    request.addfinalizer(drop)
    return server.url(name)


def open_test_ledger(request, kind: str = "", fill=None):
    """A fixture's store on the test's engine: a new ledger, or one `fill` filled (named `kind`;
    on the server filled once into a template and copied). The fixture must ask for `engine`."""
    from core.store import open_store

    data_dir = request.getfixturevalue("data_dir")
    if request.getfixturevalue("engine") == "sqlite":
        store = open_store(data_dir, "测试员")
        request.addfinalizer(store.close)
        if fill:
            fill(store)
        return store
    if fill:
        template = request.getfixturevalue("pg_ledger_templates")(kind, fill)
    else:
        template = request.getfixturevalue("pg_template")
    store = open_store(data_dir, "测试员", server=_pg_copy(request, template))
    request.addfinalizer(store.close)
    return store


@pytest.fixture
def db(engine, request):
    if "demo_db" in request.fixturenames:  # one store for the test, the demo in it
        from core.demo import load_demo

        return open_test_ledger(request, "demo", load_demo)
    return open_test_ledger(request)


def ledger_args(db, data_dir) -> list[str]:
    """The command line's options for the ledger a test's store is on: the data folder, and the
    server when the store is on one."""
    return ["--data", str(data_dir.root)] + (["--server", db.url] if db.engine == "postgresql" else [])


@pytest.fixture
def demo_db(db):
    """The demo district (db holds it when the test asks for demo_db)."""
    return db


@pytest.fixture
def samples():
    path = SHARED / "samples"
    if not path.is_dir():
        pytest.skip("../shared/samples is not beside the project")
    return path


def _memory_keyring():
    """A credential store that lives and dies with one test."""
    from keyring.backend import KeyringBackend
    from keyring.errors import PasswordDeleteError

    class MemoryKeyring(KeyringBackend):
        priority = 1

        def __init__(self):
            super().__init__()
            self.passwords = {}

        def get_password(self, service, username):
            return self.passwords.get((service, username))

        def set_password(self, service, username, password):
            self.passwords[(service, username)] = password

        def delete_password(self, service, username):
            if self.passwords.pop((service, username), None) is None:
                raise PasswordDeleteError(username)

    return MemoryKeyring()


@pytest.fixture(autouse=True)
def isolated_connection_settings(tmp_path, monkeypatch):
    """This PC's shared-ledger connection goes to a temporary config folder and remembered passwords
    to a store in memory, never the user's own folder or credential store; command-line children
    get a credential store that keeps nothing."""
    import keyring

    monkeypatch.setenv("CHUANGCHENG_CONFIG", str(tmp_path / "config"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    previous = keyring.get_keyring()
    memory = _memory_keyring()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def isolated_qsettings(tmp_path):
    """Window geometry, last folders and the like go to a temporary place, never the user's."""
    try:
        from PySide6.QtCore import QCoreApplication, QSettings
    except ImportError:
        yield
        return
    QCoreApplication.setOrganizationName("ChuangchengDeskTests")
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "qsettings"))
    yield
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    from gui.ui_state import save_pending_headers

    save_pending_headers()  # into this test's settings, not on a timer firing in the next test's
    app = QApplication.instance()
    if app is not None:  # no window outlives its test to write into the next test's settings
        for widget in app.topLevelWidgets():
            widget.close()
            widget.deleteLater()
        app.sendPostedEvents(None, QEvent.DeferredDelete)


@pytest.fixture
def window(qtbot, demo_db, data_dir):
    """The main window on the demo district, shown."""
    from gui.main_window import MainWindow

    w = MainWindow(demo_db, data_dir, "测试员")
    qtbot.addWidget(w)
    w.show()
    return w
