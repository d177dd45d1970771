"""归档文件目录 (DA/T 22-2015, filed by 件) per 档案盒 as PDF, and the box labels (盒脊 and 封面) to
print and stick on the boxes. The data comes from core.materials (a Catalogue); nothing here reads
the ledger."""

from __future__ import annotations

import os
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from core.errors import AppError, Cancelled, storage_error
from core.file_access import check_not_in_use
from core.pdf.fonts import register_fonts
from core.pdf.gbt9704 import CREATOR, GbtDocument, document_properties, draw_string, render

# Widths and alignment of the catalogue's columns, by key (core.materials.CATALOGUE_COLUMNS), across
# the 225 mm of a landscape page: the 档号 on one line, room for 题名 and 备注.
COLUMN_WIDTHS_MM = {"seq": 10, "archive_code": 43, "doc_number": 32, "author": 24, "title": 50, "date": 18,
                    "secrecy": 10, "pages": 10, "note": 28}
COLUMN_ALIGNS = {"seq": "centre", "archive_code": "centre", "date": "centre", "secrecy": "centre", "pages": "centre"}


def write_catalogue(path, catalogue, progress=None, cancel=None) -> int:
    """One document per box, each numbered from “— 1 —”. Returns the page count."""
    keys = [key for key, _ in catalogue.columns]
    docs = []
    for box, rows in catalogue.boxes.items():
        doc = GbtDocument(kind="plain", title="归档文件目录", landscape=True)
        doc.paragraph(f"全宗名称：{catalogue.office}　　全宗号：{catalogue.fonds_code}\n"
                      f"年度：{catalogue.year}　　保管期限：{catalogue.retention}　　盒号：第 {box} 盒　　共 {len(rows)} 件",
                      indent=False)
        doc.table([label for _, label in catalogue.columns],
                  [["" if r[k] is None else str(r[k]) for k in keys] for r in rows],
                  col_widths_mm=[COLUMN_WIDTHS_MM[k] for k in keys],
                  aligns=[COLUMN_ALIGNS.get(k, "left") for k in keys], font_size=10)
        docs.append(doc)
    return render(docs, path, progress=progress, cancel=cancel, author=catalogue.office,
                  subject=f"归档文件目录（全宗号 {catalogue.fonds_code}，{catalogue.year}年度，{catalogue.retention}）").page_count


def write_box_labels(path, catalogue, progress=None, cancel=None) -> int:
    """One A4 page per box: the spine strip (盒脊, text running down) beside the cover (封面).
    Returns the number of boxes."""
    fonts = register_fonts()
    path = Path(path)
    check_not_in_use(path)
    temp = path.with_name(f".{path.name}.part")
    try:
        # Every text is drawn in an embedded font; the initial one too, or the page names Helvetica.
        c = canvas.Canvas(str(temp), pagesize=A4, initialFontName=fonts["fangsong"], lang="zh-CN")
        properties = document_properties("档案盒标签", author=catalogue.office,
                                         subject=f"档案盒盒脊与封面标签（{catalogue.year}年度）")
        c.setTitle(properties["title"])
        c.setAuthor(properties["author"])
        c.setSubject(properties["subject"])
        c.setCreator(CREATOR)
        for i, (box, rows) in enumerate(catalogue.boxes.items()):
            if cancel and cancel():
                raise Cancelled()
            items = [r["item"] for r in rows]
            _spine(c, fonts, catalogue, box, min(items), max(items))
            _cover(c, fonts, catalogue, box, min(items), max(items), len(rows))
            c.showPage()
            if progress:
                progress(i + 1, len(catalogue.boxes), f"第 {box} 盒")
        c.save()
        os.replace(temp, path)
    except OSError as exc:
        raise storage_error(exc, f"写入文件 {path}") or AppError(f"无法写入文件：{path}，请检查文件夹是否存在、是否有写入权限，或文件是否正被其他程序打开。",
                       str(exc)) from exc
    finally:
        temp.unlink(missing_ok=True)
    return len(catalogue.boxes)


def _vertical(c, text: str, x_centre: float, top: float, font: str, size: float, pitch: float) -> float:
    """Chinese text running down, one character under another; returns the y below it."""
    y = top
    for ch in text:
        draw_string(c, ch, x_centre, y - size, font, size, anchor="centre")
        y -= pitch
    return y


def _spine(c, fonts, catalogue, box: int, first: int, last: int) -> None:
    """盒脊: 全宗号, 年度, 保管期限, 盒号 and the 件号 it holds, from the top down."""
    x, y, w, h = 20 * mm, 30 * mm, 40 * mm, 240 * mm
    c.setLineWidth(1)
    c.rect(x, y, w, h)
    centre = x + w / 2
    draw_string(c, "盒脊", centre, y + h + 4 * mm, fonts["heiti"], 10, anchor="centre")
    bottom = _vertical(c, "创城档案", centre, y + h - 12 * mm, fonts["heiti"], 20, 26)
    c.line(x, bottom - 4 * mm, x + w, bottom - 4 * mm)
    lines = [("全宗号", catalogue.fonds_code, "fangsong", 12), ("年度", f"{catalogue.year}年", "fangsong", 14),
             ("保管期限", catalogue.retention, "fangsong", 14), ("盒号", f"第 {box} 盒", "heiti", 16),
             ("件号", f"{first}—{last}", "fangsong", 12)]
    base = bottom - 14 * mm
    for label, value, role, size in lines:
        draw_string(c, label, centre, base, fonts["heiti"], 9, anchor="centre")
        draw_string(c, value, centre, base - 7 * mm, fonts[role], size, anchor="centre")
        base -= 19 * mm


def _cover(c, fonts, catalogue, box: int, first: int, last: int, count: int) -> None:
    x, y, w, h = 75 * mm, 30 * mm, 115 * mm, 240 * mm
    c.rect(x, y, w, h)
    centre = x + w / 2
    draw_string(c, "封面", centre, y + h + 4 * mm, fonts["heiti"], 10, anchor="centre")
    draw_string(c, "文　书　档　案", centre, y + h - 40 * mm, fonts["xiaobiaosong"], 26, anchor="centre")
    draw_string(c, "（创建全国文明城市测评材料）", centre, y + h - 54 * mm, fonts["kaiti"], 14, anchor="centre")
    lines = [("全宗名称", catalogue.office), ("全 宗 号", catalogue.fonds_code), ("年　　度", f"{catalogue.year}年"),
             ("保管期限", catalogue.retention), ("盒　　号", f"第 {box} 盒"), ("起止件号", f"{first}—{last}"),
             ("件　　数", f"{count} 件")]
    top = y + h - 80 * mm
    for i, (label, value) in enumerate(lines):
        base = top - i * 16 * mm
        draw_string(c, label + "：", x + 10 * mm, base, fonts["heiti"], 13)
        c.line(x + 38 * mm, base - 2, x + w - 8 * mm, base - 2)
        size = 13 if len(value) <= 14 else max(8, 13 * 14 / len(value))
        draw_string(c, value, x + 40 * mm, base, fonts["fangsong"], size)
