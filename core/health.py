"""数据体检: is the database sound, is every attachment there with the right content, what is left over."""

from __future__ import annotations

import shutil
from pathlib import Path

from core import attachments
from core.db import rows


def check(db) -> list[dict]:
    """Every problem found, as {'area', 'problem', 'detail', 'repair'} ('repair' names a safe fix or '')."""
    problems = []
    result = [r[0] for r in db.execute("PRAGMA integrity_check").fetchall()]
    if result != ["ok"]:
        problems += [{"area": "数据库", "problem": "完整性检查未通过", "detail": r, "repair": ""} for r in result[:50]]
    for r in db.execute("PRAGMA foreign_key_check").fetchall():
        problems.append({"area": "数据库", "problem": "引用了不存在的记录",
                         "detail": f"表 {r[0]} 第 {r[1]} 行引用 {r[2]}", "repair": ""})
    for p in attachments.verify(db):
        mirrored = _mirror_copy(db, p["sha256"])
        problems.append({"area": "附件", "problem": p["problem"], "detail": f"{p['name']}（{p['sha256'][:12]}…，被引用 {p['uses']} 次）",
                         "repair": "relink" if mirrored else "", "sha256": p["sha256"]})
    for path in attachments.unreferenced_files(db):
        problems.append({"area": "附件", "problem": "没有记录引用的文件", "detail": path.name,
                         "repair": "remove_orphan", "path": str(path)})
    return problems


def _mirror_copy(db, sha: str) -> Path | None:
    """A good copy of a stored file in the automatic backup's attachment mirror, if there is one."""
    mirror = attachments.attachments_root(db).parent / "backups" / "auto" / "attachments" / sha[:2] / sha
    if mirror.exists() and attachments.file_sha256(mirror) == sha:
        return mirror
    return None


def repair(db, problems: list[dict]) -> int:
    """Apply the safe repairs: re-link a missing or damaged file from the backup mirror, remove
    files no record refers to. The caller asks the user first. Returns how many were repaired."""
    done = 0
    for p in problems:
        if p.get("repair") == "relink":
            source = _mirror_copy(db, p["sha256"])
            if source:
                target = attachments.stored_path(db, p["sha256"])
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
                done += 1
        elif p.get("repair") == "remove_orphan":
            path = Path(p["path"])
            if path.exists() and not rows(db, "SELECT 1 FROM attachments WHERE sha256 = ?", (path.name,)):
                path.unlink()
                done += 1
    return done
