"""Restoring: a .ccbak (or an automatic snapshot with its attachment mirror) replaces the data.

Nothing is written before the whole backup has passed core.safety.verify's checks. The new data is
prepared in a staging folder beside the old (extracted, its references checked, migrated, the
restore's audit row written into it), the current data is kept in a safety copy, and the two are
swapped with renames recorded in a journal: an interruption at any moment leaves either the old
data or the new, never a mixture (recover_interrupted_restore, run whenever the ledger opens).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

from core import audit, clock
from core.errors import AppError, os_problem
from core.migrations import schema_version
from core.paths import DB_NAME, DataDir
from core.safety import leftovers
from core.safety.archive import attachment_files, copy_hashing, inside, is_hash_name, tick
from core.safety.backup import is_own_backup, make_backup
from core.safety.leftovers import clean_leftovers, temp_name
from core.safety.verify import WriteFailed, check_contents, reading, verify_backup
from core.store.sqlite import inspect_file, open_file

log = logging.getLogger(__name__)

SAFETY_FOLDER = "恢复前自动备份"
FREE_SPACE_RESERVE = 100 * 1024 * 1024
JOURNAL = ".restore-journal.json"
OLD = ".restore-old"
SHARING_VIOLATIONS = (32, 33)  # ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
RETRY_DELAYS = (0.1, 0.3, 0.6, 1.0, 2.0)
# Tables a new ledger fills by itself: holding only these, the current data is nothing to keep.
_NEW_LEDGER_TABLES = ("_sqlite_migrations", "vocab", "unit_groups", "settings")


# --- the data being replaced ----------------------------------------------------------------------

def _current_ledger(data: DataDir) -> tuple[str, dict | None]:
    """The data folder's database as it is now: ('empty' | 'readable' | 'damaged', counts). Empty
    means nothing worth a copy; damaged means it cannot be read, or it is empty but attachments lie
    beside it."""
    db_path = data.db_path
    has_files = bool(attachment_files(data))
    if not db_path.exists() or db_path.stat().st_size == 0:
        return ("damaged" if has_files and db_path.exists() else "empty"), None
    try:
        counts = inspect_file(db_path, mode="rw").counts
    except sqlite3.DatabaseError as exc:
        log.warning("当前数据库无法读取：%r", exc)
        return "damaged", None
    has_data = any(n for t, n in counts.items() if t not in _NEW_LEDGER_TABLES and not t.startswith("fts_"))
    return ("readable" if has_data else "empty"), counts


def _ledger_counts(counts: dict[str, int] | None) -> dict[str, int] | None:
    """Table counts a person reads (the search index's and the migrations' tables left out)."""
    return None if counts is None else {t: n for t, n in counts.items() if not t.startswith(("fts_", "_"))}


def needs_foreign_confirmation(data: DataDir, path: str | os.PathLike) -> bool:
    """Whether restoring this backup replaces a readable ledger with one made elsewhere."""
    if Path(path).suffix.lower() == ".db":
        return False
    return not is_own_backup(data, path) and _current_ledger(data)[0] == "readable"


def check_free_space(data: DataDir, needed: int) -> None:
    try:
        free = shutil.disk_usage(data.root).free
    except OSError as exc:
        raise AppError(f"无法访问数据文件夹 {data.root}：{os_problem(exc)}。") from None
    if needed > free - FREE_SPACE_RESERVE:
        raise AppError(f"数据文件夹所在磁盘剩余空间不足：恢复需要约 {needed / 1024 ** 2:.0f} MB，"
                       f"只剩 {free / 1024 ** 2:.0f} MB（还需留出 100 MB）。请清理磁盘后重试，现有数据未改动。")


def _current_size(data: DataDir, state: str) -> int:
    """Room the safety copy of the current data takes."""
    if state == "empty":
        return 0
    size = data.db_path.stat().st_size if data.db_path.exists() else 0
    return size + (sum(p.stat().st_size for p in attachment_files(data)) if state == "readable" else 0)


# --- restoring ------------------------------------------------------------------------------------

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
        check_free_space(data, snapshot["size"] + _current_size(data, state))

        def stage(staging):
            _stage_snapshot(path, snapshot, staging, progress, cancel)
    else:
        manifest, own = verify_backup(path, hashes=False), is_own_backup(data, path)
        if not own and state == "readable" and not allow_foreign:
            raise AppError(f"备份“{path.name}”不是由本机制作的（由其他安装制作，或清单被改动过），无法确认来源。"
                           "恢复会用它替换现有的台账；确认来源可靠后，请加 --foreign 再恢复。现有数据未改动。")
        check_free_space(data, sum(m["size"] for m in manifest["members"].values()) + _current_size(data, state))

        def stage(staging):
            extract_backup(path, manifest, staging, progress, cancel)
    staging = data.root / temp_name("restore-staging")
    try:
        staging.mkdir()
        leftovers.hide(staging)
        (staging / "attachments").mkdir()
        stage(staging)
        missing = check_staged_database(staging, path)
        origin = "自动快照" if own is None else ("本机" if own else "其他安装")
        _migrate_and_audit(staging, operator, path, manifest, origin, state, counts_before)
        safety, kept = _safety_copy(data, state)
        _swap_in(data, staging, kept)
    except sqlite3.DatabaseError as exc:  # the staged database could not be brought up to date
        log.warning("恢复 %s 时数据库出错：%r", path, exc)
        raise AppError(f"备份“{path.name}”中的数据库无法使用，恢复已停止，现有数据未改动。请使用其他备份。") from None
    except (OSError, WriteFailed) as exc:
        error = exc.error if isinstance(exc, WriteFailed) else exc
        log.warning("恢复 %s 失败：%r", path, error)
        raise AppError(f"恢复没有完成：{os_problem(error)}。现有数据未改动。") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {"manifest": manifest, "safety_backup": safety, "kept": kept, "missing_attachments": missing}


def extract_backup(path: Path, manifest: dict, staging: Path, progress=None, cancel=None) -> None:
    """Every member of a checked backup into the staging folder (the database as DB_NAME, the
    files under attachments/), each hashed as it is written."""
    with reading(path) as zf:
        check_contents(zf, path, manifest, progress, cancel, staging)


def _inspect_snapshot(path: Path) -> dict:
    """An automatic snapshot: the .db file, with attachments from the mirror beside its folder.
    Every hash in it is checked before it becomes a path; returns what staging needs."""
    if not path.is_file():
        raise AppError(f"找不到快照文件 {path}。")
    try:
        facts = inspect_file(path, integrity=True, immutable=True)
    except sqlite3.DatabaseError as exc:
        log.warning("快照 %s 无法读取：%r", path, exc)
        raise AppError(f"“{path.name}”不是有效的数据库快照。") from None
    if facts.integrity:
        log.warning("快照 %s 完整性检查：%s", path, facts.integrity[0])
        raise AppError(f"快照“{path.name}”已损坏，请选择其他备份。")
    if facts.version > schema_version():
        raise AppError(f"快照“{path.name}”由更新版本的创城工作台制作，本程序无法恢复它。")
    needed = facts.attachment_hashes
    if not all(is_hash_name(s) for s in needed):
        raise AppError(f"快照“{path.name}”的附件记录中有不合规的文件名，已拒绝。该文件可能被篡改，请使用其他备份。")
    mirror = path.parent.parent / "attachments"
    sources = {s: inside(mirror, s[:2], s) for s in needed}
    missing = [s for s, source in sources.items() if not source.is_file()]
    if missing:
        raise AppError(f"快照“{path.name}”对应的附件镜像中缺少 {len(missing)} 个文件，无法完整恢复。"
                       "请改用完整备份（.ccbak）。")
    manifest = {"schema_version": facts.version, "counts": facts.counts, "version": "", "attachment_files": len(needed),
                "created_at": datetime.fromtimestamp(path.stat().st_mtime).isoformat(timespec="seconds")}
    size = path.stat().st_size + sum(p.stat().st_size for p in sources.values())
    return {"manifest": manifest, "sources": sources, "size": size}


def _stage_snapshot(path: Path, snapshot: dict, staging: Path, progress, cancel) -> None:
    shutil.copyfile(path, staging / DB_NAME)
    sources = snapshot["sources"]
    with ThreadPoolExecutor(1) as hasher:
        for i, (sha, source) in enumerate(sources.items()):
            tick(progress, i, len(sources), "校验并复制附件")
            target = inside(staging / "attachments", sha[:2], sha)
            target.parent.mkdir(exist_ok=True)
            with open(source, "rb") as src, open(target, "wb") as dst:
                copied = copy_hashing(src, dst, hasher, cancel)
            if copied != sha:
                log.warning("快照镜像中的附件 %s 内容不符（%s）", source, copied)
                raise AppError(f"快照“{path.name}”对应的附件镜像中，有附件的内容与记录不符（文件已被改动）。"
                               "请改用完整备份（.ccbak）或其他快照。现有数据未改动。")


def check_staged_database(staging: Path, path: Path) -> int:
    """The restored database's own references are untrusted too: every attachment hash must be a
    stored file's name. Returns how many referenced files the backup does not hold."""
    try:
        hashes = inspect_file(staging / DB_NAME, counts=False).attachment_hashes
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
    from core.db import open_db

    staged = open_db(staging / DB_NAME, operator, backup_dir=staging / "premigrate")
    try:
        counts_after = _ledger_counts(staged.table_counts())
        with staged.write():
            audit.log(staged, "从备份恢复", "backup", None,
                      {"state": {"readable": "正常", "empty": "空", "damaged": "无法打开"}[state],
                       "counts": _ledger_counts(counts_before)},
                      {"file": str(path), "made_by": origin, "created_at": manifest["created_at"],
                       "counts": counts_after},
                      f"从 {path.name} 恢复")
        staged.checkpoint()
    finally:
        staged.close()
    shutil.rmtree(staging / "premigrate", ignore_errors=True)


def _safety_copy(data: DataDir, state: str) -> tuple[Path | None, Path | None]:
    """Keep the current data before it is replaced: a full backup of a readable ledger; a plain copy
    of a database that cannot be opened, with its attachments kept beside it after the swap.
    Returns (the safety copy, where the old attachments will be kept)."""
    folder = data.backups / SAFETY_FOLDER
    stamp = f"{clock.now():%Y%m%d-%H%M%S}"
    if state == "readable":
        current = open_file(data.db_path)
        try:
            return make_backup(data, current, folder, allow_missing=True), None
        except sqlite3.DatabaseError as exc:  # readable tables, damaged pages: keep the bytes instead
            log.warning("当前数据库无法完整备份，改为原样复制：%r", exc)
        finally:
            current.close()
    elif state == "empty":
        kept = folder / f"恢复前的附件-{stamp}" if attachment_files(data) else None
        return None, kept
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / f"损坏的数据库-{stamp}.db"
    for suffix in ("", "-wal"):
        source = data.root / (DB_NAME + suffix)
        if source.exists():
            temp = folder / temp_name(copy.name + suffix)
            shutil.copyfile(source, temp)
            leftovers.publish(temp, folder / (copy.name + suffix))
    kept = folder / f"损坏的数据库-{stamp}-附件" if attachment_files(data) else None
    return copy, kept


# --- the swap -------------------------------------------------------------------------------------

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
        raise AppError(f"恢复没有完成：{os_problem(exc)}。原有数据已放回，没有改动。"
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
