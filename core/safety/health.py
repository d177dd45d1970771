"""数据体检: is the database sound, is every attachment there with the right content, what is left over.

Repairs never delete: a file taken out of attachments/ (left over, or damaged and replaced from
the backup mirror) is first moved to 隔离区/<date>/ in the data folder and kept there for
QUARANTINE_DAYS days, and every move or re-link has its audit row.
"""

from __future__ import annotations

import os
import shutil
from datetime import date, timedelta
from pathlib import Path

from core import attachments, audit, clock
from core.errors import DAMAGED, DISK_FULL, RESTORE_HINT, AppError, StorageError, storage_errors
from core.safety.snapshots import mirror_folder

QUARANTINE = "隔离区"
QUARANTINE_DAYS = 30


def check(db) -> list[dict]:
    """Every problem found, as {'area', 'problem', 'detail', 'repair'} ('repair' names a safe fix or '')."""
    with storage_errors("完成数据体检"):
        return _check(db)


def _check(db) -> list[dict]:
    problems = [{"area": "数据库", "problem": "完整性检查未通过", "detail": r, "repair": ""}
                for r in db.integrity_problems()[:50]]
    for r in db.foreign_key_problems():
        problems.append({"area": "数据库", "problem": "引用了不存在的记录",
                         "detail": f"表 {r['table']} 第 {r['rowid']} 行引用 {r['parent']}", "repair": ""})
    for p in attachments.verify(db):
        mirrored = _mirror_copy(db, p["sha256"])
        problems.append({"area": "附件", "problem": p["problem"], "detail": f"{p['name']}（{p['sha256'][:12]}…，被引用 {p['uses']} 次）",
                         "repair": "relink" if mirrored else "", "sha256": p["sha256"]})
    # A server's stored files are not this PC's to move into a quarantine folder.
    orphan_repair = "" if db.files.in_database else "remove_orphan"
    for path in attachments.unreferenced_files(db):
        problems.append({"area": "附件", "problem": "没有记录引用的文件", "detail": path.name,
                         "repair": orphan_repair, "path": str(path)})
    return problems


def unopenable(exc: StorageError) -> dict:
    """The one problem to report when the database cannot even be opened or read: a damaged file
    (restore it) is told apart from a full disk or a read/write failure (free space, retry)."""
    if exc.kind == DAMAGED:
        problem = "数据库已损坏"
    elif exc.kind == DISK_FULL:
        problem = "磁盘已满（数据库本身未损坏）"
    else:
        problem = "读写错误（数据库本身未损坏）"
    return {"area": "数据库", "problem": problem, "detail": exc.message_zh, "repair": "", "fatal": True}


def _mirror_copy(db, sha: str) -> Path | None:
    """A good copy of a stored file in the automatic backup's attachment mirror, if there is one
    (a data folder's only: a server ledger's files have no mirror on this PC)."""
    if db.files.in_database:
        return None
    mirror = mirror_folder(attachments.attachments_root(db).parent / "backups") / sha[:2] / sha
    if mirror.exists() and attachments.file_sha256(mirror) == sha:
        return mirror
    return None


def _refuse_mass_removal(db, problems: list[dict]) -> None:
    """AppError when the files to remove are all or most of the stored files: then the database is
    the odd one out (empty, replaced, an old copy), not the files, and removing them would finish
    the loss."""
    orphans = sum(1 for p in problems if p.get("repair") == "remove_orphan")
    if not orphans:
        return
    referenced = db.value("SELECT count(DISTINCT sha256) FROM attachments") or 0
    total = orphans + referenced
    if referenced == 0 or orphans * 2 > total:
        raise AppError(
            f"附件文件夹中有 {orphans} 个文件没有记录引用，而数据库只引用了 {referenced} 个附件："
            "无引用的文件占了大多数。这通常说明数据库是空的、被替换了或恢复得不完整，而不是真有多余的文件，"
            f"因此没有移动任何文件。{RESTORE_HINT}。如确认这些文件确实不再需要，可自行把它们移出 attachments 文件夹。")


def repair(db, problems: list[dict]) -> int:
    """Apply the safe repairs: re-link a missing or damaged file from the backup mirror, move files
    no record refers to into the quarantine. The caller asks the user first. Returns how many were
    repaired; AppError (nothing done) when the files to move are most of the store."""
    if db.files.in_database:
        return 0  # nothing on a server is re-linked from or moved to this PC's folders
    _refuse_mass_removal(db, problems)
    today = clock.today()
    root = attachments.attachments_root(db).parent
    quarantine = root / QUARANTINE / today.isoformat()
    moved: list[tuple[Path, Path]] = []  # (from, to), put back if the audit cannot be written
    done = 0
    try:
        with db.write():
            for p in problems:
                if p.get("repair") == "relink":
                    source = _mirror_copy(db, p["sha256"])
                    if not source:
                        continue
                    target = attachments.stored_path(db, p["sha256"])
                    kept = None
                    if target.exists():  # damaged content: keep it, it may be someone's only copy
                        kept = _quarantine(target, quarantine)
                        moved.append((target, kept))
                    _copy_into_place(source, target)
                    audit.log(db, "体检修复：从备份镜像补回附件", "attachments", p["sha256"],
                              {"file": _relative(target, root), "quarantined": _relative(kept, root) if kept else None},
                              {"file": _relative(target, root), "from": _relative(source, root)}, p["detail"])
                    done += 1
                elif p.get("repair") == "remove_orphan":
                    path = Path(p["path"])
                    if path.exists() and db.value("SELECT 1 FROM attachments WHERE sha256 = :sha", {"sha": path.name}) is None:
                        kept = _quarantine(path, quarantine)
                        moved.append((path, kept))
                        audit.log(db, "体检修复：无引用文件移入隔离区", "attachments", path.name,
                                  {"file": _relative(path, root)}, {"file": _relative(kept, root)}, path.name)
                        done += 1
            _prune_quarantine(db, root / QUARANTINE, today)
    except BaseException:
        for original, kept in reversed(moved):
            if kept.exists():
                original.parent.mkdir(parents=True, exist_ok=True)
                os.replace(kept, original)
        raise
    return done


def _quarantine(path: Path, folder: Path) -> Path:
    """Move a file into the day's quarantine folder under its own (64-hex) name."""
    with storage_errors("把文件移入隔离区"):
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / path.name
        n = 1
        while target.exists():
            n += 1
            target = folder / f"{path.name}.{n}"
        os.replace(path, target)
    return target


def _copy_into_place(source: Path, target: Path) -> None:
    """Copy under a temporary name, then rename: an interrupted copy never looks like the file."""
    with storage_errors("补回附件"):
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        try:
            shutil.copyfile(source, partial)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)


def _prune_quarantine(db, folder: Path, today: date) -> None:
    """Day folders older than QUARANTINE_DAYS go, each with an audit row naming what it held."""
    if not folder.is_dir():
        return
    oldest_kept = today - timedelta(days=QUARANTINE_DAYS)
    for day in sorted(folder.iterdir()):
        try:
            when = date.fromisoformat(day.name)
        except ValueError:
            continue  # not ours: leave it
        if day.is_dir() and when < oldest_kept:
            names = sorted(p.name for p in day.iterdir())
            audit.log(db, "体检修复：清理隔离区", "attachments", day.name, {"files": names}, None,
                      f"隔离满 {QUARANTINE_DAYS} 天，删除 {len(names)} 个文件")
            with storage_errors("清理隔离区"):
                shutil.rmtree(day)


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()
