"""Recording a 催办: one row in `reminders` per item the unit was chased about (who, when, how),
and an audit row on the item itself, so that the finding's or material's history says
“催办（电话）” with the operator and the time."""

from __future__ import annotations

from core import audit, clock, units
from core.errors import AppError
from core.remind.items import unit_entry

METHODS = ("电话", "短信", "催办单")


def action_of(method: str) -> str:
    """The history's 动作 of a 催办 by this method."""
    return f"催办（{method}）"


def record(db, unit_id: int, method: str, *, note: str = "", day=None, items: list[dict] | None = None) -> int:
    """Record that the unit was chased (by 电话, 短信 or 催办单) about its items of the day (or the
    items given, as the list returned them); returns how many records (findings, materials, …)
    the 催办 was about."""
    if method not in METHODS:
        raise AppError(f"催办方式“{method}”无法识别，可选：{'、'.join(METHODS)}。")
    note = " ".join(str(note or "").split())
    with db.write():
        unit = units.get_unit(db, unit_id)
        if items is None:
            entry = unit_entry(db, unit_id, day)
            items = entry["items"] if entry else []
        if not items:
            raise AppError(f"“{unit['name']}”今天没有需要催办的事项，未记录。")
        stamp = clock.stamp()
        db.note_change("reminders")
        # A finding both late and not yet 签收 is one record chased once.
        records: dict[tuple, dict] = {}
        for item in items:
            records.setdefault((item["record_table"], item["record_id"]), item)
        for item in records.values():
            if item["unit_id"] != unit_id:
                raise AppError(f"事项“{item['matter'][:30]}”不属于“{unit['name']}”，未记录。")
            db.insert("reminders", {"unit_id": unit_id, "record_table": item["record_table"],
                                    "record_id": item["record_id"], "method": method, "note": note,
                                    "operator": db.operator, "created_at": stamp})
            audit.log(db, action_of(method), item["record_table"], item["record_id"], None,
                      {"method": method, "note": note} if note else {"method": method},
                      f"{unit['name']}：{item['matter'][:60]}")
    return len(records)


def reminders_of(db, record_table: str, record_id: int) -> list[dict]:
    """Every 催办 of one item, oldest first."""
    return db.rows("SELECT method, note, operator, created_at FROM reminders"
                   " WHERE record_table = :table AND record_id = :id ORDER BY created_at, id",
                   {"table": record_table, "id": record_id})
