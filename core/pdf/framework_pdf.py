"""The 测评达标责任分解表 as a printable PDF: landscape GB/T 9704 pages (not 公文: no 版头, no 版记),
one table per 测评项目 under its numbered heading, with each standard's units and deadline."""

from __future__ import annotations

import re

from core.pdf.gbt9704 import GbtDocument, render

HEADING1 = re.compile(r"^[一二三四五六七八九十]+、")
FRAMEWORK_HEADERS = ["序号", "标准编号", "测评内容", "测评标准", "分值", "牵头单位", "配合单位", "完成时限"]
FRAMEWORK_WIDTHS_MM = [11, 18, 30, 68, 12, 28, 34, 24]
FRAMEWORK_ALIGNS = ["centre", "centre", "justify", "justify", "centre", "left", "left", "centre"]
FRAMEWORK_FONT_SIZE = 10.5  # 五号: a dense landscape table
CHINESE_NUMERALS = "一二三四五六七八九十"


def _points(value) -> str:
    return f"{value:g}" if value is not None else ""


def framework_document(edition: dict, standards: list[dict]) -> GbtDocument:
    """The document of an edition's standards (as core.framework.standards gives them)."""
    doc = GbtDocument(kind="plain", landscape=True,
                      title=f"{edition['title'] or '全国文明城市测评体系'}\n测评达标责任分解表（{edition['name']}）")
    by_category: dict[int, list[dict]] = {}
    titles: dict[int, str] = {}
    for s in standards:
        by_category.setdefault(s["category_id"], []).append(s)
        titles[s["category_id"]] = s["category"]
    number = 0
    for i, (category_id, found) in enumerate(by_category.items()):
        title = titles[category_id]
        numbered = title if HEADING1.match(title) else f"{_chinese_number(i + 1)}、{title}"
        doc.heading1(f"{numbered}（{len(found)} 项，{_points(sum(s['points'] or 0 for s in found))} 分）")
        rows = []
        for s in found:
            number += 1
            rows.append([number, s["code"], s["indicator"], s["title"], _points(s["points"]),
                         "、".join(s["lead"]), "、".join(s["support"]), s["deadline"]])
        doc.table(FRAMEWORK_HEADERS, rows, col_widths_mm=FRAMEWORK_WIDTHS_MM, aligns=FRAMEWORK_ALIGNS,
                  font_size=FRAMEWORK_FONT_SIZE)
    return doc


def write_framework_pdf(out_path, edition: dict, standards: list[dict], *, progress=None, cancel=None,
                        font_preferences=None) -> int:
    """Write the document; returns the number of pages."""
    doc = framework_document(edition, standards)
    return render([doc], out_path, progress=progress, cancel=cancel, font_preferences=font_preferences).page_count


def _chinese_number(n: int) -> str:
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else "十" if tens == 1 else CHINESE_NUMERALS[tens - 1] + "十"
    return head + (CHINESE_NUMERALS[ones - 1] if ones else "")
