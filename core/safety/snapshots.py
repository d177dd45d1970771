"""Automatic backups: on exit and once a day, a small snapshot of the database plus an incremental
mirror of the attachments (stored files never change, so only new ones are copied), into
backups/auto and optionally a second folder (a USB disk); old snapshots are pruned.
"""

from __future__ import annotations

import logging
import shutil
from datetime import date, datetime
from pathlib import Path

from core import clock
from core.paths import DataDir
from core.safety import leftovers
from core.safety.archive import SUFFIX, attachment_files, copy_hashing, is_hash_name, referenced
from core.safety.leftovers import clean_leftovers, temp_name
from core.safety.status import record_good_backup, record_incomplete_backup

log = logging.getLogger(__name__)

AUTO_FOLDER = "auto"
SECOND_FOLDER = "创城工作台自动备份"  # inside the second location chosen in 设置


def auto_backup(data: DataDir, db, second_folder: str | None = None, keep_daily: int = 7,
                keep_monthly: int = 12, today: date | None = None) -> list[Path]:
    """Snapshot and mirror into every target; returns the snapshot files written. It counts as a
    good backup only when the mirror holds every file the database refers to."""
    today = today or clock.today()
    written = []
    targets = [data.backups / AUTO_FOLDER]
    if second_folder:
        targets.append(Path(second_folder) / SECOND_FOLDER)
    wanted = [sha for sha in referenced(db) if is_hash_name(sha)]
    missing = 0
    for target in targets:
        snapshots = target / "snapshots"
        snapshots.mkdir(parents=True, exist_ok=True)
        clean_leftovers(data, auto_folder=target)
        daily = snapshots / f"daily-{today:%Y%m%d}.db"
        tmp = snapshots / temp_name(daily.name)
        try:
            db.snapshot(tmp)
            leftovers.hide(tmp)
            leftovers.publish(tmp, daily)
        finally:
            tmp.unlink(missing_ok=True)
        monthly = snapshots / f"monthly-{today:%Y%m}.db"
        shutil.copyfile(daily, monthly)
        mirror = target / "attachments"
        _mirror_attachments(data, mirror)
        missing = max(missing, sum(1 for sha in wanted if not (mirror / sha[:2] / sha).is_file()))
        _prune(snapshots, "daily-", keep_daily)
        _prune(snapshots, "monthly-", keep_monthly)
        written.append(daily)
    if missing:
        record_incomplete_backup(data, written[0], missing)
    else:
        record_good_backup(data, written[0])
    return written


def mirror_folder(backups: Path) -> Path:
    """The attachment mirror of the automatic backups in a data folder's backups/ (数据体检 repairs
    from it)."""
    return backups / AUTO_FOLDER / "attachments"


def _mirror_attachments(data: DataDir, mirror: Path) -> int:
    """Copy stored files the mirror lacks. A file whose content no longer matches its name is not
    mirrored: the mirror keeps only good copies (the health check repairs from them)."""
    copied = 0
    for src in attachment_files(data):
        dest = mirror / src.parent.name / src.name
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(temp_name(dest.name))
            with open(src, "rb") as fin, open(tmp, "wb") as fout:
                leftovers.hide(tmp)
                sha = copy_hashing(fin, fout, None, None)
            if sha != src.name:
                log.warning("附件 %s 的内容与其名称不符，未复制到自动备份镜像", src)
                tmp.unlink()
                continue
            leftovers.publish(tmp, dest)
            copied += 1
    return copied


def _prune(folder: Path, prefix: str, keep: int) -> None:
    for old in sorted(folder.glob(f"{prefix}*.db"), reverse=True)[max(keep, 1):]:
        old.unlink(missing_ok=True)


def list_backups(data: DataDir) -> list[dict]:
    """Backups the program knows about, newest first: .ccbak files in backups/ and auto snapshots."""
    found = []
    for p in data.backups.rglob(f"*{SUFFIX}"):
        if not p.name.startswith("."):
            found.append({"path": p, "kind": "完整备份", "at": datetime.fromtimestamp(p.stat().st_mtime), "size": p.stat().st_size})
    for p in (data.backups / AUTO_FOLDER / "snapshots").glob("*.db"):
        if not p.name.startswith("."):
            found.append({"path": p, "kind": "自动快照", "at": datetime.fromtimestamp(p.stat().st_mtime), "size": p.stat().st_size})
    return sorted(found, key=lambda r: r["at"], reverse=True)
