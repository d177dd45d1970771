"""The 丢分分析 page driven with qtbot on the demo district, and its models through qtmodeltester."""

import openpyxl
import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from core import scoring, settings  # noqa: E402
from core.scoring_reports import compare_tables, report_table  # noqa: E402


@pytest.fixture
def page(window):
    return window.show_page("scoring")


def test_models_pass_qtmodeltester(qtmodeltester, demo_db):
    from gui.models.table import RowsTableModel
    from gui.views.scoring import LINE_COLUMNS, ROUND_COLUMNS, table_columns, table_rows

    rounds = scoring.list_rounds(demo_db)
    model = RowsTableModel(ROUND_COLUMNS)
    model.set_rows(rounds)
    qtmodeltester.check(model)
    model = RowsTableModel(LINE_COLUMNS)
    model.set_rows(scoring.lines(demo_db, rounds[0]["id"]))
    qtmodeltester.check(model)
    tables = [report_table(demo_db, rounds[0]["id"], by) for by in ("unit", "category", "standard")]
    tables += compare_tables(demo_db, rounds[0]["id"], rounds[1]["id"])
    for table in tables:
        model = RowsTableModel(table_columns(table))
        model.set_rows(table_rows(table))
        qtmodeltester.check(model)


def test_page_shows_rounds_reports_comparison_and_trend(qtbot, page, demo_db, tmp_path):
    assert page.round_model.rowCount() == 2
    assert page.line_model.rowCount() == 40  # the latest round is selected
    assert "得分率" in page.lines_summary.text()
    page.rounds.selectRow(0)
    page.tabs.setCurrentIndex(1)
    assert page.report_model.headerData(5, Qt.Horizontal) == "排名"
    first = page.report_model.row_at(0)
    assert first["c5"] == 1
    losses = [d["loss"] for d in page.bar_chart.data]
    assert losses and losses[0] == max(losses)
    page.report_table.selectRow(page.report_model.rows().index(
        next(r for r in page.report_model.rows() if r["c0"] == "区城管局")))
    assert page.unit_model.rowCount() > 0 and "区城管局" in page.unit_heading.text()
    page.report_kind.setCurrentIndex(1)  # 按测评项目
    assert page.report_model.headerData(0, Qt.Horizontal) == "测评项目"
    page.tabs.setCurrentIndex(2)
    assert page.compare_from.currentText() == "2025年市测" and page.compare_to.currentText() == "2026年模拟测评"
    assert page.compare_models[0].rowCount() > 0 and page.compare_models[3].rowCount() > 0
    page.tabs.setCurrentIndex(3)
    page.trend_subject.setCurrentText("区城管局")
    assert page.trend_model.rowCount() == 2
    assert [label for label, _ in page.trend_chart.points] == ["2025年市测", "2026年模拟测评"]
    page.grab().save(str(tmp_path / "trend.png"))


def test_attribution_checkboxes_change_the_setting(qtbot, page, demo_db):
    page.split.setChecked(True)
    assert settings.get(demo_db, "loss_split_equally") is True
    page.locality.setChecked(True)
    assert settings.get(demo_db, "loss_locality_accountable") is True


def test_task_list_from_selected_losses(qtbot, page, demo_db, tmp_path, monkeypatch):
    out = tmp_path / "tasks.xlsx"
    monkeypatch.setattr("gui.views.scoring.save_file", lambda *a, **k: str(out))
    monkeypatch.setattr("gui.views.scoring.show_info", lambda *a, **k: None)
    page.only_losses.setChecked(True)
    page.lines_table.selectAll()
    page.export_tasks()
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][1] == "责任单位" and len(rows) > page.line_model.rowCount()  # joint rows give one task per unit


def test_hand_correction_through_dialog(qtbot, page, demo_db, monkeypatch):
    from gui.views.scoring import LineDialog

    page.lines_table.selectRow(0)
    line_id = page.line_model.row_at(0)["id"]

    def fill(dialog):
        dialog.edits["score"].setText("0.25")
        dialog.units.set_names(["区城管局"])
        return True

    monkeypatch.setattr(LineDialog, "exec", fill)
    page.edit_line()
    line = scoring.get_line(demo_db, line_id)
    assert line["score"] == 0.25 and line["loss"] == 0.75
    shown = next(r for r in page.line_model.rows() if r["id"] == line_id)
    assert shown["score"] == 0.25  # the list shows the corrected line, not the lines read before


def test_only_losses_filters_the_lines_in_hand(qtbot, page, demo_db):
    round_id = page.current_round_id()
    everything = page.line_model.rowCount()
    page.only_losses.setChecked(True)
    with_loss = [r["id"] for r in page.line_model.rows()]
    assert with_loss and len(with_loss) < everything
    assert set(with_loss) == {ln["id"] for ln in scoring.lines(demo_db, round_id) if ln["loss"] > scoring.EPS}
    page.only_losses.setChecked(False)
    assert page.line_model.rowCount() == everything
