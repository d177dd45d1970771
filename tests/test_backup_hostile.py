"""Hostile and unlucky backups: crafted snapshots and archives, broken databases, oversized members,
missing attachments, a window holding the folder, leftovers of killed runs, foreign backups.

Every refusal is checked the way a user would: exit 2 (or AppError), a Chinese message without
English technical words, and a data folder byte-identical apart from logs/."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from datetime import date

import pytest

from conftest import ROOT
from core import attachments, audit, safety, units
from core.errors import AppError
from core.paths import DataDir
from core.store import open_store
from test_cli import count, run

MB = 1024 * 1024


def tree_state(root) -> dict:
    """Every file and folder under root except logs/, with each file's SHA-256."""
    state = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if rel.parts[0] == "logs":
            continue
        state[rel.as_posix()] = "folder" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
    return state


def english_words(text: str, *allowed: str) -> list[str]:
    """ASCII words a user would have to read in a message (paths, hashes and option names aside)."""
    for a in allowed:
        text = text.replace(a, "")
    text = re.sub(r"(?:[A-Za-z]:)?[/\\][^\s：，。（）“”]+|--[a-z-]+|\.ccbak|\.db\b|[0-9a-f]{6,}", "", text)
    return re.findall(r"[A-Za-z]{3,}", text)


@pytest.fixture
def small(data_dir, tmp_path):
    """A data folder with a few units and three attachments; its store is closed."""
    db = open_store(data_dir, "测试员")
    units.create_unit(db, {"name": "区文明办"})
    for i in range(3):
        f = tmp_path / f"照片{i}.jpg"
        f.write_bytes(f"photo {i} ".encode() * 3000)
        attachments.add_attachment(db, "units", 1, f)
    db.conn.close()
    return data_dir


def _backup(data, out) -> "os.PathLike":
    db = open_store(data, "测试员")
    try:
        return safety.make_backup(data, db, out)
    finally:
        db.conn.close()


def _rewrite(src, dst, mutate):
    """A copy of a backup with its members changed by mutate({name: bytes}) (manifest included)."""
    with zipfile.ZipFile(src) as zin:
        items = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    with zipfile.ZipFile(dst, "w") as zout:
        for name, content in mutate(items).items():
            zout.writestr(name, content)
    return dst


def _manifest(items) -> dict:
    return json.loads(items[safety.MANIFEST])


def _set_manifest(items, manifest) -> dict:
    items[safety.MANIFEST] = json.dumps(manifest, ensure_ascii=False).encode("utf-8")
    return items


def _refused_and_untouched(data, path, *, match=None):
    """verify and restore both refuse the file with AppError; the data folder does not change.
    (Restore is told the backup may come from elsewhere, so the check that refuses is the real one.)"""
    before = tree_state(data.root)
    messages = []
    for call in (lambda: safety.verify_backup(path), lambda: safety.restore_backup(data, path, allow_foreign=True)):
        with pytest.raises(AppError) as refused:
            call()
        message = str(refused.value)
        assert english_words(message, str(path), path.name) == [], message
        if match:
            assert re.search(match, message), message
        messages.append(message)
    assert tree_state(data.root) == before
    return messages


# --- point 1: nothing written outside the data folder --------------------------------------------

def _snapshot_with_hash(data, tmp_path, bad_hash):
    """An automatic snapshot (with its attachment mirror) whose attachments table was edited."""
    db = open_store(data, "测试员")
    evil = tmp_path / "a" / "b" / "evil"
    safety.auto_backup(data, db, str(evil), today=date(2026, 11, 20))
    db.conn.close()
    folder = evil / "创城工作台自动备份"
    snap = folder / "snapshots" / "daily-20261120.db"
    conn = sqlite3.connect(snap)
    conn.execute("UPDATE attachments SET sha256 = ? WHERE id = 1", (bad_hash,))
    conn.commit()
    conn.close()
    if not os.path.isabs(bad_hash):  # the file the hash points at from the mirror, so a naive copy finds it
        source = os.path.normpath(folder / "attachments" / bad_hash[:2] / bad_hash)
        os.makedirs(os.path.dirname(source), exist_ok=True)
        with open(source, "wb") as f:
            f.write(b"attacker")
    return folder, snap


@pytest.mark.parametrize("bad_hash", ["../../pwned", "..\\..\\pwned", "/tmp/pwned", "A" * 64, "a" * 63])
def test_snapshot_with_an_unsafe_hash_is_refused_and_writes_nothing(small, tmp_path, bad_hash):
    folder, snap = _snapshot_with_hash(small, tmp_path, bad_hash)
    outside_before = {p for p in tmp_path.rglob("*") if small.root not in p.parents}
    before = tree_state(small.root)
    with pytest.raises(AppError, match="快照") as refused:
        safety.restore_backup(small, snap)
    assert english_words(str(refused.value), snap.name) == []
    assert {p for p in tmp_path.rglob("*") if small.root not in p.parents} == outside_before
    assert not (tmp_path / "pwned").exists()
    assert tree_state(small.root) == before


def test_snapshot_climbing_out_is_refused_on_the_command_line(small, tmp_path):
    folder, snap = _snapshot_with_hash(small, tmp_path, "../../pwned")
    r = run("restore", str(snap), "--yes", data=small.root)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and "快照" in r.stderr
    assert not (tmp_path / "pwned").exists()


def test_snapshot_with_a_changed_mirror_file_is_refused(small, tmp_path):
    db = open_store(small, "测试员")
    safety.auto_backup(small, db, today=date(2026, 11, 20))
    sha = attachments.list_attachments(db, "units", 1)[0]["sha256"]
    db.conn.close()
    mirrored = small.backups / "auto" / "attachments" / sha[:2] / sha
    mirrored.write_bytes(b"not the photo any more")
    _refused_and_untouched_restore(small, small.backups / "auto" / "snapshots" / "daily-20261120.db", "附件")


def _refused_and_untouched_restore(data, path, match):
    before = tree_state(data.root)
    with pytest.raises(AppError, match=match) as refused:
        safety.restore_backup(data, path, allow_foreign=True)
    assert english_words(str(refused.value), path.name) == []
    assert tree_state(data.root) == before


def test_archive_whose_database_holds_an_unsafe_hash_is_refused(small, tmp_path):
    good = _backup(small, tmp_path / "out")
    with zipfile.ZipFile(good) as zf:
        zf.extract(safety.DB_MEMBER, tmp_path / "x")
    crafted_db = tmp_path / "x" / safety.DB_MEMBER
    conn = sqlite3.connect(crafted_db)
    conn.execute("UPDATE attachments SET sha256 = '../../../pwned' WHERE id = 1")
    conn.commit()
    conn.close()

    def swap_database(items):
        items[safety.DB_MEMBER] = crafted_db.read_bytes()
        manifest = _manifest(items)
        manifest["members"][safety.DB_MEMBER] = {"sha256": hashlib.sha256(items[safety.DB_MEMBER]).hexdigest(),
                                                 "size": len(items[safety.DB_MEMBER])}
        return _set_manifest(items, manifest)

    bad = _rewrite(good, tmp_path / "bad.ccbak", swap_database)
    _refused_and_untouched_restore(small, bad, "附件")


def test_archive_attachment_whose_content_does_not_match_its_name_is_refused(small, tmp_path):
    good = _backup(small, tmp_path / "out")

    def replace_content(items):
        name = next(n for n in items if n.startswith("attachments/"))
        items[name] = b"other content"
        manifest = _manifest(items)  # a consistent manifest: only the name gives the lie away
        manifest["members"][name] = {"sha256": hashlib.sha256(b"other content").hexdigest(), "size": 13}
        return _set_manifest(items, manifest)

    _refused_and_untouched(small, _rewrite(good, tmp_path / "bad.ccbak", replace_content))


# --- point 2: restore over a broken database ------------------------------------------------------

def _break(db_path, kind):
    real = db_path.read_bytes()
    if kind == "garbage":
        db_path.write_bytes(os.urandom(64 * 1024))
    elif kind == "garbage_pages":
        db_path.write_bytes(real[:4096] + b"\xa5" * (len(real) - 4096))
    elif kind == "truncated":
        db_path.write_bytes(real[: len(real) // 3])
    else:
        db_path.write_bytes(b"")
    return db_path.read_bytes()


@pytest.mark.parametrize("kind", ["garbage", "garbage_pages", "truncated", "empty"])
def test_restore_over_a_broken_database(small, tmp_path, kind):
    good = _backup(small, tmp_path / "out")
    (small.root / "chuangcheng.db-wal").unlink(missing_ok=True)
    broken = _break(small.db_path, kind)
    r = run("--operator", "王小明", "restore", str(good), "--yes", data=small.root)
    assert r.returncode == 0, r.stderr
    assert count(small.root, "SELECT count(*) FROM units WHERE name = '区文明办'") == 1
    copies = list((small.backups / "恢复前自动备份").glob("损坏的数据库-*.db"))
    assert len(copies) == 1 and copies[0].read_bytes() == broken
    assert copies[0].name in r.stdout
    # the attachments that sat beside the broken database are kept beside its copy
    kept = list((small.backups / "恢复前自动备份").glob("损坏的数据库-*-附件/*/*"))
    assert len(kept) == 3


# --- point 4: every refused backup exits 2 in Chinese ---------------------------------------------

def _member_offsets(path):
    """(name, first byte of its data, size) for every member of a stored (uncompressed) zip."""
    found = []
    with zipfile.ZipFile(path) as zf, open(path, "rb") as f:
        for info in zf.infolist():
            f.seek(info.header_offset + 26)
            name_len, extra_len = int.from_bytes(f.read(2), "little"), int.from_bytes(f.read(2), "little")
            found.append((info.filename, info.header_offset + 30 + name_len + extra_len, info.compress_size))
    return found


def test_a_flipped_byte_in_any_member_is_refused(small, tmp_path):
    good = _backup(small, tmp_path / "out")
    members = _member_offsets(good)
    assert {m[0] for m in members} >= {safety.DB_MEMBER, safety.MANIFEST}
    for name, start, size in members:
        bad = tmp_path / "flipped.ccbak"
        content = bytearray(good.read_bytes())
        content[start + size // 2] ^= 0x01
        bad.write_bytes(bytes(content))
        messages = _refused_and_untouched(small, bad)
        assert all("CRC" not in m for m in messages), name


def test_flipped_byte_on_the_command_line(small, tmp_path):
    good = _backup(small, tmp_path / "out")
    name, start, size = next(m for m in _member_offsets(good) if m[0] == safety.DB_MEMBER)
    content = bytearray(good.read_bytes())
    content[start + size // 2] ^= 0x01
    bad = tmp_path / "flipped.ccbak"
    bad.write_bytes(bytes(content))
    before = tree_state(small.root)
    for args in (("verify", str(bad)), ("restore", str(bad), "--yes")):
        r = run(*args, data=small.root)
        assert r.returncode == 2, r.stderr
        assert "损坏" in r.stderr and english_words(r.stderr, str(bad), bad.name) == [], r.stderr
    assert tree_state(small.root) == before
    log = (small.logs / "chuangcheng.log").read_text(encoding="utf-8")
    assert "CRC" in log  # the technical detail is kept for support, not shown


def _first_attachment(items):
    return next(n for n in items if n.startswith("attachments/"))


def _edit_manifest(edit):
    def mutate(items):
        manifest = _manifest(items)
        result = edit(manifest, items)
        if isinstance(result, (bytes, list)):
            items[safety.MANIFEST] = result if isinstance(result, bytes) else json.dumps(result).encode()
            return items
        return _set_manifest(items, manifest)
    return mutate


def _drop_member(items):
    del items[_first_attachment(items)]
    return items


def _extra_member(items):
    items["attachments/ab/" + "ab" * 32] = b"unlisted"
    return items


def _odd_path(items):
    name = _first_attachment(items)
    manifest = _manifest(items)
    items["attachments/zz"] = items.pop(name)
    manifest["members"]["attachments/zz"] = manifest["members"].pop(name)
    return _set_manifest(items, manifest)


MANIFEST_VARIANTS = {
    "a_list": _edit_manifest(lambda m, items: [m]),
    "not_json": _edit_manifest(lambda m, items: b"{not json"),
    "not_utf8": _edit_manifest(lambda m, items: b"\xff\xfe\x00"),
    "members_a_list": _edit_manifest(lambda m, items: m.update(members=list(m["members"]))),
    "size_a_string": _edit_manifest(lambda m, items: m["members"][safety.DB_MEMBER].update(size="12")),
    "negative_size": _edit_manifest(lambda m, items: m["members"][safety.DB_MEMBER].update(size=-1)),
    "hash_a_number": _edit_manifest(lambda m, items: m["members"][safety.DB_MEMBER].update(sha256=12)),
    "schema_a_string": _edit_manifest(lambda m, items: m.update(schema_version="1")),
    "counts_a_list": _edit_manifest(lambda m, items: m.update(counts=[1, 2])),
    "hmac_a_number": _edit_manifest(lambda m, items: m.update(hmac=12)),
    "hmac_not_ascii": _edit_manifest(lambda m, items: m.update(hmac="签名")),
    "no_members": _edit_manifest(lambda m, items: m.pop("members")),
    "no_schema_version": _edit_manifest(lambda m, items: m.pop("schema_version")),
    "no_created_at": _edit_manifest(lambda m, items: m.pop("created_at")),
    "member_meta_a_string": _edit_manifest(lambda m, items: m["members"].update({safety.DB_MEMBER: "x"})),
    "listed_but_absent": _drop_member,
    "present_not_listed": _extra_member,
    "odd_path": _odd_path,
    "no_manifest": lambda items: {k: v for k, v in items.items() if k != safety.MANIFEST},
    "climbing_member": lambda items: {**items, "../../evil.txt": b"x"},
}


@pytest.mark.parametrize("variant", sorted(MANIFEST_VARIANTS))
def test_manifest_and_member_variants_are_refused(small, tmp_path, variant):
    good = _backup(small, tmp_path / "out")
    bad = _rewrite(good, tmp_path / f"{variant}.ccbak", MANIFEST_VARIANTS[variant])
    _refused_and_untouched(small, bad)
    assert not (tmp_path / "evil.txt").exists()


def test_duplicate_member_names_are_refused(small, tmp_path):
    good = _backup(small, tmp_path / "out")
    bad = tmp_path / "dup.ccbak"
    shutil.copyfile(good, bad)
    with zipfile.ZipFile(bad, "a") as zf, pytest.warns(UserWarning):
        zf.writestr(safety.DB_MEMBER, b"a second database")
    _refused_and_untouched(small, bad)


def _oversized(small, tmp_path, lie_in_directory: bool):
    """A backup whose manifest declares one attachment as 1 MB while it holds 50 MB."""
    db = open_store(small, "测试员")
    f = tmp_path / "big.bin"
    f.write_bytes(b"\x01" * MB)
    attachments.add_attachment(db, "units", 1, f)
    db.conn.close()
    good = _backup(small, tmp_path / "out")
    sha = hashlib.sha256(b"\x01" * MB).hexdigest()
    name = f"attachments/{sha[:2]}/{sha}"
    bad = _rewrite(good, tmp_path / "oversized.ccbak",
                   lambda items: {**items, name: b"\x01" * (50 * MB)})
    if lie_in_directory:  # the zip's own directory claims 1 MB too
        raw = bytearray(bad.read_bytes())
        with zipfile.ZipFile(bad) as zf:
            info = zf.getinfo(name)
        encoded = name.encode()
        for header in (b"PK\x01\x02", b"PK\x03\x04"):
            at = raw.find(header)
            while at != -1:
                name_at, sizes_at = (at + 46, at + 20) if header == b"PK\x01\x02" else (at + 30, at + 18)
                if raw[name_at:name_at + len(encoded)] == encoded:
                    raw[sizes_at:sizes_at + 8] = (MB).to_bytes(4, "little") * 2
                at = raw.find(header, at + 4)
        assert info.file_size == 50 * MB
        bad.write_bytes(bytes(raw))
    return bad


def _run_with_file_size_limit(limit, *args, data):
    import resource

    def limit_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    cmd = [sys.executable, str(ROOT / "main.py"), "--data", str(data), *args]
    return subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", timeout=300,
                          preexec_fn=limit_files, stdin=subprocess.DEVNULL,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE")
@pytest.mark.parametrize("lie_in_directory", [False, True], ids=["honest_directory", "lying_directory"])
def test_member_larger_than_declared_is_refused_after_at_most_its_declared_size(small, tmp_path, lie_in_directory):
    bad = _oversized(small, tmp_path, lie_in_directory)
    before = tree_state(small.root)
    # No file the command writes may grow past 3 MB (the database and the 1 MB member fit):
    # writing the real 50 MB would kill it with SIGXFSZ instead of a refusal.
    r = _run_with_file_size_limit(3 * MB, "restore", str(bad), "--yes", data=small.root)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "损坏" in r.stderr and english_words(r.stderr, str(bad), bad.name) == []
    assert tree_state(small.root) == before


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE")
def test_small_backup_holding_a_huge_compressed_member_is_refused(small, tmp_path):
    good = _backup(small, tmp_path / "out")
    bad = tmp_path / "bomb.ccbak"
    zeros = b"\0" * MB
    sha = hashlib.sha256(zeros).hexdigest()
    name = f"attachments/{sha[:2]}/{sha}"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as zout:
        manifest = json.loads(zin.read(safety.MANIFEST))
        manifest["members"][name] = {"sha256": sha, "size": MB}
        for info in zin.infolist():
            if info.filename != safety.MANIFEST:
                zout.writestr(info.filename, zin.read(info.filename))
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        with zout.open(info, "w", force_zip64=True) as dst:
            for _ in range(1536):  # 1.5 GB of zeros, about 1.5 MB compressed
                dst.write(zeros)
        zout.writestr(safety.MANIFEST, json.dumps(manifest))
    assert bad.stat().st_size < 5 * MB
    before = tree_state(small.root)
    r = _run_with_file_size_limit(3 * MB, "restore", str(bad), "--yes", data=small.root)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert tree_state(small.root) == before


def test_backup_larger_than_the_free_space_is_refused_before_extracting(small, tmp_path, monkeypatch):
    good = _backup(small, tmp_path / "out")
    size = sum(m["size"] for m in safety.verify_backup(good)["members"].values())
    free = 100 * MB + size - 1
    monkeypatch.setattr(shutil, "disk_usage", lambda p: type("U", (), {"free": free})())
    before = tree_state(small.root)
    with pytest.raises(AppError, match="空间不足"):
        safety.restore_backup(small, good)
    assert tree_state(small.root) == before


# --- point 5: a backup holds everything the database references -----------------------------------

def test_backup_with_missing_attachments_fails_unless_allowed(small, tmp_path):
    lost = next(small.attachments.glob("*/*"))
    lost.unlink()
    out = tmp_path / "out"
    r = run("backup", "--out", str(out), data=small.root)
    assert r.returncode == 2
    assert "照片" in r.stderr and "数据体检" in r.stderr and "--allow-missing" in r.stderr
    assert not out.exists() or list(out.iterdir()) == []
    assert not (small.backups / "last-backup.json").exists()
    r = run("backup", "--out", str(out), "--allow-missing", data=small.root)
    assert r.returncode == 0, r.stderr
    assert "缺少 1 个附件" in r.stdout
    path = r.stdout.strip().splitlines()[-1]
    manifest = safety.verify_backup(path)
    assert [m["sha256"] for m in manifest["missing_attachments"]] == [lost.name]
    db = open_store(small, "测试员")
    status = safety.backup_status(small, db)
    db.close()
    assert status.incomplete and status.never
    assert "上次成功备份" not in status.summary and "不完整" in status.summary
    r = run("verify", path, data=small.root)
    assert r.returncode == 0 and "缺少 1 个附件" in r.stdout


def test_status_bar_does_not_count_an_incomplete_backup(qtbot, window, data_dir, tmp_path):
    db = window.ctx.db
    f = tmp_path / "a.jpg"
    f.write_bytes(b"photo" * 100)
    attachments.add_attachment(db, "units", 1, f)
    next(data_dir.attachments.glob("*/*")).unlink()
    safety.make_backup(data_dir, db, tmp_path / "out", allow_missing=True)
    window.update_status()
    status = window._status.text()
    assert "不完整" in status and "上次成功备份" not in status


def test_damaged_attachment_counts_as_missing(small, tmp_path):
    damaged = next(small.attachments.glob("*/*"))
    damaged.write_bytes(b"changed")
    db = open_store(small, "测试员")
    with pytest.raises(AppError, match="数据体检"):
        safety.make_backup(small, db, tmp_path / "out")
    path = safety.make_backup(small, db, tmp_path / "out", allow_missing=True)
    db.conn.close()
    manifest = safety.verify_backup(path)
    assert [m["sha256"] for m in manifest["missing_attachments"]] == [damaged.name]
    assert f"attachments/{damaged.name[:2]}/{damaged.name}" not in manifest["members"]


# --- point 7: a window holding the folder ----------------------------------------------------------

def test_restore_refused_while_a_window_holds_the_folder(small, tmp_path):
    from core.safety.instance_lock import InstanceLock

    good = _backup(small, tmp_path / "out")
    lock = InstanceLock(small.root)
    assert lock.acquire()
    try:
        before = tree_state(small.root)
        r = run("restore", str(good), "--yes", data=small.root)
        assert r.returncode == 2 and "关闭" in r.stderr and "--force" in r.stderr
        assert tree_state(small.root) == before
        r = run("restore", str(good), "--yes", "--force", data=small.root)
        assert r.returncode == 0, r.stderr
    finally:
        lock.release()
    r = run("restore", str(good), "--yes", data=small.root)
    assert r.returncode == 0, r.stderr


def test_the_window_lock_is_the_one_the_command_line_sees(qtbot, small):
    from core.safety.instance_lock import is_held
    from gui.single_instance import SingleInstance

    assert not is_held(small.root)
    window_lock = SingleInstance(small.root)
    assert window_lock.acquire()
    assert is_held(small.root)
    window_lock.release()
    assert not is_held(small.root)


def _sharing_violation():
    exc = PermissionError(13, "The process cannot access the file because it is being used by another process")
    exc.winerror = 32
    return exc


def test_swap_retries_on_a_windows_sharing_violation(small, tmp_path, monkeypatch):
    good = _backup(small, tmp_path / "out")
    db = open_store(small, "测试员")
    units.create_unit(db, {"name": "恢复后应消失"})
    db.conn.close()
    real_replace = os.replace
    failures = {"left": 2}

    def live_database_held_for_a_moment(src, dst):  # an antivirus scan or the search indexer
        if str(src) == str(small.db_path) and failures["left"]:
            failures["left"] -= 1
            raise _sharing_violation()
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", live_database_held_for_a_moment)
    monkeypatch.setattr("time.sleep", lambda s: None)
    safety.restore_backup(small, good)
    assert failures["left"] == 0
    assert count(small.root, "SELECT count(*) FROM units WHERE name = '恢复后应消失'") == 0


def test_swap_gives_up_in_chinese_and_keeps_the_old_data(small, tmp_path, monkeypatch):
    good = _backup(small, tmp_path / "out")
    db = open_store(small, "测试员")
    units.create_unit(db, {"name": "旧数据"})
    db.conn.close()
    real_replace = os.replace

    def staged_database_always_held(src, dst):  # after the old files were already moved aside
        if str(dst) == str(small.db_path) and ".restore-staging" in str(src):
            raise _sharing_violation()
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", staged_database_always_held)
    monkeypatch.setattr("time.sleep", lambda s: None)
    with pytest.raises(AppError, match="占用") as refused:
        safety.restore_backup(small, good)
    assert english_words(str(refused.value)) == []
    monkeypatch.setattr(os, "replace", real_replace)
    assert count(small.root, "SELECT count(*) FROM units WHERE name = '旧数据'") == 1
    assert not (small.root / safety.JOURNAL).exists()
    assert len(list(small.attachments.glob("*/*"))) == 3


def test_window_restore_waits_for_background_jobs(qtbot, window, data_dir, monkeypatch):
    import time

    from gui.jobs import run_job

    monkeypatch.setattr("gui.dialogs.show_info", lambda *a: None)
    path = safety.make_backup(data_dir, window.ctx.db)
    original = data_dir.db_path.stat().st_ino
    seen = {}

    def long_job(db, progress, cancel):
        deadline = time.monotonic() + 15
        while not cancel() and time.monotonic() < deadline:
            time.sleep(0.01)
        seen["database_at_end"] = data_dir.db_path.stat().st_ino
        return None

    run_job(window, "长任务", long_job, window.ctx.open_worker_db, lambda _: None, quiet=True)
    old = window.ctx.db
    window.restore_from(str(path))
    qtbot.waitUntil(lambda: window.ctx.db is not old, timeout=30000)
    assert seen["database_at_end"] == original  # the job had ended before the files were swapped
    assert len(units.list_units(window.ctx.db)) == 42


# --- point 8: leftovers of killed runs -------------------------------------------------------------

def _dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _plant_leftovers(data, out):
    pid = _dead_pid()
    planted = [
        data.backups / ".创城工作台备份-20260101-120000.ccbak.partial",  # an older program's name
        data.backups / f".创城工作台备份-20260101-120001.ccbak.{pid}.partial",
        out / f".创城工作台备份-20260101-120002.ccbak.{pid}.partial",
        data.backups / "恢复前自动备份" / f".创城工作台备份-20260101-120003.ccbak.{pid}.partial",
        data.backups / "auto" / "snapshots" / f".daily-20260101.db.{pid}.partial",
        data.backups / "auto" / "attachments" / "ab" / f".{'ab' * 32}.{pid}.partial",
        data.root / f".restore-staging.{pid}.partial" / "chuangcheng.db",
        data.root / ".restore-staging" / "chuangcheng.db",
    ]
    for p in planted:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x" * 1000)
    alive = data.backups / f".创城工作台备份-20260101-120004.ccbak.{os.getpid()}.partial"
    alive.write_bytes(b"still being written")
    return planted, alive


@pytest.mark.parametrize("command", ["backup", "restore", "check"])
def test_leftovers_of_killed_runs_are_removed(small, tmp_path, command):
    out = tmp_path / "out"
    good = _backup(small, out)
    planted, alive = _plant_leftovers(small, out)
    args = {"backup": ("backup", "--out", str(out)), "restore": ("restore", str(good), "--yes"),
            "check": ("check",)}[command]
    r = run(*args, data=small.root)
    assert r.returncode == 0, r.stderr
    # a backup also cleans its --out folder; restore and check look after the data folder
    assert [p for p in planted if p.exists() and (command == "backup" or out not in p.parents)] == []
    assert not list(small.root.glob(".restore-staging*"))
    assert alive.exists()  # a live process's file is not touched


def test_temporary_files_are_hidden_on_windows(small, tmp_path, monkeypatch):
    hidden = []
    monkeypatch.setattr(safety.leftovers, "hide", lambda path: hidden.append(path.name))
    db = open_store(small, "测试员")
    path = safety.make_backup(small, db, tmp_path / "out")
    db.conn.close()
    assert any(n.endswith(".partial") for n in hidden)
    assert path.name not in hidden


# --- point 11: the restore is in the audit log -----------------------------------------------------

def test_restore_writes_its_audit_row(small, tmp_path):
    good = _backup(small, tmp_path / "out")
    db = open_store(small, "测试员")
    units.create_unit(db, {"name": "恢复前多出的单位"})
    db.conn.close()
    r = run("--operator", "王小明", "restore", str(good), "--yes", data=small.root)
    assert r.returncode == 0, r.stderr
    db = open_store(small, "测试员")
    row = audit.recent(db, 1)[0]
    db.conn.close()
    assert (row["operator"], row["action"]) == ("王小明", "从备份恢复")
    assert good.name in row["summary"]
    before, after = json.loads(row["before"]), json.loads(row["after"])
    assert before["counts"]["units"] == after["counts"]["units"] + 1
    assert after["file"] == str(good)


# --- point 12: authenticated backups ---------------------------------------------------------------

def test_backup_key_is_written_by_the_first_backup(small, tmp_path):
    key = small.root / "backup.key"
    assert not key.exists()
    _backup(small, tmp_path / "out")
    assert key.exists()
    if sys.platform != "win32":
        assert key.stat().st_mode & 0o777 == 0o600
    first = key.read_bytes()
    _backup(small, tmp_path / "out")
    assert key.read_bytes() == first


def test_verify_tells_own_from_foreign_backups(small, tmp_path):
    good = _backup(small, tmp_path / "out")
    with zipfile.ZipFile(good) as zf:  # the keyed hash lives in the manifest: older programs still read the file
        assert set(zf.namelist()) == {safety.MANIFEST, *json.loads(zf.read(safety.MANIFEST))["members"]}
    r = run("verify", str(good), data=small.root)
    assert r.returncode == 0 and r.stdout.startswith("备份完好") and "由本机制作且未被改动" in r.stdout
    r = run("verify", str(good), data=tmp_path / "elsewhere")
    assert r.returncode == 0 and "内容完好，但由其他安装制作" in r.stdout
    assert not (tmp_path / "elsewhere" / "backup.key").exists()
    # a well-formed manifest changed after the fact
    edited = _rewrite(good, tmp_path / "edited.ccbak", lambda items: _set_manifest(
        items, {**_manifest(items), "counts": {**_manifest(items)["counts"], "units": 99}}))
    r = run("verify", str(edited), data=small.root)
    assert r.returncode == 0 and "由其他安装制作" in r.stdout and "由本机制作" not in r.stdout


def test_foreign_backup_needs_foreign_only_over_a_readable_ledger(small, tmp_path):
    other = DataDir(tmp_path / "other")
    db = open_store(other, "外单位")
    units.create_unit(db, {"name": "外来单位"})
    foreign = safety.make_backup(other, db, tmp_path / "out")
    db.conn.close()
    before = tree_state(small.root)
    r = run("restore", str(foreign), "--yes", data=small.root)
    assert r.returncode == 2 and "--foreign" in r.stderr and "其他安装" in r.stderr
    assert tree_state(small.root) == before
    r = run("restore", str(foreign), "--yes", "--foreign", data=small.root)
    assert r.returncode == 0, r.stderr
    assert count(small.root, "SELECT count(*) FROM units WHERE name = '外来单位'") == 1
    # into an empty folder, and over a database that cannot be opened, --yes is enough
    r = run("restore", str(foreign), "--yes", data=tmp_path / "empty")
    assert r.returncode == 0, r.stderr
    broken = tmp_path / "broken"
    shutil.copytree(small.root, broken)
    _break(broken / "chuangcheng.db", "garbage")
    r = run("restore", str(foreign), "--yes", data=broken)
    assert r.returncode == 0, r.stderr


def test_window_asks_before_a_foreign_backup_replaces_the_ledger(qtbot, window, tmp_path, monkeypatch):
    other = DataDir(tmp_path / "other")
    db = open_store(other, "外单位")
    units.create_unit(db, {"name": "外来单位"})
    foreign = safety.make_backup(other, db, tmp_path / "out")
    db.conn.close()
    asked, answers = [], iter([True, False, True, True])
    monkeypatch.setattr("gui.dialogs.open_file", lambda *a, **k: str(foreign))
    monkeypatch.setattr("gui.dialogs.confirm", lambda parent, title, text, ok="": asked.append(text) or next(answers))
    monkeypatch.setattr("gui.dialogs.show_info", lambda *a: None)
    page = window.show_page("safety")
    page.restore()
    assert len(asked) == 2 and "其他安装" in asked[1]
    assert units.resolver(window.ctx.db).lookup("外来单位") is None  # declined: nothing replaced
    old = window.ctx.db
    page.restore()
    qtbot.waitUntil(lambda: window.ctx.db is not old, timeout=30000)
    assert units.resolver(window.ctx.db).lookup("外来单位") is not None


def test_window_backup_with_missing_attachments_asks_then_makes_an_incomplete_one(qtbot, window, data_dir, tmp_path,
                                                                                  monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    f = tmp_path / "现场照片.jpg"
    f.write_bytes(b"photo" * 100)
    added = attachments.add_attachment(window.ctx.db, "units", 1, f)
    attachments.stored_path(window.ctx.db, attachments.get_attachment(window.ctx.db, added)["sha256"]).unlink()
    out = tmp_path / "out"
    out.mkdir()
    asked, infos = [], []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(out))
    monkeypatch.setattr("gui.dialogs.confirm", lambda parent, title, text, ok="": asked.append(text) or True)
    monkeypatch.setattr("gui.dialogs.show_info", lambda parent, title, text: infos.append(text))
    page = window.show_page("safety")
    page.backup_now()
    qtbot.waitUntil(lambda: bool(infos), timeout=30000)
    assert "现场照片.jpg" in asked[0] and "不完整" in infos[0]
    assert len(list(out.glob("*.ccbak"))) == 1
    assert "不完整" in page.state.text() and "不完整" in window._status.text()
