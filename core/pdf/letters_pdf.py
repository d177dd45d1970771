"""目标责任书 as PDF, on the GB/T 9704 page (not 公文: no 版头, no 版记).

A letter: the title, the template's body (lines numbered 一、 become 黑体 headings, （一） 楷体), the
unit's task table (header repeated on every page), the terms, the copies clause and a signature
block with 负责人（签字）, 盖章 and 日期 left blank for signing by hand. Each letter is numbered
from “— 1 —”; in one PDF each starts on a new page (an odd one for duplex printing). The letters
come filled from core.letters; this module only lays them out.
"""

from __future__ import annotations

import re

from reportlab.platypus import KeepTogether, Table, TableStyle

from core.letters.tasks import Letter, format_points
from core.pdf.gbt9704 import BlankLines, GbtDocument, TextBlock, body_style, render

HEADING1 = re.compile(r"^[一二三四五六七八九十]+、")
HEADING2 = re.compile(r"^（[一二三四五六七八九十]+）")

TASK_HEADERS = ["序号", "标准编号", "测评标准", "责任类型", "分值"]
TASK_WIDTHS_MM = [12, 20, 90, 21, 13]
DEADLINE_WIDTHS_MM = [12, 20, 64, 21, 13, 26]
TASK_ALIGNS = ["centre", "centre", "justify", "centre", "centre", "centre"]


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


def letter_document(letter: Letter) -> GbtDocument:
    doc = GbtDocument(kind="plain", title=letter.title)
    _add_text(doc, letter.body)
    headers = TASK_HEADERS + (["完成时限"] if letter.show_deadline else [])
    rows = []
    for i, t in enumerate(letter.tasks, 1):
        row = [i, t["code"], t["title"], t["role_name"], format_points(t.get("points"))]
        if letter.show_deadline:
            row.append(t.get("deadline") or "")
        rows.append(row)
    doc.table(headers, rows, col_widths_mm=DEADLINE_WIDTHS_MM if letter.show_deadline else TASK_WIDTHS_MM,
              aligns=TASK_ALIGNS[:len(headers)])
    _add_text(doc, letter.terms)
    doc.add(_closing_block(letter.copies, letter.party_a, letter.party_b))
    return doc


def write_letters(letters: list[Letter], out_path, *, duplex: bool = False, progress=None, cancel=None,
                  font_preferences=None, title: str = "") -> int:
    """The letters into one PDF (a path or a binary file); returns the number of pages."""
    return render([letter_document(x) for x in letters], out_path, duplex=duplex, progress=progress,
                  cancel=cancel, font_preferences=font_preferences, title=title).page_count


def task_list_document(title: str, intro: str, tasks: list[dict]) -> GbtDocument:
    """A unit's 任务清单 on its own (the task table of its letter), for its 工作包."""
    doc = GbtDocument(kind="plain", title=title)
    doc.paragraph(intro)
    show_deadline = any(t.get("deadline") for t in tasks)
    headers = TASK_HEADERS + (["完成时限"] if show_deadline else [])
    rows = [[i, t["code"], t["title"], t["role_name"], format_points(t.get("points"))]
            + ([t.get("deadline") or ""] if show_deadline else []) for i, t in enumerate(tasks, 1)]
    doc.table(headers, rows, col_widths_mm=DEADLINE_WIDTHS_MM if show_deadline else TASK_WIDTHS_MM,
              aligns=TASK_ALIGNS[:len(headers)])
    return doc


def write_task_list(title: str, intro: str, tasks: list[dict], out_path) -> int:
    """The task list as a PDF; returns the number of pages."""
    return render([task_list_document(title, intro, tasks)], out_path, title=title).page_count
