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

# Widths and alignment of the catalogue's columns, by key (core.materials.CATALOGUE_COLUMNS).
COLUMN_WIDTHS_MM = {"item": 12, "author": 22, "doc_number": 36, "title": 40, "date": 22, "pages": 12, "note": 12}
COLUMN_ALIGNS = {"item": "centre", "date": "centre", "pages": "centre"}


def write_catalogue(path, catalogue, progress=None, cancel=None) -> int:
    """One document per box, each numbered from “— 1 —”. Returns the page count."""
    keys = [key for key, _ in catalogue.columns]
    docs = []
    for box, rows in catalogue.boxes.items():
        doc = GbtDocument(kind="plain", title="归档文件目录")
        doc.paragraph(f"全宗名称：{catalogue.office}\n年度：{catalogue.year}　　盒号：第 {box} 盒　　共 {len(rows)} 件",
                      indent=False)
        doc.table([label for _, label in catalogue.columns],
                  [["" if r[k] is None else str(r[k]) for k in keys] for r in rows],
                  col_widths_mm=[COLUMN_WIDTHS_MM[k] for k in keys],
                  aligns=[COLUMN_ALIGNS.get(k, "left") for k in keys], font_size=10)
        docs.append(doc)
    return render(docs, path, progress=progress, cancel=cancel).page_count


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
            _spine(c, fonts, catalogue.year, box, min(items), max(items))
            _cover(c, fonts, catalogue.office, catalogue.year, box, min(items), max(items), len(rows))
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


def _spine(c, fonts, year: int, box: int, first: int, last: int) -> None:
    x, y, w, h = 20 * mm, 30 * mm, 40 * mm, 240 * mm
    c.setLineWidth(1)
    c.rect(x, y, w, h)
    centre = x + w / 2
    draw_string(c, "盒脊", centre, y + h + 4 * mm, fonts["heiti"], 10, anchor="centre")
    bottom = _vertical(c, "创城档案", centre, y + h - 12 * mm, fonts["heiti"], 20, 26)
    c.line(x, bottom - 4 * mm, x + w, bottom - 4 * mm)
    draw_string(c, f"{year}年", centre, bottom - 16 * mm, fonts["fangsong"], 14, anchor="centre")
    draw_string(c, f"第 {box} 盒", centre, bottom - 28 * mm, fonts["heiti"], 16, anchor="centre")
    draw_string(c, f"{first}—{last}件", centre, bottom - 40 * mm, fonts["fangsong"], 12, anchor="centre")


def _cover(c, fonts, office: str, year: int, box: int, first: int, last: int, count: int) -> None:
    x, y, w, h = 75 * mm, 30 * mm, 115 * mm, 240 * mm
    c.rect(x, y, w, h)
    centre = x + w / 2
    draw_string(c, "封面", centre, y + h + 4 * mm, fonts["heiti"], 10, anchor="centre")
    draw_string(c, "文　书　档　案", centre, y + h - 40 * mm, fonts["xiaobiaosong"], 26, anchor="centre")
    draw_string(c, "（创建全国文明城市测评材料）", centre, y + h - 54 * mm, fonts["kaiti"], 14, anchor="centre")
    lines = [("全宗名称", office), ("年　　度", f"{year}年"), ("盒　　号", f"第 {box} 盒"),
             ("起止件号", f"{first}—{last}"), ("件　　数", f"{count} 件"), ("保管期限", "")]
    top = y + h - 90 * mm
    for i, (label, value) in enumerate(lines):
        base = top - i * 16 * mm
        draw_string(c, label + "：", x + 10 * mm, base, fonts["heiti"], 13)
        c.line(x + 38 * mm, base - 2, x + w - 8 * mm, base - 2)
        size = 13 if len(value) <= 14 else max(8, 13 * 14 / len(value))
        draw_string(c, value, x + 40 * mm, base, fonts["fangsong"], size)
