"""The shared ledger on a PostgreSQL server, through the command line as an office's IT would use it:
server-init, users in three roles whose rights the server enforces, the audit operator taken from
the login, search without pg_trgm, and a client older than the server's schema."""

import os
import subprocess
import sys
from itertools import count

import pytest

from conftest import ROOT

_names = count(1)


def run(*args, data, server=None, stdin=None, env=None):
    cmd = [sys.executable, str(ROOT / "main.py"), "--data", str(data)]
    if server:
        cmd += ["--server", server]
    full_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})}
    return subprocess.run(cmd + list(args), capture_output=True, text=True, encoding="utf-8", env=full_env,
                          timeout=180, input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL)


@pytest.fixture
def empty_database(pg_server):
    """An empty database the office's IT created for the ledger (UTF8, C.UTF-8)."""
    from core.store import postgres

    name = f"ledger_{next(_names)}"
    admin = postgres.connect(pg_server.url())
    admin.run_script(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'")
    yield name
    admin.run_script(f"DROP DATABASE {name} WITH (FORCE)")
    admin.close()


def _psql_value(pg_server, database, sql):
    from core.store import postgres

    store = postgres.connect(pg_server.url(database))
    try:
        return store.value(sql)
    finally:
        store.close()


def test_server_init_prepares_once_and_a_second_run_changes_nothing(pg_server, empty_database, tmp_path):
    url = pg_server.url(empty_database)
    r = run("server-init", data=tmp_path / "pc", server=url)
    assert r.returncode == 0, r.stderr
    assert "共享台账已准备好" in r.stdout and "pg_trgm" in r.stdout
    tables = _psql_value(pg_server, empty_database, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    vocab = _psql_value(pg_server, empty_database, "SELECT count(*) FROM vocab")
    assert tables > 20 and vocab > 0
    r = run("server-init", data=tmp_path / "pc", server=url)
    assert r.returncode == 0, r.stderr
    assert "数据未改动" in r.stdout
    assert _psql_value(pg_server, empty_database, "SELECT count(*) FROM vocab") == vocab
    assert _psql_value(pg_server, empty_database, "SELECT count(*) FROM audit_log") == 0


def test_server_init_refuses_a_database_that_cannot_hold_chinese(pg_server, tmp_path):
    from core.store import postgres

    admin = postgres.connect(pg_server.url())
    admin.run_script("CREATE DATABASE latin TEMPLATE template0 ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C'")
    try:
        r = run("server-init", data=tmp_path / "pc", server=pg_server.url("latin"))
        assert r.returncode == 2
        assert "UTF8" in r.stderr and "CREATE DATABASE" in r.stderr
        assert _psql_value(pg_server, "latin", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 0
    finally:
        admin.run_script("DROP DATABASE latin WITH (FORCE)")
        admin.close()
