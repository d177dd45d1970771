"""The finding list and its counts: one filter (FindingFilter) turned into one WHERE clause, the
list, the page's counts and what each unit owes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.errors import AppError
from core.query import Where
from core.supervision.rules import (OPEN_SQL, OVERDUE_SQL, OWING, PENDING, REPORTED, STATUSES, Rules,
                                    as_flag, count_where, day_rules, flag_reasons, flagged_sql, status_in)
from core.text import like_contains

LIST_ORDER = " ORDER BY f.found_on DESC, f.id DESC"  # newest first; the index findings_found gives it


@dataclass
class FindingFilter:
    status: str = ""
    unit_id: int | None = None
    include_support: bool = False  # the unit's findings as 配合单位 too (per-unit view)
    locality_id: int | None = None
    site_type: str = ""
    node_id: int | None = None
    overdue: bool = False
    flagged: bool = False
    open_only: bool = False
    text: str = ""
    found_from: str = ""
    found_to: str = ""
    ids: tuple[int, ...] = ()


def text_condition(index, text: str) -> tuple[str, dict]:
    """The text search of the list, in one place: findings whose description or 点位 name contains
    every word. Words of three or more characters are answered by the store's search index of
    findings (title = description, detail = 点位 name); shorter ones by LIKE."""
    words = text.split()
    long_words = [w for w in words if len(w) >= 3]
    where = Where()
    if long_words:
        condition, match_params = index.records_matching("findings", long_words, "f.id")
        where.add(condition, **match_params)
    for i, word in enumerate(w for w in words if len(w) < 3):
        where.add(f"(f.description LIKE :text{i} ESCAPE '\\'"
                  f" OR f.site_id IN (SELECT id FROM sites WHERE name LIKE :text{i} ESCAPE '\\'))",
                  **{f"text{i}": like_contains(word)})
    return " AND ".join(where.conditions), where.params


def finding_where(db, flt: FindingFilter) -> Where:
    """The filter as conditions on findings `f`. Conditions on the 点位 are subqueries rather than
    a join, so that the ids and the count are read from the findings' indexes alone."""
    if flt.status and flt.status not in STATUSES:
        raise AppError(f"状态“{flt.status}”无法识别，可选：{'、'.join(STATUSES)}。")
    where = Where()
    where.equals("f.status", "status", flt.status)
    if flt.unit_id and flt.include_support:
        where.add("(f.unit_id = :unit_id OR f.id IN (SELECT finding_id FROM finding_units WHERE unit_id = :unit_id))",
                  unit_id=flt.unit_id)
    else:
        where.equals("f.unit_id", "unit_id", flt.unit_id)
    if flt.locality_id:
        where.add("f.site_id IN (SELECT id FROM sites WHERE locality_unit_id = :locality_id)",
                  locality_id=flt.locality_id)
    if flt.site_type:
        where.add("f.site_id IN (SELECT id FROM sites WHERE site_type = :site_type)", site_type=flt.site_type)
    where.equals("f.node_id", "node_id", flt.node_id)
    if flt.overdue:
        where.add(OVERDUE_SQL)
    if flt.flagged:
        where.add(flagged_sql(db))
    if flt.open_only:
        where.add(OPEN_SQL)
    if flt.found_from:
        where.add("f.found_on >= :found_from", found_from=flt.found_from)
    if flt.found_to:
        where.add("f.found_on <= :found_to", found_to=flt.found_to)
    if flt.text.strip():
        condition, params = text_condition(db.search, flt.text)
        where.add(condition, **params)
    if flt.ids:
        where.one_of("f.id", "id", [int(i) for i in flt.ids])
    return where


def _list_sql(db, flt: FindingFilter, r: Rules, limit: int | None) -> tuple[str, dict]:
    where = finding_where(db, flt)
    params = {**where.params, **r.params()}
    pick = "SELECT f.id, f.found_on FROM findings f" + where.sql() + LIST_ORDER
    if limit:
        pick += " LIMIT :limit"
        params["limit"] = int(limit)
    # What the list shows of each finding; `pick` is the filtered, ordered (and limited) ids. The
    # outer order is pick's own: ordered by f's columns, SQLite 3.45 (Windows' Python) would scan
    # every finding in index order and probe pick, instead of looking up the picked rows only.
    return (f"WITH pick AS MATERIALIZED ({pick})"
            " SELECT f.id, f.found_on, f.source, f.description, f.severity, f.status, f.due_on,"
            " f.supervision_count, f.fixed_on_spot, f.prev_at_site, f.closed_on, f.assigned_on, f.unit_id,"
            " f.site_id, f.node_id, f.limit_days, f.requested_due, f.version,"
            " s.name AS site, s.site_type, l.name AS locality, u.name AS unit, n.code AS standard_code,"
            f" o.number AS notice_number, {as_flag(OVERDUE_SQL)} AS overdue, {as_flag(flagged_sql(db))} AS flagged"
            " FROM pick JOIN findings f ON f.id = pick.id JOIN sites s ON s.id = f.site_id"
            " JOIN units u ON u.id = f.unit_id LEFT JOIN units l ON l.id = s.locality_unit_id"
            " LEFT JOIN framework_nodes n ON n.id = f.node_id LEFT JOIN notices o ON o.id = f.notice_id"
            " ORDER BY pick.found_on DESC, pick.id DESC", params)


def _count_sql(db, flt: FindingFilter, r: Rules) -> tuple[str, dict]:
    where = finding_where(db, flt)
    return "SELECT count(*) FROM findings f" + where.sql(), {**where.params, **r.params()}


def list_query(db, flt: FindingFilter | None = None, *, limit: int | None = None,
               today: dt.date | None = None) -> tuple[str, dict]:
    """(sql, params) of the finding list as list_findings runs it: the matching ids are chosen,
    ordered and limited from the findings' indexes first, and only those rows are joined to what
    the list shows."""
    return _list_sql(db, flt or FindingFilter(), day_rules(db, today), limit)


def count_query(db, flt: FindingFilter | None = None, *, today: dt.date | None = None) -> tuple[str, dict]:
    """(sql, params) counting the findings that match the filter, as list_findings runs it."""
    return _count_sql(db, flt or FindingFilter(), day_rules(db, today))


def list_findings(db, flt: FindingFilter | None = None, *, limit: int | None = None,
                  today: dt.date | None = None) -> tuple[list[dict], int]:
    """Findings matching the filter, newest first, and how many match in all (the list shows at
    most `limit`)."""
    flt = flt or FindingFilter()
    r = day_rules(db, today)
    found = db.rows(*_list_sql(db, flt, r, limit))
    total = db.value(*_count_sql(db, flt, r)) if limit and len(found) == limit else len(found)
    _decorate(db, found, r)
    return found, total


def _decorate(db, found: list[dict], r: Rules) -> None:
    ids = [f["id"] for f in found]
    support: dict[int, list[str]] = {}
    for i in range(0, len(ids), 900):
        condition, params = db.among("fu.finding_id", "id", ids[i:i + 900])
        for s in db.rows("SELECT fu.finding_id, u.name FROM finding_units fu JOIN units u ON u.id = fu.unit_id"
                         f" WHERE {condition} ORDER BY fu.finding_id, fu.position", params):
            support.setdefault(s["finding_id"], []).append(s["name"])
    for f in found:
        f["support"] = "、".join(support.get(f["id"], []))
        f["overdue"] = bool(f["overdue"])
        f["flagged"] = bool(f["flagged"])
        f["flag_reasons"] = "、".join(flag_reasons(f, r)) if f["flagged"] else ""
        f["standard_code"] = f["standard_code"] or ""
        f["notice_number"] = f["notice_number"] or ""
        f["locality"] = f["locality"] or ""


def counts_query(db, today: dt.date | None = None) -> tuple[str, dict]:
    """(sql, params) of the page's counts: one pass over the index findings_flags."""
    return (f"SELECT count(*) AS total, {count_where(OPEN_SQL)} AS open, {count_where(OVERDUE_SQL)} AS overdue,"
            f" {count_where(flagged_sql(db))} AS flagged, {count_where(status_in([PENDING]))} AS waiting"
            " FROM findings f", day_rules(db, today).params())


def counts(db, today: dt.date | None = None) -> dict:
    """Open, overdue and 挂牌 counts for the page header."""
    found = db.one(*counts_query(db, today))
    return {k: v or 0 for k, v in found.items()}


def unit_owes(db, today: dt.date | None = None) -> list[dict]:
    """Per unit: what it owes (open findings as 责任单位), how many are overdue or 挂牌."""
    return db.rows(
        f"SELECT u.id AS unit_id, u.name AS unit, count(*) AS open, {count_where(OVERDUE_SQL)} AS overdue,"
        f" {count_where(flagged_sql(db))} AS flagged, {count_where(status_in([PENDING]))} AS waiting,"
        f" {count_where(status_in([REPORTED]))} AS awaiting_review,"
        f" min(CASE WHEN {status_in(OWING)} THEN f.due_on END) AS next_due"
        f" FROM findings f JOIN units u ON u.id = f.unit_id WHERE {OPEN_SQL}"
        " GROUP BY u.id, u.name, u.position ORDER BY overdue DESC, open DESC, u.position, u.id",
        day_rules(db, today).params())
