"""Writing the trail: one row per change, in the change's own transaction; a record's history."""

from __future__ import annotations

import json

from core import clock
from core.audit.describe import describe
from core.audit.labels import area_name


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
        "at": clock.stamp(), "operator": db.operator, "action": action,
        "table_name": table, "record_id": None if record_id is None else str(record_id), "summary": summary,
        "before": _json(before), "after": _json(after)}, returning_id=False)


def history(db, table: str, record_id) -> list[dict]:
    """Every audit row of one record, oldest first."""
    result = db.rows("SELECT * FROM audit_log WHERE table_name = :table AND record_id = :record ORDER BY id",
                     {"table": table, "record": str(record_id)})
    for r in result:
        r["area"] = area_name(r["table_name"])
    return describe(db, result)


def recent(db, limit: int = 200) -> list[dict]:
    return db.rows("SELECT * FROM audit_log ORDER BY id DESC LIMIT :limit", {"limit": limit})


def last_entry_id(db) -> int:
    """The newest row of the trail (0 for none): a cheap mark of how far the ledger has changed."""
    return db.value("SELECT COALESCE(max(id), 0) FROM audit_log")


def tables_changed_since(db, entry_id: int) -> tuple[int, set[str]]:
    """(the newest row, the tables changed by rows after entry_id): every change writes its row, so
    this finds what other clients changed when no announcement reached this one."""
    newest = last_entry_id(db)
    if newest <= entry_id:
        return newest, set()
    return newest, set(db.column("SELECT DISTINCT table_name FROM audit_log WHERE id > :mark", {"mark": entry_id}))
