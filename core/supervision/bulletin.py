"""创城督查通报: what a 通报 for a day or a period reports, written as a 公文 PDF, in Word or as an .xlsx."""

from __future__ import annotations

import datetime as dt

from core import bulletin_numbers, clock, dates, settings
from core.errors import AppError
from core.supervision.queries import FindingFilter, list_findings
from core.supervision.rules import CLOSED, OPEN_SQL, OVERDUE_SQL, count_where, day_rules, flagged_sql


def bulletin_data(db, start, end, today: dt.date | None = None) -> dict:
    """What a 通报 for [start, end] reports. Overdue and 挂牌 are as of `today` (default: the end
    of the period, or today when the period is still running)."""
    start, end = dates.required(start, "开始日期"), dates.required(end, "结束日期")
    if end < start:
        raise AppError(f"通报的结束日期 {end.isoformat()} 早于开始日期 {start.isoformat()}。")
    as_of = today or min(end, clock.today())
    period = FindingFilter(found_from=start.isoformat(), found_to=end.isoformat())
    new, _ = list_findings(db, period, today=as_of)
    closed = [f for f in list_findings(db, FindingFilter(status=CLOSED), today=as_of)[0]
              if f["closed_on"] and start.isoformat() <= f["closed_on"] <= end.isoformat()]
    overdue, _ = list_findings(db, FindingFilter(overdue=True), today=as_of)
    flagged, _ = list_findings(db, FindingFilter(flagged=True), today=as_of)
    ranking = db.rows(f"SELECT u.name AS unit, count(*) AS open, {count_where(OVERDUE_SQL)} AS overdue,"
                      f" {count_where(flagged_sql(db))} AS flagged FROM findings f JOIN units u ON u.id = f.unit_id"
                      f" WHERE {OPEN_SQL} GROUP BY u.id, u.name, u.position"
                      " ORDER BY overdue DESC, open DESC, u.position, u.id", day_rules(db, as_of).params())
    rank, previous = 0, None
    for i, row in enumerate(ranking, 1):
        key = (row["overdue"], row["open"])
        rank = rank if key == previous else i
        row["rank"], previous = rank, key
    overdue_by_unit: dict[str, int] = {}
    for f in overdue:
        overdue_by_unit[f["unit"]] = overdue_by_unit.get(f["unit"], 0) + 1
    return {
        "start": start.isoformat(), "end": end.isoformat(), "as_of": as_of.isoformat(),
        "period": period_text(start, end),
        "new": new, "closed": closed, "overdue": overdue, "flagged": flagged, "ranking": ranking,
        "overdue_by_unit": sorted(overdue_by_unit.items(), key=lambda kv: (-kv[1], kv[0])),
        "counts": {"new": len(new), "on_spot": sum(1 for f in new if f["fixed_on_spot"]),
                   "closed": len(closed), "overdue": len(overdue), "flagged": len(flagged),
                   "open": sum(row["open"] for row in ranking)},
    }


def period_text(start: dt.date, end: dt.date) -> str:
    """统计期间 as the 通报 names it: 2026年10月1日, or 2026年10月1日至2026年10月31日."""
    from core.pdf.gbt9704 import format_date

    return format_date(start) if start == end else f"{format_date(start)}至{format_date(end)}"


def write_bulletin(db, start, end, path, today: dt.date | None = None, progress=None, cancel=None) -> dict:
    """The 通报 as PDF, Word (.docx, to edit) or .xlsx, chosen by the file name. Returns the data it
    reports. PDF and Word carry the 发文字号, the same one however often the period is written."""
    data = bulletin_data(db, start, end, today)
    if str(path).lower().endswith(".xlsx"):
        from core.xlsx import supervision_io

        supervision_io.write_bulletin(path, data, progress=progress, cancel=cancel)
    else:
        from core.docx import is_word

        if is_word(path):
            from core.docx.supervision_docx import write_bulletin as write
        else:
            from core.pdf.supervision_pdf import render_bulletin as write

        def render(number: str):
            data["number"] = number
            write(data, settings.get(db, "office_name"), path, progress=progress, cancel=cancel)

        bulletin_numbers.write_numbered(db, bulletin_numbers.SUPERVISION_BULLETIN, f"{data['start']}..{data['end']}",
                                        dt.date.fromisoformat(data["as_of"]).year, f"创城督查通报（{data['period']}）",
                                        render)
    return data
