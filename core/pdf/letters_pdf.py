"""目标责任书 and the printable 分解表 as PDF, on the GB/T 9704 page (not 公文: no 版头, no 版记).

A letter: the title, the template's body (lines numbered 一、 become 黑体 headings, （一） 楷体), the
unit's task table (header repeated on every page), the terms, the copies clause and a signature
block with 负责人（签字）, 盖章 and 日期 left blank for signing by hand. Each letter is numbered
from “— 1 —”; in one PDF each starts on a new page (an odd one for duplex printing).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.platypus import KeepTogether, Table, TableStyle

from core import framework, letters
from core.errors import AppError, Cancelled
from core.pdf.gbt9704 import BlankLines, GbtDocument, TextBlock, body_style, render

HEADING1 = re.compile(r"^[一二三四五六七八九十]+、")
HEADING2 = re.compile(r"^（[一二三四五六七八九十]+）")
# Characters Windows does not allow in file names.
UNSAFE_FILE_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f]')

TASK_HEADERS = ["序号", "标准编号", "测评标准", "责任类型", "分值"]
TASK_WIDTHS_MM = [12, 20, 90, 21, 13]
DEADLINE_WIDTHS_MM = [12, 20, 64, 21, 13, 26]
TASK_ALIGNS = ["centre", "centre", "justify", "centre", "centre", "centre"]

FRAMEWORK_HEADERS = ["序号", "标准编号", "测评内容", "测评标准", "分值", "牵头单位", "配合单位", "完成时限"]
FRAMEWORK_WIDTHS_MM = [11, 18, 30, 68, 12, 28, 34, 24]
FRAMEWORK_ALIGNS = ["centre", "centre", "justify", "justify", "centre", "left", "left", "centre"]
FRAMEWORK_FONT_SIZE = 10.5  # 五号: a dense landscape table
CHINESE_NUMERALS = "一二三四五六七八九十"


def _add_text(doc: GbtDocument, text: str) -> None:
    """Template text: one paragraph per line; numbered lines become headings."""
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if HEADING1.match(line):
            doc.heading1(line)
        elif HEADING2.match(line) and len(line) <= 30:
            doc.heading2(line)  # a short （一） line is a heading, a long one a numbered paragraph
        else:
            doc.paragraph(line)


def _closing_block(copies: str, party_a: str, party_b: str):
    """The copies clause, then 甲方 and 乙方 side by side with the lines each fills in by hand,
    kept on one page so the signatures never stand alone."""
    def build(fonts):
        style = body_style(fonts, first_indent=0, align="left")
        head = [TextBlock(copies.strip(), body_style(fonts))] if copies.strip() else []
        lines = ["负责人（签字）：", "（盖章）", "日期：　　　年　　月　　日"]
        data = [[TextBlock(party_a, style), TextBlock(party_b, style)]]
        data += [[TextBlock(line, style), TextBlock(line, style)] for line in lines]
        table = Table(data, colWidths=["50%", "50%"], hAlign="LEFT")
        table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), style.font, style.size),  # else Helvetica, unembedded
                                   ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                                   ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                                   ("TOPPADDING", (0, 1), (-1, 1), 10),  # room to sign
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return KeepTogether([*head, BlankLines(1), table])
    return build


def letter_document(letter: letters.Letter) -> GbtDocument:
    doc = GbtDocument(kind="plain", title=letter.title)
    _add_text(doc, letter.body)
    headers = TASK_HEADERS + (["完成时限"] if letter.show_deadline else [])
    rows = []
    for i, t in enumerate(letter.tasks, 1):
        row = [i, t["code"], t["title"], t["role_name"], letters.format_points(t.get("points"))]
        if letter.show_deadline:
            row.append(t.get("deadline") or "")
        rows.append(row)
    doc.table(headers, rows, col_widths_mm=DEADLINE_WIDTHS_MM if letter.show_deadline else TASK_WIDTHS_MM,
              aligns=TASK_ALIGNS[:len(headers)])
    _add_text(doc, letter.terms)
    doc.add(_closing_block(letter.copies, letter.party_a, letter.party_b))
    return doc


@dataclass
class LettersResult:
    pages: int
    letters: list[str] = field(default_factory=list)  # unit names, in order
    without_tasks: list[str] = field(default_factory=list)  # units that got no letter
    files: list[str] = field(default_factory=list)  # the PDFs written
    changes: dict[str, str] = field(default_factory=dict)  # unit → what changed since its last letter


def _build(db, year: int, edition_id: int | None, unit_ids):
    edition_id = edition_id or framework.resolve_edition(db)
    built, without = letters.build_letters(db, year, edition_id, unit_ids)
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
    edition_id, built, without = _build(db, year, edition_id, unit_ids)
    rendered = render([letter_document(x) for x in built], out_path, duplex=duplex, progress=progress,
                      cancel=cancel, font_preferences=font_preferences, title=f"{year}年度目标责任书")
    changed = letters.record_generation(db, year, edition_id, built) if record else {}
    return LettersResult(rendered.page_count, [x.unit["name"] for x in built], [u["name"] for u in without],
                         [os.fspath(out_path)] if not hasattr(out_path, "write") else [], changed)


def safe_file_name(name: str) -> str:
    return UNSAFE_FILE_CHARS.sub("_", name).strip(" .") or "未命名"


def generate_separate(db, year: int, out_dir, *, unit_ids: list[int] | None = None,
                      edition_id: int | None = None, progress=None, cancel=None,
                      font_preferences=None) -> LettersResult:
    """One PDF per unit with tasks, named <单位全称>.pdf, in out_dir (created if missing)."""
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
        rendered = render([letter_document(letter)], path, cancel=cancel, font_preferences=font_preferences)
        result.pages += rendered.page_count
        result.letters.append(letter.unit["name"])
        result.files.append(str(path))
    result.changes = letters.record_generation(db, year, edition_id, built)
    if progress:
        progress(len(built), len(built), "已完成")
    return result


# --- the 分解表 ------------------------------------------------------------------------------------

def framework_document(db, edition_id: int) -> GbtDocument:
    """The 测评达标责任分解表 on landscape pages: one table per 测评项目 under its heading."""
    edition = framework.get_edition(db, edition_id)
    doc = GbtDocument(kind="plain", landscape=True,
                      title=f"{edition['title'] or '全国文明城市测评体系'}\n测评达标责任分解表（{edition['name']}）")
    by_category: dict[int, list[dict]] = {}
    titles: dict[int, str] = {}
    for s in framework.standards(db, edition_id):
        by_category.setdefault(s["category_id"], []).append(s)
        titles[s["category_id"]] = s["category"]
    if not by_category:
        raise AppError(f"版本“{edition['name']}”中还没有测评标准，无法导出责任分解表。")
    number = 0
    for i, (category_id, found) in enumerate(by_category.items()):
        points = sum(s["points"] or 0 for s in found)
        title = titles[category_id]
        numbered = title if HEADING1.match(title) else f"{_chinese_number(i + 1)}、{title}"
        doc.heading1(f"{numbered}（{len(found)} 项，"
                     f"{letters.format_points(points)} 分）")
        rows = []
        for s in found:
            number += 1
            rows.append([number, s["code"], s["indicator"], s["title"], letters.format_points(s["points"]),
                         "、".join(s["lead"]), "、".join(s["support"]), s["deadline"]])
        doc.table(FRAMEWORK_HEADERS, rows, col_widths_mm=FRAMEWORK_WIDTHS_MM, aligns=FRAMEWORK_ALIGNS,
                  font_size=FRAMEWORK_FONT_SIZE)
    return doc


def export_framework_pdf(db, out_path, edition_id: int, *, progress=None, cancel=None, font_preferences=None) -> int:
    """Write the printable 分解表; returns the number of pages."""
    doc = framework_document(db, edition_id)
    return render([doc], out_path, progress=progress, cancel=cancel, font_preferences=font_preferences).page_count


def _chinese_number(n: int) -> str:
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else "十" if tens == 1 else CHINESE_NUMERALS[tens - 1] + "十"
    return head + (CHINESE_NUMERALS[ones - 1] if ones else "")
