"""Global search: the index follows every change, short Chinese queries work, the command line prints
tab-separated hits, and from the keyboard a hit of every kind opens its record in its page."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from core import search, units
from core.db import rows, scalar


def kinds_and_ids(hits):
    return {(h.kind, h.id) for h in hits}


def test_each_kind_is_found_by_a_word_of_its_title(demo_db):
    db = demo_db
    edition = scalar(db, "SELECT value FROM settings WHERE key = 'current_edition_id'")
    standard = rows(db, "SELECT id, title FROM framework_nodes WHERE level = 3 AND edition_id = ? LIMIT 1",
                    (int(edition),))[0]
    unit = rows(db, "SELECT id, name FROM units WHERE retired = 0 LIMIT 1")[0]
    material = rows(db, "SELECT id, title FROM materials WHERE removed = 0 LIMIT 1")[0]
    attachment = rows(db, "SELECT id, original_name FROM attachments LIMIT 1")[0]
    finding = rows(db, "SELECT id, description FROM findings LIMIT 1")[0]
    notice = rows(db, "SELECT id, number FROM notices LIMIT 1")[0]
    result = rows(db, "SELECT id, item FROM score_results WHERE item <> '' LIMIT 1")[0]
    for kind, record_id, text in [("标准", standard["id"], standard["title"]), ("单位", unit["id"], unit["name"]),
                                  ("材料", material["id"], material["title"]),
                                  ("附件", attachment["id"], attachment["original_name"]),
                                  ("问题", finding["id"], finding["description"]),
                                  ("通知", notice["id"], notice["number"]), ("结果", result["id"], result["item"])]:
        hits = search.search_kind(db, kind, text, limit=500)
        assert record_id in {h.id for h in hits}, (kind, text)
        assert all(h.kind == kind for h in hits)


def test_one_and_two_character_queries_and_several_words(demo_db):
    db = demo_db
    two = search.search(db, "市场", limit=200)
    direct = scalar(db, "SELECT count(*) FROM units WHERE (name LIKE '%市场%' OR short_name LIKE '%市场%')"
                        " AND merged_into IS NULL")
    assert sum(1 for h in two if h.kind == "单位") == direct >= 1
    one = search.search_kind(db, "问题", "污", limit=500)
    assert {h.id for h in one} == {r["id"] for r in rows(
        db, "SELECT f.id FROM findings f JOIN sites s ON s.id = f.site_id"
            " WHERE f.description LIKE '%污%' OR s.name LIKE '%污%'")}
    both = search.search_kind(db, "标准", "农贸市场 占道", limit=50)
    assert both and all("农贸市场" in h.title and "占道" in h.title for h in both)


def test_query_text_cannot_break_the_query(demo_db):
    for text in ['"', "100%", "a_b", "'; DROP TABLE units; --", "NEAR(", "*", "标准 OR", "\\"]:
        search.search(demo_db, text)  # no exception
    assert scalar(demo_db, "SELECT count(*) FROM units") > 0
    assert search.search(demo_db, "   ") == []


def test_index_follows_changes(demo_db):
    db = demo_db
    unit = rows(db, "SELECT id, name FROM units WHERE retired = 0 LIMIT 1")[0]
    units.rename_unit(db, unit["id"], "区新组建测试中心")
    hits = search.search_kind(db, "单位", "新组建测试", limit=10)
    assert [h.id for h in hits] == [unit["id"]]
    former = search.search_kind(db, "单位", unit["name"], limit=50)
    assert unit["id"] in {h.id for h in former}  # found by its former name too
    assert "曾用名" in next(h for h in former if h.id == unit["id"]).detail
    with db.conn:
        db.execute("UPDATE materials SET title = '独一无二的台账材料' WHERE id = (SELECT min(id) FROM materials)")
    assert len(search.search_kind(db, "材料", "独一无二", limit=10)) == 1
    with db.conn:
        db.execute("DELETE FROM materials WHERE title = '独一无二的台账材料'"
                   " AND id NOT IN (SELECT owner_id FROM attachments WHERE owner_table = 'materials')")
    left = scalar(db, "SELECT count(*) FROM materials WHERE title = '独一无二的台账材料'")
    assert len(search.search_kind(db, "材料", "独一无二", limit=10)) == left


def test_rebuild_matches_the_triggers(demo_db):
    before = {t: rows(demo_db, f"SELECT rowid, title, detail FROM {t} ORDER BY rowid") for t in
              ("fts_units", "fts_findings", "fts_results")}
    search.rebuild(demo_db)
    after = {t: rows(demo_db, f"SELECT rowid, title, detail FROM {t} ORDER BY rowid") for t in before}
    assert before == after


def test_total_limit_keeps_every_kind(demo_db):
    hits = search.search(demo_db, "区", limit=7)
    assert len(hits) == 7
    assert len({h.kind for h in hits}) >= 3  # a fair share, not seven of the first kind


def test_cli_prints_kind_id_title(demo_db, data_dir, capsys):
    from main import main

    demo_db.conn.close()
    assert main(["--data", str(data_dir.root), "search", "农贸市场", "--limit", "5"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert 1 <= len(lines) <= 5
    for line in lines:
        kind, record_id, title = line.split("\t")
        assert kind in search.KINDS and record_id.isdigit() and title
    assert main(["--data", str(data_dir.root), "search", " "]) == 2
    assert main(["--data", str(data_dir.root), "search", "x", "--limit", "0"]) == 2


# --- from the keyboard to the record ------------------------------------------------------------

def _search_and_open(qtbot, window, text: str, kind: str, record_id: int):
    window.activateWindow()  # offscreen, focus does not come back by itself after a dialog closes
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window, Qt.Key_K, Qt.ControlModifier)
    dialog = window.search_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.edit.setText(text)  # QTest cannot type Chinese; the dialog searches on its own timer
    qtbot.waitUntil(lambda: bool(dialog.model.hit_rows()), timeout=3000)
    for _ in range(60):  # walk down the hits with the arrow key until the wanted one is current
        hit = dialog.model.data(dialog.list.currentIndex(), dialog.model.HIT_ROLE)
        if hit and hit.kind == kind and hit.id == record_id:
            break
        qtbot.keyClick(dialog.edit, Qt.Key_Down)
    else:
        pytest.fail(f"{kind} {record_id} not reachable with ↓ for “{text}”")
    qtbot.keyClick(dialog.edit, Qt.Key_Return)
    assert not dialog.isVisible()


def test_keyboard_search_opens_every_kind(qtbot, window, demo_db, tmp_path):
    from core import letters, settings
    from gui.models.table import RowsTableModel
    from gui.widgets.tables import selected_rows

    db = demo_db
    edition = settings.get(db, "current_edition_id")
    standard = rows(db, "SELECT id, title FROM framework_nodes WHERE level = 3 AND edition_id = ? LIMIT 1 OFFSET 5",
                    (edition,))[0]
    _search_and_open(qtbot, window, standard["title"], "标准", standard["id"])
    assert window.current_page().key == "framework"
    assert window.current_page().selected_node()["id"] == standard["id"]

    unit = rows(db, "SELECT id, name FROM units WHERE retired = 0 ORDER BY id DESC LIMIT 1")[0]
    _search_and_open(qtbot, window, unit["name"], "单位", unit["id"])
    page = window.current_page()
    assert page.key == "units"
    assert [r["id"] for r in selected_rows(page.table)] == [unit["id"]]

    material = rows(db, "SELECT id, title FROM materials WHERE removed = 0 ORDER BY id DESC LIMIT 1")[0]
    _search_and_open(qtbot, window, material["title"], "材料", material["id"])
    assert window.current_page().key == "materials"
    assert window.current_page().current["id"] == material["id"]

    finding = rows(db, "SELECT id, description FROM findings ORDER BY id LIMIT 1")[0]
    _search_and_open(qtbot, window, finding["description"], "问题", finding["id"])
    assert window.current_page().key == "supervision"
    assert window.current_page().selected_finding_ids() == [finding["id"]]

    notice = rows(db, "SELECT id, number FROM notices ORDER BY id LIMIT 1")[0]
    _search_and_open(qtbot, window, notice["number"], "通知", notice["id"])
    page = window.current_page()
    assert page.key == "supervision"
    chosen = [page.notice_table.model().data(i, RowsTableModel.ROW_ROLE)["id"]
              for i in page.notice_table.selectionModel().selectedRows()]
    assert chosen == [notice["id"]]

    result = rows(db, "SELECT r.id, r.item, r.site FROM score_results r WHERE r.site <> '' ORDER BY r.id DESC LIMIT 1")[0]
    _search_and_open(qtbot, window, f"{result['item']} {result['site']}", "结果", result["id"])
    page = window.current_page()
    assert page.key == "scoring"
    chosen = [page.lines_table.model().data(i, RowsTableModel.ROW_ROLE)["id"]
              for i in page.lines_table.selectionModel().selectedRows()]
    assert chosen == [result["id"]]

    # 附件: a photo of a finding opens that finding; a signed letter's scan opens the unit's letter.
    photo = rows(db, "SELECT id, original_name, owner_id FROM attachments WHERE owner_table = 'findings'"
                     " ORDER BY id DESC LIMIT 1")[0]
    _search_and_open(qtbot, window, photo["original_name"], "附件", photo["id"])
    assert window.current_page().key == "supervision"
    assert window.current_page().selected_finding_ids() == [photo["owner_id"]]

    scan_unit = rows(db, "SELECT DISTINCT a.unit_id FROM assignments a WHERE a.unit_id IS NOT NULL LIMIT 1")[0]["unit_id"]
    year = settings.get(db, "current_year")
    scan = tmp_path / "签字盖章扫描件甲.pdf"
    scan.write_bytes(b"%PDF-1.4\n%%EOF\n")
    scan_id = letters.attach_signed_copy(db, year, scan_unit, scan)
    _search_and_open(qtbot, window, "签字盖章扫描件甲", "附件", scan_id)
    page = window.current_page()
    assert page.key == "letters"
    assert [r["unit_id"] for r in page.selected_units()] == [scan_unit]


def test_search_box_in_the_toolbar_carries_the_typing(qtbot, window):
    qtbot.keyClicks(window.search_box, "abc")
    dialog = window.search_dialog
    assert dialog.isVisible() and dialog.edit.text() == "abc"
    assert window.search_box.text() == ""


def test_opening_a_record_clears_a_filter_that_hides_it(qtbot, window, demo_db):
    finding = rows(demo_db, "SELECT id, description FROM findings WHERE status = '已销号' LIMIT 1")
    if not finding:
        pytest.skip("demo has no closed finding")
    page = window.show_page("supervision")
    page.f_status.setCurrentIndex(page.f_status.findData("open"))  # hides closed findings
    _search_and_open(qtbot, window, finding[0]["description"], "问题", finding[0]["id"])
    assert window.current_page().selected_finding_ids() == [finding[0]["id"]]


def test_results_model_passes_the_model_tester(qtmodeltester, demo_db):
    from gui.dialogs.search import SearchResultsModel

    model = SearchResultsModel()
    model.set_hits(search.search(demo_db, "市场"))
    qtmodeltester.check(model)
    headings = [model.index(r).data() for r in range(model.rowCount()) if r not in model.hit_rows()]
    assert headings and all("（" in h for h in headings)


@pytest.mark.parametrize("text", ["整改到位", "街", "市场"])
def test_every_kind_starts_from_the_search_index(demo_db, text):
    """The index answers first and each hit's record is fetched by its id; never a walk over the
    records running the match per row (4.5 s at 10x before CROSS JOIN)."""
    for kind in search.KINDS:
        query = search.kind_query(demo_db, kind, text, 50)
        if query is None:
            continue
        plan = [r["detail"] for r in rows(demo_db, "EXPLAIN QUERY PLAN " + query[0], query[1])]
        assert plan[0].startswith("SCAN s VIRTUAL TABLE"), (kind, plan)
        assert all("SCAN" not in step for step in plan[1:]), (kind, plan)


def test_a_finding_older_than_the_list_shows_is_opened_too(qtbot, window, demo_db, monkeypatch):
    import gui.views.supervision.findings_tab as view

    monkeypatch.setattr(view, "LIST_LIMIT", 2)  # the list shows only the newest two
    oldest = rows(demo_db, "SELECT id, description FROM findings ORDER BY found_on, id LIMIT 1")[0]
    _search_and_open(qtbot, window, oldest["description"], "问题", oldest["id"])
    assert window.current_page().selected_finding_ids() == [oldest["id"]]
