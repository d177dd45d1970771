"""Letters as PDF files: all chosen units' letters in one file (each numbered from “— 1 —”, an odd
page first when printed on both sides), or one file per unit. Generating for printing keeps each
unit's tasks as the snapshot later generations compare with; a preview does not."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from core import framework
from core.errors import AppError, Cancelled
from core.letters.changes import record_generation
from core.letters.tasks import build_letters

# Characters Windows does not allow in file names.
UNSAFE_FILE_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def safe_file_name(name: str) -> str:
    """A unit's name as a file name (a letter per unit is saved as <单位全称>.pdf)."""
    return UNSAFE_FILE_CHARS.sub("_", name).strip(" .") or "未命名"


@dataclass
class LettersResult:
    pages: int
    letters: list[str] = field(default_factory=list)  # unit names, in order
    without_tasks: list[str] = field(default_factory=list)  # units that got no letter
    files: list[str] = field(default_factory=list)  # the PDFs written
    changes: dict[str, str] = field(default_factory=dict)  # unit → what changed since its last letter


def _build(db, year: int, edition_id: int | None, unit_ids):
    edition_id = edition_id or framework.resolve_edition(db)
    built, without = build_letters(db, year, edition_id, unit_ids)
    if not built:
        names = "、".join(u["name"] for u in without) or "（无）"
        raise AppError(f"所选单位在版本“{framework.get_edition(db, edition_id)['name']}”中都没有任务，"
                       f"没有可生成的责任书：{names}。请先在责任分解表中为单位分配测评标准。")
    return edition_id, built, without


def generate_letters(db, year: int, out_path, *, unit_ids: list[int] | None = None, edition_id: int | None = None,
                     duplex: bool = False, record: bool = True, progress=None, cancel=None,
                     font_preferences=None) -> LettersResult:
    """All chosen units' letters in one PDF. With record, each unit's tasks are kept as the
    snapshot later generations compare with (a preview passes record=False)."""
    from core.pdf import letters_pdf  # reportlab loads when a document is made

    edition_id, built, without = _build(db, year, edition_id, unit_ids)
    pages = letters_pdf.write_letters(built, out_path, duplex=duplex, progress=progress, cancel=cancel,
                                      font_preferences=font_preferences, title=f"{year}年度目标责任书")
    changed = record_generation(db, year, edition_id, built) if record else {}
    return LettersResult(pages, [x.unit["name"] for x in built], [u["name"] for u in without],
                         [os.fspath(out_path)] if not hasattr(out_path, "write") else [], changed)


def generate_separate(db, year: int, out_dir, *, unit_ids: list[int] | None = None,
                      edition_id: int | None = None, progress=None, cancel=None,
                      font_preferences=None) -> LettersResult:
    """One PDF per unit with tasks, named <单位全称>.pdf, in out_dir (created if missing)."""
    from core.pdf import letters_pdf

    edition_id, built, without = _build(db, year, edition_id, unit_ids)
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AppError(f"无法创建文件夹：{out_dir}，请检查路径是否正确、是否有写入权限。", str(exc)) from exc
    if not out_dir.is_dir():
        raise AppError(f"“{out_dir}”不是文件夹，请另选一个保存位置。")
    result = LettersResult(0, without_tasks=[u["name"] for u in without])
    for i, letter in enumerate(built):
        if cancel is not None and (cancel.is_set() if hasattr(cancel, "is_set") else cancel()):
            raise Cancelled()
        if progress:
            progress(i, len(built), f"正在生成第 {i + 1}/{len(built)} 份：{letter.unit['name']}")
        path = out_dir / f"{safe_file_name(letter.unit['name'])}.pdf"
        result.pages += letters_pdf.write_letters([letter], path, cancel=cancel, font_preferences=font_preferences)
        result.letters.append(letter.unit["name"])
        result.files.append(str(path))
    result.changes = record_generation(db, year, edition_id, built)
    if progress:
        progress(len(built), len(built), "已完成")
    return result
