"""归档文件目录 (DA/T 22-2015, filed by 件) per 档案盒, as .xlsx and PDF, and the box labels
(盒脊 and 封面) to print and stick on the boxes."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from core import framework, materials, settings
from core.errors import AppError, Cancelled, storage_error
from core.file_access import check_not_in_use
from core.pdf.fonts import register_fonts
from core.pdf.gbt9704 import GbtDocument, draw_string, render

HEADERS = ["件号", "责任者", "文号", "题名", "日期", "页数", "备注"]
COL_WIDTHS_MM = [12, 22, 36, 40, 22, 12, 12]


def catalogue_rows(db, edition_id: int, box: int | None = None) -> dict[int, list[list]]:
    """box → rows of its 归档文件目录 (件号, 责任者, 文号, 题名, 日期, 页数, 备注)."""
    by_box: dict[int, list[list]] = {}
    for m in materials.box_items(db, edition_id, box):
        by_box.setdefault(m["box"], []).append(
            [m["item"], m["unit_name"], m["doc_number"], m["title"], m["doc_date"], m["pages"],
             m["note"] or m["code"]])
    if not by_box:
        which = f"第 {box} 盒" if box is not None else "本版本"
        raise AppError(f"{which}还没有已归档的材料。请先在“档案材料”中把审核通过的材料归档（填写盒号、件号）。")
    return by_box


def _year(db, edition_id: int) -> int:
    return framework.get_edition(db, edition_id)["year"] or settings.get(db, "current_year")


def write_catalogue_xlsx(db, path, edition_id: int, box: int | None = None, progress=None, cancel=None) -> int:
    from core.xlsx.writer import Sheet, write_workbook

    by_box = catalogue_rows(db, edition_id, box)
    sheets = [Sheet(f"第{b}盒", HEADERS,
                    [[r[0], r[1], r[2], r[3], dt.date.fromisoformat(r[4]) if r[4] else None, r[5], r[6]]
                     for r in body], widths={"题名": 50, "责任者": 24})
              for b, body in by_box.items()]
    write_workbook(path, sheets, progress=progress, cancel=cancel)
    return sum(len(b) for b in by_box.values())


def write_catalogue_pdf(db, path, edition_id: int, box: int | None = None, progress=None, cancel=None) -> int:
    """One document per box, each numbered from “— 1 —”. Returns the page count."""
    year = _year(db, edition_id)
    office = settings.get(db, "office_name")
    docs = []
    for b, body in catalogue_rows(db, edition_id, box).items():
        doc = GbtDocument(kind="plain", title="归档文件目录")
        doc.paragraph(f"全宗名称：{office}\n年度：{year}　　盒号：第 {b} 盒　　共 {len(body)} 件", indent=False)
        doc.table(HEADERS, [["" if v is None else str(v) for v in r] for r in body], col_widths_mm=COL_WIDTHS_MM,
                  aligns=["centre", "left", "left", "left", "centre", "centre", "left"], font_size=10)
        docs.append(doc)
    return render(docs, path, progress=progress, cancel=cancel).page_count


def write_box_labels(db, path, edition_id: int, box: int | None = None, progress=None, cancel=None) -> int:
    """One A4 page per box: the spine strip (盒脊, text running down) beside the cover (封面).
    Returns the number of boxes."""
    fonts = register_fonts()
    year = _year(db, edition_id)
    office = settings.get(db, "office_name")
    by_box = catalogue_rows(db, edition_id, box)
    path = Path(path)
    check_not_in_use(path)
    temp = path.with_name(f".{path.name}.part")
    try:
        c = canvas.Canvas(str(temp), pagesize=A4)
        c.setTitle("档案盒标签")
        for i, (b, body) in enumerate(by_box.items()):
            if cancel and cancel():
                raise Cancelled()
            items = [r[0] for r in body]
            _spine(c, fonts, year, b, min(items), max(items))
            _cover(c, fonts, office, year, b, min(items), max(items), len(body))
            c.showPage()
            if progress:
                progress(i + 1, len(by_box), f"第 {b} 盒")
        c.save()
        os.replace(temp, path)
    except OSError as exc:
        raise storage_error(exc, f"写入文件 {path}") or AppError(f"无法写入文件：{path}，请检查文件夹是否存在、是否有写入权限，或文件是否正被其他程序打开。",
                       str(exc)) from exc
    finally:
        temp.unlink(missing_ok=True)
    return len(by_box)


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
