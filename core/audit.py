"""The audit trail: who changed what, written in the same transaction as the change."""

from __future__ import annotations

import json
from datetime import datetime

from core.db import rows


def _json(value) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def log(db, action: str, table: str, record_id=None, before=None, after=None, summary: str = ""):
    """Record one change. Must be called inside the change's own transaction."""
    if not db.in_transaction:
        raise RuntimeError("audit.log must run inside the change's transaction")
    db.note_change(table)
    db.insert("audit_log", {
        "at": datetime.now().isoformat(timespec="seconds"), "operator": db.operator, "action": action,
        "table_name": table, "record_id": None if record_id is None else str(record_id), "summary": summary,
        "before": _json(before), "after": _json(after)}, returning_id=False)


def history(db, table: str, record_id) -> list[dict]:
    """Every audit row of one record, oldest first."""
    result = db.rows("SELECT * FROM audit_log WHERE table_name = :table AND record_id = :record ORDER BY id",
                     {"table": table, "record": str(record_id)})
    for r in result:
        r["area"] = area_name(r["table_name"])
    return result


def recent(db, limit: int = 200) -> list[dict]:
    return rows(db, "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,))


# Areas as users name them; a table not listed shows under its own name.
AREAS = {"units": "责任单位", "unit_groups": "单位分组", "editions": "测评体系版本", "framework_nodes": "测评体系",
         "assignments": "责任分工", "settings": "设置", "vocab": "词表", "attachments": "附件",
         "score_rounds": "测评轮次", "score_results": "测评成绩", "sites": "点位", "workday_overrides": "节假日安排", "workday_years": "节假日安排",
         "notices": "督办通知单", "findings": "督查问题", "letter_templates": "责任书模板",
         "letter_status": "责任书签订", "materials": "档案材料", "backup": "数据安全"}


def area_name(table: str) -> str:
    return AREAS.get(table, table)


def search(db, text: str = "", operator: str = "", table: str = "", date_from: str = "", date_to: str = "",
           record_id: str = "", limit: int | None = 5000) -> list[dict]:
    """Audit rows matching every given filter, newest first (at most `limit`, None for all). Dates
    are YYYY-MM-DD, inclusive."""
    result = rows(db, *search_query(text, operator, table, date_from, date_to, record_id, limit))
    for r in result:
        r["area"] = area_name(r["table_name"])
    return result


def search_query(text: str = "", operator: str = "", table: str = "", date_from: str = "", date_to: str = "",
                 record_id: str = "", limit: int | None = 5000) -> tuple[str, list]:
    """The SQL of search() and its parameters.

    Newest first is read straight off the index on `at`, stopping at `limit` rows; the other
    conditions are only tested on those rows (the unary + keeps SQLite from choosing their index
    and then sorting every match: at 10x, one area's 200,000 rows took 0.5 s to sort). A record's
    history is the exception: its index finds the few rows at once."""
    where, params = [], []
    if text:
        where.append("(summary LIKE ? OR action LIKE ? OR before LIKE ? OR after LIKE ?)")
        params += [f"%{text}%"] * 4
    if operator:
        where.append("+operator = ?")
        params.append(operator)
    if table:
        where.append("table_name = ?" if record_id else "+table_name = ?")
        params.append(table)
    if record_id:
        where.append("record_id = ?")
        params.append(str(record_id))
    if date_from:
        where.append("at >= ?")
        params.append(date_from)
    if date_to:
        where.append("at < date(?, '+1 day')")
        params.append(date_to)
    sql = "SELECT * FROM audit_log" + (" WHERE " + " AND ".join(where) if where else "")
    return sql + " ORDER BY at DESC, id DESC LIMIT ?", [*params, -1 if limit is None else limit]


def operators(db) -> list[str]:
    return [r["operator"] for r in rows(db, "SELECT DISTINCT operator FROM audit_log ORDER BY operator")]


def tables(db) -> list[str]:
    return [r["table_name"] for r in rows(db, "SELECT DISTINCT table_name FROM audit_log ORDER BY table_name")]


EXPORT_HEADERS = ["时间", "操作人", "动作", "范围", "记录", "摘要", "修改前", "修改后"]


def export(db, path, entries: list[dict]) -> None:
    from core.xlsx.writer import Sheet, write_workbook

    data = [[datetime.fromisoformat(r["at"]), r["operator"], r["action"], area_name(r["table_name"]),
             r["record_id"] or "", r["summary"] or "", r["before"] or "", r["after"] or ""] for r in entries]
    write_workbook(path, [Sheet("操作日志", EXPORT_HEADERS, data, number_formats={"时间": "yyyy-mm-dd hh:mm:ss"})])
