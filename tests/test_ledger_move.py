"""Moving in and out of the shared ledger, as an office's IT would: a single desk's ledger moved
onto the server (server-import), the server backed up into the same .ccbak, that backup restored
onto a laptop or back onto the server; the same search and exports on both engines; a 只读 login
that writes nothing; numbers taken by clients at once; a server lost in the middle of a move."""

import os
import subprocess
import sys
import time
from itertools import count
from pathlib import Path

import pytest

from conftest import ROOT
from test_shared_ledger import empty_database, run  # noqa: F401 - a fixture used below

TODAY = {"CHUANGCHENG_TODAY": "2026-12-03"}
PASSWORD = "pw-of-the-office"
_people = count(1)


class Office:
    """A server ledger prepared by server-init, with one login per role."""

    def __init__(self, pg_server, database, tmp_path):
        self.pg_server, self.database, self.tmp_path = pg_server, database, tmp_path
        n = next(_people)
        self.names = {"管理员": f"admin{n}", "经办人": f"clerk{n}", "只读": f"reader{n}"}
        r = run("server-init", data=tmp_path / "it", server=pg_server.url(database))
        assert r.returncode == 0, r.stderr
        for role, name in self.names.items():
            r = run("server-user", "add", name, "--role", role, "--password-stdin", data=tmp_path / "it",
                    server=pg_server.url(database), stdin=PASSWORD + "\n")
            assert r.returncode == 0, r.stderr

    def url(self, role: str = "管理员") -> str:
        return self.pg_server.url(self.database, user=self.names[role], password=PASSWORD)

    def cli(self, *args, role: str = "管理员", pc: str = "pc", env=None):
        """A command on one PC of the office (its own data folder), logged in as that role."""
        return run(*args, data=self.tmp_path / f"{pc}-{role}", server=self.url(role), env={**TODAY, **(env or {})})

    def superuser(self):
        from core.store import postgres

        return postgres.connect(self.pg_server.url(self.database))

    def counts(self) -> dict:
        """Every table's rows (the search tables and the stored files included), and the contents
        of the settings and counters, read as the server's superuser."""
        store = self.superuser()
        try:
            tables = store.column("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
            found = {t: store.value(f"SELECT count(*) FROM {t}") for t in tables}
            found["settings rows"] = store.rows("SELECT * FROM settings ORDER BY key")
            found["counters rows"] = store.rows("SELECT * FROM counters ORDER BY name")
            return found
        finally:
            store.close()


@pytest.fixture
def office(pg_server, empty_database, tmp_path):
    """A server ledger just prepared: nobody has worked in it yet (server-import's target)."""
    return Office(pg_server, empty_database, tmp_path)


@pytest.fixture
def desk(tmp_path):
    """A single desk's data folder with the demo district (SQLite)."""
    folder = tmp_path / "desk"
    r = run("demo", data=folder, env=TODAY)
    assert r.returncode == 0, r.stderr
    return folder


def local(*args, data):
    return run(*args, data=data, env=TODAY)


def xlsx_cells(path: Path) -> dict:
    """Every sheet's cell values, as a person reading the workbook sees them."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


EXPORTS = [
    ("export-framework", "{out}"),
    ("findings-export", "{out}"),
    ("materials-export", "{out}"),
    ("catalogue", "{out}"),
    ("letters-status", "--year", "2026", "--out", "{out}"),
    ("loss-report", "--round", "2026年模拟测评", "--by", "unit", "--out", "{out}"),
    ("loss-report", "--round", "2026年模拟测评", "--by", "standard", "--out", "{out}"),
    ("compare-rounds", "--from", "2025年市测", "--to", "2026年模拟测评", "--out", "{out}"),
    ("bulletin", "--from", "2026-10-01", "--to", "2026-11-30", "--out", "{out}"),
]


def _exports(cli, folder: Path) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    found = {}
    for i, export in enumerate(EXPORTS):
        out = folder / f"{i}-{export[0]}.xlsx"
        r = cli(*[a.replace("{out}", str(out)) for a in export])
        assert r.returncode == 0, (export, r.stderr)
        found[" ".join(export[:3])] = xlsx_cells(out)
    return found


def _import(office, desk):
    r = office.cli("server-import", str(desk))
    assert r.returncode == 0, r.stderr
    return r


def test_server_import_backup_and_restore_onto_a_laptop_keep_every_export(office, desk, tmp_path):
    r = _import(office, desk)
    assert r.stdout.strip() == ("已迁入共享台账：单位 42 个、标准 43 条、档案材料 76 条、督查问题 22 个、"
                                "督办通知单 14 份、测评成绩 81 条、附件 12 个。")
    r = office.cli("backup")
    assert r.returncode == 0, r.stderr
    backup = Path(r.stdout.strip().splitlines()[-1])
    assert backup.suffix == ".ccbak" and backup.is_file()
    r = office.cli("verify", str(backup))
    assert r.returncode == 0, r.stderr
    assert "备份完好" in r.stdout and "附件 12 个" in r.stdout
    laptop = tmp_path / "laptop"
    r = local("restore", str(backup), "--yes", data=laptop)
    assert r.returncode == 0, r.stderr

    original = _exports(lambda *a: local(*a, data=desk), tmp_path / "x-desk")
    on_server = _exports(lambda *a: office.cli(*a), tmp_path / "x-server")
    restored = _exports(lambda *a: local(*a, data=laptop), tmp_path / "x-laptop")
    for name in original:
        assert on_server[name] == original[name], name
        assert restored[name] == original[name], name
    # The files came along: the laptop's 数据体检 finds every attachment in place.
    r = local("check", data=laptop)
    assert r.returncode == 0, r.stdout


def test_a_ledger_moved_in_is_planned_with_statistics_at_once(office, desk):
    """server-import gathers the planner's statistics and marks the rows visible before it returns
    (autovacuum would wait a minute, and the first searches would be planned blind)."""
    assert _import(office, desk).returncode == 0
    store = office.superuser()
    try:
        analysed = store.column("SELECT relname FROM pg_stat_user_tables"
                                " WHERE last_analyze IS NOT NULL AND last_vacuum IS NOT NULL")
    finally:
        store.close()
    assert {"findings", "materials", "search_findings", "audit_log"} <= set(analysed)


def test_server_import_refuses_a_ledger_in_use_and_anyone_but_an_admin(office, desk):
    before = office.counts()
    r = office.cli("server-import", str(desk), role="经办人")
    assert r.returncode == 2
    assert "只有管理员能把单机台账迁入共享台账" in r.stderr
    assert office.counts() == before
    _import(office, desk)
    after_import = office.counts()
    r = office.cli("server-import", str(desk))
    assert r.returncode == 2
    assert "共享台账中已有数据（单位 42 个" in r.stderr and "只能迁入新建的空共享台账" in r.stderr
    assert office.counts() == after_import


def test_restore_onto_the_server_replaces_the_ledger_and_its_safety_copy_puts_it_back(office, desk, tmp_path):
    _import(office, desk)
    r = office.cli("backup")
    assert r.returncode == 0, r.stderr
    backup = r.stdout.strip().splitlines()[-1]
    as_backed_up = office.counts()
    # A change after the backup: one more 督办通知单.
    r = office.cli("notice-issue", "--unit", _unit_of_finding(office, 17), "--findings", "17")
    assert r.returncode == 0, r.stderr
    changed = office.counts()
    assert changed["notices"] == as_backed_up["notices"] + 1

    for role in ("经办人", "只读"):
        r = office.cli("restore", backup, "--yes", role=role)
        assert r.returncode == 2, r.stdout
        assert "只有管理员能用备份替换共享台账" in r.stderr
        assert office.counts() == changed

    r = office.cli("restore", backup, "--yes")
    assert r.returncode == 0, r.stderr
    restored = office.counts()
    assert restored["notices"] == as_backed_up["notices"]
    assert restored["audit_log"] == as_backed_up["audit_log"] + 1  # the restore's own row
    assert {t: n for t, n in restored.items() if t != "audit_log"} == \
        {t: n for t, n in as_backed_up.items() if t != "audit_log"}
    safety_line = [line for line in r.stdout.splitlines() if line.startswith("替换前的共享台账已备份到：")]
    assert safety_line, r.stdout
    safety = Path(safety_line[0].split("：", 1)[1])
    assert safety.is_file() and safety.parent.name == "恢复前自动备份"

    r = office.cli("restore", str(safety), "--yes")  # and back
    assert r.returncode == 0, r.stderr
    back = office.counts()
    assert back["notices"] == changed["notices"]
    assert back["audit_log"] == changed["audit_log"] + 1  # as it was before the first restore, and this one's row


def _unit_of_finding(office, finding_id: int) -> str:
    store = office.superuser()
    try:
        return store.value("SELECT u.name FROM findings f JOIN units u ON u.id = f.unit_id WHERE f.id = :id",
                           {"id": finding_id})
    finally:
        store.close()


def test_a_server_lost_during_server_import_leaves_the_ledger_as_it_was(office, desk):
    """The server goes away while the ledger is moving in: the command says so and nothing of the
    move is on the server. The move is held at its last step by a lock on the stored files, so the
    connection is cut while it is certainly half-way."""
    before = office.counts()
    locker, watcher = office.superuser(), office.superuser()
    locker.run_script("BEGIN; LOCK TABLE attachment_files IN SHARE MODE")
    cmd = [sys.executable, str(ROOT / "main.py"), "--data", str(office.tmp_path / "pc-move"),
           "--server", office.url(), "server-import", str(desk)]
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                             stdin=subprocess.DEVNULL)
    try:
        waiting = None
        for _ in range(1200):  # the move reaches the locked table
            waiting = watcher.value(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
                " AND application_name = 'chuangcheng-desk'")
            if waiting or child.poll() is not None:
                break
            time.sleep(0.05)
        assert waiting, ("server-import never reached the stored files", child.poll(), child.stderr.read()
                         if child.poll() is not None else "")
        assert watcher.value("SELECT count(*) FROM units") == 0  # its rows are not visible: not committed
        watcher.value("SELECT pg_terminate_backend(:pid)", {"pid": waiting})
        out, err = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
        locker.run_script("ROLLBACK")
        locker.close()
        watcher.close()
    assert child.returncode == 2, (out, err)
    assert "与共享台账服务器的连接断开了，这次操作没有保存任何内容" in err
    assert office.counts() == before


SEARCHES = [("区", "50"), ("的", "7"), ("市场", "50"), ("市场", "3"), ("农贸市场", "50"), ("农贸市场", "2"),
            ("文明城市", "5"), ("X创城督", "6"), ("市 场", "50"), ("x", "5"), ("PDF", "4"), ("%", "5"), ("zz", "5")]


def test_search_prints_the_same_lines_on_both_engines(office, desk):
    """The same demo data on a single desk and on the server: `search TEXT --limit N` prints the
    same bytes, for one, two and more characters, and when N cuts the list."""
    _import(office, desk)
    for text, limit in SEARCHES:
        on_desk = local("search", text, "--limit", limit, data=desk)
        on_server = office.cli("search", text, "--limit", limit, role="只读")
        assert on_desk.returncode == on_server.returncode == 0, (text, on_desk.stderr, on_server.stderr)
        assert on_server.stdout.encode() == on_desk.stdout.encode(), (text, limit)


def test_a_reader_writes_nothing_while_it_opens_searches_prints_and_exports(office, desk, tmp_path):
    _import(office, desk)
    before = office.counts()
    out = tmp_path / "reader-out"
    out.mkdir()
    commands = [
        ("search", "市场"),
        ("letters", "--year", "2026", "--out", str(out / "letters.pdf")),
        ("notices", "--out", str(out / "notices.pdf")),
        ("letters-status", "--year", "2026", "--out", str(out / "status.xlsx")),
        ("export-framework", str(out / "framework.xlsx")),
        ("findings-export", str(out / "findings.xlsx")),
        ("materials-export", str(out / "materials.xlsx")),
        ("catalogue", str(out / "catalogue.pdf")),
        ("bulletin", "--from", "2026-10-01", "--to", "2026-11-30", "--out", str(out / "bulletin.pdf")),
        ("loss-report", "--round", "2026年模拟测评", "--by", "unit", "--out", str(out / "loss.pdf")),
        ("package", str(out / "package.zip")),
        ("backup", "--out", str(out)),
    ]
    for command in commands:
        r = office.cli(*command, role="只读", pc="reader-pc")
        assert r.returncode == 0, (command, r.stderr)
    assert (out / "letters.pdf").stat().st_size > 0 and (out / "notices.pdf").stat().st_size > 0
    assert office.counts() == before


def test_two_clients_issuing_notices_at_once_get_consecutive_numbers(office, desk):
    _import(office, desk)
    store = office.superuser()
    try:
        pending = store.rows("SELECT f.id, u.name FROM findings f JOIN units u ON u.id = f.unit_id"
                             " WHERE f.status = '待交办' ORDER BY f.id")
        issued_before = store.column("SELECT seq FROM notices WHERE year = 2026 ORDER BY seq")
    finally:
        store.close()
    assert len(pending) >= 4
    children = []
    for i, finding in enumerate(pending):
        cmd = [sys.executable, str(ROOT / "main.py"), "--data", str(office.tmp_path / f"pc{i}"),
               "--server", office.url("经办人"), "notice-issue", "--unit", finding["name"],
               "--findings", str(finding["id"]), "--date", "2026-12-03"]
        children.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                         encoding="utf-8", stdin=subprocess.DEVNULL, env={**os.environ, **TODAY}))
    printed = []
    for child in children:
        out, err = child.communicate(timeout=180)
        assert child.returncode == 0, err
        printed.append(out.strip())
    store = office.superuser()
    try:
        seqs = store.column("SELECT seq FROM notices WHERE year = 2026 ORDER BY seq")
        numbers = store.column("SELECT number FROM notices WHERE year = 2026 ORDER BY seq")
    finally:
        store.close()
    first = max(issued_before) + 1
    assert seqs == issued_before + list(range(first, first + len(pending)))
    assert sorted(printed) == sorted(numbers[len(issued_before):])
    assert len(set(numbers)) == len(numbers)
