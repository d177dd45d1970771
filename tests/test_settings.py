"""设置 on both engines: values kept and logged, a date typed the usual ways kept in one form, the
current year following the clock, word lists edited in one step."""

from __future__ import annotations

import pytest

from core import audit, settings
from core.errors import AppError


def test_changes_are_kept_and_each_changed_value_logged_once(db):
    settings.set_many(db, {"office_name": "甲区创城办", "doc_code": "甲创城督", "backup_warn_days": 5})
    assert settings.get(db, "office_name") == "甲区创城办"
    assert settings.get_all(db)["backup_warn_days"] == 5
    settings.set_many(db, {"office_name": "甲区创城办", "doc_code": "甲创城督2"})  # one of two changed
    logged = audit.search(db, table="settings", limit=None)
    assert [r["record_id"] for r in logged] == ["doc_code", "backup_warn_days", "doc_code", "office_name"]
    assert all(r["operator"] == db.operator and r["area"] == "设置" for r in logged)  # the login on a server


def test_a_refused_value_changes_nothing(db):
    with pytest.raises(AppError, match="1 到 365"):
        settings.set_many(db, {"doc_code": "乙创城督", "backup_keep_daily": 0})
    assert settings.get(db, "doc_code") == settings.SETTINGS["doc_code"][1]
    assert audit.search(db, table="settings", limit=None) == []


def test_the_next_assessment_date_is_kept_in_one_form(db):
    settings.set(db, "next_assessment_date", "2026/9/15")
    assert settings.get(db, "next_assessment_date") == "2026-09-15"
    settings.set(db, "next_assessment_date", "2026年10月8日")
    assert settings.get(db, "next_assessment_date") == "2026-10-08"
    with pytest.raises(AppError, match="下次测评日期“明年春天”"):
        settings.set(db, "next_assessment_date", "明年春天")
    settings.set(db, "next_assessment_date", "")
    assert settings.get(db, "next_assessment_date") == ""


def test_the_current_year_follows_the_clock_until_set(db, monkeypatch):
    monkeypatch.setenv("CHUANGCHENG_TODAY", "2031-01-05")
    assert settings.get(db, "current_year") == 2031
    settings.set(db, "current_year", 2030)
    assert settings.get(db, "current_year") == 2030


def test_word_lists_are_replaced_in_one_step(db):
    settings.set_vocab(db, "site_type", [" 城中村 ", "背街小巷", "城中村", ""])
    assert settings.vocab(db, "site_type") == ["城中村", "背街小巷"]
    logged = audit.history(db, "vocab", "site_type")
    assert len(logged) == 1 and "城中村" in logged[0]["after"]
    settings.set_vocab(db, "site_type", ["城中村", "背街小巷"])  # unchanged: nothing written
    assert len(audit.history(db, "vocab", "site_type")) == 1
    with pytest.raises(AppError, match="至少要保留一项"):
        settings.set_vocab(db, "site_type", ["  "])
