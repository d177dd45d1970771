"""The hot queries of the lists use their indexes: EXPLAIN QUERY PLAN of the very SQL the program
runs (core exposes it as (sql, params)), on the demo district.

No timing here (that is bench/'s job): a plan that reads a big table row by row where an index
should answer is what makes a filter slow at ten times a district's size, and the plan says so at
any size. The demo database has no ANALYZE statistics, like an office's, so the planner chooses by
its rules alone and these plans are the ones users get.
"""

import re

import pytest

from core import framework, materials, scoring, supervision, units
from core.supervision import FindingFilter

# Tables that grow with the district (thousands to hundreds of thousands of rows at 10x).
BIG_TABLES = {"findings", "finding_units", "materials", "attachments", "framework_nodes", "assignments",
              "score_results", "score_result_units", "sites"}


def plan(db, query) -> list[str]:
    sql, params = query
    return [row[3] for row in db.conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()]


def table_scans(db, query) -> list[str]:
    """Plan lines that read a big table (by name or alias) row by row, without any index."""
    sql, _ = query
    aliases = {alias: table for table, alias in re.findall(r"\b(?:FROM|JOIN)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?", sql)
               if alias and alias.upper() not in {"ON", "WHERE", "JOIN", "LEFT", "ORDER", "GROUP", "USING"}}
    bare = []
    for line in plan(db, query):
        m = re.fullmatch(r"SCAN (\w+)", line)
        if m and aliases.get(m.group(1), m.group(1)) in BIG_TABLES:
            bare.append(line)
    return bare


def assert_uses(db, query, *expected: str) -> None:
    lines = plan(db, query)
    text = "\n".join(lines)
    assert not table_scans(db, query), text
    for e in expected:
        assert any(e in line for line in lines), f"{e!r} not in plan:\n{text}"


@pytest.fixture(autouse=True)
def sqlite_plans_only(engine):
    """Decided before the demo is copied: nothing here has a meaning on the server."""
    if engine != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's; the server plans for itself (bench/ times it at 10x)")


@pytest.fixture
def unit_id(demo_db):
    return units.resolve_one(demo_db, "区城管局")


@pytest.fixture
def edition_id(demo_db):
    return framework.current_edition_id(demo_db)


# --- 督查督办: the finding list --------------------------------------------------------------------

FINDING_CASES = {
    "unit": (lambda u: FindingFilter(unit_id=u), "findings_unit (unit_id=?)"),
    "status": (lambda u: FindingFilter(status="整改中"), "findings_flags (status=?)"),
    "overdue": (lambda u: FindingFilter(overdue=True), "findings_flags (status=? AND due_on<?)"),
    "flagged": (lambda u: FindingFilter(flagged=True), "findings_flags (status=?)"),
    "open": (lambda u: FindingFilter(open_only=True), "findings_flags (status=?)"),
    "unit, open and overdue": (lambda u: FindingFilter(unit_id=u, open_only=True, overdue=True),
                               "findings_unit (unit_id=? AND status=?)"),
}


@pytest.mark.parametrize("case", FINDING_CASES)
def test_finding_list_and_count_search_an_index(demo_db, unit_id, case):
    make, index = FINDING_CASES[case]
    flt = make(unit_id)
    assert_uses(demo_db, supervision.list_query(demo_db, flt, limit=500), "SEARCH f USING", index)
    assert_uses(demo_db, supervision.count_query(demo_db, flt), "SEARCH f USING", index)
    if case != "unit, open and overdue":  # the count of one condition reads the index alone
        assert_uses(demo_db, supervision.count_query(demo_db, flt), f"SEARCH f USING COVERING INDEX {index}")


def test_finding_list_reads_the_shown_rows_only(demo_db):
    """The ids are chosen (and limited) first; only those rows are joined to sites, units …"""
    lines = plan(demo_db, supervision.list_query(demo_db, FindingFilter(), limit=500))
    assert lines[:2] == ["MATERIALIZE pick", "SCAN f USING COVERING INDEX findings_found"]
    assert "SEARCH f USING INTEGER PRIMARY KEY (rowid=?)" in lines


def test_finding_filters_on_the_site_go_through_its_index(demo_db):
    street = units.resolve_one(demo_db, "城关街道办事处")
    for flt, index in ((FindingFilter(locality_id=street), "sites_locality"),
                       (FindingFilter(site_type="主干道"), "sites_type")):
        for query in (supervision.list_query(demo_db, flt, limit=500), supervision.count_query(demo_db, flt)):
            assert_uses(demo_db, query, f"USING COVERING INDEX {index}", "findings_site (site_id=?)")


def test_finding_text_search_uses_the_trigram_index(demo_db):
    for query in (supervision.list_query(demo_db, FindingFilter(text="垃圾堆积"), limit=500),
                  supervision.count_query(demo_db, FindingFilter(text="垃圾堆积"))):
        assert_uses(demo_db, query, "VIRTUAL TABLE INDEX 0:M")


def test_page_counts_read_one_index(demo_db):
    assert plan(demo_db, supervision.counts_query(demo_db)) == ["SCAN f USING COVERING INDEX findings_flags"]


# --- 档案材料 ----------------------------------------------------------------------------------------

def test_materials_by_edition_and_status(demo_db, edition_id):
    assert_uses(demo_db, materials.checklist_query(edition_id, status="需补充"),
                "SEARCH m USING INDEX materials_edition (edition_id=? AND removed=? AND status=?)",
                "SEARCH a USING COVERING INDEX attachments_owner (owner_table=? AND owner_id=?)")


def test_materials_of_one_unit(demo_db, edition_id, unit_id):
    assert_uses(demo_db, materials.checklist_query(edition_id, unit_id=unit_id),
                "SEARCH m USING INDEX materials_unit_edition (unit_id=? AND edition_id=? AND removed=?)")


def test_changed_materials_are_read_by_id(demo_db, edition_id):
    assert_uses(demo_db, materials.checklist_query(edition_id, ids=[1, 2, 3]),
                "SEARCH m USING INTEGER PRIMARY KEY (rowid=?)",
                "SEARCH a USING COVERING INDEX attachments_owner (owner_table=? AND owner_id=?)")


# --- 测评体系, 责任分解, 目标责任书 -----------------------------------------------------------------------

UNIT_THROUGH_GROUPS = ("SEARCH a USING INDEX assignments_unit (unit_id=?)",
                       "SEARCH g USING INDEX unit_groups_kind (unit_kind=?)",
                       "SEARCH m USING INDEX unit_group_members_unit (unit_id=?)",
                       "SEARCH a USING INDEX assignments_group (group_id=?)")


def test_tree_filter_by_unit(demo_db, edition_id, unit_id):
    assert_uses(demo_db, framework.filter_query(edition_id, unit_id=unit_id),
                "SEARCH n USING INDEX framework_nodes_edition (edition_id=? AND level=?)", *UNIT_THROUGH_GROUPS)


def test_one_units_standards(demo_db, edition_id, unit_id):
    assert_uses(demo_db, framework.unit_standards_query(unit_id, edition_id), *UNIT_THROUGH_GROUPS)


def test_every_units_tasks_read_the_editions_assignments_once(demo_db, edition_id):
    assert_uses(demo_db, (framework.EDITION_ASSIGNMENTS_SQL, {"edition": edition_id}),
                "SEARCH n USING INDEX framework_nodes_edition (edition_id=? AND level=?)",
                "SEARCH a USING INDEX assignments_node (node_id=?)")


# --- 丢分分析 ----------------------------------------------------------------------------------------

def test_a_rounds_lines_names_and_leads(demo_db):
    round_id = scoring.list_rounds(demo_db)[-1]["id"]
    assert_uses(demo_db, (scoring.LINES_SQL, {"round": round_id, "unnamed": ""}),
                "SEARCH r USING INDEX score_results_round (round_id=?)")
    assert_uses(demo_db, (scoring.NAMED_UNITS_SQL, {"round": round_id}),
                "SEARCH s USING COVERING INDEX score_results_round (round_id=?)",
                "SEARCH x USING INDEX score_result_units_result (result_id=?)")
    assert_uses(demo_db, (scoring.LEADS_SQL, {"round": round_id}),
                "SEARCH a USING INDEX assignments_node (node_id=? AND role=?)",
                "SEARCH score_results USING INDEX score_results_round (round_id=?)")


def test_the_check_catches_a_table_scan(demo_db):
    """The helper itself: a filter on a column without an index is reported."""
    assert table_scans(demo_db, ("SELECT id FROM findings f WHERE f.source = :source", {"source": "明察暗访"})) == ["SCAN f"]
