"""What the interface remembers between runs: column widths and sort, filters, and the font size."""

import json

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QDate, QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from core import supervision, units  # noqa: E402


def open_window(qtbot, db, data):
    from gui.main_window import MainWindow

    w = MainWindow(db, data, "测试员")
    qtbot.addWidget(w)
    w.show()
    return w


def column_values(view, column: int) -> list[str]:
    proxy = view.model()
    return [proxy.index(row, column).data() for row in range(proxy.rowCount())]


@pytest.fixture
def app_font():
    """The font scale changes the application font, which outlives the test."""
    font = QApplication.font()
    yield
    QApplication.setFont(font)


def test_lists_and_filters_come_back_after_a_restart(qtbot, demo_db, data_dir):
    w = open_window(qtbot, demo_db, data_dir)

    page = w.show_page("units")
    page.table.setColumnWidth(0, 313)
    page.table.sortByColumn(1, Qt.DescendingOrder)
    page.show_retired.setChecked(True)
    page.filter.setText("局")
    units_left = column_values(page.table, 0)
    assert 0 < len(units_left) < len(units.list_units(demo_db))

    page = w.show_page("supervision")
    page.findings_table.setColumnWidth(7, 333)
    page.findings_table.sortByColumn(1, Qt.AscendingOrder)
    owes = max(supervision.unit_owes(demo_db), key=lambda r: r["overdue"])
    page.f_status.setCurrentIndex(page.f_status.findData("open"))
    page.f_unit.setCurrentIndex(page.f_unit.findData(owes["unit_id"]))
    page.f_overdue.setChecked(True)
    assert len(column_values(page.findings_table, 0)) == owes["overdue"] > 1
    page.f_text.setText("公厕")
    findings_left = column_values(page.findings_table, 0)
    assert 0 < len(findings_left) < owes["overdue"]

    page = w.show_page("framework")
    page.tree.setColumnWidth(0, 377)
    page.text.setText("公共")
    field_visits = page.method.findText("实地考察")
    page.method.setCurrentIndex(field_visits)
    page.method.activated.emit(field_visits)
    framework_summary = page.summary.text()
    assert "筛选出" in framework_summary
    w.close()

    w2 = open_window(qtbot, demo_db, data_dir)
    assert w2.current_page().key == "framework"
    page = w2.current_page()
    assert page.tree.columnWidth(0) == 377
    assert page.text.text() == "公共" and page.method.currentText() == "实地考察"
    assert page.summary.text() == framework_summary

    page = w2.show_page("units")
    header = page.table.horizontalHeader()
    assert page.table.columnWidth(0) == 313
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (1, Qt.DescendingOrder)
    assert page.table.model().sortColumn() == 1
    assert page.filter.text() == "局" and page.show_retired.isChecked()
    assert column_values(page.table, 0) == units_left

    page = w2.show_page("supervision")
    assert page.findings_table.columnWidth(7) == 333
    assert page.findings_table.model().sortColumn() == 1
    assert page.f_status.currentData() == "open" and page.f_unit.currentData() == owes["unit_id"]
    assert page.f_overdue.isChecked() and page.f_text.text() == "公厕"
    assert column_values(page.findings_table, 0) == findings_left


def test_header_state_saved_for_other_columns_is_ignored(qtbot, demo_db, data_dir):
    from gui.models.table import RowsTableModel
    from gui.widgets.tables import make_table
    from gui.views.units.page import UNIT_COLUMNS

    older = make_table(RowsTableModel(UNIT_COLUMNS[:3]), state_key="units/list")
    qtbot.addWidget(older)
    older.show()
    older.setColumnWidth(0, 444)
    older.sortByColumn(2, Qt.AscendingOrder)
    older.hide()
    settings = QSettings()
    settings.beginGroup("tables/units/list")
    assert len(settings.childGroups()) == 1

    page = open_window(qtbot, demo_db, data_dir).show_page("units")
    assert page.table.columnWidth(0) == UNIT_COLUMNS[0].width
    assert page.table.horizontalHeader().sortIndicatorSection() == -1
    assert column_values(page.table, 0) == [u["name"] for u in units.list_units(demo_db)]


def test_a_report_list_keeps_the_widths_of_each_kind_of_report(qtbot, demo_db, data_dir):
    w = open_window(qtbot, demo_db, data_dir)
    page = w.show_page("scoring")
    page.tabs.setCurrentIndex(1)
    page.report_table.setColumnWidth(0, 250)
    page.report_kind.setCurrentIndex(1)
    assert page.report_table.columnWidth(0) == 160
    page.report_table.setColumnWidth(0, 222)
    page.report_kind.setCurrentIndex(0)
    assert page.report_table.columnWidth(0) == 250
    w.close()

    page = open_window(qtbot, demo_db, data_dir).show_page("scoring")
    page.tabs.setCurrentIndex(1)
    assert page.report_kind.currentIndex() == 0 and page.report_table.columnWidth(0) == 250
    page.report_kind.setCurrentIndex(1)
    assert page.report_table.columnWidth(0) == 222


def test_a_filter_on_a_deleted_unit_falls_back_to_all(qtbot, demo_db, data_dir):
    QSettings().setValue("filters/supervision/unit", json.dumps({"text": "已删除的单位", "data": 99999}))
    QSettings().setValue("filters/framework/unit", json.dumps({"text": "已删除的单位", "data": 99999}))
    w = open_window(qtbot, demo_db, data_dir)
    page = w.show_page("supervision")
    assert page.f_unit.currentIndex() == 0 and page.f_unit.currentText() == "全部责任单位"
    assert page.findings_model.rowCount() == min(supervision.counts(demo_db)["total"], 500)
    page = w.show_page("framework")
    assert page.unit.currentIndex() == 0 and "筛选出" not in page.summary.text()


def test_remember_restores_each_kind_of_filter_widget(qtbot):
    from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QLineEdit, QSpinBox

    from gui.ui_state import remember

    def build():
        widgets = {"static": QComboBox(), "filled_later": QComboBox(), "text": QLineEdit(), "check": QCheckBox(),
                   "spin": QSpinBox(), "today": QDateEdit(QDate(2020, 1, 1)), "day": QDateEdit(QDate(2020, 1, 1))}
        widgets["static"].addItems(["全部", "已签订", "未签订"])
        for key, widget in widgets.items():
            remember(widget, f"test/{key}")
        return widgets

    def fill(combo):  # as the pages do: refill from the database, keeping the current choice
        keep = combo.currentData()
        combo.clear()
        for text, data in (("全部", None), ("甲", 1), ("乙", 2)):
            combo.addItem(text, data)
        combo.setCurrentIndex(max(combo.findData(keep), 0))

    first = build()
    fill(first["filled_later"])
    first["static"].setCurrentText("未签订")
    first["filled_later"].setCurrentIndex(2)
    first["text"].setText("城管")
    first["check"].setChecked(True)
    first["spin"].setValue(7)
    first["today"].setDate(QDate.currentDate())
    first["day"].setDate(QDate(2026, 3, 15))
    assert json.loads(QSettings().value("filters/test/today")) == "today"

    second = build()
    fill(second["filled_later"])
    assert second["static"].currentText() == "未签订"
    assert second["filled_later"].currentText() == "乙" and second["filled_later"].count() == 3
    assert second["text"].text() == "城管" and second["check"].isChecked() and second["spin"].value() == 7
    assert second["today"].date() == QDate.currentDate() and second["day"].date() == QDate(2026, 3, 15)


def test_font_scale_applies_at_once_and_persists(qtbot, demo_db, data_dir, app_font):
    from gui.theme import BASE_POINT_SIZE

    w = open_window(qtbot, demo_db, data_dir)
    units_table = w.show_page("units").table
    summary = w.page_by_key("supervision").summary
    nav_font, nav_width = w.nav.font().pointSizeF(), w.nav.width()
    row, label = units_table.verticalHeader().defaultSectionSize(), summary.font().pointSizeF()
    assert units_table.columnWidth(0) == 200
    page = w.show_page("settings")
    page.font_scale.setValue(1.5)
    assert QApplication.font().pointSizeF() == pytest.approx(BASE_POINT_SIZE * 1.5)
    assert w.nav.font().pointSizeF() == pytest.approx(nav_font * 1.5)
    qtbot.waitUntil(lambda: w.nav.width() > nav_width)
    assert summary.font().pointSizeF() == pytest.approx(label * 1.5)
    assert units_table.verticalHeader().defaultSectionSize() > row
    assert units_table.columnWidth(0) == 300
    w.close()

    w2 = open_window(qtbot, demo_db, data_dir)
    assert w2.page_by_key("settings").font_scale.value() == pytest.approx(1.5)
    assert w2.nav.font().pointSizeF() == pytest.approx(nav_font * 1.5)
    assert w2.show_page("units").table.columnWidth(0) == 300


def test_widths_saved_at_another_font_size_follow_the_font(qtbot, demo_db, data_dir):
    page = open_window(qtbot, demo_db, data_dir).show_page("units")
    page.table.setColumnWidth(1, 120)
    page.window_.close()
    QSettings().setValue("ui/font_scale", 1.5)  # as when a dialog's list was closed before the change
    page = open_window(qtbot, demo_db, data_dir).show_page("units")
    assert (page.table.columnWidth(0), page.table.columnWidth(1)) == (300, 180)


def test_text_filter_matches_shown_text_in_any_column_and_follows_edits(qtmodeltester):
    from gui.models.table import Col, RowsFilterProxy, RowsTableModel

    model = RowsTableModel([Col("name", "名称"), Col("points", "分值", fmt=lambda v: f"{v:g}分")])
    model.set_rows([{"id": 1, "name": "西湖农贸市场", "points": 2.0}, {"id": 2, "name": "东岗街道", "points": 1.5},
                    {"id": 3, "name": "ABC 小区", "points": 0.5}])
    proxy = RowsFilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)
    proxy.set_text("市场")
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == ["西湖农贸市场"]
    proxy.set_text("1.5分")  # the formatted text, as the user sees it
    assert proxy.rowCount() == 1 and proxy.index(0, 0).data() == "东岗街道"
    proxy.set_text("abc")  # case does not matter
    assert proxy.rowCount() == 1
    model.update_rows({3: {"id": 3, "name": "幸福小区", "points": 0.5}})
    assert proxy.index(0, 0).data() == "幸福小区"  # an edited row stays in view, showing its new text
    proxy.set_text("")
    assert proxy.rowCount() == 3
    proxy.set_text("abc")
    assert proxy.rowCount() == 0  # and is filtered by its new text from then on
    model.set_rows([{"id": 3, "name": "幸福小区", "points": 0.5}, {"id": 4, "name": "ABC 广场", "points": 1.0}])
    assert proxy.rowCount() == 1  # new rows meet the filter in force
