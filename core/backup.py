"""备份与恢复: one-file backups (.ccbak), automatic snapshots, verification and restore.

A .ccbak is a zip archive: the database as a consistent snapshot (SQLite backup API, never a copy
of the live file), every attachment stored without recompression, and manifest.json (program and
schema version, counts per table, SHA-256 and size of every member). It is written under a
temporary name and renamed only after it has been read back and every hash checked.

Restore verifies everything first, takes a safety backup of the current data, prepares the new data
beside the old and swaps them with renames recorded in a journal, so an interruption at any moment
leaves either the old data or the new, never a mixture (see recover_interrupted_restore).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path, PurePosixPath

from core import __version__
from core.errors import AppError, Cancelled, app_error_from_os
from core.migrations import schema_version
from core.paths import DB_NAME, DataDir

MANIFEST = "manifest.json"
DB_MEMBER = "database/" + DB_NAME
ATTACHMENT_PREFIX = "attachments/"
SUFFIX = ".ccbak"
CHUNK = 1024 * 1024
FAT32_LIMIT = 4 * 1024 ** 3 - 1
JOURNAL = ".restore-journal.json"


# --- taking a backup ----------------------------------------------------------------------------

def snapshot_database(db, target: Path) -> None:
    """A consistent copy of the live database through SQLite's backup API."""
    target.unlink(missing_ok=True)
    dest = sqlite3.connect(str(target))
    try:
        db.conn.backup(dest)
        dest.execute("PRAGMA journal_mode = DELETE")  # a self-contained single file
    finally:
        dest.close()


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {n: conn.execute(f"SELECT count(*) FROM [{n}]").fetchone()[0] for n in names}


def _attachment_files(data: DataDir) -> list[Path]:
    root = data.attachments
    return sorted(p for p in root.glob("*/*") if p.is_file() and len(p.name) == 64) if root.exists() else []


def _check_target(folder: Path, needed: int) -> None:
    try:
        free = shutil.disk_usage(folder).free
    except OSError as exc:
        raise AppError(f"无法访问备份位置 {folder}：{exc.strerror}。请确认 U 盘已插好或换一个文件夹。") from None
    if free < needed * 1.05 + 10 * 1024 * 1024:
        raise AppError(f"备份位置 {folder} 剩余空间不足：需要约 {needed / 1024 ** 2:.0f} MB，"
                       f"只剩 {free / 1024 ** 2:.0f} MB。请清理磁盘或换一个位置。")
    if needed > FAT32_LIMIT and filesystem_type(folder) in ("vfat", "fat32", "fat", "msdos"):
        raise AppError(f"备份文件约 {needed / 1024 ** 3:.1f} GB，超过 FAT32 格式 U 盘单个文件 4 GB 的上限。"
                       "请把 U 盘格式化为 exFAT 或 NTFS，或备份到其他磁盘。")


def filesystem_type(folder: Path) -> str:
    """The file system of a folder, lower case ('' when unknown)."""
    if sys.platform == "win32":
        import ctypes

        drive = os.path.splitdrive(str(folder.resolve()))[0] + "\\"
        name = ctypes.create_unicode_buffer(64)
        if ctypes.windll.kernel32.GetVolumeInformationW(drive, None, 0, None, None, None, name, 64):
            return name.value.lower()
        return ""
    from core.paths import _linux_fs_type

    return (_linux_fs_type(folder.resolve()) or "").lower()


def backup_name(now: datetime | None = None) -> str:
    return f"创城工作台备份-{(now or datetime.now()).strftime('%Y%m%d-%H%M%S')}{SUFFIX}"


def make_backup(data: DataDir, db, out_dir: str | os.PathLike | None = None, progress=None, cancel=None) -> Path:
    """Write one .ccbak into out_dir (default: the data folder's backups/) and return its path."""
    out_dir = Path(out_dir) if out_dir else data.backups
    out_dir.mkdir(parents=True, exist_ok=True)
    files = _attachment_files(data)
    db_size = Path(data.db_path).stat().st_size if data.db_path.exists() else 0
    _check_target(out_dir, db_size + sum(p.stat().st_size for p in files))
    final = out_dir / backup_name()
    partial = out_dir / f".{final.name}.partial"
    snapshot = out_dir / f".{final.name}.db"
    total = len(files) + 2
    try:
        snapshot_database(db, snapshot)
        conn = sqlite3.connect(str(snapshot))
        counts = table_counts(conn)
        conn.close()
        members = {}
        # Stored, not compressed: with the search index and a year's log the database of a large
        # district is ~450 MB, and even level-1 deflate made the backup 3× slower than copying it
        # (DESIGN.md asks for at least half the speed of sqlite3 .backup + tar).
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED, allowZip64=True) as zf, \
                ThreadPoolExecutor(1) as hasher:
            members[DB_MEMBER] = _add_file(zf, snapshot, DB_MEMBER, cancel, hasher)
            _tick(progress, 1, total, "数据库")
            for i, path in enumerate(files):
                name = f"{ATTACHMENT_PREFIX}{path.parent.name}/{path.name}"
                members[name] = _add_file(zf, path, name, cancel, hasher)
                _tick(progress, i + 2, total, "附件")
            manifest = {"program": "创城工作台", "version": __version__, "schema_version": schema_version(),
                        "created_at": datetime.now().isoformat(timespec="seconds"), "counts": counts,
                        "attachment_files": len(files), "members": members}
            zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        _read_back(partial, cancel)
        os.replace(partial, final)
        _tick(progress, total, total, "完成")
    except OSError as exc:
        raise app_error_from_os(exc, f"把备份写入 {out_dir}") from None
    finally:
        partial.unlink(missing_ok=True)
        snapshot.unlink(missing_ok=True)
    record_good_backup(data, final)
    return final


def _read_back(path: Path, cancel) -> None:
    """Before the archive gets its final name: flush it to the disk (a write error surfaces here,
    not later) and read its directory and manifest back, checking every member is there with the
    size it was written with. The members' content was hashed while it was written; re-reading
    1 GB of photos would double the time of every backup for errors the disk already reports."""
    with open(path, "rb+") as f:
        os.fsync(f.fileno())
    manifest = verify_backup(path, hashes=False, cancel=cancel)
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            meta = manifest["members"].get(info.filename)
            if meta is not None and info.file_size != meta["size"]:
                raise AppError(f"备份文件 {path.name} 写入不完整（{info.filename}），请检查目标磁盘后重试。")


def _tick(progress, done, total, text):
    if progress:
        progress(done, total, text)


def _copy_hashing(src, dst, hasher, cancel) -> str:
    """Copy src to dst in chunks (memory stays flat) and return the SHA-256 of what was copied.
    Each chunk is hashed on a second thread while it is written (hashlib releases the GIL), so
    hashing costs little extra time on a two-core office PC."""
    digest = hashlib.sha256()
    pending = None
    while chunk := src.read(CHUNK):
        if cancel and cancel():
            raise Cancelled()
        if pending is not None:
            pending.result()
        pending = hasher.submit(digest.update, chunk) if hasher else digest.update(chunk)
        dst.write(chunk)
    if pending is not None:
        pending.result()
    return digest.hexdigest()


def _add_file(zf: zipfile.ZipFile, path: Path, name: str, cancel, hasher=None) -> dict:
    """Store one file in the archive, uncompressed; return its hash and size."""
    size = path.stat().st_size
    info = zipfile.ZipInfo(name, date_time=datetime.now().timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED
    with open(path, "rb") as src, zf.open(info, "w", force_zip64=size > 2 ** 31) as dst:
        return {"sha256": _copy_hashing(src, dst, hasher, cancel), "size": size}


# --- checking a backup --------------------------------------------------------------------------

def _safe_member(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return bool(name) and not path.is_absolute() and ".." not in path.parts and ":" not in name


def read_manifest(path: str | os.PathLike) -> dict:
    """The manifest of a backup without checking the contents (for showing what it holds)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return json.loads(zf.read(MANIFEST).decode("utf-8"))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise AppError(f"“{Path(path).name}”不是有效的创城工作台备份文件，或文件已损坏。", str(exc)) from None


def verify_backup(path: str | os.PathLike, progress=None, cancel=None, *, hashes: bool = True) -> dict:
    """Check a .ccbak: safe member paths, members as the manifest lists them, the schema not newer,
    and (hashes=True) every member's SHA-256. Returns its manifest."""
    path = Path(path)
    if not path.is_file():
        raise AppError(f"找不到备份文件 {path}。")
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            bad = [n for n in names if not _safe_member(n)]
            if bad:
                raise AppError(f"备份文件“{path.name}”包含不安全的路径（如 {bad[0]}），已拒绝。该文件可能被篡改。")
            if MANIFEST not in names:
                raise AppError(f"“{path.name}”缺少清单（manifest.json），不是完整的创城工作台备份。")
            manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
            if manifest.get("schema_version", 0) > schema_version():
                raise AppError(f"备份“{path.name}”由更新版本的创城工作台（{manifest.get('version')}）制作，"
                               "本程序无法恢复它。请先安装最新版本。")
            members = manifest.get("members", {})
            if DB_MEMBER not in members:
                raise AppError(f"备份“{path.name}”中没有数据库，无法恢复。")
            extra = set(names) - set(members) - {MANIFEST}
            missing = set(members) - set(names)
            if missing or extra:
                raise AppError(f"备份“{path.name}”的内容与清单不符（缺少 {len(missing)} 个、多出 {len(extra)} 个成员），已拒绝。")
            for i, (name, meta) in enumerate(members.items() if hashes else ()):
                digest = hashlib.sha256()
                with zf.open(name) as f:
                    while chunk := f.read(CHUNK):
                        if cancel and cancel():
                            raise Cancelled()
                        digest.update(chunk)
                if digest.hexdigest() != meta["sha256"]:
                    raise AppError(f"备份“{path.name}”已损坏：{name} 的校验值不符。请使用其他备份。")
                _tick(progress, i + 1, len(members), "校验备份")
    except (zipfile.BadZipFile, ValueError, KeyError, OSError, EOFError) as exc:
        raise AppError(f"备份文件“{path.name}”已损坏或不完整，无法使用。", str(exc)) from None
    return manifest


# --- restoring ------------------------------------------------------------------------------------

def has_data(data: DataDir) -> bool:
    if not data.db_path.exists():
        return False
    conn = sqlite3.connect(str(data.db_path))
    try:
        counts = table_counts(conn)
    except sqlite3.DatabaseError:
        return True  # a damaged database is still data worth keeping a copy of
    finally:
        conn.close()
    return any(n for t, n in counts.items() if t not in ("_sqlite_migrations", "vocab", "unit_groups", "settings"))


def restore_backup(data: DataDir, path: str | os.PathLike, progress=None, cancel=None,
                   operator: str = "命令行") -> dict:
    """Replace the data folder's database and attachments with a backup (.ccbak, or an automatic
    snapshot .db with its attachment mirror). The caller must have closed its connections.
    Returns {'manifest', 'safety_backup'}."""
    path = Path(path)
    recover_interrupted_restore(data)
    staging = data.root / ".restore-staging"
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "attachments").mkdir(parents=True)
    try:
        if path.suffix.lower() == ".db":
            manifest = _stage_snapshot(path, staging)
        else:
            manifest = verify_backup(path, hashes=False)
            _stage_archive(path, manifest, staging, progress, cancel)  # every hash checked while extracting
        # Migrate the staged copy (an older backup) before it replaces anything.
        from core.db import open_db

        staged = open_db(staging / DB_NAME, operator, backup_dir=staging / "premigrate")
        staged.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        staged.conn.close()
        shutil.rmtree(staging / "premigrate", ignore_errors=True)
        safety = None
        if has_data(data):
            from core.db import connect

            current = connect(data.db_path)
            try:
                safety = make_backup(data, current, data.backups / "恢复前自动备份")
            finally:
                current.conn.close()
        _swap_in(data, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {"manifest": manifest, "safety_backup": safety}


def _stage_archive(path: Path, manifest: dict, staging: Path, progress, cancel) -> None:
    with zipfile.ZipFile(path) as zf, ThreadPoolExecutor(1) as hasher:
        for i, (name, meta) in enumerate(manifest["members"].items()):
            _tick(progress, i, len(manifest["members"]), "校验并解压备份")
            if name == DB_MEMBER:
                target = staging / DB_NAME
            else:
                parts = PurePosixPath(name).parts
                target = staging / "attachments" / parts[1] / parts[2]
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(name) as src, open(target, "wb") as dst:
                sha256 = _copy_hashing(src, dst, hasher, cancel)
            if sha256 != meta["sha256"]:
                raise AppError(f"备份“{path.name}”已损坏：{name} 的校验值不符。恢复已停止，现有数据未改动。")


def _stage_snapshot(path: Path, staging: Path) -> dict:
    """An automatic snapshot: the .db file, with attachments from the mirror beside its folder."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        counts = table_counts(conn)
        needed = [r[0] for r in conn.execute("SELECT DISTINCT sha256 FROM attachments")] if "attachments" in counts else []
        conn.close()
    except sqlite3.DatabaseError as exc:
        raise AppError(f"“{path.name}”不是有效的数据库快照。", str(exc)) from None
    if ok != "ok":
        raise AppError(f"快照“{path.name}”已损坏（{ok}），请选择其他备份。")
    if version > schema_version():
        raise AppError(f"快照“{path.name}”由更新版本的创城工作台制作，本程序无法恢复它。")
    mirror = path.parent.parent / "attachments"
    missing = [s for s in needed if not (mirror / s[:2] / s).exists()]
    if missing:
        raise AppError(f"快照“{path.name}”对应的附件镜像中缺少 {len(missing)} 个文件，无法完整恢复。"
                       "请改用完整备份（.ccbak）。")
    shutil.copyfile(path, staging / DB_NAME)
    for sha in needed:
        target = staging / "attachments" / sha[:2] / sha
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(mirror / sha[:2] / sha, target)
    return {"schema_version": version, "counts": counts, "created_at": datetime.fromtimestamp(
        path.stat().st_mtime).isoformat(timespec="seconds"), "version": "", "attachment_files": len(needed)}


def _live_entries(data: DataDir) -> list[str]:
    return [DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm", "attachments"]


def _swap_in(data: DataDir, staging: Path) -> None:
    old = data.root / ".restore-old"
    shutil.rmtree(old, ignore_errors=True)
    old.mkdir()
    journal = data.root / JOURNAL
    _write_journal(journal, "swapping")
    for name in _live_entries(data):
        if (data.root / name).exists():
            os.replace(data.root / name, old / name)
    os.replace(staging / DB_NAME, data.db_path)
    os.replace(staging / "attachments", data.attachments)
    _write_journal(journal, "done")
    shutil.rmtree(old, ignore_errors=True)
    journal.unlink(missing_ok=True)


def _write_journal(path: Path, state: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"state": state}), encoding="utf-8")
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)


def recover_interrupted_restore(data: DataDir) -> str | None:
    """After a crash during restore: put the old data back (swap not finished) or finish the swap.
    Returns what was done, or None."""
    journal = data.root / JOURNAL
    old = data.root / ".restore-old"
    if not journal.exists():
        shutil.rmtree(data.root / ".restore-staging", ignore_errors=True)
        return None
    state = json.loads(journal.read_text(encoding="utf-8")).get("state")
    if state == "swapping":
        for name in _live_entries(data):
            if (old / name).exists():
                target = data.root / name
                if target.is_dir():
                    shutil.rmtree(target)
                elif target.exists():
                    target.unlink()
                os.replace(old / name, target)
        result = "rolled_back"
    else:
        result = "completed"
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(data.root / ".restore-staging", ignore_errors=True)
    journal.unlink(missing_ok=True)
    return result


# --- automatic backups ----------------------------------------------------------------------------

def auto_backup(data: DataDir, db, second_folder: str | None = None, keep_daily: int = 7,
                keep_monthly: int = 12, today: date | None = None) -> list[Path]:
    """A small database snapshot plus an incremental mirror of the attachments (files never change,
    so only new ones are copied), into backups/auto and optionally a second folder (a USB disk).
    Returns the snapshot files written."""
    today = today or date.today()
    written = []
    targets = [data.backups / "auto"]
    if second_folder:
        targets.append(Path(second_folder) / "创城工作台自动备份")
    for target in targets:
        snapshots = target / "snapshots"
        snapshots.mkdir(parents=True, exist_ok=True)
        daily = snapshots / f"daily-{today:%Y%m%d}.db"
        tmp = snapshots / f".{daily.name}.partial"
        snapshot_database(db, tmp)
        os.replace(tmp, daily)
        monthly = snapshots / f"monthly-{today:%Y%m}.db"
        shutil.copyfile(daily, monthly)
        _mirror_attachments(data, target / "attachments")
        _prune(snapshots, "daily-", keep_daily)
        _prune(snapshots, "monthly-", keep_monthly)
        written.append(daily)
    record_good_backup(data, written[0])
    return written


def _mirror_attachments(data: DataDir, mirror: Path) -> int:
    copied = 0
    for src in _attachment_files(data):
        dest = mirror / src.parent.name / src.name
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(dest.name + ".partial")
            shutil.copyfile(src, tmp)
            os.replace(tmp, dest)
            copied += 1
    return copied


def _prune(folder: Path, prefix: str, keep: int) -> None:
    for old in sorted(folder.glob(f"{prefix}*.db"), reverse=True)[max(keep, 1):]:
        old.unlink(missing_ok=True)


def record_good_backup(data: DataDir, path: Path) -> None:
    state = data.backups / "last-backup.json"
    state.write_text(json.dumps({"at": datetime.now().isoformat(timespec="seconds"), "path": str(path)},
                                ensure_ascii=False), encoding="utf-8")


def last_good_backup(data: DataDir) -> dict | None:
    try:
        return json.loads((data.backups / "last-backup.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def backup_age_days(data: DataDir, now: datetime | None = None) -> float | None:
    last = last_good_backup(data)
    if not last:
        return None
    return ((now or datetime.now()) - datetime.fromisoformat(last["at"])).total_seconds() / 86400


def list_backups(data: DataDir) -> list[dict]:
    """Backups the program knows about, newest first: .ccbak files in backups/ and auto snapshots."""
    found = []
    for p in data.backups.rglob(f"*{SUFFIX}"):
        if not p.name.startswith("."):
            found.append({"path": p, "kind": "完整备份", "at": datetime.fromtimestamp(p.stat().st_mtime), "size": p.stat().st_size})
    for p in (data.backups / "auto" / "snapshots").glob("*.db"):
        if not p.name.startswith("."):
            found.append({"path": p, "kind": "自动快照", "at": datetime.fromtimestamp(p.stat().st_mtime), "size": p.stat().st_size})
    return sorted(found, key=lambda r: r["at"], reverse=True)
