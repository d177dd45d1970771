"""首页: every figure equals what a direct count over the database gives, and each opens its list."""

from __future__ import annotations

import datetime as dt

from core import home, materials, safety, settings, supervision


def test_figures_equal_direct_counts(demo_db, data_dir):
    db = demo_db
    today = dt.date(2026, 11, 23)
    f = home.overview(db, data_dir, today)

    assert f["findings_open"] == db.value("SELECT count(*) FROM findings WHERE status <> '已销号'")
    # overdue and 挂牌 by the per-row rules the 督查督办 list applies
    listed, _ = supervision.list_findings(db, today=today)
    assert f["findings_overdue"] == sum(1 for r in listed if r["overdue"])
    assert f["findings_flagged"] == sum(1 for r in listed if r["flagged"])
    owes = {}
    for r in listed:
        if r["status"] != "已销号":
            owes[r["unit_id"]] = owes.get(r["unit_id"], 0) + 1
    assert f["owing_most"][0]["open"] == max(owes.values())
    for u in f["owing_most"]:
        assert u["open"] == owes[u["unit_id"]]

    edition = settings.get(db, "current_edition_id")
    by_name = {c["name"]: c for c in materials.completeness(db, edition, "category")}
    assert f["coverage"], "demo has materials"
    for c in f["coverage"]:
        direct = db.value("""SELECT count(*) FROM materials m JOIN framework_nodes n ON n.id = m.node_id
                                 JOIN framework_nodes p ON p.id = n.parent_id
                                WHERE p.parent_id = :p1 AND m.removed = 0 AND m.edition_id = :p2""",
                        {"p1": c["category_id"], "p2": edition})
        assert c["materials"] == direct
        if direct:
            same = by_name[c["name"]]
            assert (c["approved"], c["points"], c["covered_points"]) == (
                same["approved"], same["points"], same["covered_points"])

    year = settings.get(db, "current_year")
    with_tasks = {r["unit_id"] for r in db.rows("""
        SELECT DISTINCT au.unit_id FROM assignment_units au JOIN framework_nodes n ON n.id = au.node_id
         JOIN units u ON u.id = au.unit_id
         WHERE n.edition_id = :p1 AND n.retired = 0 AND u.retired = 0""", {"p1": edition})}
    signed = {r["unit_id"] for r in db.rows("SELECT unit_id FROM letter_status WHERE year = :p1 AND state = '已签订'",
                                         {"p1": year})}
    assert f["letters_unsigned"] == len(with_tasks - signed)

    last = db.rows("SELECT id, name FROM score_rounds ORDER BY held_on DESC, id DESC LIMIT 1")[0]
    assert f["last_round"]["name"] == last["name"]
    full, score = db.rows("SELECT sum(full_points) AS f, sum(score) AS s FROM score_results WHERE round_id = :p1",
                       {"p1": last["id"]})[0].values()
    assert abs(f["last_round"]["loss"] - (full - score)) < 0.01
    assert f["last_round"]["losing_most"] == sorted(f["last_round"]["losing_most"], key=lambda u: -u["loss"])

    next_date = settings.get(db, "next_assessment_date")
    assert f["days_to_assessment"] == (dt.date.fromisoformat(next_date) - today).days


def test_the_age_of_the_last_backup(demo_db, data_dir):
    today = dt.date(2026, 11, 23)
    assert home.overview(demo_db, data_dir, today)["backup_age_days"] is None
    safety.make_backup(data_dir, demo_db)
    assert home.overview(demo_db, data_dir, today)["backup_age_days"] < 0.01


def test_days_to_the_next_assessment_count_from_the_clock(db, data_dir, monkeypatch):
    settings.set(db, "next_assessment_date", "2026-12-10")
    monkeypatch.setenv("CHUANGCHENG_TODAY", "2026-11-23")
    f = home.overview(db, data_dir)
    assert f["today"] == "2026-11-23" and f["days_to_assessment"] == 17


def test_no_data_yet(db, data_dir):
    f = home.overview(db, data_dir)
    assert f["coverage"] == [] and f["last_round"] is None and f["findings_open"] == 0
    assert f["days_to_assessment"] is None


def _home_with_last_round(qtbot, window):
    page = window.current_page()
    assert page.key == "home"
    assert "正在统计" in page.round.text() or page.figures["last_round"]  # comes in the background
    qtbot.waitUntil(lambda: page.figures.get("last_round") is not None, timeout=10000)
    return page


def test_home_is_the_first_page_and_shows_the_figures(qtbot, window):
    page = _home_with_last_round(qtbot, window)
    f = page.figures
    assert page.findings_open.text().startswith(str(f["findings_open"]))
    assert page.findings_overdue.text().startswith(str(f["findings_overdue"]))
    assert page.letters.text().startswith(str(f["letters_unsigned"]))
    assert f["last_round"]["name"] in page.round.text()
    assert page.assessment.text().startswith(f"{f['days_to_assessment']} 天")


def test_each_figure_opens_its_list(qtbot, window, demo_db):
    from gui.widgets.tables import selected_rows

    home_page = _home_with_last_round(qtbot, window)
    f = home_page.figures

    home_page.findings_overdue.click()
    page = window.current_page()
    assert page.key == "supervision" and page.f_overdue.isChecked()
    assert page.findings_table.model().rowCount() == f["findings_overdue"]

    window.show_page("home")
    home_page.findings_flagged.click()
    page = window.current_page()
    assert page.tabs.currentIndex() == 2 and page.flag_model.rowCount() == f["findings_flagged"]

    window.show_page("home")
    home_page.findings_open.click()
    assert window.current_page().findings_table.model().rowCount() == f["findings_open"]

    window.show_page("home")
    owing = f["owing_most"][0]
    home_page.owing.itemAt(0).widget().click()
    page = window.current_page()
    assert page.f_unit.currentData() == owing["unit_id"]
    assert page.findings_table.model().rowCount() == owing["open"]

    window.show_page("home")
    home_page.letters.click()
    page = window.current_page()
    assert page.key == "letters" and page.state_filter.currentText() == "未签订"
    assert page.table.model().rowCount() == f["letters_unsigned"]

    window.show_page("home")
    home_page.round.click()
    page = window.current_page()
    assert page.key == "scoring" and page.current_round_id() == f["last_round"]["id"]

    window.show_page("home")
    home_page.losing.itemAt(0).widget().click()
    page = window.current_page()
    assert [r["unit_id"] for r in selected_rows(page.report_table)] == [f["last_round"]["losing_most"][0]["unit_id"]]

    window.show_page("home")
    category = next(c for c in f["coverage"] if c["materials"])
    row = [c["category_id"] for c in f["coverage"]].index(category["category_id"])
    home_page.chart.row_clicked.emit(row)
    page = window.current_page()
    assert page.key == "materials" and page.checklist.category_box.currentData() == category["category_id"]
    assert page.checklist.table.model().rowCount() == category["materials"]

    window.show_page("home")
    home_page.backup.click()
    assert window.current_page().key == "safety"


def test_chart_click_position_maps_to_the_bar(qtbot, window):
    chart = window.current_page().chart
    y = chart._top() + chart._row_height() * 1 + 5
    assert chart.row_at(y) == 1
    assert chart.row_at(chart._top() - 1) is None


def test_new_year_is_offered_on_home(qtbot, window):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    seen = []

    def look():
        wizard = QApplication.activeModalWidget()
        seen.append(type(wizard).__name__)
        wizard.reject()

    QTimer.singleShot(0, look)
    window.current_page().new_year.click()
    assert seen == ["NewYearWizard"]
    assert window.current_page().key == "framework"  # the wizard belongs to the framework page


def test_a_retired_unit_owing_opens_its_own_findings(qtbot, window, demo_db):
    from core import units

    owing = demo_db.rows("SELECT unit_id, count(*) AS n FROM findings WHERE status <> '已销号'"
                          " GROUP BY unit_id ORDER BY n DESC LIMIT 1")[0]
    with demo_db.conn:  # retired behind the page's back, as after a 机构改革
        demo_db.execute("UPDATE units SET retired = 1 WHERE id = :p1", {"p1": owing["unit_id"]})
    page = window.show_page("supervision")
    page.refresh()
    page.open_list("unit", owing["unit_id"])
    assert page.f_unit.currentData() == owing["unit_id"]
    assert page.findings_table.model().rowCount() == owing["n"]
    assert units.get_unit(demo_db, owing["unit_id"])["name"] in page.f_unit.currentText()


def test_slow_figures_that_fail_say_so_on_their_cards(qtbot, window, monkeypatch):
    from core.errors import AppError

    shown = []
    monkeypatch.setattr("gui.dialogs.show_error", lambda parent, title, exc: shown.append(str(exc)))
    monkeypatch.setattr("core.home.slow_figures", lambda db, today=None: (_ for _ in ()).throw(AppError("服务器忙")))
    page = window.show_page("home")
    page.refresh()
    qtbot.waitUntil(lambda: page.remind.text().startswith("未能统计"), timeout=10000)
    assert page.round.text().startswith("未能统计") and shown == ["服务器忙"]
