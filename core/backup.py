"""备份与恢复: one-file backups (.ccbak), automatic snapshots, verification and restore.

A .ccbak is a zip archive: the database as a consistent snapshot (SQLite backup API, never a copy
of the live file), every attachment stored without recompression, manifest.json (program and
schema version, counts per table, SHA-256 and size of every member, the attachments that were
missing, and "hmac": a keyed hash of the rest of the manifest with the data folder's backup.key,
which tells a backup made here from one made elsewhere; older programs ignore the key, so they can
still restore it). It is written under a temporary name and renamed only after it has been read
back.

A backup is untrusted input: verify and restore run the same checks (_inspect, _check_contents)
before any of it becomes a path or a file, and a restore writes nothing before the whole backup
has passed them. Restore then takes a safety copy of the current data, prepares the new data
beside the old and swaps them with renames recorded in a journal, so an interruption at any moment
leaves either the old data or the new, never a mixture (see recover_interrupted_restore).
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import shutil
import sqlite3
import sys
import time
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path, PurePosixPath

from core import __version__, audit
from core.errors import AppError, Cancelled, app_error_from_os
from core.migrations import schema_version
from core.paths import DB_NAME, DataDir

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
DB_MEMBER = "database/" + DB_NAME
ATTACHMENT_PREFIX = "attachments/"
SUFFIX = ".ccbak"
KEY_NAME = "backup.key"
SAFETY_FOLDER = "恢复前自动备份"
CHUNK = 1024 * 1024
FAT32_LIMIT = 4 * 1024 ** 3 - 1
FREE_SPACE_RESERVE = 100 * 1024 * 1024
MANIFEST_LIMIT = 64 * 1024 * 1024
JOURNAL = ".restore-journal.json"
OLD = ".restore-old"
TEMP_SUFFIX = ".partial"
HASH_NAME = re.compile(r"[0-9a-f]{64}")
MEMBER_NAME = re.compile(r"attachments/([0-9a-f]{2})/([0-9a-f]{64})")
SHARING_VIOLATIONS = (32, 33)  # ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
RETRY_DELAYS = (0.1, 0.3, 0.6, 1.0, 2.0)
# Reading a zip that is damaged or crafted raises any of these; none of them may reach the user.
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, NotImplementedError,
              RuntimeError, ValueError, KeyError, OverflowError)
REQUIRED_KEYS = {"schema_version": "数据版本", "created_at": "制作时间", "version": "程序版本",
                 "counts": "记录数", "attachment_files": "附件数", "members": "文件清单"}


class MissingAttachments(AppError):
    """A backup refused because attachments the database refers to are missing or changed."""

    def __init__(self, message_zh: str, missing: list[dict]):
        super().__init__(message_zh)
        self.missing = missing


def is_hash_name(value) -> bool:
    """A stored file's name: exactly 64 lowercase hexadecimal characters."""
    return isinstance(value, str) and HASH_NAME.fullmatch(value) is not None


def _inside(folder: Path, *parts: str) -> Path:
    """folder/parts, refused unless it stays inside folder once resolved (links included)."""
    path = folder.joinpath(*parts)
    if not path.resolve().is_relative_to(folder.resolve()):
        raise AppError("备份中含有指向数据文件夹以外的路径，已拒绝。该文件可能被篡改，请使用其他备份。")
    return path


def _os_problem(exc: OSError) -> str:
    """What went wrong with a file, in words a user can act on."""
    if getattr(exc, "winerror", None) in SHARING_VIOLATIONS:
        return "文件被其他程序占用（如杀毒软件、仍打开的程序窗口）"
    return {errno.ENOSPC: "磁盘空间已满", errno.EACCES: "没有读写权限", errno.EPERM: "没有读写权限",
            errno.EROFS: "磁盘是只读的", errno.ENOENT: "找不到文件或文件夹",
            errno.EIO: "磁盘读写出错"}.get(exc.errno, f"读写文件出错（错误号 {exc.errno}）")


# --- temporary files ------------------------------------------------------------------------------

def _temp_name(base: str) -> str:
    """A hidden temporary name carrying this process's id, so that the next backup, restore or
    check can tell the leftovers of a killed run from the files of one still running."""
    return f".{base}.{os.getpid()}{TEMP_SUFFIX}"


def _set_hidden(path: Path, hidden: bool) -> None:
    """Windows only (elsewhere the leading dot hides the file): FILE_ATTRIBUTE_HIDDEN on or off."""
    if sys.platform == "win32":
        import ctypes

        kernel32 = ctypes.windll.kernel32
        attributes = kernel32.GetFileAttributesW(str(path))
        if attributes != 0xFFFFFFFF:  # INVALID_FILE_ATTRIBUTES
            kernel32.SetFileAttributesW(str(path), attributes | 0x2 if hidden else attributes & ~0x2)


def _hide(path: Path) -> None:
    """Keep a temporary file or folder out of sight in Explorer."""
    _set_hidden(path, True)


def _publish(temp: Path, final: Path) -> None:
    """Give a finished temporary file its real name, visible again."""
    _set_hidden(temp, False)
    os.replace(temp, final)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        import ctypes

        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return ctypes.get_last_error() == 5  # access denied: it exists
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _owner_pid(name: str) -> int | None:
    """The process id in a temporary name; None for names from older versions (no owner)."""
    if name.startswith(".incoming-"):  # attachments being added: .incoming-<pid>-<time>
        owner = name.split("-")[1]
    else:
        owner = name[: -len(TEMP_SUFFIX)].rsplit(".", 1)[-1]
    return int(owner) if owner.isdigit() else None


def _is_leftover(path: Path) -> bool:
    """A temporary file or folder of ours whose process has ended. Older versions named them
    without a process id (.<name>.partial, <sha256>.partial, .<backup>.ccbak.db)."""
    name = path.name
    ours = (name.startswith(".") and name.endswith(TEMP_SUFFIX)) or name.startswith(".incoming-") \
        or (name.endswith(TEMP_SUFFIX) and is_hash_name(name[: -len(TEMP_SUFFIX)])) \
        or (name.startswith(".创城工作台备份-") and name.endswith(SUFFIX + ".db"))
    if not ours:
        return False
    pid = _owner_pid(name)
    return pid is None or not _process_alive(pid)


def _remove(path: Path) -> int:
    """Delete a file or folder; its size in bytes, 0 when it could not be removed (still in use)."""
    try:
        if path.is_dir() and not path.is_symlink():
            size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
            shutil.rmtree(path)
        else:
            size = path.stat().st_size
            path.unlink()
    except OSError:
        return 0
    return size


def clean_leftovers(data: DataDir, out_dir: str | os.PathLike | None = None,
                    auto_folder: str | os.PathLike | None = None) -> tuple[int, int]:
    """Remove what killed backups and restores left behind: temporary files in backups/ (and in a
    backup's out_dir, or an automatic backup's second folder), staging folders in the data folder,
    half-added attachments. Files of a process still running are left alone. Returns (count, bytes)."""
    candidates = [p for p in data.root.glob(".restore-staging*") if p.name == ".restore-staging" or _is_leftover(p)]
    for folder in (data.backups, auto_folder):  # folders the program owns
        if folder is not None:
            candidates += [p for p in Path(folder).rglob("*") if _is_leftover(p)]
    candidates += [p for p in data.attachments.glob(".incoming-*") if _is_leftover(p)]
    if out_dir is not None:  # somebody else's folder (a USB disk, the desktop): only our backups' names
        candidates += [p for p in Path(out_dir).glob(".创城工作台备份-*") if _is_leftover(p)]
    removed = size = 0
    for path in dict.fromkeys(candidates):
        if not path.exists():  # inside a leftover folder already removed
            continue
        freed = _remove(path)
        if not path.exists():
            removed += 1
            size += freed
    if removed:
        log.info("清理了 %d 个中断的备份或恢复留下的临时文件（%d 字节）", removed, size)
    return removed, size


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
            raise AppError(f"无法在数据文件夹中写入备份密钥 {path}：{_os_problem(exc)}。"
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


def _ledger_counts(counts: dict[str, int] | None) -> dict[str, int] | None:
    """Table counts a person reads (the search index's tables left out)."""
    return None if counts is None else {t: n for t, n in counts.items() if not t.startswith(("fts_", "_"))}


def _attachment_files(data: DataDir) -> list[Path]:
    root = data.attachments
    return sorted(p for p in root.glob("*/*") if p.is_file() and is_hash_name(p.name)
                  and p.parent.name == p.name[:2]) if root.exists() else []


def _referenced(db) -> dict[str, str]:
    """Every stored file the database refers to: sha256 → one of its original names."""
    return dict(db.execute("SELECT sha256, min(original_name) FROM attachments GROUP BY sha256").fetchall())


def _check_target(folder: Path, needed: int) -> None:
    try:
        free = shutil.disk_usage(folder).free
    except OSError as exc:
        raise AppError(f"无法访问备份位置 {folder}：{_os_problem(exc)}。请确认 U 盘已插好或换一个文件夹。") from None
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


def _names_for_message(missing: list[dict], limit: int = 10) -> str:
    names = "、".join(f"“{m['name']}”" for m in missing[:limit])
    return names + (f" 等 {len(missing)} 个" if len(missing) > limit else "")


def make_backup(data: DataDir, db, out_dir: str | os.PathLike | None = None, progress=None, cancel=None,
                *, allow_missing: bool = False) -> Path:
    """Write one .ccbak into out_dir (default: the data folder's backups/) and return its path.

    Refused (MissingAttachments) when a file the database refers to is missing or no longer
    matches its hash, unless allow_missing: then the manifest lists those files and the backup
    is not recorded as a good one."""
    out_dir = Path(out_dir) if out_dir else data.backups
    referenced = _referenced(db)
    files = {p.name: p for p in _attachment_files(data)}
    missing = [{"sha256": sha, "name": name, "problem": "文件缺失"}
               for sha, name in sorted(referenced.items()) if sha not in files]
    if missing and not allow_missing:
        _refuse_missing(missing)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AppError(f"无法写入备份到 {out_dir}：{_os_problem(exc)}。请检查位置是否可写。") from None
    clean_leftovers(data, out_dir=out_dir)
    db_size = Path(data.db_path).stat().st_size if data.db_path.exists() else 0
    _check_target(out_dir, db_size + sum(p.stat().st_size for p in files.values()))
    key = _ensure_key(data)
    final = out_dir / backup_name()
    partial = out_dir / _temp_name(final.name)
    snapshot = out_dir / _temp_name(final.name + ".db")
    try:
        snapshot_database(db, snapshot)
        _hide(snapshot)
        conn = sqlite3.connect(str(snapshot))
        counts = table_counts(conn)
        conn.close()
        changed = _write_archive(partial, snapshot, files, missing, counts, key, progress, cancel)
        if changed:  # found only while copying: write the archive again without them
            missing += [{"sha256": p.name, "name": referenced[p.name], "problem": "内容已被改动（哈希不符）"}
                        for p in changed if p.name in referenced]
            if missing and not allow_missing:
                _refuse_missing(missing)
            for p in changed:
                log.warning("附件 %s 的内容与其名称不符，未放入备份", p)
                del files[p.name]
            if _write_archive(partial, snapshot, files, missing, counts, key, progress, cancel):
                raise AppError("备份期间附件文件被改动，备份没有完成。请稍后重试，或先运行“数据体检”。")
        _read_back(partial)
        _publish(partial, final)
        _tick(progress, len(files) + 2, len(files) + 2, "完成")
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
        _hide(partial)
        members[DB_MEMBER] = _add_file(zf, snapshot, DB_MEMBER, cancel, hasher)
        _tick(progress, 1, total, "数据库")
        for i, path in enumerate(files.values()):
            name = f"{ATTACHMENT_PREFIX}{path.parent.name}/{path.name}"
            members[name] = _add_file(zf, path, name, cancel, hasher)
            if members[name]["sha256"] != path.name:
                changed.append(path)
            _tick(progress, i + 2, total, "附件")
        manifest = {"program": "创城工作台", "version": __version__, "schema_version": schema_version(),
                    "created_at": datetime.now().isoformat(timespec="seconds"), "counts": counts,
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


def _tick(progress, done, total, text):
    if progress:
        progress(done, total, text)


def _copy_hashing(src, dst, hasher, cancel, limit: int | None = None) -> str | None:
    """Copy src to dst (None: only read) in chunks, memory staying flat, and return the SHA-256 of
    what was copied. With a limit nothing past it is written: None when src holds more.
    Each chunk is hashed on a second thread while it is written (hashlib releases the GIL), so
    hashing costs little extra time on a two-core office PC."""
    digest = hashlib.sha256()
    pending = None
    copied = 0
    while chunk := src.read(CHUNK if limit is None else min(CHUNK, limit - copied + 1)):
        if cancel and cancel():
            raise Cancelled()
        copied += len(chunk)
        if limit is not None and copied > limit:
            return None
        if pending is not None:
            pending.result()
        pending = hasher.submit(digest.update, chunk) if hasher else digest.update(chunk)
        if dst is not None:
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

def _refused(path: Path, what: str) -> AppError:
    return AppError(f"备份“{path.name}”{what}，已拒绝。该文件可能已损坏或被改动，请使用其他备份。")


def _damaged(path: Path) -> AppError:
    return AppError(f"备份文件“{path.name}”已损坏或不完整，无法使用。请使用其他备份。")


@contextmanager
def _reading(path: Path):
    """Open a backup; whatever a damaged or crafted archive raises becomes a Chinese refusal (the
    technical detail goes to the log)."""
    if not path.is_file():
        raise AppError(f"找不到备份文件 {path}。")
    try:
        with zipfile.ZipFile(path) as zf:
            yield zf
    except (AppError, Cancelled):
        raise
    except ZIP_ERRORS as exc:
        log.warning("备份 %s 被拒绝：%r", path, exc)
        raise _damaged(path) from None
    except OSError as exc:
        log.warning("读取备份 %s 失败：%r", path, exc)
        raise AppError(f"无法读取备份文件“{path.name}”：{_os_problem(exc)}。") from None


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_manifest_shape(path: Path, manifest) -> None:
    if not isinstance(manifest, dict):
        raise _refused(path, "的清单格式不对")
    for key, label in REQUIRED_KEYS.items():
        if key not in manifest:
            raise _refused(path, f"的清单缺少“{label}”")
    if not _is_count(manifest["schema_version"]) or not _is_count(manifest["attachment_files"]) \
            or not isinstance(manifest["created_at"], str) or not isinstance(manifest["version"], str):
        raise _refused(path, "的清单内容类型不对")
    counts = manifest["counts"]
    if not isinstance(counts, dict) or not all(isinstance(k, str) and _is_count(v) for k, v in counts.items()):
        raise _refused(path, "的清单中记录数不对")
    members = manifest["members"]
    if not isinstance(members, dict) or not all(
            isinstance(meta, dict) and is_hash_name(meta.get("sha256")) and _is_count(meta.get("size"))
            for meta in members.values()):
        raise _refused(path, "的清单中文件列表不对")
    if "hmac" in manifest and not is_hash_name(manifest["hmac"]):
        raise _refused(path, "的签名格式不对")
    missing = manifest.get("missing_attachments", [])
    if not isinstance(missing, list) or not all(
            isinstance(m, dict) and is_hash_name(m.get("sha256")) and isinstance(m.get("name"), str) for m in missing):
        raise _refused(path, "的清单中缺失附件列表不对")


def _inspect(zf: zipfile.ZipFile, path: Path) -> dict:
    """The structure of an archive, before anything in it is trusted: members named as a backup
    names them (no other path can come out of it), each listed once with its declared size, a
    well-formed manifest of a schema this program knows. Returns the manifest."""
    infos = zf.infolist()
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise _refused(path, "中有重名的文件")
    for name in names:
        pure = PurePosixPath(name.replace("\\", "/"))
        if pure.is_absolute() or ".." in pure.parts or ":" in name:
            raise AppError(f"备份文件“{path.name}”包含不安全的路径，已拒绝。该文件可能被篡改。")
    if MANIFEST not in names:
        raise AppError(f"“{path.name}”缺少清单，不是完整的创城工作台备份。")
    by_name = {i.filename: i for i in infos}
    if by_name[MANIFEST].file_size > MANIFEST_LIMIT:
        raise _refused(path, "的清单大得不合常理")
    try:
        manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
    except ValueError:
        raise _refused(path, "的清单无法读取") from None
    _check_manifest_shape(path, manifest)
    if manifest["schema_version"] > schema_version():
        raise AppError(f"备份“{path.name}”由更新版本的创城工作台（{manifest['version']}）制作，"
                       "本程序无法恢复它。请先安装最新版本。")
    members = manifest["members"]
    if DB_MEMBER not in members:
        raise AppError(f"备份“{path.name}”中没有数据库，无法恢复。")
    for name, meta in members.items():
        if name == DB_MEMBER:
            continue
        match = MEMBER_NAME.fullmatch(name)
        if not match or match.group(1) != match.group(2)[:2] or meta["sha256"] != match.group(2):
            raise _refused(path, "的清单中有不合规的文件名")
    present = set(names) - {MANIFEST}
    missing, extra = set(members) - present, present - set(members)
    if missing or extra:
        raise AppError(f"备份“{path.name}”的内容与清单不符（缺少 {len(missing)} 个、多出 {len(extra)} 个文件），已拒绝。")
    if any(by_name[name].file_size != meta["size"] for name, meta in members.items()):
        raise _refused(path, "中文件的大小与清单不符")
    return manifest


def _check_contents(zf: zipfile.ZipFile, path: Path, manifest: dict, progress, cancel,
                    staging: Path | None = None) -> None:
    """Read every member, never past its declared size, and check its SHA-256 (an attachment's is
    also its name); with staging, write each into it as it is read."""
    members = manifest["members"]
    with ThreadPoolExecutor(1) as hasher:
        for i, (name, meta) in enumerate(members.items()):
            _tick(progress, i, len(members), "校验备份" if staging is None else "校验并解压备份")
            target = None
            if staging is not None:
                parts = (DB_NAME,) if name == DB_MEMBER else ("attachments", *PurePosixPath(name).parts[1:])
                target = _inside(staging, *parts)
                target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(name) as src, (_Target(target) if target else _no_file()) as dst:
                sha256 = _copy_hashing(src, dst, hasher, cancel, limit=meta["size"])
            if sha256 != meta["sha256"]:
                log.warning("备份 %s 的成员 %s：校验值 %s，清单为 %s", path, name, sha256, meta["sha256"])
                raise AppError(f"备份“{path.name}”已损坏：其中的{'数据库' if name == DB_MEMBER else '一个附件'}"
                               "与清单记录的校验值不符。请使用其他备份。")
    _tick(progress, len(members), len(members), "校验备份")


@contextmanager
def _no_file():
    yield None


class _WriteFailed(Exception):
    """Writing into the data folder failed (not reading the backup): carries the OSError."""

    def __init__(self, error: OSError):
        super().__init__(error)
        self.error = error


class _Target:
    """A file being restored, whose errors are told apart from those of the backup being read."""

    def __init__(self, path: Path):
        try:
            self.file = open(path, "wb")
        except OSError as exc:
            raise _WriteFailed(exc) from exc

    def write(self, chunk: bytes) -> None:
        try:
            self.file.write(chunk)
        except OSError as exc:
            raise _WriteFailed(exc) from exc

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        try:
            self.file.close()
        except OSError as exc:
            if exc_info[0] is None:
                raise _WriteFailed(exc) from exc


def verify_backup(path: str | os.PathLike, progress=None, cancel=None, *, hashes: bool = True) -> dict:
    """Check a .ccbak the way restore does before it writes anything: its structure and manifest
    and (hashes=True) every member's content. Returns its manifest."""
    path = Path(path)
    with _reading(path) as zf:
        manifest = _inspect(zf, path)
        if hashes:
            _check_contents(zf, path, manifest, progress, cancel)
    return manifest


def is_own_backup(data: DataDir, path: str | os.PathLike) -> bool:
    """True when the backup's manifest carries this data folder's keyed hash: made here and not
    changed since. Without a key (no backup made here yet) every backup is someone else's."""
    path = Path(path)
    key = _read_key(data)
    with _reading(path) as zf:
        manifest = _inspect(zf, path)
    return key is not None and hmac.compare_digest(_signature(key, manifest), manifest.get("hmac", ""))


# --- restoring ------------------------------------------------------------------------------------

def _current_ledger(data: DataDir) -> tuple[str, dict | None]:
    """The data folder's database as it is now: ('empty' | 'readable' | 'damaged', counts). Empty
    means nothing worth a copy; damaged means it cannot be read, or it is empty but attachments lie
    beside it. Reading leaves the files as they were."""
    db_path = data.db_path
    has_files = bool(_attachment_files(data))
    if not db_path.exists() or db_path.stat().st_size == 0:
        return ("damaged" if has_files and db_path.exists() else "empty"), None
    try:
        conn = sqlite3.connect(f"{db_path.as_uri()}?mode=rw", uri=True, timeout=15)
        try:
            counts = table_counts(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        log.warning("当前数据库无法读取：%r", exc)
        return "damaged", None
    has_data = any(n for t, n in counts.items() if t not in ("_sqlite_migrations", "vocab", "unit_groups", "settings")
                   and not t.startswith("fts_"))
    return ("readable" if has_data else "empty"), counts


def needs_foreign_confirmation(data: DataDir, path: str | os.PathLike) -> bool:
    """Whether restoring this backup replaces a readable ledger with one made elsewhere."""
    if Path(path).suffix.lower() == ".db":
        return False
    return not is_own_backup(data, path) and _current_ledger(data)[0] == "readable"


def _check_free_space(data: DataDir, needed: int) -> None:
    try:
        free = shutil.disk_usage(data.root).free
    except OSError as exc:
        raise AppError(f"无法访问数据文件夹 {data.root}：{_os_problem(exc)}。") from None
    if needed > free - FREE_SPACE_RESERVE:
        raise AppError(f"数据文件夹所在磁盘剩余空间不足：恢复需要约 {needed / 1024 ** 2:.0f} MB，"
                       f"只剩 {free / 1024 ** 2:.0f} MB（还需留出 100 MB）。请清理磁盘后重试，现有数据未改动。")


def _current_size(data: DataDir, state: str) -> int:
    """Room the safety copy of the current data takes."""
    if state == "empty":
        return 0
    size = data.db_path.stat().st_size if data.db_path.exists() else 0
    return size + (sum(p.stat().st_size for p in _attachment_files(data)) if state == "readable" else 0)


def restore_backup(data: DataDir, path: str | os.PathLike, progress=None, cancel=None,
                   operator: str = "命令行", *, allow_foreign: bool = False) -> dict:
    """Replace the data folder's database and attachments with a backup (.ccbak, or an automatic
    snapshot .db with its attachment mirror). The caller must have closed its connections.

    Nothing is written before the whole backup has been checked; a backup made elsewhere replaces
    a readable ledger only with allow_foreign. Returns {'manifest', 'safety_backup', 'kept',
    'missing_attachments'}."""
    path = Path(path)
    recover_interrupted_restore(data)
    clean_leftovers(data)
    state, counts_before = _current_ledger(data)
    if path.suffix.lower() == ".db":
        snapshot = _inspect_snapshot(path)
        manifest, own = snapshot["manifest"], None
        _check_free_space(data, snapshot["size"] + _current_size(data, state))

        def stage(staging):
            _stage_snapshot(path, snapshot, staging, progress, cancel)
    else:
        manifest, own = verify_backup(path, hashes=False), is_own_backup(data, path)
        if not own and state == "readable" and not allow_foreign:
            raise AppError(f"备份“{path.name}”不是由本机制作的（由其他安装制作，或清单被改动过），无法确认来源。"
                           "恢复会用它替换现有的台账；确认来源可靠后，请加 --foreign 再恢复。现有数据未改动。")
        _check_free_space(data, sum(m["size"] for m in manifest["members"].values()) + _current_size(data, state))

        def stage(staging):
            with _reading(path) as zf:
                _check_contents(zf, path, manifest, progress, cancel, staging)
    staging = data.root / _temp_name("restore-staging")
    try:
        staging.mkdir()
        _hide(staging)
        (staging / "attachments").mkdir()
        stage(staging)
        missing = _check_staged_database(staging, path, manifest)
        origin = "自动快照" if own is None else ("本机" if own else "其他安装")
        _migrate_and_audit(staging, operator, path, manifest, origin, state, counts_before)
        safety, kept = _safety_copy(data, state)
        _swap_in(data, staging, kept)
    except sqlite3.DatabaseError as exc:  # the staged database could not be brought up to date
        log.warning("恢复 %s 时数据库出错：%r", path, exc)
        raise AppError(f"备份“{path.name}”中的数据库无法使用，恢复已停止，现有数据未改动。请使用其他备份。") from None
    except (OSError, _WriteFailed) as exc:
        error = exc.error if isinstance(exc, _WriteFailed) else exc
        log.warning("恢复 %s 失败：%r", path, error)
        raise AppError(f"恢复没有完成：{_os_problem(error)}。现有数据未改动。") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {"manifest": manifest, "safety_backup": safety, "kept": kept, "missing_attachments": missing}


def _inspect_snapshot(path: Path) -> dict:
    """An automatic snapshot: the .db file, with attachments from the mirror beside its folder.
    Every hash in it is checked before it becomes a path; returns what staging needs."""
    if not path.is_file():
        raise AppError(f"找不到快照文件 {path}。")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            counts = table_counts(conn)
            needed = [r[0] for r in conn.execute("SELECT DISTINCT sha256 FROM attachments")] \
                if "attachments" in counts else []
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        log.warning("快照 %s 无法读取：%r", path, exc)
        raise AppError(f"“{path.name}”不是有效的数据库快照。") from None
    if ok != "ok":
        log.warning("快照 %s 完整性检查：%s", path, ok)
        raise AppError(f"快照“{path.name}”已损坏，请选择其他备份。")
    if version > schema_version():
        raise AppError(f"快照“{path.name}”由更新版本的创城工作台制作，本程序无法恢复它。")
    if not all(is_hash_name(s) for s in needed):
        raise AppError(f"快照“{path.name}”的附件记录中有不合规的文件名，已拒绝。该文件可能被篡改，请使用其他备份。")
    mirror = path.parent.parent / "attachments"
    sources = {s: _inside(mirror, s[:2], s) for s in needed}
    missing = [s for s, source in sources.items() if not source.is_file()]
    if missing:
        raise AppError(f"快照“{path.name}”对应的附件镜像中缺少 {len(missing)} 个文件，无法完整恢复。"
                       "请改用完整备份（.ccbak）。")
    manifest = {"schema_version": version, "counts": counts, "version": "", "attachment_files": len(needed),
                "created_at": datetime.fromtimestamp(path.stat().st_mtime).isoformat(timespec="seconds")}
    size = path.stat().st_size + sum(p.stat().st_size for p in sources.values())
    return {"manifest": manifest, "sources": sources, "size": size}


def _stage_snapshot(path: Path, snapshot: dict, staging: Path, progress, cancel) -> None:
    shutil.copyfile(path, staging / DB_NAME)
    sources = snapshot["sources"]
    with ThreadPoolExecutor(1) as hasher:
        for i, (sha, source) in enumerate(sources.items()):
            _tick(progress, i, len(sources), "校验并复制附件")
            target = _inside(staging / "attachments", sha[:2], sha)
            target.parent.mkdir(exist_ok=True)
            with open(source, "rb") as src, open(target, "wb") as dst:
                copied = _copy_hashing(src, dst, hasher, cancel)
            if copied != sha:
                log.warning("快照镜像中的附件 %s 内容不符（%s）", source, copied)
                raise AppError(f"快照“{path.name}”对应的附件镜像中，有附件的内容与记录不符（文件已被改动）。"
                               "请改用完整备份（.ccbak）或其他快照。现有数据未改动。")


def _check_staged_database(staging: Path, path: Path, manifest: dict) -> int:
    """The restored database's own references are untrusted too: every attachment hash must be a
    stored file's name. Returns how many referenced files the backup does not hold."""
    db_file = staging / DB_NAME
    try:
        conn = sqlite3.connect(f"{db_file.as_uri()}?mode=ro", uri=True)
        try:
            has_table = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'attachments'").fetchone()
            hashes = [r[0] for r in conn.execute("SELECT DISTINCT sha256 FROM attachments")] if has_table else []
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        log.warning("备份 %s 中的数据库无法读取：%r", path, exc)
        raise AppError(f"备份“{path.name}”中的数据库已损坏，无法恢复。请使用其他备份。") from None
    if not all(is_hash_name(h) for h in hashes):
        raise AppError(f"备份“{path.name}”的数据库中，附件记录含有不合规的文件名，已拒绝。该文件可能被篡改，请使用其他备份。")
    return sum(1 for h in hashes if not (staging / "attachments" / h[:2] / h).is_file())


def _migrate_and_audit(staging: Path, operator: str, path: Path, manifest: dict, origin: str, state: str,
                       counts_before: dict | None) -> None:
    """Bring the staged copy (an older backup) up to date and record the restore in it, before it
    replaces anything: the audit row arrives with the swap or not at all."""
    from core.db import open_db, write

    staged = open_db(staging / DB_NAME, operator, backup_dir=staging / "premigrate")
    try:
        counts_after = _ledger_counts(table_counts(staged.conn))
        with write(staged):
            audit.log(staged, "从备份恢复", "backup", None,
                      {"state": {"readable": "正常", "empty": "空", "damaged": "无法打开"}[state],
                       "counts": _ledger_counts(counts_before)},
                      {"file": str(path), "made_by": origin, "created_at": manifest["created_at"],
                       "counts": counts_after},
                      f"从 {path.name} 恢复")
        staged.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        staged.conn.close()
    shutil.rmtree(staging / "premigrate", ignore_errors=True)


def _safety_copy(data: DataDir, state: str) -> tuple[Path | None, Path | None]:
    """Keep the current data before it is replaced: a full backup of a readable ledger; a plain copy
    of a database that cannot be opened, with its attachments kept beside it after the swap.
    Returns (the safety copy, where the old attachments will be kept)."""
    folder = data.backups / SAFETY_FOLDER
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    if state == "readable":
        from core.db import connect

        current = connect(data.db_path)
        try:
            return make_backup(data, current, folder, allow_missing=True), None
        except sqlite3.DatabaseError as exc:  # readable tables, damaged pages: keep the bytes instead
            log.warning("当前数据库无法完整备份，改为原样复制：%r", exc)
        finally:
            current.conn.close()
    elif state == "empty":
        kept = folder / f"恢复前的附件-{stamp}" if _attachment_files(data) else None
        return None, kept
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / f"损坏的数据库-{stamp}.db"
    for suffix in ("", "-wal"):
        source = data.root / (DB_NAME + suffix)
        if source.exists():
            temp = folder / _temp_name(copy.name + suffix)
            shutil.copyfile(source, temp)
            _publish(temp, folder / (copy.name + suffix))
    kept = folder / f"损坏的数据库-{stamp}-附件" if _attachment_files(data) else None
    return copy, kept


def _live_entries() -> list[str]:
    return [DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm", "attachments"]


def _replace(src: Path, dst: Path) -> None:
    """os.replace, retried for a few seconds while Windows reports the file in use (an antivirus
    scan, the search indexer)."""
    for delay in (*RETRY_DELAYS, None):
        try:
            os.replace(src, dst)
            return
        except PermissionError as exc:
            if delay is None or getattr(exc, "winerror", None) not in SHARING_VIOLATIONS:
                raise
            log.info("%s 被占用，%.1f 秒后重试", src, delay)
            time.sleep(delay)


def _swap_in(data: DataDir, staging: Path, kept: Path | None) -> None:
    old = data.root / OLD
    journal = data.root / JOURNAL
    shutil.rmtree(old, ignore_errors=True)  # before the journal: recovery must never see stale files
    old.mkdir()
    _write_journal(journal, "swapping", kept)
    try:
        for name in _live_entries():
            if (data.root / name).exists():
                _replace(data.root / name, old / name)
        _replace(staging / DB_NAME, data.db_path)
        _replace(staging / "attachments", data.attachments)
    except OSError as exc:
        log.warning("恢复时替换文件失败：%r", exc)
        try:
            recover_interrupted_restore(data)
        except OSError as again:
            log.error("放回原有数据失败，下次打开时再试：%r", again)
        raise AppError(f"恢复没有完成：{_os_problem(exc)}。原有数据已放回，没有改动。"
                       "请关闭占用文件的程序后重试。") from None
    _write_journal(journal, "done", kept)
    _finish_swap(data, kept)


def _finish_swap(data: DataDir, kept: Path | None) -> None:
    """After the swap: keep the replaced attachments where asked, drop the rest of the old data."""
    old = data.root / OLD
    if kept is not None and (old / "attachments").exists():
        try:
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(old / "attachments", kept)
        except OSError as exc:  # the old files stay in .restore-old rather than being deleted
            log.error("无法把原有附件移到 %s：%r", kept, exc)
            (data.root / JOURNAL).unlink(missing_ok=True)
            return
    shutil.rmtree(old, ignore_errors=True)
    (data.root / JOURNAL).unlink(missing_ok=True)


def _write_journal(path: Path, state: str, kept: Path | None) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"state": state, "kept": str(kept) if kept else None}, ensure_ascii=False),
                   encoding="utf-8")
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)


def recover_interrupted_restore(data: DataDir) -> str | None:
    """After a crash during restore: put the old data back (swap not finished) or finish the swap.
    Returns what was done, or None."""
    journal = data.root / JOURNAL
    if not journal.exists():
        return None
    try:
        state = json.loads(journal.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = {"state": "swapping"}  # cut off while written: the swap had not begun
    kept = Path(state["kept"]) if state.get("kept") else None
    old = data.root / OLD
    if state.get("state") == "swapping":
        for name in _live_entries():
            if (old / name).exists():
                target = data.root / name
                if target.is_dir():
                    shutil.rmtree(target)
                elif target.exists():
                    target.unlink()
                _replace(old / name, target)
        shutil.rmtree(old, ignore_errors=True)
        journal.unlink(missing_ok=True)
        return "rolled_back"
    _finish_swap(data, kept)
    return "completed"


# --- automatic backups ----------------------------------------------------------------------------

def auto_backup(data: DataDir, db, second_folder: str | None = None, keep_daily: int = 7,
                keep_monthly: int = 12, today: date | None = None) -> list[Path]:
    """A small database snapshot plus an incremental mirror of the attachments (files never change,
    so only new ones are copied), into backups/auto and optionally a second folder (a USB disk).
    Returns the snapshot files written. It counts as a good backup only when the mirror holds every
    file the database refers to."""
    today = today or date.today()
    written = []
    targets = [data.backups / "auto"]
    if second_folder:
        targets.append(Path(second_folder) / "创城工作台自动备份")
    referenced = [sha for sha in _referenced(db) if is_hash_name(sha)]
    missing = 0
    for target in targets:
        snapshots = target / "snapshots"
        snapshots.mkdir(parents=True, exist_ok=True)
        clean_leftovers(data, auto_folder=target)
        daily = snapshots / f"daily-{today:%Y%m%d}.db"
        tmp = snapshots / _temp_name(daily.name)
        try:
            snapshot_database(db, tmp)
            _hide(tmp)
            _publish(tmp, daily)
        finally:
            tmp.unlink(missing_ok=True)
        monthly = snapshots / f"monthly-{today:%Y%m}.db"
        shutil.copyfile(daily, monthly)
        mirror = target / "attachments"
        _mirror_attachments(data, mirror)
        missing = max(missing, sum(1 for sha in referenced if not (mirror / sha[:2] / sha).is_file()))
        _prune(snapshots, "daily-", keep_daily)
        _prune(snapshots, "monthly-", keep_monthly)
        written.append(daily)
    if missing:
        record_incomplete_backup(data, written[0], missing)
    else:
        record_good_backup(data, written[0])
    return written


def _mirror_attachments(data: DataDir, mirror: Path) -> int:
    """Copy stored files the mirror lacks. A file whose content no longer matches its name is not
    mirrored: the mirror keeps only good copies (the health check repairs from them)."""
    copied = 0
    for src in _attachment_files(data):
        dest = mirror / src.parent.name / src.name
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(_temp_name(dest.name))
            with open(src, "rb") as fin, open(tmp, "wb") as fout:
                _hide(tmp)
                sha = _copy_hashing(fin, fout, None, None)
            if sha != src.name:
                log.warning("附件 %s 的内容与其名称不符，未复制到自动备份镜像", src)
                tmp.unlink()
                continue
            _publish(tmp, dest)
            copied += 1
    return copied


def _prune(folder: Path, prefix: str, keep: int) -> None:
    for old in sorted(folder.glob(f"{prefix}*.db"), reverse=True)[max(keep, 1):]:
        old.unlink(missing_ok=True)


def _state_file(data: DataDir) -> Path:
    return data.backups / "last-backup.json"


def _read_state(data: DataDir) -> dict:
    try:
        state = json.loads(_state_file(data).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _write_state(data: DataDir, state: dict) -> None:
    try:
        _state_file(data).write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    except OSError as exc:  # the backup itself is written; only the reminder's date is not
        log.warning("无法记录备份时间：%r", exc)


def record_good_backup(data: DataDir, path: Path) -> None:
    _write_state(data, {"at": datetime.now().isoformat(timespec="seconds"), "path": str(path)})


def record_incomplete_backup(data: DataDir, path: Path, missing: int) -> None:
    """A backup that lacks files the database refers to: remembered, never counted as good."""
    state = {k: v for k, v in _read_state(data).items() if k in ("at", "path")}
    state["incomplete"] = {"at": datetime.now().isoformat(timespec="seconds"), "path": str(path), "missing": missing}
    _write_state(data, state)


def last_good_backup(data: DataDir) -> dict | None:
    state = _read_state(data)
    return state if "at" in state else None


def last_incomplete_backup(data: DataDir) -> dict | None:
    """The most recent backup, when it was incomplete (a good backup made since clears it)."""
    return _read_state(data).get("incomplete")


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
