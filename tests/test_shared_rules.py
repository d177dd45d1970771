"""The small rules every area shares: the clock, dates, moves of a status, list filters."""

import datetime as dt

import pytest

from core import clock, dates
from core.errors import AppError
from core.query import Where
from core.workflow import Transition, Workflow


def test_the_clock_follows_chuangcheng_today(monkeypatch):
    monkeypatch.setenv("CHUANGCHENG_TODAY", "2026-11-09")
    assert clock.today() == dt.date(2026, 11, 9)
    assert clock.now().date() == dt.date(2026, 11, 9)
    assert clock.stamp().startswith("2026-11-09T")
    monkeypatch.setenv("CHUANGCHENG_TODAY", "11月9日")
    with pytest.raises(AppError, match="CHUANGCHENG_TODAY"):
        clock.today()
    monkeypatch.delenv("CHUANGCHENG_TODAY")
    assert clock.today() == dt.date.today()


@pytest.mark.parametrize("text", ["2026-03-15", "2026/3/15", "2026.3.15", "2026年3月15日", 20260315,
                                  dt.date(2026, 3, 15), dt.datetime(2026, 3, 15, 9, 30)])
def test_one_date_coercion(text):
    assert dates.parse(text, "签收日期") == dt.date(2026, 3, 15)
    assert dates.iso(text, "签收日期") == "2026-03-15"


def test_a_bad_date_names_its_field():
    with pytest.raises(AppError, match="签收日期“3月15日”不是有效的日期，请写成 2026-03-15 的形式"):
        dates.parse("3月15日", "签收日期")
    with pytest.raises(AppError, match="请填写签收日期"):
        dates.required("  ", "签收日期")
    assert dates.iso("", "签收日期") == ""


def test_a_workflow_allows_only_its_moves():
    flow = Workflow("材料", {"submit": Transition("提交", ("待提交", "需补充"), "已提交"),
                             "approve": Transition("审核通过", ("已提交",), "审核通过")})
    assert flow.allowed("待提交") == ["submit"]
    assert flow.move("approve", "已提交", "示例").target == "审核通过"
    with pytest.raises(AppError, match="材料“示例”当前状态为“待提交”，不能审核通过。"):
        flow.move("approve", "待提交", "示例")


def test_where_builds_conditions_with_their_parameters(db):
    with db.write():
        for name, kind in (("一街道", "街道"), ("区城管局", "政府部门"), ("二街道_办", "街道")):
            db.insert("units", {"name": name, "kind": kind})
    where = Where().equals("kind", "kind", "街道").equals("phone", "phone", "").contains(["name", "short_name"], "text", "_办")
    assert db.column("SELECT name FROM units" + where.sql(), where.params) == ["二街道_办"]
    assert Where().sql() == ""
    ids = Where().one_of("name", "n", ["一街道", "区城管局"])
    assert sorted(db.column("SELECT name FROM units" + ids.sql(), ids.params)) == ["一街道", "区城管局"]
    assert db.column("SELECT name FROM units" + Where().one_of("name", "n", []).sql(), {}) == []
