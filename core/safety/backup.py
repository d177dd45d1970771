"""Making a backup: one .ccbak file holding the ledger and every attachment (see core.safety.archive).

The database goes in as a consistent snapshot taken by the store (never a copy of the live file),
the attachments uncompressed and hashed while they are copied. The manifest carries a keyed hash
(HMAC) of itself made with the data folder's backup.key, which tells a backup made here from one
made elsewhere; older programs ignore it, so they can still restore the file. The archive is
written under a temporary name and renamed only after it has been read back.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import shutil
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from core import __version__, clock
from core.errors import AppError, app_error_from_os, os_problem
from core.migrations import schema_version
from core.paths import DataDir
from core.safety import leftovers
from core.safety.archive import (ATTACHMENT_PREFIX, DB_MEMBER, MANIFEST, SUFFIX, attachment_files, copy_hashing,
                                 is_hash_name, referenced, tick)
from core.safety.leftovers import clean_leftovers, temp_name
from core.safety.status import record_good_backup, record_incomplete_backup
from core.safety.verify import inspect, reading, verify_backup
from core.store.sqlite import inspect_file

log = logging.getLogger(__name__)

KEY_NAME = "backup.key"
FAT32_LIMIT = 4 * 1024 ** 3 - 1


class MissingAttachments(AppError):
    """A backup refused because attachments the database refers to are missing or changed."""

    def __init__(self, message_zh: str, missing: list[dict]):
        super().__init__(message_zh)
        self.missing = missing


# --- the backup key -------------------------------------------------------------------------------

def _read_key(data: DataDir) -> bytes | None:
    try:
        text = (data.root / KEY_NAME).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return bytes.fromhex(text) if is_hash_name(text) else None


def _ensure_key(data: DataDir) -> bytes:
    """The data folder's backup key, written (readable by its owner only) by the first backup."""
    path = data.root / KEY_NAME
    if not path.exists():
        key = secrets.token_bytes(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process wrote it a moment ago
        except OSError as exc:
            raise AppError(f"无法在数据文件夹中写入备份密钥 {path}：{os_problem(exc)}。"
                           "请确认数据文件夹可写后再备份。") from None
        else:
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(key.hex() + "\n")
                f.flush()
                os.fsync(f.fileno())
    key = _read_key(data)
    if key is None:
        raise AppError(f"数据文件夹中的备份密钥文件 {path} 已损坏。请把它移走后再备份"
                       "（之前的备份此后会显示为“由其他安装制作”，内容不受影响）。")
    return key


def _signature(key: bytes, manifest: dict) -> str:
    """HMAC-SHA256 of the manifest (its "hmac" key aside) in one canonical JSON form, so the same
    content always gives the same bytes however the file was laid out."""
    canonical = json.dumps({k: v for k, v in manifest.items() if k != "hmac"}, ensure_ascii=False,
                           sort_keys=True, separators=(",", ":"))
    return hmac.new(key, canonical.encode("utf-8"), hashlib.sha256).hexdigest()


def is_own_backup(data: DataDir, path: str | os.PathLike) -> bool:
    """True when the backup's manifest carries this data folder's keyed hash: made here and not
    changed since. Without a key (no backup made here yet) every backup is someone else's."""
    path = Path(path)
    key = _read_key(data)
    with reading(path) as zf:
        manifest = inspect(zf, path)
    return key is not None and hmac.compare_digest(_signature(key, manifest), manifest.get("hmac", ""))


# --- where the backup goes ------------------------------------------------------------------------

def _check_target(folder: Path, needed: int) -> None:
    try:
        free = shutil.disk_usage(folder).free
    except OSError as exc:
        raise AppError(f"无法访问备份位置 {folder}：{os_problem(exc)}。请确认 U 盘已插好或换一个文件夹。") from None
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


def backup_name() -> str:
    return f"创城工作台备份-{clock.now():%Y%m%d-%H%M%S}{SUFFIX}"


def _names_for_message(missing: list[dict], limit: int = 10) -> str:
    names = "、".join(f"“{m['name']}”" for m in missing[:limit])
    return names + (f" 等 {len(missing)} 个" if len(missing) > limit else "")


# --- making it ------------------------------------------------------------------------------------

def make_backup(data: DataDir, db, out_dir: str | os.PathLike | None = None, progress=None, cancel=None,
                *, allow_missing: bool = False) -> Path:
    """Write one .ccbak into out_dir (default: the data folder's backups/) and return its path.

    Refused (MissingAttachments) when a file the database refers to is missing or no longer
    matches its hash, unless allow_missing: then the manifest lists those files and the backup
    is not recorded as a good one. The shared ledger is read in one snapshot, its files through
    this PC's cache."""
    with db.read_snapshot():
        return _make_backup(data, db, Path(out_dir) if out_dir else data.backups, progress, cancel, allow_missing)


def _stored_files(data: DataDir, db) -> dict[str, Path]:
    """Every stored file by its name: the data folder's, or the server's fetched into the cache."""
    if db.files is not None and db.files.in_database:
        return {sha: db.files.path(sha) for sha in sorted(db.files.hashes())}
    return {p.name: p for p in attachment_files(data)}


def _make_backup(data: DataDir, db, out_dir: Path, progress, cancel, allow_missing: bool) -> Path:
    wanted = referenced(db)
    files = _stored_files(data, db)
    missing = [{"sha256": sha, "name": name, "problem": "文件缺失"}
               for sha, name in sorted(wanted.items()) if sha not in files]
    if missing and not allow_missing:
        _refuse_missing(missing)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AppError(f"无法写入备份到 {out_dir}：{os_problem(exc)}。请检查位置是否可写。") from None
    clean_leftovers(data, out_dir=out_dir)
    db_size = Path(data.db_path).stat().st_size if data.db_path.exists() and not db.shared else 0
    _check_target(out_dir, db_size + sum(p.stat().st_size for p in files.values()))
    key = _ensure_key(data)
    final = out_dir / backup_name()
    partial = out_dir / temp_name(final.name)
    snapshot = out_dir / temp_name(final.name + ".db")
    try:
        db.snapshot(snapshot)
        leftovers.hide(snapshot)
        counts = inspect_file(snapshot).counts  # of the snapshot itself: what the archive holds
        changed = _write_archive(partial, snapshot, files, missing, counts, key, progress, cancel)
        if changed and db.shared:  # this PC's cached copies were damaged: fetched again, checked on arrival
            for p in changed:
                log.warning("本机缓存的附件 %s 内容与其名称不符，重新从服务器读取", p)
                p.unlink(missing_ok=True)
                files[p.name] = db.files.path(p.name)
        elif changed:  # found only while copying: write the archive again without them
            missing += [{"sha256": p.name, "name": wanted[p.name], "problem": "内容已被改动（哈希不符）"}
                        for p in changed if p.name in wanted]
            if missing and not allow_missing:
                _refuse_missing(missing)
            for p in changed:
                log.warning("附件 %s 的内容与其名称不符，未放入备份", p)
                del files[p.name]
        if changed:
            if _write_archive(partial, snapshot, files, missing, counts, key, progress, cancel):
                raise AppError("备份期间附件文件被改动，备份没有完成。请稍后重试，或先运行“数据体检”。")
        _read_back(partial)
        leftovers.publish(partial, final)
        tick(progress, len(files) + 2, len(files) + 2, "完成")
    except OSError as exc:
        raise app_error_from_os(exc, f"把备份写入 {out_dir}") from None
    finally:
        partial.unlink(missing_ok=True)
        snapshot.unlink(missing_ok=True)
    if missing:
        record_incomplete_backup(data, final, len(missing))
    else:
        record_good_backup(data, final)
    return final


def _refuse_missing(missing: list[dict]) -> None:
    raise MissingAttachments(
        f"备份没有制作：数据库引用的 {len(missing)} 个附件文件缺失或已被改动：{_names_for_message(missing)}。"
        "请先运行“数据体检”（“数据安全”页，或命令 check）从自动备份补回；确实找不回时，"
        "可加 --allow-missing 制作不完整的备份（它不算一次成功的备份）。", missing)


def _write_archive(partial: Path, snapshot: Path, files: dict[str, Path], missing: list[dict],
                   counts: dict, key: bytes, progress, cancel) -> list[Path]:
    """Write the archive; return the attachment files whose content did not match their name
    (the archive is then not usable and is written again without them)."""
    total = len(files) + 2
    members, changed = {}, []
    partial.unlink(missing_ok=True)  # Windows will not truncate a hidden file
    # Stored, not compressed: with the search index and a year's log the database of a large
    # district is ~450 MB, and even level-1 deflate made the backup 3× slower than copying it
    # (DESIGN.md asks for at least half the speed of sqlite3 .backup + tar).
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED, allowZip64=True) as zf, \
            ThreadPoolExecutor(1) as hasher:
        leftovers.hide(partial)
        members[DB_MEMBER] = _add_file(zf, snapshot, DB_MEMBER, cancel, hasher)
        tick(progress, 1, total, "数据库")
        for i, path in enumerate(files.values()):
            name = f"{ATTACHMENT_PREFIX}{path.parent.name}/{path.name}"
            members[name] = _add_file(zf, path, name, cancel, hasher)
            if members[name]["sha256"] != path.name:
                changed.append(path)
            tick(progress, i + 2, total, "附件")
        manifest = {"program": "创城工作台", "version": __version__, "schema_version": schema_version(),
                    "created_at": clock.stamp(), "counts": counts,
                    "attachment_files": len(files), "members": members, "missing_attachments": missing}
        manifest["hmac"] = _signature(key, manifest)
        zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    return changed


def _read_back(path: Path) -> None:
    """Before the archive gets its final name: flush it to the disk (a write error surfaces here,
    not later) and read its directory and manifest back through the same checks as verify. The
    members' content was hashed while it was written; re-reading 1 GB of photos would double the
    time of every backup for errors the disk already reports."""
    with open(path, "rb+") as f:
        os.fsync(f.fileno())
    verify_backup(path, hashes=False)


def _add_file(zf: zipfile.ZipFile, path: Path, name: str, cancel, hasher=None) -> dict:
    """Store one file in the archive, uncompressed; return its hash and size."""
    size = path.stat().st_size
    info = zipfile.ZipInfo(name, date_time=clock.now().timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED
    with open(path, "rb") as src, zf.open(info, "w", force_zip64=size > 2 ** 31) as dst:
        return {"sha256": copy_hashing(src, dst, hasher, cancel), "size": size}
