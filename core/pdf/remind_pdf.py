"""催办单 as 公文 (GB/T 9704), one per unit, from what core.remind hands over: the unit, what it is
chased about (事项, 到期日, 逾期天数), by when to finish, whom to call, the office's signature."""

from __future__ import annotations

import datetime as dt

from core.pdf.gbt9704 import GbtDocument, format_date, render

ITEM_HEADERS = ["序号", "事项", "到期日", "逾期天数"]
ITEM_WIDTHS_MM = [11, 103, 26, 16]
ITEM_SIZE = 12  # 小四: a unit's items fit its one page in most cases
ITEM_ALIGNS = ["centre", "justify", "centre", "centre"]


def reminder_document(sheet: dict) -> GbtDocument:
    """One unit's 催办单 as core.remind.reminder_document gives it."""
    # On the 公文 page without the red 版头: a 催办单 carries no 文号, and without the 版头 a unit's
    # items (up to about ten) fit its one page.
    doc = GbtDocument(kind="plain", title="创城工作催办单")
    doc.addressee(f"{sheet['unit']}：")
    late = sum(1 for row in sheet["rows"] if row[-1])
    doc.paragraph(f"截至{format_date(dt.date.fromisoformat(sheet['today']))}，你单位尚有 {len(sheet['rows'])} 项创城工作"
                  f"需要抓紧办理{f'（其中 {late} 项已逾期）' if late else ''}，具体如下：")
    doc.table(ITEM_HEADERS, sheet["rows"], col_widths_mm=ITEM_WIDTHS_MM, aligns=ITEM_ALIGNS, font_size=ITEM_SIZE)
    if sheet["reply_by"]:
        ask = f"请于{format_date(dt.date.fromisoformat(sheet['reply_by']))}前办结上述事项，并将办理情况反馈区创城办。"
    else:
        ask = "上述事项均已逾期，请立即办结，并将办理情况反馈区创城办。"
    doc.paragraph(ask)
    if sheet["contact"]:
        doc.paragraph(sheet["contact"])
    doc.signature(sheet["office"], dt.date.fromisoformat(sheet["today"]))
    return doc


def render_reminders(sheets: list[dict], path, progress=None, cancel=None):
    return render([reminder_document(s) for s in sheets], path, progress=progress, cancel=cancel, title="催办单")
