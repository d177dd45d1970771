"""The 丢分分析 page driven with qtbot on the demo district, and its models through qtmodeltester."""

import openpyxl
import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from core import scoring, settings  # noqa: E402


@pytest.fixture
def page(window):
    return window.show_page("scoring")


def column_of(model, key: str) -> int:
    """Where the column with this key is shown (a report's columns follow the report)."""
    return next(i for i, col in enumerate(model.columns) if col.key == key)


def test_models_pass_qtmodeltester(qtmodeltester, demo_db):
    from gui.models.table import RowsTableModel
    from gui.views.scoring.columns import LINE_COLUMNS, ROUND_COLUMNS, table_columns

    rounds = scoring.list_rounds(demo_db)
    model = RowsTableModel(ROUND_COLUMNS)
    model.set_rows(rounds)
    qtmodeltester.check(model)
    model = RowsTableModel(LINE_COLUMNS)
    model.set_rows(scoring.lines(demo_db, rounds[0]["id"]))
    qtmodeltester.check(model)
    tables = [scoring.report_table(demo_db, rounds[0]["id"], by) for by in ("unit", "category", "standard")]
    tables += scoring.compare_tables(demo_db, rounds[0]["id"], rounds[1]["id"])
    for table in tables:
        model = RowsTableModel(table_columns(table))
        model.set_rows(table.rows)
        qtmodeltester.check(model)


def test_page_shows_rounds_reports_comparison_and_trend(qtbot, page, demo_db, tmp_path):
    assert page.round_model.rowCount() == 2
    assert page.lines_tab.model.rowCount() == 40  # the latest round is selected
    assert "得分率" in page.lines_tab.summary.text()
    page.rounds.selectRow(0)
    page.tabs.setCurrentIndex(1)
    report = page.report_tab
    rank_at = column_of(report.model, "rank")
    assert report.model.headerData(rank_at, Qt.Horizontal) == "排名"
    first = report.model.row_at(0)
    assert first["rank"] == 1
    assert report.model.data(report.model.index(0, column_of(report.model, "rate"))).endswith("%")
    losses = [d["loss"] for d in report.bar_chart.data]
    assert losses and losses[0] == max(losses)
    report.table.selectRow(report.model.rows().index(
        next(r for r in report.model.rows() if r["name"] == "区城管局")))
    assert report.unit_model.rowCount() > 0 and "区城管局" in report.unit_heading.text()
    report.kind.setCurrentIndex(1)  # 按测评项目
    assert report.model.headerData(column_of(report.model, "name"), Qt.Horizontal) == "测评项目"
    page.tabs.setCurrentIndex(2)
    compare = page.compare_tab
    assert compare.compare_from.currentText() == "2025年市测" and compare.compare_to.currentText() == "2026年模拟测评"
    assert compare.models[0].rowCount() > 0 and compare.models[3].rowCount() > 0
    page.tabs.setCurrentIndex(3)
    page.trend_tab.subject.setCurrentText("区城管局")
    assert page.trend_tab.model.rowCount() == 2
    assert [label for label, _ in page.trend_tab.chart.points] == ["2025年市测", "2026年模拟测评"]
    page.grab().save(str(tmp_path / "trend.png"))


def test_attribution_checkboxes_change_the_setting(qtbot, page, demo_db):
    page.split.setChecked(True)
    assert settings.get(demo_db, "loss_split_equally") is True
    page.locality.setChecked(True)
    assert settings.get(demo_db, "loss_locality_accountable") is True


def test_task_list_from_selected_losses(qtbot, page, demo_db, tmp_path, monkeypatch):
    out = tmp_path / "tasks.xlsx"
    monkeypatch.setattr("gui.dialogs.save_file", lambda *a, **k: str(out))
    monkeypatch.setattr("gui.dialogs.show_info", lambda *a, **k: None)
    lines = page.lines_tab
    lines.only_losses.setChecked(True)
    lines.table.selectAll()
    lines.export_tasks()
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][1] == "责任单位" and len(rows) > lines.model.rowCount()  # joint rows give one task per unit


def test_hand_correction_through_dialog(qtbot, page, demo_db, monkeypatch):
    from gui.views.scoring.dialogs import LineDialog

    lines = page.lines_tab
    lines.table.selectRow(0)
    line_id = lines.model.row_at(0)["id"]

    def fill(dialog):
        dialog.edits["score"].setText("0.25")
        dialog.units.set_names(["区城管局"])
        return True

    monkeypatch.setattr(LineDialog, "exec", fill)
    lines.edit_line()
    line = scoring.get_line(demo_db, line_id)
    assert line["score"] == 0.25 and line["loss"] == 0.75
    shown = next(r for r in lines.model.rows() if r["id"] == line_id)
    assert shown["score"] == 0.25  # the list shows the corrected line, not the lines read before


def test_only_losses_filters_the_lines_in_hand(qtbot, page, demo_db):
    round_id = page.current_round_id()
    lines = page.lines_tab
    everything = lines.model.rowCount()
    lines.only_losses.setChecked(True)
    with_loss = [r["id"] for r in lines.model.rows()]
    assert with_loss and len(with_loss) < everything
    assert set(with_loss) == {ln["id"] for ln in scoring.lines(demo_db, round_id) if ln["loss"] > scoring.EPS}
    lines.only_losses.setChecked(False)
    assert lines.model.rowCount() == everything
