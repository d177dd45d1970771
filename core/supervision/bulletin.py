"""创城督查通报: what a 通报 for a day or a period reports, written as a 公文 PDF, in Word or as an .xlsx."""

from __future__ import annotations

import datetime as dt

from core import bulletin_numbers, clock, dates, settings
from core.errors import AppError
from core.framework.groups import NO_GROUP
from core.query import Where
from core.supervision.queries import FindingFilter, list_findings
from core.supervision.rules import CLOSED, OPEN_SQL, OVERDUE_SQL, count_where, day_rules, flagged_sql


# How a 通报 ranks and counts overdue findings: per 责任单位, or per 专项推进组 (a finding counts for
# the group of its standard; findings without one under NO_GROUP).
BY_UNIT, BY_GROUP = "unit", "group"
RANKED_BY = {BY_UNIT: "责任单位", BY_GROUP: "专项推进组"}

_RANKING_SQL = {
    BY_UNIT: ("SELECT u.name AS name, count(*) AS open, {overdue} AS overdue, {flagged} AS flagged"
              " FROM findings f JOIN units u ON u.id = f.unit_id WHERE {open} GROUP BY u.id, u.name, u.position"
              " ORDER BY overdue DESC, open DESC, u.position, u.id"),
    BY_GROUP: ("SELECT COALESCE(g.name, CAST(:no_group AS TEXT)) AS name, count(*) AS open, {overdue} AS overdue,"
               " {flagged} AS flagged FROM findings f LEFT JOIN framework_nodes n ON n.id = f.node_id"
               " LEFT JOIN working_groups g ON g.id = n.working_group_id WHERE {open}"
               " GROUP BY g.id, g.name, g.position"
               " ORDER BY overdue DESC, open DESC, CASE WHEN g.id IS NULL THEN 1 ELSE 0 END, g.position, g.id"),
}


def _group_names_of(db, findings: list[dict]) -> dict[int, str]:
    """standard → its 专项推进组, for the standards the findings name."""
    ids = sorted({f["node_id"] for f in findings if f["node_id"]})
    where = Where().one_of("n.id", "node", ids)
    return dict(db.tuples("SELECT n.id, g.name FROM framework_nodes n JOIN working_groups g"
                          " ON g.id = n.working_group_id" + where.sql(), where.params))


def bulletin_data(db, start, end, today: dt.date | None = None, by: str = BY_UNIT) -> dict:
    """What a 通报 for [start, end] reports, its ranking and overdue counts per 责任单位 or per
    专项推进组 (by). Overdue and 挂牌 are as of `today` (default: the end of the period, or today
    when the period is still running)."""
    if by not in RANKED_BY:
        raise AppError(f"未知的通报统计方式“{by}”。可选：unit 责任单位、group 专项推进组。")
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
    sql = _RANKING_SQL[by].format(overdue=count_where(OVERDUE_SQL), flagged=count_where(flagged_sql(db)), open=OPEN_SQL)
    ranking = db.rows(sql, {**day_rules(db, as_of).params(), **({"no_group": NO_GROUP} if by == BY_GROUP else {})})
    rank, previous = 0, None
    for i, row in enumerate(ranking, 1):
        key = (row["overdue"], row["open"])
        rank = rank if key == previous else i
        row["rank"], previous = rank, key
        if by == BY_UNIT:
            row["unit"] = row["name"]
    group_of = _group_names_of(db, overdue) if by == BY_GROUP else {}
    overdue_by_unit: dict[str, int] = {}
    for f in overdue:
        name = f["unit"] if by == BY_UNIT else group_of.get(f["node_id"], NO_GROUP)
        overdue_by_unit[name] = overdue_by_unit.get(name, 0) + 1
    return {
        "start": start.isoformat(), "end": end.isoformat(), "as_of": as_of.isoformat(),
        "period": period_text(start, end), "ranked_by": RANKED_BY[by],
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


def write_bulletin(db, start, end, path, today: dt.date | None = None, progress=None, cancel=None,
                   by: str = BY_UNIT) -> dict:
    """The 通报 as PDF, Word (.docx, to edit) or .xlsx, chosen by the file name, ranked per 责任单位
    or 专项推进组 (by). Returns the data it reports. PDF and Word carry the 发文字号, the same one
    however often the period is written."""
    data = bulletin_data(db, start, end, today, by)
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

        # Ranked per 推进组 it is another document for the same period, with a number of its own.
        period = f"{data['start']}..{data['end']}" + ("" if by == BY_UNIT else f"/{by}")
        bulletin_numbers.write_numbered(db, bulletin_numbers.SUPERVISION_BULLETIN, period,
                                        dt.date.fromisoformat(data["as_of"]).year, f"创城督查通报（{data['period']}）",
                                        render)
    return data
