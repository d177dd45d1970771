"""督查督办 documents as 公文 (GB/T 9704), set from what core.supervision hands over:

- 督办通知单: 版头 with the 发文字号, the problems with their photos, 整改要求, 期限, 联系方式, the
  signature, the 回执 the unit fills in and returns, and the 版记;
- 创城督查通报 for a day or a period (its .xlsx twin is written by core.xlsx.supervision_io).
"""

from __future__ import annotations

import datetime as dt

from reportlab.lib.units import mm
from reportlab.platypus import Image, KeepTogether, Table, TableStyle

from core.pdf.gbt9704 import AREA_WIDTH, GbtDocument, TextBlock, body_style, format_date, render

# --- 督办通知单 -----------------------------------------------------------------------------------

PROBLEM_HEADERS = ["序号", "发现日期", "点位", "问题描述", "整改期限"]
PROBLEM_WIDTHS_MM = [12, 26, 30, 62, 26]
PROBLEM_ALIGNS = ["centre", "centre", "left", "justify", "centre"]
PHOTO_WIDTH = 74 * mm  # two photos side by side across the 156 mm type area
PHOTO_MAX_HEIGHT = 56 * mm


def _date_text(iso: str) -> str:
    return format_date(dt.date.fromisoformat(iso)) if iso else ""


def _photo(path: str) -> Image | None:
    """A photo scaled into its cell, or None when reportlab cannot read it (e.g. HEIC)."""
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


CAPTION_SIZE = 10.5  # 五号: the 时间、地点、人物、事由 under each photo


def _photo_block(number: int, finding: dict):
    if not finding["photos"]:
        return None
    shown, skipped = [], []
    for photo in finding["photos"]:
        img = _photo(photo["path"])
        if img:
            shown.append((img, photo.get("caption", "")))
        else:
            skipped.append(photo["name"])

    def build(fonts):
        caption = body_style(fonts, first_indent=0, align="left")
        under_photo = body_style(fonts, size=CAPTION_SIZE, leading=CAPTION_SIZE * 1.5, tracking=0, first_indent=0,
                                 align="centre")
        parts = [TextBlock(f"问题{number}现场照片（{finding['site']}）：", caption)]
        if shown:
            images = [[img, TextBlock(text, under_photo)] if text else img for img, text in shown]
            rows = [images[i:i + 2] + [""] * (2 - len(images[i:i + 2])) for i in range(0, len(images), 2)]
            table = Table(rows, colWidths=[AREA_WIDTH / 2] * 2, hAlign="CENTER")
            table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), caption.font, caption.size),  # not Helvetica
                                       ("ALIGN", (0, 0), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                       ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
            parts.append(table)
        if skipped:
            parts.append(TextBlock("无法嵌入的照片：" + "、".join(skipped), caption))
        return KeepTogether(parts)
    return build


class NoticePdf(GbtDocument):
    """A notice's page: a GbtDocument that also sets the problems' photos and the 回执."""

    def photos(self, number: int, finding: dict) -> "NoticePdf":
        block = _photo_block(number, finding)
        return self.add(block) if block else self

    def receipt(self, notice: dict) -> "NoticePdf":
        return self.add(_receipt(notice))


def notice_document(notice: dict, make=NoticePdf):
    """One notice as core.supervision.notice_document gives it (with its office and photos).

    make(**fields) gives the document it is written into: a NoticePdf, or its Word twin
    (core.docx.supervision_docx), so both say the same."""
    office = notice["office"]
    doc = make(kind="gongwen", issuer_mark=office, doc_number=notice["number"], title="创城督查问题督办通知单")
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
        doc.photos(i, f)
    doc.heading1("二、整改要求")
    doc.paragraph(notice["requirement"])
    doc.heading1("三、整改期限")
    doc.paragraph(f"请于{_date_text(notice['due_on'])}前整改完毕（各问题期限见上表），并将整改情况书面反馈。"
                  "整改期限按工作日计算，自交办次日起算。")
    if notice["contact"]:
        doc.heading1("四、联系方式")
        doc.paragraph(notice["contact"])
    doc.signature(office, dt.date.fromisoformat(notice["issued_on"]))
    doc.page_break()  # the 回执 is cut off and returned: a page of its own
    doc.receipt(notice)
    doc.banji(printer=office, print_date=dt.date.fromisoformat(notice["issued_on"]))
    return doc


RECEIPT_NOTE = "（本回执由责任单位填写后交回区创城办）"


def receipt_rows(notice: dict) -> list[list[str]]:
    """The 回执's lines: label and what is filled in (blank lines to write on while unsigned)."""
    signed = notice["receipt_signer"]
    return [["通知单文号", notice["number"]], ["责任单位", notice["unit"]], ["签收人", signed],
            ["签收时间", _date_text(notice["receipt_at"]) if signed else "　　　　年　　月　　日"],
            ["整改情况", notice["receipt_note"] or "\n\n\n\n"]]


def _receipt(notice: dict):
    """回执: cut off and returned by the unit with 签收人, 签收时间 and 整改情况."""
    def build(fonts):
        title = body_style(fonts, "heiti", first_indent=0, align="centre")
        label = body_style(fonts, "heiti", first_indent=0, align="centre", size=14, leading=22)
        value = body_style(fonts, first_indent=0, align="left", size=14, leading=22, tracking=0)
        cells = [[TextBlock(a, label), TextBlock(b, value)] for a, b in receipt_rows(notice)]
        table = Table(cells, colWidths=[32 * mm, AREA_WIDTH - 32 * mm], hAlign="CENTER")
        table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), value.font, value.size),  # else Helvetica, unembedded
                                   ("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                   ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
        cut = body_style(fonts, first_indent=0, align="centre", size=12, leading=20, tracking=0)
        return KeepTogether([TextBlock(RECEIPT_NOTE, cut),
                             TextBlock("回　执", title), table])
    return build


def render_notices(notices: list[dict], path, progress=None, cancel=None):
    return render([notice_document(n) for n in notices], path, progress=progress, cancel=cancel, title="督办通知单")


# --- 通报 ----------------------------------------------------------------------------------------

NEW_HEADERS = ["序号", "发现日期", "点位", "问题描述", "责任单位", "状态"]
NEW_WIDTHS_MM = [11, 24, 26, 54, 26, 15]
FLAG_HEADERS = ["序号", "点位", "问题描述", "责任单位", "挂牌原因"]
FLAG_WIDTHS_MM = [11, 26, 61, 28, 30]
# A 通报 lists items in full up to this many per section; beyond, the .xlsx 通报 has them all.
PDF_ITEM_LIMIT = 200


def _table(doc, headers, rows: list, **kwargs) -> None:
    if len(rows) > PDF_ITEM_LIMIT:
        doc.paragraph(f"共{len(rows)}个，以下列出前{PDF_ITEM_LIMIT}个，完整清单见同期 Excel 通报。")
        rows = rows[:PDF_ITEM_LIMIT]
    doc.table(headers, rows, **kwargs)


def bulletin_document(data: dict, office: str, make=GbtDocument):
    """The 通报 of core.supervision.bulletin_data, issued by `office`, written into make(**fields):
    a GbtDocument, or its Word twin (core.docx.layout.WordDocument)."""
    c = data["counts"]
    doc = make(kind="gongwen", issuer_mark=office, doc_number=data.get("number", ""),
               title=f"创城督查通报\n（{data['period']}）")
    doc.addressee("区创城指挥部各成员单位，各街道办事处：")
    doc.paragraph(f"{data['period']}，区创城办通过明察暗访、点位检查等方式共发现问题{c['new']}个"
                  f"（其中现场整改{c['on_spot']}个），销号{c['closed']}个。截至{_date_text(data['as_of'])}，"
                  f"全区未销号问题{c['open']}个，逾期未整改{c['overdue']}个，挂牌督办{c['flagged']}个。现将有关情况通报如下。")
    doc.heading1("一、新发现问题")
    if data["new"]:
        _table(doc, NEW_HEADERS, [[i, f["found_on"], f["site"], f["description"], f["unit"], f["status"]]
                                  for i, f in enumerate(data["new"], 1)], col_widths_mm=NEW_WIDTHS_MM,
               aligns=["centre", "centre", "left", "justify", "left", "centre"])
    else:
        doc.paragraph("本期未发现新问题。")
    doc.heading1("二、逾期未整改问题")
    if data["overdue_by_unit"]:
        _table(doc, ["序号", data["ranked_by"], "逾期问题数"], [[i, unit, n] for i, (unit, n) in enumerate(data["overdue_by_unit"], 1)],
               col_widths_mm=[16, 100, 40], aligns=["centre", "left", "centre"])
    else:
        doc.paragraph("无逾期未整改问题。")
    doc.heading1("三、挂牌督办问题")
    if data["flagged"]:
        _table(doc, FLAG_HEADERS, [[i, f["site"], f["description"], f["unit"], f["flag_reasons"]]
                                   for i, f in enumerate(data["flagged"], 1)], col_widths_mm=FLAG_WIDTHS_MM,
               aligns=["centre", "left", "justify", "left", "left"])
    else:
        doc.paragraph("无挂牌督办问题。")
    doc.heading1(f"四、{data['ranked_by']}排名")
    doc.paragraph("按逾期问题数、未销号问题数由多到少排列：")
    _table(doc, ["排名", data["ranked_by"], "未销号问题", "逾期问题", "挂牌督办"],
           [[r["rank"], r["name"], r["open"], r["overdue"], r["flagged"]]
                               for r in data["ranking"]], col_widths_mm=[16, 68, 24, 24, 24],
           aligns=["centre", "left", "centre", "centre", "centre"])
    doc.heading1("五、工作要求")
    doc.paragraph("各责任单位要对照问题清单立即整改，逾期未整改的问题务必在三个工作日内整改到位并反馈；"
                  "挂牌督办问题由单位主要负责人亲自过问，确保按时销号。")
    doc.signature(office, dt.date.fromisoformat(data["as_of"]))
    doc.banji(printer=office, print_date=dt.date.fromisoformat(data["as_of"]))
    return doc


def render_bulletin(data: dict, office: str, path, progress=None, cancel=None):
    return render([bulletin_document(data, office)], path, progress=progress, cancel=cancel, title="创城督查通报")
