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


@pytest.fixture
def db(data_dir):
    from core.store import open_store

    database = open_store(data_dir, "测试员")
    yield database
    database.conn.close()


@pytest.fixture
def demo_db(db):
    from core.demo import load_demo

    load_demo(db)
    return db


@pytest.fixture
def samples():
    path = SHARED / "samples"
    if not path.is_dir():
        pytest.skip("../shared/samples is not beside the project")
    return path


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


@pytest.fixture
def window(qtbot, demo_db, data_dir):
    """The main window on the demo district, shown."""
    from gui.main_window import MainWindow

    w = MainWindow(demo_db, data_dir, "测试员")
    qtbot.addWidget(w)
    w.show()
    return w
