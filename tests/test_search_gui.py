"""Global search in the window: from the keyboard (Ctrl+K or the toolbar box) a hit of every kind
opens its record in its page, and the results model passes Qt's model tester."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from core import search


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
    standard = db.rows("SELECT id, title FROM framework_nodes WHERE level = 3 AND edition_id = :p1 LIMIT 1 OFFSET 5",
                    {"p1": edition})[0]
    _search_and_open(qtbot, window, standard["title"], "标准", standard["id"])
    assert window.current_page().key == "framework"
    assert window.current_page().selected_node()["id"] == standard["id"]

    unit = db.rows("SELECT id, name FROM units WHERE retired = 0 ORDER BY id DESC LIMIT 1")[0]
    _search_and_open(qtbot, window, unit["name"], "单位", unit["id"])
    page = window.current_page()
    assert page.key == "units"
    assert [r["id"] for r in selected_rows(page.table)] == [unit["id"]]

    material = db.rows("SELECT id, title FROM materials WHERE removed = 0 ORDER BY id DESC LIMIT 1")[0]
    _search_and_open(qtbot, window, material["title"], "材料", material["id"])
    assert window.current_page().key == "materials"
    assert window.current_page().current["id"] == material["id"]

    finding = db.rows("SELECT id, description FROM findings ORDER BY id LIMIT 1")[0]
    _search_and_open(qtbot, window, finding["description"], "问题", finding["id"])
    assert window.current_page().key == "supervision"
    assert window.current_page().selected_finding_ids() == [finding["id"]]

    notice = db.rows("SELECT id, number FROM notices ORDER BY id LIMIT 1")[0]
    _search_and_open(qtbot, window, notice["number"], "通知", notice["id"])
    page = window.current_page()
    assert page.key == "supervision"
    chosen = [page.notice_table.model().data(i, RowsTableModel.ROW_ROLE)["id"]
              for i in page.notice_table.selectionModel().selectedRows()]
    assert chosen == [notice["id"]]

    result = db.rows("SELECT r.id, r.item, r.site FROM score_results r WHERE r.site <> '' ORDER BY r.id DESC LIMIT 1")[0]
    _search_and_open(qtbot, window, f"{result['item']} {result['site']}", "结果", result["id"])
    page = window.current_page()
    assert page.key == "scoring"
    chosen = [page.lines_table.model().data(i, RowsTableModel.ROW_ROLE)["id"]
              for i in page.lines_table.selectionModel().selectedRows()]
    assert chosen == [result["id"]]

    # 附件: a photo of a finding opens that finding; a signed letter's scan opens the unit's letter.
    photo = db.rows("SELECT id, original_name, owner_id FROM attachments WHERE owner_table = 'findings'"
                     " ORDER BY id DESC LIMIT 1")[0]
    _search_and_open(qtbot, window, photo["original_name"], "附件", photo["id"])
    assert window.current_page().key == "supervision"
    assert window.current_page().selected_finding_ids() == [photo["owner_id"]]

    scan_unit = db.rows("SELECT DISTINCT a.unit_id FROM assignments a WHERE a.unit_id IS NOT NULL LIMIT 1")[0]["unit_id"]
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
    finding = demo_db.rows("SELECT id, description FROM findings WHERE status = '已销号' LIMIT 1")
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


def test_a_finding_older_than_the_list_shows_is_opened_too(qtbot, window, demo_db, monkeypatch):
    import gui.views.supervision.findings_tab as view

    monkeypatch.setattr(view, "LIST_LIMIT", 2)  # the list shows only the newest two
    oldest = demo_db.rows("SELECT id, description FROM findings ORDER BY found_on, id LIMIT 1")[0]
    _search_and_open(qtbot, window, oldest["description"], "问题", oldest["id"])
    assert window.current_page().selected_finding_ids() == [oldest["id"]]
