"""The 督查督办 page driven with qtbot: keyboard entry, filters, models, notices from the page."""

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from core import supervision, units  # noqa: E402
from core.supervision import FindingFilter, sites  # noqa: E402
from test_supervision import office  # noqa: E402,F401 - fixture


@pytest.fixture
def page(qtbot, office, data_dir):  # noqa: F811
    from gui.main_window import MainWindow

    sites.create_site(office, {"name": "人民路", "site_type": "主干道"}, units.resolve_one(office, "城关街道办事处"),
                      [units.resolve_one(office, "区城管局")])
    w = MainWindow(office, data_dir, "测试员")
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    return w.show_page("supervision")


def test_models_pass_qtmodeltester(qtmodeltester, demo_db):
    from gui.models.table import RowsTableModel
    from gui.views.supervision import models as view

    model = view.FindingsModel(view.FINDING_COLUMNS)
    model.set_rows(supervision.list_findings(demo_db)[0])
    qtmodeltester.check(model)
    for columns, data in [(view.NOTICE_COLUMNS, supervision.list_notices(demo_db)),
                          (view.OWES_COLUMNS, supervision.unit_owes(demo_db)),
                          (view.SITE_COLUMNS, sites.list_sites(demo_db, include_retired=True)),
                          (view.HISTORY_COLUMNS, supervision.history(demo_db, 4))]:
        m = RowsTableModel(columns)
        m.set_rows(data)
        assert m.rowCount()
        qtmodeltester.check(m)


def test_overdue_rows_are_red_and_flagged_rows_shaded(demo_db):
    from gui.views.supervision import models as view

    model = view.FindingsModel(view.FINDING_COLUMNS)
    model.set_rows(supervision.list_findings(demo_db)[0])
    rows = model.rows()
    late = next(i for i, r in enumerate(rows) if r["overdue"])
    flagged = next(i for i, r in enumerate(rows) if r["flagged"])
    plain = next(i for i, r in enumerate(rows) if not r["overdue"] and not r["flagged"])
    description = [c.key for c in view.FINDING_COLUMNS].index("description")
    assert model.data(model.index(late, description), Qt.ForegroundRole).color() == view.OVERDUE_COLOUR
    assert model.data(model.index(flagged, description), Qt.BackgroundRole).color() == view.FLAG_BACKGROUND
    assert model.data(model.index(plain, description), Qt.ForegroundRole) is None


def test_entry_form_by_keyboard(qtbot, page, office):  # noqa: F811
    form = page.entry
    form.site.setFocus()
    form.site.lineEdit().setText("人民路")  # QTest cannot type Chinese
    qtbot.keyClick(form.site, Qt.Key_Tab)  # the 点位 is known: 新点位类型 is skipped
    assert not form.site_type.isEnabled()
    assert form.standard.hasFocus()
    qtbot.keyClicks(form.standard, "5.1.1")
    qtbot.keyClick(form.standard, Qt.Key_Tab)
    assert form.description.hasFocus()
    form.description.setPlainText("人行道垃圾堆积")
    qtbot.keyClick(form.description, Qt.Key_Tab)  # Tab leaves the text box instead of typing a tab
    assert form.unit.hasFocus() or form.unit.lineEdit().hasFocus()
    qtbot.keyClick(form.unit, Qt.Key_Tab)
    qtbot.keyClick(form.support, Qt.Key_Tab)
    assert form.severity.hasFocus()
    qtbot.keyClick(form.severity, Qt.Key_Down)  # 一般 → 较重
    qtbot.keyClick(form.severity, Qt.Key_Return, Qt.ControlModifier)
    found, total = supervision.list_findings(office)
    assert total == 1
    f = supervision.get_finding(office, found[0]["id"])
    assert (f["site"], f["standard_code"], f["description"], f["severity"], f["unit"]) == (
        "人民路", "5.1.1", "人行道垃圾堆积", "较重", "区城管局")
    assert form.description.toPlainText() == "" and form.site.currentText() == "人民路"  # ready for the next
    assert page.findings_model.rowCount() == 1 and page.selected_finding_ids() == [f["id"]]
    assert page.photos.owner_id == f["id"]


def test_entry_form_adds_new_site_and_refuses_bad_input(qtbot, page, office, monkeypatch):  # noqa: F811
    shown = []
    monkeypatch.setattr("gui.dialogs.QMessageBox.exec", lambda self: shown.append(self.text()) or 0)
    form = page.entry
    form.site.lineEdit().setText("新华巷")
    form.site_type.setCurrentText("背街小巷")
    form.description.setPlainText("墙面小广告")
    assert form.save() is None  # the new 点位 has no unit and no 属地, and no standard is named
    assert "责任单位" in shown[-1]
    form.unit.setEditText("区住建局")
    assert form.save()
    assert sites.find_site(office, "新华巷")
    units.retire_unit(office, units.resolve_one(office, "区司法局"))
    form.description.setPlainText("另一问题")
    form.unit.setEditText("区司法局")
    assert form.save() is None and "已停用" in shown[-1]
    assert supervision.list_findings(office)[1] == 1


def test_filters_and_issue_from_page(qtbot, page, office, monkeypatch):  # noqa: F811
    site = sites.find_site(office, "人民路")
    ids = [supervision.create_finding(office, {"found_on": "2026-10-08", "source": "明察暗访", "site_id": site,
                                               "description": f"问题{i}"}) for i in range(3)]
    page.refresh()
    assert page.findings_model.rowCount() == 3
    page.f_text.setText("问题1")
    assert [r["id"] for r in page.findings_model.rows()] == [ids[1]]
    page.f_text.clear()
    page.findings_table.selectAll()
    monkeypatch.setattr("gui.views.supervision.dialogs.FormDialog.exec", lambda self: True)
    monkeypatch.setattr("gui.dialogs.QMessageBox.exec", lambda self: 0)
    page.issue_notice()
    assert [n["number"] for n in supervision.list_notices(office)] == ["X创城督〔2026〕1号"]
    page.f_status.setCurrentIndex(page.f_status.findData("已交办"))
    assert page.findings_model.rowCount() == 3
    page.f_status.setCurrentIndex(page.f_status.findData("待交办"))
    assert page.findings_model.rowCount() == 0
    assert page.notice_model.rowCount() == 1
    assert supervision.list_findings(office, FindingFilter(status="已交办"))[1] == 3


def test_navigation_lists_the_page(page):
    window = page.window_
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert "督查督办" in titles
    assert page.tabs.tabText(0) == "问题清单" and page.tabs.count() == 5
