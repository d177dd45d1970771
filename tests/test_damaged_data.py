"""A damaged or emptied database, 数据体检's repairs, and a full disk, a read-only folder or a file
locked by another program: refused with a Chinese message, nothing half-written, nothing lost.

Disk failures are injected where the program meets the disk (the attachment store, SQLite's
COMMIT, opening the database, the log file), so these tests hold when run as root too."""

import errno
import logging.handlers
import os
import shutil
import sqlite3
import subprocess
from datetime import date, timedelta

import pytest

import core.db
from core import attachments, audit, safety
from core.safety import health
from core.errors import AppError
from conftest import ledger_args
from main import main
from test_cli import run
from test_materials_io import _fill, _pending, _template

RESTORE_HINT = "main.py restore 备份文件 --yes"


def data_folder_only(db, what: str) -> None:
    if db.engine != "sqlite":
        pytest.skip(f"{what} is the data folder's own (on the server the folder keeps only logs and cache)")


def _stored(root) -> dict:
    """Every file in a data folder's attachment store, by path, with its content."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in (root / "attachments").rglob("*") if p.is_file()}


def test_a_zero_byte_database_is_new_only_in_an_empty_folder(tmp_path):
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "chuangcheng.db").write_bytes(b"")  # a first start cut off before anything was written
    r = run("check", data=fresh)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (fresh / "chuangcheng.db").stat().st_size > 0

    data = tmp_path / "d"
    assert run("demo", data=data).returncode == 0
    files = _stored(data)
    assert files  # the demo district has attachments
    (data / "chuangcheng.db").write_bytes(b"")
    r = run("check", data=data)
    assert r.returncode == 3
    assert "数据库已损坏" in r.stdout and "0 字节" in r.stdout and RESTORE_HINT in r.stdout
    for command in (["search", "文明"], ["demo"], ["backup"]):
        r = run(*command, data=data)
        assert r.returncode == 2, command
        assert "0 字节" in r.stderr and RESTORE_HINT in r.stderr and "Traceback" not in r.stderr
    r = run("check", "--repair", "--yes", data=data)
    assert r.returncode == 2 and "不做任何修复" in r.stderr
    assert (data / "chuangcheng.db").stat().st_size == 0
    assert _stored(data) == files
    assert not list((data / "backups").rglob("*.ccbak"))


def test_check_repair_refuses_when_the_database_references_almost_none(demo_db, data_dir, capsys):
    data_folder_only(demo_db, "files left in attachments/")
    files = _stored(data_dir.root)
    shas = [r["sha256"] for r in demo_db.rows("SELECT DISTINCT sha256 FROM attachments ORDER BY sha256")]
    assert len(shas) >= 3
    with demo_db.write():  # as if the database had been swapped for an old or nearly empty one
        demo_db.execute("DELETE FROM attachments WHERE sha256 <> :p1", {"p1": shas[0]})
    problems = health.check(demo_db)
    assert sum(p["problem"] == "没有记录引用的文件" for p in problems) == len(shas) - 1
    with pytest.raises(AppError, match="没有移动任何文件") as refused:
        health.repair(demo_db, problems)
    assert RESTORE_HINT in refused.value.message_zh
    with demo_db.write():
        demo_db.execute("DELETE FROM attachments")
    demo_db.conn.close()
    assert main(["--data", str(data_dir.root), "check", "--repair", "--yes"]) == 2
    assert "数据库只引用了 0 个附件" in capsys.readouterr().err
    assert _stored(data_dir.root) == files
    assert not (data_dir.root / health.QUARANTINE).exists()


def test_check_repair_quarantines_instead_of_deleting_and_audits_each_file(demo_db, data_dir):
    data_folder_only(demo_db, "the 隔离区 and the backup mirror")
    safety.auto_backup(data_dir, demo_db)  # the mirror a damaged file is re-linked from
    sha = demo_db.rows("SELECT sha256 FROM attachments ORDER BY id LIMIT 1")[0]["sha256"]
    damaged = attachments.stored_path(demo_db, sha)
    damaged.write_bytes(b"edited by hand")
    orphan = data_dir.attachments / "ee" / ("e" * 64)
    orphan.parent.mkdir(exist_ok=True)
    orphan.write_bytes(b"left by an interrupted add")
    today = date.today()
    quarantine = data_dir.root / "隔离区"
    expired, kept = quarantine / (today - timedelta(days=31)).isoformat(), quarantine / (today - timedelta(days=30)).isoformat()
    for day in (expired, kept):
        day.mkdir(parents=True)
        (day / ("d" * 64)).write_bytes(b"quarantined earlier")

    assert health.repair(demo_db, health.check(demo_db)) == 2
    assert health.check(demo_db) == []
    assert attachments.file_sha256(damaged) == sha
    assert not orphan.exists()
    assert (quarantine / today.isoformat() / orphan.name).read_bytes() == b"left by an interrupted add"
    assert (quarantine / today.isoformat() / sha).read_bytes() == b"edited by hand"
    assert not expired.exists() and (kept / ("d" * 64)).exists()
    logged = {(r["action"], r["record_id"]) for r in audit.search(demo_db, table="attachments")}
    assert {("体检修复：无引用文件移入隔离区", orphan.name), ("体检修复：从备份镜像补回附件", sha),
            ("体检修复：清理隔离区", expired.name)} <= logged


class FailingCommit:
    """A connection whose COMMIT fails as SQLite's does on a full or read-only disk: only when the
    transaction has something to write."""

    def __init__(self, conn, error):
        self._conn, self._error, self._changes = conn, error, None

    def execute(self, sql, *params):
        verb = sql.split()[0].upper()
        if verb == "BEGIN":
            self._changes = self._conn.total_changes
        elif verb == "COMMIT" and self._conn.total_changes != self._changes:
            raise self._error
        return self._conn.execute(sql, *params)

    def __getattr__(self, name):
        return getattr(self._conn, name)


def _locked(path):
    error = PermissionError(errno.EACCES, "另一个程序正在使用此文件，进程无法访问。", str(path))
    error.winerror = 32  # what Windows raises when antivirus or an open program holds the file
    return error


FILE_FAILURES = [
    (lambda path: OSError(errno.ENOSPC, "No space left on device", str(path)), "磁盘空间不足"),
    (lambda path: PermissionError(errno.EACCES, "Permission denied", str(path)), "没有权限"),
    (lambda path: OSError(errno.EROFS, "Read-only file system", str(path)), "只读"),
    (_locked, "正被其他程序打开，请关闭后重试"),
]
DATABASE_FAILURES = [
    (sqlite3.OperationalError("database or disk is full"), "磁盘空间不足"),
    (sqlite3.OperationalError("attempt to write a readonly database"), "只读"),
    (sqlite3.OperationalError("disk I/O error"), "读写磁盘时出错"),
]


def test_full_disk_and_locked_files_refuse_a_materials_return_and_leave_no_files(
        demo_db, data_dir, tmp_path, monkeypatch, capsys):
    data_folder_only(demo_db, "a file failing to land in attachments/ and SQLite's COMMIT failing")
    template, headers, sheet = _template(demo_db, tmp_path)
    first, second, third = _pending(sheet, headers, "说明报告")[:2] + _pending(sheet, headers, "实景图片")[:1]
    shared_sha = demo_db.value("SELECT sha256 FROM attachments LIMIT 1")
    files = tmp_path / "报送文件"
    files.mkdir()
    (files / "说明一.pdf").write_bytes(b"%PDF-1.4 first report")
    (files / "说明二.pdf").write_bytes(b"%PDF-1.4 second report")
    # the same content as a file other records already use: it must survive every refusal
    (files / "旧照片.jpg").write_bytes(attachments.stored_path(demo_db, shared_sha).read_bytes())
    filled = tmp_path / "交回.xlsx"
    _fill(template, filled, {first: {"文件名": "说明一.pdf"}, second: {"文件名": "说明二.pdf"},
                             third: {"文件名": "旧照片.jpg"}})
    before_rows = demo_db.rows("SELECT id, status, doc_number FROM materials ORDER BY id")
    before_audit = demo_db.value("SELECT count(*) FROM audit_log")
    before_files = _stored(data_dir.root)
    demo_db.conn.close()
    command = ["--data", str(data_dir.root), "materials-import", str(filled), "--files", str(files)]
    real_replace, real_connect = os.replace, core.db.connect

    def refused(expected):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert expected in err and "Traceback" not in err, err
        check = sqlite3.connect(data_dir.db_path)
        assert check.execute("SELECT id, status, doc_number FROM materials ORDER BY id").fetchall() == [
            tuple(r.values()) for r in before_rows]
        assert check.execute("SELECT count(*) FROM audit_log").fetchone()[0] == before_audit
        check.close()
        assert _stored(data_dir.root) == before_files  # nothing left behind, nothing shared removed

    for make_error, expected in FILE_FAILURES:
        stores = []

        def second_store_fails(src, dst, make_error=make_error, stores=stores):
            if os.fspath(dst).startswith(str(data_dir.attachments)):
                stores.append(dst)
                if len(stores) == 2:  # the first new file is already in the store
                    raise make_error(dst)
            return real_replace(src, dst)

        monkeypatch.setattr(os, "replace", second_store_fails)
        refused(expected)
        monkeypatch.setattr(os, "replace", real_replace)
    for error, expected in DATABASE_FAILURES:
        monkeypatch.setattr(core.db, "connect", lambda path, error=error: _failing_commit(real_connect(path), error))
        refused(expected)
    monkeypatch.setattr(core.db, "connect", real_connect)
    assert main(command) == 0  # the same return once the disk is fine again
    assert _stored(data_dir.root).keys() > before_files.keys()


def _failing_commit(db, error):
    db.conn = FailingCommit(db.conn, error)
    return db


def test_check_tells_a_full_disk_from_a_damaged_database(demo_db, data_dir, monkeypatch, capsys):
    data_folder_only(demo_db, "an unopenable or damaged SQLite file")
    demo_db.conn.close()
    command = ["--data", str(data_dir.root), "check"]
    for error, expected in [(sqlite3.OperationalError("database or disk is full"), "磁盘已满"),
                            (sqlite3.OperationalError("disk I/O error"), "读写错误")]:
        def unopenable(path, error=error):
            raise error

        monkeypatch.setattr(core.db, "connect", unopenable)
        assert main(command) == 3
        out = capsys.readouterr().out
        assert expected in out and "数据库本身未损坏" in out and "数据库已损坏" not in out
    monkeypatch.undo()
    garbage = b"not a ledger " * 1000
    data_dir.db_path.write_bytes(garbage)
    assert main(command) == 3
    out = capsys.readouterr().out
    assert "数据库已损坏" in out and RESTORE_HINT in out
    assert data_dir.db_path.read_bytes() == garbage


def test_a_read_only_data_folder_logs_to_a_temporary_folder(demo_db, data_dir, tmp_path, monkeypatch, capsys):
    data_folder_only(demo_db, "the log's fall-back from a read-only data folder (the same for both engines)")
    made = safety.make_backup(data_dir, demo_db, tmp_path / "bk")
    demo_db.conn.close()
    real_handler = logging.handlers.RotatingFileHandler

    class ReadOnlyDataFolder(real_handler):
        def __init__(self, filename, *args, **kwargs):
            if os.fspath(filename).startswith(str(data_dir.root)):
                raise PermissionError(errno.EACCES, "Permission denied", os.fspath(filename))
            super().__init__(filename, *args, **kwargs)

    monkeypatch.setattr(logging.handlers, "RotatingFileHandler", ReadOnlyDataFolder)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "temp"))
    (tmp_path / "temp").mkdir()
    assert main(["--data", str(data_dir.root), "verify", str(made)]) == 0
    assert "备份完好" in capsys.readouterr().out
    assert list((tmp_path / "temp").rglob("chuangcheng.log"))


def test_exports_letters_packages_and_backups_name_the_disk_problem(demo_db, data_dir, tmp_path, monkeypatch,
                                                                    capsys):
    ledger = ledger_args(demo_db, data_dir)
    demo_db.close()
    out = tmp_path / "输出"
    out.mkdir()
    cases = [
        (["export-framework", str(out / "分解表.xlsx")], lambda p: OSError(errno.EROFS, "Read-only file system", p),
         "只读"),
        (["letters", "--year", "2026", "--out", str(out / "责任书.pdf")], _locked, "正被其他程序打开，请关闭后重试"),
        (["package", str(out / "资料包.zip")], lambda p: OSError(errno.ENOSPC, "No space left on device", p),
         "磁盘空间不足"),
        (["backup", "--out", str(out)], _locked, "正被其他程序打开，请关闭后重试"),
    ]
    real_replace = os.replace
    for command, make_error, expected in cases:
        def into_out_fails(src, dst, make_error=make_error):
            if os.fspath(dst).startswith(str(out)):
                raise make_error(os.fspath(dst))
            return real_replace(src, dst)

        monkeypatch.setattr(os, "replace", into_out_fails)
        assert main([*ledger, *command]) == 2, command
        err = capsys.readouterr().err
        assert expected in err and "Traceback" not in err, err
        assert list(out.iterdir()) == []  # no half file, no temporary left behind


def test_a_signed_copy_that_cannot_be_stored_leaves_the_letter_unmarked(demo_db, data_dir, tmp_path, monkeypatch,
                                                                         capsys):
    data_folder_only(demo_db, "a scan failing to land in attachments/")
    scan = tmp_path / "签字盖章.pdf"
    scan.write_bytes(b"%PDF-1.4 signed and stamped")
    before = demo_db.rows("SELECT * FROM letter_status ORDER BY id")
    before_files = _stored(data_dir.root)
    demo_db.conn.close()
    real_replace = os.replace

    def store_fails(src, dst):
        if os.fspath(dst).startswith(str(data_dir.attachments)):
            raise OSError(errno.ENOSPC, "No space left on device", os.fspath(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", store_fails)
    assert main(["--data", str(data_dir.root), "letters-mark", "--unit", "区文明办", "--state", "已签订",
                 "--signer", "张三", "--scan", str(scan)]) == 2
    assert "磁盘空间不足" in capsys.readouterr().err
    check = sqlite3.connect(data_dir.db_path)
    check.row_factory = sqlite3.Row
    assert [dict(r) for r in check.execute("SELECT * FROM letter_status ORDER BY id")] == before
    check.close()
    assert _stored(data_dir.root) == before_files


@pytest.fixture
def small_disk(tmp_path):
    """A real 24 MB file system (tmpfs) to fill up; only where this process may mount one."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("a real full disk needs root to mount a small tmpfs (the injected tests above cover it)")
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount_point)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


def _fill_disk(folder, leave: int):
    filler = folder / "filler"
    filler.unlink(missing_ok=True)
    filler.write_bytes(b"\0" * max(shutil.disk_usage(folder).free - leave, 0))


def test_a_really_full_disk(small_disk, tmp_path):
    data = small_disk / "data"
    assert run("demo", data=data).returncode == 0
    ledger = (data / "chuangcheng.db").read_bytes()
    files = _stored(data)
    _fill_disk(small_disk, leave=8 * 1024)  # not even room for SQLite's shared-memory file
    r = run("check", data=data)
    assert r.returncode == 3 and "磁盘已满（数据库本身未损坏）" in r.stdout and "数据库已损坏" not in r.stdout
    r = run("letters-mark", "--unit", "区文明办", "--state", "已印发", data=data)
    assert r.returncode == 2 and "磁盘空间不足" in r.stderr and "Traceback" not in r.stderr
    _fill_disk(small_disk, leave=160 * 1024)  # the database opens; a 300 KB signed copy does not fit
    scan = tmp_path / "签字盖章.pdf"
    scan.write_bytes(os.urandom(300 * 1024))
    r = run("letters-mark", "--unit", "区文明办", "--state", "已签订", "--signer", "张三", "--scan", str(scan),
            data=data)
    assert r.returncode == 2 and "磁盘空间不足" in r.stderr and "Traceback" not in r.stderr
    (small_disk / "filler").unlink()
    assert (data / "chuangcheng.db").read_bytes() == ledger and _stored(data) == files
    assert run("check", data=data).returncode == 0


def test_quarantine_days_follow_the_clock(demo_db, data_dir, monkeypatch):
    data_folder_only(demo_db, "the 隔离区")
    monkeypatch.setenv("CHUANGCHENG_TODAY", "2026-12-01")
    orphan = data_dir.attachments / "ee" / ("e" * 64)
    orphan.parent.mkdir(exist_ok=True)
    orphan.write_bytes(b"left by an interrupted add")
    quarantine = data_dir.root / health.QUARANTINE
    expired = quarantine / "2026-10-31"  # 31 days before the clock's day
    expired.mkdir(parents=True)
    (expired / ("d" * 64)).write_bytes(b"quarantined earlier")
    assert health.repair(demo_db, health.check(demo_db)) == 1
    assert (quarantine / "2026-12-01" / orphan.name).read_bytes() == b"left by an interrupted add"
    assert not expired.exists()


def test_a_rarer_file_error_is_named_in_chinese(tmp_path):
    from core.errors import app_error_from_os

    missing = FileNotFoundError(errno.ENOENT, "No such file or directory", str(tmp_path / "U盘" / "备份"))
    assert app_error_from_os(missing, "写入备份").message_zh == "无法写入备份：找不到文件或文件夹。"
    odd = OSError(errno.ENAMETOOLONG, "File name too long")
    assert app_error_from_os(odd, "写入备份").message_zh == f"无法写入备份：读写文件出错（错误号 {errno.ENAMETOOLONG}）。"
