"""Backups and restore: round trip, tampered files refused, interrupted restore, automatic snapshots."""

import hashlib
import json
import os
import shutil
import sqlite3
import zipfile

import pytest

from core import attachments, safety, settings, units
from core.errors import AppError
from core.paths import DataDir
from core.safety import health
from core.store import open_store


@pytest.fixture(autouse=True)
def data_folder_only(engine):
    """Decided before the demo is copied."""
    if engine != "sqlite":
        pytest.skip("the data folder's own backup, restore, snapshots and mirror (the SQLite file and "
                    "attachments/); a server ledger's backup and restore are tested in test_ledger_move")


@pytest.fixture
def filled(demo_db, data_dir, tmp_path):
    for i in range(3):
        f = tmp_path / f"photo{i}.jpg"
        f.write_bytes(f"photo {i}".encode() * 1000)
        attachments.add_attachment(demo_db, "units", 1, f)
    return demo_db, data_dir


def _dump(db) -> dict:
    # The log's own search index is left out: it indexes audit_log (compared below), which gains
    # the restore's row.
    tables = [r["name"] for r in db.rows("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                                         " AND name NOT LIKE 'fts_audit%'")]
    # sorted here: the search index's shadow tables have no rowid to order by
    return {t: sorted(db.rows(f"SELECT * FROM [{t}]"), key=repr) for t in tables}


def _files(data: DataDir) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in data.attachments.glob("*/*")}


def test_round_trip_backup_wipe_restore(filled, tmp_path):
    db, data = filled
    before, files_before = _dump(db), _files(data)
    path = safety.make_backup(data, db, tmp_path / "out")
    assert path.suffix == ".ccbak" and not list((tmp_path / "out").glob(".*"))
    manifest = safety.verify_backup(path)
    assert manifest["counts"]["units"] == 42 and manifest["attachment_files"] == len(files_before) >= 3
    with zipfile.ZipFile(path) as zf:
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist() if i.filename.startswith("attachments/"))
    db.conn.close()
    # wipe
    for p in data.root.iterdir():
        if p.name != "backups":
            p.unlink() if p.is_file() else shutil.rmtree(p)
    fresh = DataDir(data.root)
    result = safety.restore_backup(fresh, path)
    assert result["safety_backup"] is None  # nothing to keep in an emptied folder
    restored = open_store(fresh, "测试员")
    after = _dump(restored)
    restore_rows = [r for r in after["audit_log"] if r["action"] == "从备份恢复"]
    assert len(restore_rows) == 1  # the restore itself is the one thing added
    after["audit_log"].remove(restore_rows[0])
    assert after == before
    assert _files(fresh) == files_before
    restored.conn.close()


def test_restore_takes_a_safety_backup_and_replaces_data(filled, tmp_path):
    db, data = filled
    path = safety.make_backup(data, db, tmp_path / "out")
    units.create_unit(db, {"name": "恢复后应消失的单位"})
    db.conn.close()
    result = safety.restore_backup(data, path)
    assert result["safety_backup"] and result["safety_backup"].exists()
    db2 = open_store(data)
    assert units.resolver(db2).lookup("恢复后应消失的单位") is None
    db2.conn.close()
    # the safety backup holds the unit that the restore replaced
    with zipfile.ZipFile(result["safety_backup"]) as zf:
        zf.extract(safety.DB_MEMBER, tmp_path / "x")
    conn = sqlite3.connect(tmp_path / "x" / safety.DB_MEMBER)
    assert conn.execute("SELECT count(*) FROM units WHERE name = '恢复后应消失的单位'").fetchone()[0] == 1
    conn.close()


def _rewrite(src, dst, mutate):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        items = {i.filename: zin.read(i.filename) for i in zin.infolist()}
        for name, content in mutate(items).items():
            zout.writestr(name, content)
    return dst


@pytest.mark.parametrize("kind", ["changed_byte", "removed_member", "climbing_path", "newer_schema", "not_a_zip"])
def test_tampered_backups_are_refused_and_nothing_changes(filled, tmp_path, kind):
    db, data = filled
    good = safety.make_backup(data, db, tmp_path / "out")
    bad = tmp_path / f"bad-{kind}.ccbak"

    def changed_byte(items):
        name = next(n for n in items if n.startswith("attachments/"))
        items[name] = b"X" + items[name][1:]
        return items

    def removed_member(items):
        del items[next(n for n in items if n.startswith("attachments/"))]
        return items

    def climbing_path(items):
        items["../../evil.txt"] = b"x"
        return items

    def newer_schema(items):
        m = json.loads(items["manifest.json"])
        m["schema_version"] += 1
        items["manifest.json"] = json.dumps(m).encode()
        return items

    if kind == "not_a_zip":
        bad.write_bytes(b"garbage" * 100)
    else:
        _rewrite(good, bad, locals()[kind])
    units.create_unit(db, {"name": "现有数据"})
    before = _dump(db)
    with pytest.raises(AppError):
        safety.verify_backup(bad)
    db.conn.close()
    with pytest.raises(AppError):
        safety.restore_backup(data, bad)
    db2 = open_store(data)
    assert _dump(db2) == before
    assert not (tmp_path / "evil.txt").exists() and not (data.root.parent / "evil.txt").exists()
    db2.conn.close()


def test_interrupted_restore_rolls_back(filled, tmp_path, monkeypatch):
    db, data = filled
    path = safety.make_backup(data, db, tmp_path / "out")
    units.create_unit(db, {"name": "旧数据里的单位"})
    db.conn.close()
    real_replace = os.replace
    calls = {"n": 0}

    def crash_midway(src, dst):
        calls["n"] += 1
        if calls["n"] == 3:  # after the journal and the first moves: the process dies here
            raise KeyboardInterrupt("simulated power cut")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash_midway)
    with pytest.raises(KeyboardInterrupt):
        safety.restore_backup(data, path)
    monkeypatch.setattr(os, "replace", real_replace)
    db2 = open_store(data)  # recovery runs on open
    assert units.resolver(db2).lookup("旧数据里的单位") is not None
    assert not (data.root / safety.JOURNAL).exists()
    db2.conn.close()


def test_auto_backup_snapshots_mirror_and_restore_from_snapshot(filled, tmp_path):
    from datetime import date

    db, data = filled
    usb = tmp_path / "usb"
    written = safety.auto_backup(data, db, str(usb), keep_daily=2, today=date(2026, 11, 20))
    safety.auto_backup(data, db, str(usb), keep_daily=2, today=date(2026, 11, 21))
    safety.auto_backup(data, db, str(usb), keep_daily=2, today=date(2026, 11, 22))
    snaps = sorted(p.name for p in (data.backups / "auto" / "snapshots").glob("daily-*.db"))
    assert snaps == ["daily-20261121.db", "daily-20261122.db"]
    stored = {p.name for p in data.attachments.glob("*/*")}
    assert {p.name for p in (usb / "创城工作台自动备份" / "attachments").glob("*/*")} == stored
    assert safety.backup_age_days(data) < 0.01
    units.create_unit(db, {"name": "快照之后的单位"})
    db.conn.close()
    safety.restore_backup(data, data.backups / "auto" / "snapshots" / "daily-20261122.db")
    db2 = open_store(data)
    assert units.resolver(db2).lookup("快照之后的单位") is None
    assert len(attachments.list_attachments(db2, "units", 1)) == 3
    assert health.check(db2) == []
    db2.conn.close()
    assert written


def test_health_check_finds_and_repairs(filled):
    db, data = filled
    assert health.check(db) == []
    safety.auto_backup(data, db)
    a = attachments.list_attachments(db, "units", 1)[0]
    path = attachments.stored_path(db, a["sha256"])
    path.write_bytes(b"tampered")
    orphan = data.attachments / "ff" / ("f" * 64)
    orphan.parent.mkdir(exist_ok=True)
    orphan.write_bytes(b"left over")
    problems = health.check(db)
    assert {p["problem"] for p in problems} == {"内容已被改动（哈希不符）", "没有记录引用的文件"}
    assert health.repair(db, problems) == 2
    assert health.check(db) == []
    assert attachments.file_sha256(path) == a["sha256"]


def test_backup_refused_when_the_target_is_too_small(filled, tmp_path, monkeypatch):
    db, data = filled
    monkeypatch.setattr(shutil, "disk_usage", lambda p: type("U", (), {"free": 1000})())
    with pytest.raises(AppError, match="空间不足"):
        safety.make_backup(data, db, tmp_path / "small")
    assert list((tmp_path / "small").iterdir()) == []


def test_fat32_limit_is_detected(filled, tmp_path, monkeypatch):
    db, data = filled
    monkeypatch.setattr(safety.backup, "filesystem_type", lambda folder: "vfat")
    monkeypatch.setattr(shutil, "disk_usage", lambda p: type("U", (), {"free": 10 * 1024 ** 4})())
    big = data.attachments / "ab" / ("ab" * 32)  # a sparse 5 GB file: no disk space used
    big.parent.mkdir(exist_ok=True)
    with open(big, "wb") as f:
        f.truncate(5 * 1024 ** 3)
    with pytest.raises(AppError, match="FAT32"):
        safety.make_backup(data, db, tmp_path / "usb")


def test_backup_status_says_what_needs_doing(filled, tmp_path, monkeypatch):
    from datetime import date, timedelta

    db, data = filled
    status = safety.backup_status(data, db)
    assert status.never and status.stale and status.warning == "还没有备份过"
    safety.make_backup(data, db, tmp_path / "out")
    status = safety.backup_status(data, db)
    assert not status.stale and status.warning == "" and status.summary.startswith("上次成功备份：")
    usb = tmp_path / "U盘"
    settings.set(db, "backup_second_folder", str(usb))  # set, but the USB disk is not plugged in
    status = safety.backup_status(data, db)
    assert not status.second_folder_ok and not status.stale
    assert status.warning.startswith("上次成功备份：") and f"⚠第二备份位置 {usb} 不可用" in status.warning
    usb.mkdir()
    assert safety.backup_status(data, db).warning == ""
    monkeypatch.setenv("CHUANGCHENG_TODAY", (date.today() + timedelta(days=10)).isoformat())
    status = safety.backup_status(data, db)
    assert status.stale and 9.9 < status.age_days < 10.1
    assert status.warning == "⚠上次成功备份：10 天前，已超过提醒天数，请尽快备份"


def test_the_daily_snapshot_is_named_after_the_clocks_day(filled, monkeypatch):
    db, data = filled
    monkeypatch.setenv("CHUANGCHENG_TODAY", "2026-11-20")
    written = safety.auto_backup(data, db)
    assert [p.name for p in written] == ["daily-20261120.db"]
    assert (data.backups / "auto" / "snapshots" / "monthly-202611.db").exists()
    assert safety.backup_status(data, db).age_days < 0.01  # made "today" on the clock's day
