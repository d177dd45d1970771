"""What the faster lists must still get right: overdue and 挂牌 in SQL agree with the per-row rules
on any day; a unit's standards and counts read without expanding groups agree with the expanded
view; a change on the 档案材料 page updates its row in place; the 目标责任书 page fills its change
column after the list shows; scoring attribution through groups."""

import datetime as dt
import random

import pytest

from core import framework, letters, materials, scoring, settings, supervision, units
from core.supervision import FindingFilter

D = dt.date


# --- 督查督办: overdue and 挂牌 ------------------------------------------------------------------------

@pytest.fixture
def many_findings(demo_db):
    """300 findings over 2026 at every status, with deadlines, 督办 counts and repeats at a 点位."""
    rng = random.Random(7)
    db = demo_db
    site_ids = db.column("SELECT id FROM sites ORDER BY id")
    unit_ids = [u["id"] for u in units.list_units(db)]
    last_at: dict[int, str] = {}
    batch = []
    for i in range(300):
        found = D(2026, 1, 1) + dt.timedelta(days=i)
        site = rng.choice(site_ids)
        status = rng.choice(supervision.STATUSES)
        due = None if status == "待交办" else (found + dt.timedelta(days=rng.randint(1, 25))).isoformat()
        batch.append({"found_on": found.isoformat(), "source": "明察暗访", "site_id": site,
                      "description": f"第{i}号问题：垃圾堆积", "unit_id": rng.choice(unit_ids), "severity": "一般",
                      "status": status, "due_on": due, "supervision_count": rng.choice([0, 1, 1, 2, 3]),
                      "prev_at_site": last_at.get(site), "created_at": "2026-01-01T00:00:00"})
        last_at[site] = found.isoformat()
    with db.write():
        db.executemany("INSERT INTO findings (found_on, source, site_id, description, unit_id, severity, status,"
                       " due_on, supervision_count, prev_at_site, created_at) VALUES (:found_on, :source, :site_id,"
                       " :description, :unit_id, :severity, :status, :due_on, :supervision_count, :prev_at_site,"
                       " :created_at)", batch)
    settings.set_many(db, {"flag_overdue_workdays": 3, "flag_repeat_days": 20, "flag_supervision_count": 3})
    return db


@pytest.mark.parametrize("today", [D(2026, 2, 1), D(2026, 5, 8), D(2026, 8, 31), D(2026, 10, 9), D(2027, 1, 4)])
def test_overdue_and_flagged_filters_agree_with_the_per_row_rules(many_findings, today):
    db = many_findings
    r = supervision.day_rules(db, today)
    every, _ = supervision.list_findings(db, today=today)
    overdue = {f["id"] for f in every if supervision.is_overdue(f, r)}
    flagged = {f["id"] for f in every if supervision.flag_reasons(f, r)}
    assert overdue and flagged and len(overdue) < len(every)  # the dates give a mix
    assert {f["id"] for f in every if f["overdue"]} == overdue
    assert {f["id"] for f in every if f["flagged"]} == flagged
    assert {f["id"] for f in supervision.list_findings(db, FindingFilter(overdue=True), today=today)[0]} == overdue
    assert {f["id"] for f in supervision.list_findings(db, FindingFilter(flagged=True), today=today)[0]} == flagged
    shown, total = supervision.list_findings(db, FindingFilter(flagged=True), limit=20, today=today)
    assert total == len(flagged) and len(shown) == 20
    assert [f["found_on"] for f in shown] == sorted((f["found_on"] for f in shown), reverse=True)
    counts = supervision.counts(db, today)
    assert (counts["overdue"], counts["flagged"]) == (len(overdue), len(flagged))
    assert counts["open"] == sum(1 for f in every if f["status"] != "已销号")


def test_text_search_finds_descriptions_and_site_names_word_by_word(many_findings):
    db = many_findings

    def ids(text):
        return {f["id"] for f in supervision.list_findings(db, FindingFilter(text=text))[0]}

    every, _ = supervision.list_findings(db)
    site = every[0]["site"]
    assert ids("垃圾堆积") == {f["id"] for f in every if "垃圾堆积" in f["description"] or "垃圾堆积" in f["site"]}
    assert ids("第12号") == {f["id"] for f in every if "第12号" in f["description"]}  # 3+ characters: the index
    assert ids("垃圾") == {f["id"] for f in every if "垃圾" in f["description"] or "垃圾" in f["site"]}  # LIKE
    assert ids(site) == {f["id"] for f in every if site in f["site"] or site in f["description"]}
    both = ids(f"第12号 {site}")  # every word must match
    assert both == ids("第12号") & ids(site)
    assert ids("100%") == set() and ids("_") == set()  # LIKE wildcards are plain characters


# --- 责任分解 and 目标责任书: groups are not expanded, results are the same -----------------------------

def _expanded(db, edition_id) -> dict[int, dict[int, bool]]:
    """unit → standard → leads? straight from the assignment_units view (the reference)."""
    out: dict[int, dict[int, bool]] = {}
    for r in db.rows("SELECT au.unit_id, au.node_id, au.role FROM assignment_units au"
                      " JOIN framework_nodes n ON n.id = au.node_id JOIN framework_nodes p ON p.id = n.parent_id"
                      " JOIN framework_nodes c ON c.id = p.parent_id WHERE n.edition_id = :p1 AND n.retired = 0"
                      " AND p.retired = 0 AND c.retired = 0", {"p1": edition_id}):
        held = out.setdefault(r["unit_id"], {})
        held[r["node_id"]] = held.get(r["node_id"], False) or r["role"] == "lead"
    return out


@pytest.fixture
def tangled(demo_db):
    """Direct assignments on top of group ones (both ways round), a retired street, a retired branch."""
    db = demo_db
    edition_id = framework.current_edition_id(db)
    street = units.resolve_one(db, "城关街道办事处")
    window_member = db.rows("SELECT unit_id FROM unit_group_members WHERE group_id = 5 LIMIT 1")[0]["unit_id"]
    by_group = db.rows("SELECT a.node_id, a.role, a.group_id FROM assignments a JOIN framework_nodes n"
                        " ON n.id = a.node_id WHERE n.edition_id = :p1 AND a.group_id IS NOT NULL ORDER BY a.node_id",
                    {"p1": edition_id})
    lead_node = next(r["node_id"] for r in by_group if r["role"] == "lead" and r["group_id"] in (1, 2))
    support_node = next((r["node_id"] for r in by_group if r["role"] == "support"), by_group[-1]["node_id"])
    with db.write():
        db.execute("INSERT INTO assignments (node_id, role, unit_id, position) VALUES (:p1, 'support', :p2, 9)",
                   {"p1": lead_node, "p2": street})
        db.execute("INSERT INTO assignments (node_id, role, unit_id, position) VALUES (:p1, 'lead', :p2, 9)",
                   {"p1": support_node, "p2": street})
        db.execute("INSERT INTO assignments (node_id, role, group_id, position) VALUES (:p1, 'support', 5, 9)",
                   {"p1": lead_node})
        db.execute("UPDATE units SET retired = 1 WHERE kind = '街道' AND id <> :p1", {"p1": street})
        db.execute("UPDATE units SET retired = 1 WHERE id = :p1", {"p1": window_member})
        indicator = db.rows("SELECT id FROM framework_nodes WHERE edition_id = :p1 AND level = 2"
                             " ORDER BY position DESC LIMIT 1", {"p1": edition_id})[0]["id"]
        db.execute("UPDATE framework_nodes SET retired = 1 WHERE id = :p1", {"p1": indicator})
    return db, edition_id


def test_unit_summary_and_tasks_agree_with_the_expanded_view(tangled):
    db, edition_id = tangled
    expected = _expanded(db, edition_id)
    order = [s["id"] for s in framework.standards_in_order(db, edition_id)]
    points = {s["id"]: s["points"] or 0 for s in framework.standards_in_order(db, edition_id)}
    summary = {r["id"]: r for r in framework.unit_summary(db, edition_id)}
    assert set(summary) == {u["id"] for u in units.list_units(db)}
    tasks = letters.tasks_by_unit(db, edition_id)
    status = {r["unit_id"]: r for r in letters.status_rows(db, 2026, edition_id, with_changes=False)}
    for unit_id, row in summary.items():
        held = expected.get(unit_id, {})
        lead = sum(held.values())
        assert (row["lead_count"], row["support_count"]) == (lead, len(held) - lead), row["name"]
        assert row["points"] == pytest.approx(sum(points[n] for n in held))
        want = [(n, "lead" if held[n] else "support") for n in order if n in held]
        assert [(t["id"], t["role"]) for t in tasks.get(unit_id, [])] == want, row["name"]
        assert [(t["id"], t["role"]) for t in framework.unit_standards(db, unit_id, edition_id)] == want
        assert (status[unit_id]["task_count"], status[unit_id]["lead_count"]) == (len(held), lead)
    assert letters.tasks_by_unit(db, edition_id, [next(iter(summary))]).keys() <= {next(iter(summary))}


def test_status_rows_without_changes_then_change_texts_give_the_full_rows(demo_db):
    edition_id = framework.current_edition_id(demo_db)
    full = letters.status_rows(demo_db, 2026, edition_id)
    quick = letters.status_rows(demo_db, 2026, edition_id, with_changes=False)
    texts = letters.change_texts(demo_db, 2026, edition_id)
    assert any(texts.values())
    for a, b in zip(full, quick):
        assert b["changed"] == b["change_text"] == ""
        b.update(change_text=texts.get(b["unit_id"], ""), changed="有变化" if texts.get(b["unit_id"]) else "")
        assert a == b


def test_letters_page_fills_the_change_column_after_showing(window, demo_db):
    from PySide6.QtWidgets import QApplication

    page = window.show_page("letters")
    page.refresh()
    assert not any(r["changed"] for r in page.model.rows())  # not yet compared
    QApplication.processEvents()
    changed = {r["name"] for r in page.model.rows() if r["changed"]}
    expected = {r["name"] for r in letters.status_rows(demo_db, 2026, framework.current_edition_id(demo_db))
                if r["changed"]}
    assert changed == expected and changed


# --- 档案材料: a change updates its row in place -----------------------------------------------------

@pytest.fixture
def materials_page(window, monkeypatch):
    page = window.show_page("materials")
    calls = []
    real = materials.checklist

    def counting(db, edition_id, *args, **kwargs):
        calls.append(kwargs.get("ids"))
        return real(db, edition_id, *args, **kwargs)

    monkeypatch.setattr(materials, "checklist", counting)
    page.checklist_calls = calls
    return page


def _status_shown(page, material_id):
    column = [c.key for c in page.checklist.model.columns].index("status")
    proxy = page.checklist.table.model()
    for row in range(proxy.rowCount()):
        if proxy.data(proxy.index(row, 0), page.checklist.model.ROW_ROLE)["id"] == material_id:
            return proxy.data(proxy.index(row, column))
    return None


def test_a_change_on_the_page_updates_its_row_in_place(materials_page, demo_db, qtmodeltester):
    page = materials_page
    row = next(r for r in page.checklist.all_rows if r["status"] == "待提交")
    assert page.select_material(row["id"])
    shown_before = page.checklist.model.rowCount()
    page.do_action("submit")
    assert page.checklist_calls == [{row["id"]}]  # that row read again, not the whole checklist
    assert _status_shown(page, row["id"]) == "已提交"
    assert page.current["id"] == row["id"] and page.current["status"] == "已提交"
    assert "已提交" in page.detail.status_label.text()
    assert page.checklist.model.rowCount() == shown_before and page.checklist.table.currentIndex().isValid()
    assert next(r for r in page.checklist.all_rows if r["id"] == row["id"])["status"] == "已提交"
    qtmodeltester.check(page.checklist.model)
    page.detail.title_edit.setText("改过的材料名称")
    page.save_current()
    assert next(r for r in page.checklist.model.rows() if r["id"] == row["id"])["title"] == "改过的材料名称"
    assert all(ids is not None for ids in page.checklist_calls)


def test_a_change_made_elsewhere_reloads_the_page(materials_page, demo_db):
    page = materials_page
    row = next(r for r in page.checklist.all_rows if r["status"] == "待提交")
    materials.change_status(demo_db, row["id"], "submit")  # the change announces itself when it commits
    assert None in page.checklist_calls  # the whole checklist again
    assert _status_shown(page, row["id"]) == "已提交"


def test_removing_and_adding_on_the_page(materials_page, demo_db, monkeypatch):
    page = materials_page
    monkeypatch.setattr("gui.dialogs.confirm", lambda *args, **kwargs: True)
    first, second = page.checklist.model.rows()[0], page.checklist.model.rows()[1]
    assert page.select_material(first["id"])
    total = len(page.checklist.all_rows)
    page.remove_material()
    assert first["id"] not in {r["id"] for r in page.checklist.model.rows()}
    assert len(page.checklist.all_rows) == total - 1
    assert f"{total - 1} / {total - 1} 项" in page.checklist.count_label.text()
    assert page.select_material(second["id"])
    monkeypatch.setattr("gui.views.materials.dialogs.ask_material_title", lambda parent, code: "补充的台账")
    page.add_material()
    ids = [r["id"] for r in page.checklist.all_rows]
    new = page.current
    assert new["title"] == "补充的台账" and new["node_id"] == second["node_id"]
    same_standard = [i for i, r in enumerate(page.checklist.all_rows) if r["node_id"] == second["node_id"]]
    assert ids.index(new["id"]) == same_standard[-1]  # last of its standard, as the tree orders it
    assert None not in page.checklist_calls  # neither change read the whole checklist
    assert [r["id"] for r in page.checklist.all_rows] == [
        r["id"] for r in materials.checklist(demo_db, page.edition_id)]


def test_checklist_of_some_ids_or_one_unit_matches_the_full_list(demo_db):
    edition_id = framework.current_edition_id(demo_db)
    every = materials.checklist(demo_db, edition_id)
    some = [every[3]["id"], every[40]["id"], every[7]["id"]]
    assert materials.checklist(demo_db, edition_id, ids=some) == [r for r in every if r["id"] in some]
    unit_id = every[0]["unit_id"]
    assert materials.checklist(demo_db, edition_id, unit_id=unit_id) == [r for r in every if r["unit_id"] == unit_id]
    assert materials.checklist(demo_db, edition_id, status="已归档") == [r for r in every if r["status"] == "已归档"]
    assert materials.get_material(demo_db, some[0]) == every[3]


# --- 丢分分析: attribution through groups -------------------------------------------------------------

def test_lines_carry_named_units_in_order_and_street_leads_narrow_to_the_locality(demo_db):
    db = demo_db
    round_id = scoring.list_rounds(db)[-1]["id"]
    found = scoring.lines(db, round_id)
    for line in found:
        named = db.rows("SELECT x.unit_id, u.name FROM score_result_units x JOIN units u ON u.id = x.unit_id"
                         " WHERE x.result_id = :p1 ORDER BY x.position", {"p1": line["id"]})
        assert line["unit_ids"] == [r["unit_id"] for r in named]
        assert line["unit_names"] == "、".join(r["name"] for r in named)
    shares, _ = scoring.attribute(db, round_id, split=False, locality=False)
    streets = [u["id"] for u in units.list_units(db) if u["kind"] == "街道"]
    street_led = {r["node_id"] for r in db.rows("SELECT node_id FROM assignments WHERE role = 'lead'"
                                                 " AND group_id IN (1, 2)")}
    by_line: dict[int, list] = {}
    for s in shares:
        by_line.setdefault(s["line"]["id"], []).append((s["unit_id"], s["how"]))
    checked = 0
    for line in found:
        if line["unit_ids"] or line["node_id"] not in street_led:
            continue
        if line["locality_unit_id"] in streets:
            assert by_line[line["id"]] == [(line["locality_unit_id"], "lead")]
        else:
            assert set(streets) <= {u for u, _ in by_line[line["id"]]}
        checked += 1
    assert checked


@pytest.mark.parametrize("split", [False, True])
@pytest.mark.parametrize("locality", [False, True])
def test_unit_report_without_share_dicts_equals_the_report_over_shares(demo_db, split, locality):
    for rnd in scoring.list_rounds(demo_db):
        shares, _ = scoring.attribute(demo_db, rnd["id"], split, locality)
        assert scoring.report_by_unit(demo_db, rnd["id"], split, locality) == \
            scoring.report_by_unit(demo_db, rnd["id"], split, locality, shares=shares)
