"""The 操作日志 page's queries: every change by every operator, filtered, newest first, and its export."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

from core import dates
from core.audit.describe import describe
from core.audit.labels import area_name
from core.query import Where
from core.store.search import AUDIT


def search(db, text: str = "", operator: str = "", table: str = "", date_from: str = "", date_to: str = "",
           record_id: str = "", limit: int | None = 5000) -> list[dict]:
    """Audit rows matching every given filter, newest first (at most `limit`, None for all). Dates
    are YYYY-MM-DD, inclusive."""
    result = db.rows(*search_query(text, operator, table, date_from, date_to, record_id, limit, index=db.search))
    for r in result:
        r["area"] = area_name(r["table_name"])
    return describe(db, result)


def search_query(text: str = "", operator: str = "", table: str = "", date_from: str = "", date_to: str = "",
                 record_id: str = "", limit: int | None = 5000, *, index=None) -> tuple[str, dict]:
    """The SQL of search() and its parameters.

    Newest first is read straight off an index, stopping at `limit` rows: the one on (operator,
    at, id) or (table_name, at, id) when the list is of one operator or one area, else the one on
    `at`; the other conditions are only tested on those rows. A record's history is read off its
    own index, which finds the few rows at once.

    Text: every word occurs in 摘要, 动作, 修改前 or 修改后. Words of three or more characters are
    answered by the store's search index (`index`, the store's SearchIndex: on SQLite a set of ids
    the rows read off `at` are tested against, on the server the log's own trigram index, whose
    statistics let the planner choose between that walk and the matches sorted); shorter words
    (and every word without an index) by LIKE."""
    where = Where()
    words = (text or "").split()
    long_words = [w for w in words if len(w) >= 3] if index is not None else []
    if long_words:
        condition, match_params = index.records_matching(AUDIT, long_words, "id")
        where.add(condition, **match_params)
    for i, word in enumerate(w for w in words if w not in long_words):
        where.contains(["summary", "action", "before", "after"], f"text{i}", word)
    if operator:
        where.add("operator = :operator", operator=operator)
    if table:
        where.add("table_name = :table", table=table)
    if record_id:
        where.add("record_id = :record", record=str(record_id))
    first = dates.parse(date_from, "开始日期")
    if first:
        where.add("at >= :date_from", date_from=first.isoformat())
    last = dates.parse(date_to, "结束日期")
    if last:  # every moment of the last day: before the next day begins
        where.add("at < :date_after", date_after=(last + timedelta(days=1)).isoformat())
    sql = "SELECT * FROM audit_log" + where.sql() + " ORDER BY at DESC, id DESC"
    params = dict(where.params)
    if limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = limit
    return sql, params


def operators(db) -> list[str]:
    return db.column("SELECT DISTINCT operator FROM audit_log ORDER BY operator")


def tables(db) -> list[str]:
    return db.column("SELECT DISTINCT table_name FROM audit_log ORDER BY table_name")


EXPORT_HEADERS = ["时间", "操作人", "动作", "范围", "记录", "摘要", "修改前", "修改后"]


def export(db, path, entries: list[dict]) -> None:
    """The listed rows (as search gives them) as an .xlsx, the time a real date-time, 修改前/修改后
    as the page shows them."""
    from core.xlsx.writer import Sheet, write_workbook

    data = [[dt.datetime.fromisoformat(r["at"]), r["operator"], r["action"], area_name(r["table_name"]),
             r["record_id"] or "", r["summary"] or "", r["before_text"], r["after_text"]] for r in entries]
    write_workbook(path, [Sheet("操作日志", EXPORT_HEADERS, data, number_formats={"时间": "yyyy-mm-dd hh:mm:ss"})])
