"""督办通知单 as a 公文 (GB/T 9704): 版头 with the 发文字号, the problems with their photos, 整改要求,
期限, 联系方式, the signature, the 回执 the unit fills in and returns, and the 版记."""

from __future__ import annotations

import datetime as dt

from reportlab.lib.units import mm
from reportlab.platypus import Image, KeepTogether, Table, TableStyle

from core import attachments, settings, supervision
from core.pdf.gbt9704 import AREA_WIDTH, BlankLines, GbtDocument, TextBlock, body_style, format_date, render

PROBLEM_HEADERS = ["序号", "发现日期", "点位", "问题描述", "整改期限"]
PROBLEM_WIDTHS_MM = [12, 26, 30, 62, 26]
PROBLEM_ALIGNS = ["centre", "centre", "left", "justify", "centre"]
PHOTO_WIDTH = 74 * mm  # two photos side by side across the 156 mm type area
PHOTO_MAX_HEIGHT = 56 * mm


def _date_text(iso: str) -> str:
    return format_date(dt.date.fromisoformat(iso)) if iso else ""


def _photo(db, a: dict) -> Image | None:
    """A stored photo scaled into its cell, or None when reportlab cannot read it (e.g. HEIC)."""
    path = str(attachments.stored_path(db, a["sha256"]))
    try:
        from PIL import Image as PILImage

        with PILImage.open(path) as img:
            width, height = img.size
        scale = min(PHOTO_WIDTH / width, PHOTO_MAX_HEIGHT / height)
        image = Image(path, width * scale, height * scale)
        image._restrictSize(width * scale, height * scale)
        return image
    except Exception:  # an unreadable photo must not stop the notice; it is listed by name instead
        return None


def _photo_block(db, number: int, finding: dict):
    photos = attachments.list_attachments(db, "findings", finding["id"], role="before")
    if not photos:
        return None
    images, skipped = [], []
    for a in photos:
        img = _photo(db, a)
        (images if img else skipped).append(img or a["original_name"])

    def build(fonts):
        caption = body_style(fonts, first_indent=0, align="left")
        parts = [TextBlock(f"问题{number}现场照片（{finding['site']}）：", caption)]
        if images:
            rows = [images[i:i + 2] + [""] * (2 - len(images[i:i + 2])) for i in range(0, len(images), 2)]
            table = Table(rows, colWidths=[AREA_WIDTH / 2] * 2, hAlign="CENTER")
            table.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                       ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
            parts.append(table)
        if skipped:
            parts.append(TextBlock("无法嵌入的照片：" + "、".join(skipped), caption))
        return KeepTogether(parts)
    return build


def notice_document(db, notice: dict) -> GbtDocument:
    office = settings.get(db, "office_name")
    doc = GbtDocument(kind="gongwen", issuer_mark=office, doc_number=notice["number"],
                      title="创城督查问题督办通知单")
    if notice["voided"]:
        doc.paragraph(f"（本通知单已作废：{notice['void_reason']}）", indent=False, align="centre")
    doc.addressee(f"{notice['unit']}：")
    sources = "、".join(dict.fromkeys(f["source"] for f in notice["findings"]))
    round_text = f"（第{notice['round']}次督办）" if notice["round"] > 1 else ""
    doc.paragraph(f"在创建全国文明城市{sources}中，发现你单位责任范围内存在以下问题，现予交办{round_text}。"
                  "请高度重视，按要求限期整改到位。")
    doc.heading1("一、存在问题")
    rows = [[i, f["found_on"], f["site"], f["description"] + (f"（测评标准 {f['standard_code']}）"
                                                                          if f["standard_code"] else ""),
             f["notice_due_on"]] for i, f in enumerate(notice["findings"], 1)]
    doc.table(PROBLEM_HEADERS, rows, col_widths_mm=PROBLEM_WIDTHS_MM, aligns=PROBLEM_ALIGNS)
    for i, f in enumerate(notice["findings"], 1):
        block = _photo_block(db, i, f)
        if block:
            doc.add(block)
    doc.heading1("二、整改要求")
    doc.paragraph(notice["requirement"])
    doc.heading1("三、整改期限")
    doc.paragraph(f"请于{_date_text(notice['due_on'])}前整改完毕（各问题期限见上表），并将整改情况书面反馈。"
                  "整改期限按工作日计算，自交办次日起算。")
    if notice["contact"]:
        doc.heading1("四、联系方式")
        doc.paragraph(notice["contact"])
    doc.signature(office, dt.date.fromisoformat(notice["issued_on"]))
    doc.add(_receipt(notice))
    doc.banji(printer=office, print_date=dt.date.fromisoformat(notice["issued_on"]))
    return doc


def _receipt(notice: dict):
    """回执: cut off and returned by the unit with 签收人, 签收时间 and 整改情况."""
    def build(fonts):
        title = body_style(fonts, "heiti", first_indent=0, align="centre")
        label = body_style(fonts, "heiti", first_indent=0, align="centre", size=14, leading=22)
        value = body_style(fonts, first_indent=0, align="left", size=14, leading=22, tracking=0)
        signed = notice["receipt_signer"]
        data = [
            ["通知单文号", notice["number"]],
            ["责任单位", notice["unit"]],
            ["签收人", signed],
            ["签收时间", _date_text(notice["receipt_at"]) if signed else "　　　　年　　月　　日"],
            ["整改情况", notice["receipt_note"] or "\n\n\n\n"],
        ]
        cells = [[TextBlock(a, label), TextBlock(b, value)] for a, b in data]
        table = Table(cells, colWidths=[32 * mm, AREA_WIDTH - 32 * mm], hAlign="CENTER")
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                   ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
        cut = body_style(fonts, first_indent=0, align="centre", size=12, leading=20, tracking=0)
        return KeepTogether([BlankLines(1), TextBlock("（本回执由责任单位填写后交回区创城办）", cut),
                             TextBlock("回　执", title), table])
    return build


def render_notices(db, notice_ids: list[int], path, progress=None, cancel=None):
    docs = [notice_document(db, supervision.get_notice(db, nid)) for nid in notice_ids]
    return render(docs, path, progress=progress, cancel=cancel, title="督办通知单")
