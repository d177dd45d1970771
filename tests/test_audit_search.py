"""操作日志 search: newest first, every filter applied, the page's limit, text taken literally, whole
days for the date range, and a plan that reads the newest rows off the time index instead of
sorting every match. Runs on both engines."""

from __future__ import annotations

import pytest

from core import audit

# (day, operator, table, record, action, summary)
CHANGES = [
    ("2026-03-01", "王小明", "units", 1, "新增单位", "区水务局"),
    ("2026-03-01", "李华", "findings", 7, "新增督查问题", "农贸市场占道经营"),
    ("2026-03-02", "王小明", "units", 1, "修改单位", "电话改为 0931-9999999"),
    ("2026-03-02", "王小明", "findings", 7, "整改反馈", "整改完成率 100%"),
    ("2026-03-03", "李华", "findings", 8, "新增督查问题", "整改完成率 1000 处"),
    ("2026-03-05", "李华", "settings", "office_name", "修改设置", "办公室名称"),
]


@pytest.fixture
def trail(db, monkeypatch):
    """The changes above, each written on its day by its operator (and nothing else in the log)."""
    with db.write():
        db.execute("DELETE FROM audit_log")
    for day, operator, table, record, action, summary in CHANGES:
        monkeypatch.setenv("CHUANGCHENG_TODAY", day)
        monkeypatch.setattr(db, "operator", operator)
        with db.write():
            audit.log(db, action, table, record, None, {"summary": summary}, summary)
    monkeypatch.undo()
    return db


def test_filters_newest_first_and_limit(trail):
    db = trail
    everything = audit.search(db, limit=None)
    assert len(everything) == len(CHANGES)
    assert [r["summary"] for r in everything] == [c[5] for c in reversed(CHANGES)]
    assert [r["area"] for r in everything][:2] == ["设置", "督查问题"]
    assert len(audit.search(db, limit=3)) == 3
    assert {r["record_id"] for r in audit.search(db, table="findings", limit=None)} == {"7", "8"}
    history = audit.search(db, table="findings", record_id=7, limit=None)
    assert [r["action"] for r in history] == ["整改反馈", "新增督查问题"]
    assert [r["summary"] for r in audit.search(db, operator="王小明", table="units", limit=None)] == [
        "电话改为 0931-9999999", "区水务局"]
    assert audit.operators(db) == sorted({"李华", "王小明"})
    assert set(audit.tables(db)) == {"units", "findings", "settings"}


def test_dates_are_whole_days(trail):
    one_day = audit.search(trail, date_from="2026-03-02", date_to="2026-03-02", limit=None)
    assert [r["action"] for r in one_day] == ["整改反馈", "修改单位"]  # every moment of the day
    assert len(audit.search(trail, date_from="2026-03-02", limit=None)) == 4
    assert len(audit.search(trail, date_to="2026-03-01", limit=None)) == 2


def test_text_is_taken_literally(trail):
    assert [r["summary"] for r in audit.search(trail, text="100%", limit=None)] == ["整改完成率 100%"]
    assert [r["record_id"] for r in audit.search(trail, text="9999999", limit=None)] == ["1"]
    assert audit.search(trail, text="_", limit=None) == []


def test_a_records_history_oldest_first(trail):
    assert [r["action"] for r in audit.history(trail, "units", 1)] == ["新增单位", "修改单位"]
    assert [r["area"] for r in audit.history(trail, "findings", "7")] == ["督查问题", "督查问题"]


def test_plans_read_the_newest_rows_off_an_index_or_use_the_record_index(trail):
    if trail.engine != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's; the server plans for itself")

    def plan(sql, params):
        return " ".join(r["detail"] for r in trail.rows("EXPLAIN QUERY PLAN " + sql, params))

    for filters, index in (({"table": "findings"}, "audit_log_area"), ({"operator": "测试员"}, "audit_log_operator"),
                           ({"text": "整改"}, "audit_log_at"), ({}, "audit_log_at")):
        listing = plan(*audit.search_query(**filters, date_from="2026-01-01", date_to="2026-12-31", limit=1000))
        assert index in listing and "TEMP B-TREE" not in listing, (filters, listing)
    history = plan(*audit.search_query(table="findings", record_id="1", limit=None))
    assert "audit_log_record" in history
    # a word of three or more characters is looked up in the log's search index, the newest rows
    # still read off the time index
    indexed = plan(*audit.search_query(text="整改完成率", date_from="2026-01-01", limit=1000, index=trail.search))
    assert "VIRTUAL TABLE" in indexed and "audit_log_at" in indexed and "TEMP B-TREE" not in indexed


def test_every_word_is_found_whatever_its_length(trail):
    def summaries(text):
        return [r["summary"] for r in audit.search(trail, text=text, limit=None)]

    assert summaries("整改完成率") == ["整改完成率 1000 处", "整改完成率 100%"]
    assert summaries("完成率 1000") == ["整改完成率 1000 处"]  # every word, in any field
    assert summaries("农贸市场 新增督查问题") == ["农贸市场占道经营"]  # 摘要 and 动作
    assert summaries("0931-9999999") == ["电话改为 0931-9999999"]
    assert summaries("整改完成率 没有") == []
    assert summaries("不存在的词") == []
    new = audit.search(trail, text="办公室名称", limit=None)
    assert [r["action"] for r in new] == ["修改设置"]
