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
    if not db.conn.in_transaction:
        raise RuntimeError("audit.log must run inside the change's transaction")
    db.execute(
        "INSERT INTO audit_log (at, operator, action, table_name, record_id, summary, before, after)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (datetime.now().isoformat(timespec="seconds"), getattr(db, "operator", "命令行"), action,
         table, None if record_id is None else str(record_id), summary, _json(before), _json(after)),
    )


def history(db, table: str, record_id) -> list[dict]:
    """Every audit row of one record, oldest first."""
    return rows(db, "SELECT * FROM audit_log WHERE table_name = ? AND record_id = ? ORDER BY id",
                (table, str(record_id)))


def recent(db, limit: int = 200) -> list[dict]:
    return rows(db, "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,))
