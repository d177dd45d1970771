"""今日催办: for every unit, what needs chasing on a day — 督查问题 due within 催办提前工作日 working
days or overdue, 交办 not 签收 after 未签收天数 days, 档案材料 due soon or 需补充, 目标责任书 issued and
not signed, a 工作包 not back after 工作包回收天数 days — with the unit's 联络员 and phone, most
urgent first; the text to paste into 政务微信 or SMS, the printed 催办单, the Excel list, and the
record of each 催办 (who, when, how) in `reminders` and in the item's history.

    items    the items of a day and the units in order of urgency
    texts    the short message and what the 催办单 shows
    records  recording a 催办 (电话, 短信, 催办单)
    exports  the .xlsx list and the 催办单 PDF
"""

from core.remind.exports import HEADERS, export_xlsx, render_pdf, sheet_rows
from core.remind.items import KINDS, Day, collect, count_units, day_of, unit_entry
from core.remind.records import METHODS, action_of, record, reminders_of
from core.remind.texts import message, month_day, reminder_document, reply_by

__all__ = [
    "HEADERS", "export_xlsx", "render_pdf", "sheet_rows",
    "KINDS", "Day", "collect", "count_units", "day_of", "unit_entry",
    "METHODS", "action_of", "record", "reminders_of",
    "message", "month_day", "reminder_document", "reply_by",
]
