"""The shared ledger on a PostgreSQL server, through the command line as an office's IT would use it:
server-init, users in three roles whose rights the server enforces, the audit operator taken from
the login, search without pg_trgm, and a client older than the server's schema."""

import os
import subprocess
import sys
from itertools import count

import openpyxl
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


@pytest.fixture
def office(pg_server, empty_database, tmp_path, samples):
    """A prepared ledger with a 管理员, a 经办人 and a 只读 (login names unique in the cluster, as roles
    are the server's), and the units imported by the 经办人."""
    owner_url = pg_server.url(empty_database)
    r = run("server-init", data=tmp_path / "admin", server=owner_url)
    assert r.returncode == 0, r.stderr
    n = empty_database.rsplit("_", 1)[-1]
    names = {"clerk1": f"clerk{n}", "reader1": f"reader{n}", "admin1": f"admin{n}"}
    for name, role in ((names["clerk1"], "经办人"), (names["reader1"], "只读"), (names["admin1"], "管理员")):
        r = run("server-user", "add", name, "--role", role, "--password-stdin", data=tmp_path / "admin",
                server=owner_url, stdin="密码-" + name + "\n")
        assert r.returncode == 0, r.stderr
    urls = {key: pg_server.url(empty_database, user=name, password="密码-" + name) for key, name in names.items()}
    r = run("import-units", str(samples / "责任单位_示例.xlsx"), data=tmp_path / "clerk", server=urls["clerk1"])
    assert r.returncode == 0, r.stderr
    r = run("import-framework", str(samples / "测评体系责任分解表_示例.xlsx"), data=tmp_path / "clerk",
            server=urls["clerk1"])
    assert r.returncode == 0, r.stderr
    return {"owner": owner_url, "database": empty_database, "names": names, **urls}


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


def test_server_init_tells_the_planner_the_ledger_is_read_from_memory_unless_told_otherwise(
        pg_server, empty_database, tmp_path):
    """Every session on the ledger's database plans with random_page_cost 1.1 (the lists' counts
    used their indexes only then); a value the database's administrator set stays."""
    r = run("server-init", data=tmp_path / "pc", server=pg_server.url(empty_database))
    assert r.returncode == 0, r.stderr
    assert _psql_value(pg_server, empty_database, "SHOW random_page_cost") == "1.1"
    assert _psql_value(pg_server, "postgres", "SHOW random_page_cost") == "4"  # the database only

    from core.store import postgres

    admin = postgres.connect(pg_server.url())
    try:
        admin.run_script(f"ALTER DATABASE {empty_database} SET random_page_cost = 2")
    finally:
        admin.close()
    r = run("server-init", data=tmp_path / "pc", server=pg_server.url(empty_database))
    assert r.returncode == 0, r.stderr
    assert _psql_value(pg_server, empty_database, "SHOW random_page_cost") == "2"


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


def test_the_roles_rights_are_the_servers(office, pg_server, tmp_path, samples):
    units_before = _psql_value(pg_server, office["database"], "SELECT count(*) FROM units")
    reader_data = tmp_path / "reader"
    workbook = openpyxl.Workbook()
    workbook.active.append(["单位名称", "单位类别"])
    workbook.active.append(["区新设单位", "政府部门"])
    workbook.save(tmp_path / "新单位.xlsx")
    r = run("import-units", str(tmp_path / "新单位.xlsx"), data=reader_data, server=office["reader1"])
    assert r.returncode == 2  # refused by the server, not by a hidden button
    assert "只读" in r.stderr and "Traceback" not in r.stderr
    assert _psql_value(pg_server, office["database"], "SELECT count(*) FROM units") == units_before
    for args in (["search", "城管"], ["export-framework", str(tmp_path / "分解表.xlsx")], ["letters-status"]):
        r = run(*args, data=reader_data, server=office["reader1"])
        assert r.returncode == 0, (args, r.stderr)
    r = run("server-user", "list", data=reader_data, server=office["admin1"])
    assert r.returncode == 0
    assert f"{office['names']['clerk1']}\t经办人\t可登录" in r.stdout
    assert f"{office['names']['reader1']}\t只读\t可登录" in r.stdout


def test_a_read_only_login_writes_nothing_while_it_looks(office, pg_server, tmp_path):
    counted = "SELECT (SELECT count(*) FROM audit_log) + (SELECT count(*) FROM settings) + (SELECT count(*) FROM vocab)"
    before = _psql_value(pg_server, office["database"], counted)
    reader_data = tmp_path / "reader"
    for args in (["search", "局"], ["export-framework", str(tmp_path / "分解表.xlsx")]):
        assert run(*args, data=reader_data, server=office["reader1"]).returncode == 0
    assert _psql_value(pg_server, office["database"], counted) == before


def test_the_audit_operator_is_the_login(office, pg_server, tmp_path):
    last = _psql_value(pg_server, office["database"], "SELECT coalesce(max(id), 0) FROM audit_log")
    workbook = openpyxl.Workbook()
    workbook.active.append(["单位名称", "单位类别"])
    workbook.active.append(["区新设单位", "政府部门"])
    workbook.save(tmp_path / "新单位.xlsx")
    r = run("--operator", "冒名", "import-units", str(tmp_path / "新单位.xlsx"), data=tmp_path / "clerk",
            server=office["clerk1"])
    assert r.returncode == 0, r.stderr
    assert "--operator 已忽略" in r.stderr
    operators = _psql_value(pg_server, office["database"], f"SELECT string_agg(DISTINCT operator, ',') FROM audit_log WHERE id > {last}")
    assert operators == office["names"]["clerk1"]


def test_a_disabled_user_cannot_log_in(office, tmp_path):
    r = run("server-user", "disable", office["names"]["reader1"], data=tmp_path / "a", server=office["admin1"])
    assert r.returncode == 0, r.stderr
    r = run("search", "局", data=tmp_path / "r", server=office["reader1"])
    assert r.returncode == 2 and "拒绝了登录" in r.stderr


def test_search_works_where_pg_trgm_cannot_be_installed(pg_server, empty_database, tmp_path):
    """A server without the extension (or no right to install it), as some PostgreSQL-derived
    servers are: server-init says so and search still finds by LIKE."""
    from core.store import postgres

    keeper = f"keeper_{empty_database}"
    admin = postgres.connect(pg_server.url(empty_database))
    # A keeper of the database's schema who may create tables and roles but not extensions.
    admin.run_script(f"CREATE ROLE {keeper} LOGIN PASSWORD 'k' CREATEROLE; ALTER SCHEMA public OWNER TO {keeper};"
                     f" REVOKE CREATE ON DATABASE {empty_database} FROM PUBLIC")
    admin.close()
    url = pg_server.url(empty_database, user=keeper, password="k")
    r = run("server-init", data=tmp_path / "pc", server=url)
    assert r.returncode == 0, r.stderr
    assert "pg_trgm" in r.stdout and "逐条比对" in r.stdout
    assert _psql_value(pg_server, empty_database, "SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'") == 0
    assert run("demo", data=tmp_path / "pc", server=url).returncode == 0
    r = run("search", "城管", data=tmp_path / "pc", server=url)
    assert r.returncode == 0 and "区城管局" in r.stdout


def test_a_client_older_than_the_servers_schema_refuses_to_write(office, pg_server, tmp_path, samples):
    from core.store import postgres

    owner = postgres.connect(office["owner"])
    owner.run_script("INSERT INTO schema_migrations (name, applied_at) VALUES ('m999_from_a_newer_program', '2027-01-01')")
    owner.close()
    r = run("import-units", str(samples / "责任单位_示例.xlsx"), data=tmp_path / "c", server=office["clerk1"])
    assert r.returncode == 2 and "更新版本" in r.stderr
    assert run("search", "局", data=tmp_path / "c", server=office["clerk1"]).returncode == 0
