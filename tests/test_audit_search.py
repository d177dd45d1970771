"""操作日志 search: newest first, every filter applied, the page's limit, and a plan that reads the
newest rows off the time index instead of sorting every match."""

from __future__ import annotations

from core import audit
from core.db import rows, scalar


def test_filters_newest_first_and_limit(demo_db):
    db = demo_db
    everything = audit.search(db, limit=None)
    assert len(everything) == scalar(db, "SELECT count(*) FROM audit_log")
    assert [r["at"] for r in everything] == sorted((r["at"] for r in everything), reverse=True)
    assert len(audit.search(db, limit=3)) == 3
    table = everything[0]["table_name"]
    of_table = audit.search(db, table=table, limit=None)
    assert len(of_table) == scalar(db, "SELECT count(*) FROM audit_log WHERE table_name = ?", (table,))
    record = everything[0]["record_id"]
    history = audit.search(db, table=table, record_id=record, limit=None)
    assert {r["record_id"] for r in history} == {record}
    day = everything[-1]["at"][:10]
    assert all(r["at"][:10] == day for r in audit.search(db, date_from=day, date_to=day, limit=None))


def test_plans_use_the_time_index_or_the_record_index(demo_db):
    def plan(sql, params):
        return " ".join(r["detail"] for r in rows(demo_db, "EXPLAIN QUERY PLAN " + sql, params))

    for filters in ({"table": "findings"}, {"operator": "测试员"}, {"text": "整改"}, {}):
        listing = plan(*audit.search_query(**filters, date_from="2026-01-01", date_to="2026-12-31", limit=1000))
        assert "audit_log_at" in listing and "TEMP B-TREE" not in listing, filters
    history = plan(*audit.search_query(table="findings", record_id="1", limit=None))
    assert "audit_log_record" in history
