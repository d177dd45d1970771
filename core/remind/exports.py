"""今日催办 on paper and in Excel: one row per item (责任单位 by its full name, 联络员, 联系电话, 事项,
到期日, 逾期天数), and the 催办单 of the units as one PDF."""

from __future__ import annotations

import datetime as dt

from core.errors import AppError
from core.remind.items import collect
from core.remind.texts import reminder_document

HEADERS = ["责任单位", "联络员", "联系电话", "事项", "到期日", "逾期天数", "上次催办"]


def sheet_rows(entries: list[dict]) -> list[list]:
    return [[u["name"], u["liaison"], u["phone"], i["matter"],
             dt.date.fromisoformat(i["due_on"]) if i["due_on"] else None, i["overdue_days"], i["last_reminded"]]
            for u in entries for i in u["items"]]


def export_xlsx(db, path, day=None, *, entries: list[dict] | None = None, progress=None, cancel=None) -> int:
    """The day's list as a printable sheet; returns the number of rows (items)."""
    from core.xlsx.writer import Sheet, write_workbook

    entries = collect(db, day) if entries is None else entries
    rows = sheet_rows(entries)
    today = entries[0]["today"] if entries else ""
    title = f"今日催办 {today}".strip()
    write_workbook(path, [Sheet("今日催办", HEADERS, rows, row_count=len(rows), print_title=title,
                                widths={"事项": 60}, number_formats={"联系电话": "@"})],
                   progress=progress, cancel=cancel)
    return len(rows)


def render_pdf(db, path, day=None, *, entries: list[dict] | None = None, progress=None, cancel=None):
    """The 催办单 of every unit on the list (or of the entries given), one after another."""
    from core.pdf import remind_pdf

    entries = collect(db, day) if entries is None else entries
    if not entries:
        raise AppError("今天没有需要催办的单位，未生成催办单。")
    return remind_pdf.render_reminders([reminder_document(db, u) for u in entries], path, progress=progress,
                                       cancel=cancel)
