"""The Store's own offer to the areas: named parameters, ids back, one transaction, savepoints,
who refers to a row, and which tables a committed change touched."""

import pytest

from core import audit
from core.errors import AppError


def _unit(db, name):
    with db.write():
        unit_id = db.insert("units", {"name": name})
        audit.log(db, "新增单位", "units", unit_id, None, {"name": name}, name)
    return unit_id


def test_reading_with_named_parameters(db):
    unit_id = _unit(db, "区城管局")
    assert db.value("SELECT name FROM units WHERE id = :id", {"id": unit_id}) == "区城管局"
    assert db.one("SELECT id, name FROM units WHERE name = :name", {"name": "区城管局"}) == {"id": unit_id, "name": "区城管局"}
    assert db.one("SELECT id FROM units WHERE name = :name", {"name": "没有"}) is None
    assert db.column("SELECT name FROM units WHERE id IN (:a, :b)", {"a": unit_id, "b": -1}) == ["区城管局"]
    assert db.rows("SELECT name FROM units WHERE name LIKE :p", {"p": "%城管%"}) == [{"name": "区城管局"}]
    assert db.tuples("SELECT id, name FROM units WHERE id = :id", {"id": unit_id}) == [(unit_id, "区城管局")]


def test_like_ignores_the_case_of_latin_letters_only_on_both_engines(db):
    """SQLite's LIKE ignores the case of Latin letters: the server's does too (ILIKE for a pattern
    with letters, a plain LIKE for one without, which finds the same rows faster)."""
    _unit(db, "区WiFi覆盖办")
    _unit(db, "区城管局")

    def names(pattern, sql="SELECT name FROM units WHERE name LIKE :p ESCAPE '\\' ORDER BY id"):
        return db.column(sql, {"p": pattern})

    assert names("%wifi%") == names("%WIFI%") == names("%WiFi覆盖%") == ["区WiFi覆盖办"]
    assert names("%城管%") == ["区城管局"] and names("%区%") == ["区WiFi覆盖办", "区城管局"]
    assert db.column("SELECT name FROM units WHERE name LIKE '%wifi%'") == ["区WiFi覆盖办"]  # a literal pattern
    assert db.column("SELECT name FROM units WHERE name LIKE :p OR name LIKE :q ORDER BY id",
                     {"p": "%FI覆%", "q": "%城管%"}) == ["区WiFi覆盖办", "区城管局"]


def test_among_keeps_the_rows_of_the_listed_values(db):
    ids = [_unit(db, name) for name in ("甲", "乙", "丙")]
    for values, expected in ((ids[:2], ["甲", "乙"]), ([ids[2], -5], ["丙"]), ([], [])):
        condition, params = db.among("id", "ids", values)
        assert db.column(f"SELECT name FROM units WHERE {condition} ORDER BY id", params) == expected


def test_insert_returns_the_new_id_and_update_changes_one_row(db):
    first = _unit(db, "甲单位")
    second = _unit(db, "乙单位")
    assert second != first
    with db.write():
        assert db.update("units", second, {"short_name": "乙", "phone": "123"}) == 1
        assert db.update("units", 999_999, {"short_name": "无"}) == 0
    assert db.one("SELECT short_name, phone FROM units WHERE id = :id", {"id": second}) == {"short_name": "乙", "phone": "123"}


def test_upsert_inserts_then_updates_by_key(db):
    with db.write():
        db.upsert("settings", {"key": "office_name", "value": '"甲"'}, key=["key"])
        db.upsert("settings", {"key": "office_name", "value": '"乙"'}, key=["key"])
    assert db.column("SELECT value FROM settings WHERE key = 'office_name'") == ['"乙"']


def test_a_failed_change_writes_nothing(db):
    with pytest.raises(AppError):
        with db.write():
            db.insert("units", {"name": "半途单位"})
            raise AppError("中途出错")
    assert db.value("SELECT count(*) FROM units WHERE name = '半途单位'") == 0


def test_a_nested_change_rolls_back_alone(db):
    with db.write():
        db.insert("units", {"name": "外层单位"})
        with pytest.raises(AppError):
            with db.write():
                db.insert("units", {"name": "内层单位"})
                raise AppError("内层出错")
    assert db.column("SELECT name FROM units WHERE name IN ('外层单位', '内层单位')") == ["外层单位"]


def test_executemany_takes_named_rows(db):
    with db.write():
        db.executemany("INSERT INTO units (name, kind) VALUES (:name, :kind)",
                       [{"name": "一街道", "kind": "街道"}, {"name": "二街道", "kind": "街道"}])
    assert db.value("SELECT count(*) FROM units WHERE kind = '街道'") == 2


def test_references_to_finds_every_table_pointing_at_a_row(db):
    unit_id = _unit(db, "区城管局")
    other = _unit(db, "区住建局")
    with db.write():
        site = db.insert("sites", {"name": "人民路", "site_type": "主干道", "created_at": "2026-12-01"})
        for unit in (unit_id, unit_id, other):
            db.insert("findings", {"found_on": "2026-12-01", "source": "明察暗访", "site_id": site,
                                   "description": "占道经营", "unit_id": unit, "severity": "一般",
                                   "status": "待交办", "created_at": "2026-12-01"})
        db.insert("unit_aliases", {"unit_id": unit_id, "alias": "城管局"})
    assert db.references_to("units", unit_id) == {"findings": 2, "unit_aliases": 1}
    assert db.references_to("units", [unit_id, other], ignore=["unit_aliases"]) == {"findings": 3}
    assert db.references_to("units", []) == {}


def test_a_commit_announces_the_tables_it_changed(db):
    announced = []
    db.on_commit = announced.append
    _unit(db, "丙单位")
    with db.write():  # nested changes are announced once, with the outer commit
        with db.write():
            audit.log(db, "修改设置", "settings", "office_name", None, None, "")
        audit.log(db, "修改词表", "vocab", "site_type", None, None, "")
    with pytest.raises(AppError):
        with db.write():
            unit_id = db.insert("units", {"name": "丁单位"})
            audit.log(db, "新增单位", "units", unit_id, None, None, "丁单位")
            raise AppError("取消")
    assert announced == [{"units"}, {"settings", "vocab"}]


def test_ledger_tables_leave_out_engine_and_index_tables(db):
    tables = db.tables()
    assert {"units", "findings", "audit_log", "attachments"} <= set(tables)
    assert not [t for t in tables if t.startswith(("sqlite_", "fts_", "_sqlite"))]
    assert db.integrity_problems() == []
    assert db.foreign_key_problems() == []


def test_what_the_engines_spell_differently(db):
    unit_id = _unit(db, "区城管局")
    with db.write():
        for alias in ("城管局", "城管"):
            db.insert("unit_aliases", {"unit_id": unit_id, "alias": alias})
    aggregate = db.text_agg("alias", "'、'")
    joined = db.value(f"SELECT {aggregate} FROM unit_aliases WHERE unit_id = :u", {"u": unit_id})
    assert sorted(joined.split("、")) == ["城管", "城管局"]
    assert db.value(f"SELECT {db.days_between(':a', ':b')}", {"a": "2026-03-01", "b": "2026-02-27"}) == 2


def test_a_stale_save_is_refused_with_who_and_when(db):
    unit_id = _unit(db, "区城管局")
    read_at = db.value("SELECT version FROM units WHERE id = :id", {"id": unit_id})
    with db.write():  # someone else saves first
        db.update("units", unit_id, {"phone": "111"})
        audit.log(db, "修改单位", "units", unit_id, None, {"phone": "111"}, "区城管局")
    assert db.value("SELECT version FROM units WHERE id = :id", {"id": unit_id}) == read_at + 1
    from core.errors import EditConflict

    with pytest.raises(EditConflict, match=db.operator) as refused:
        with db.write():
            db.update("units", unit_id, {"phone": "222"}, expected_version=read_at)
    assert "重新载入" in refused.value.message_zh
    assert db.value("SELECT phone FROM units WHERE id = :id", {"id": unit_id}) == "111"
    with db.write():
        assert db.update("units", unit_id, {"phone": "333"}, expected_version=read_at + 1) == 1
    with db.write():  # any update bumps the version, whatever wrote it
        db.execute("UPDATE units SET note = 'x' WHERE id = :id", {"id": unit_id})
    assert db.value("SELECT version FROM units WHERE id = :id", {"id": unit_id}) == read_at + 3


def test_numbers_come_from_a_counter_and_a_rollback_gives_them_back(db):
    with db.write():
        assert db.take_number("notice:2026", start_after=("SELECT 14", {})) == 15
        assert db.take_number("notice:2026") == 16
    with pytest.raises(AppError):
        with db.write():
            assert db.take_number("notice:2026") == 17
            raise AppError("作废")
    with db.write():
        assert db.take_number("notice:2026", count=3) == 17
        assert db.take_number("notice:2027") == 1
    assert db.value("SELECT value FROM counters WHERE name = 'notice:2026'") == 19
