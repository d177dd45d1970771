"""问卷调查 measures: a standard's target rate, each round's result from a file or typed in the 测评
page, met or not, and the trend over the rounds — in core, on the command line and in the window."""

import openpyxl
import pytest

from core import scoring
from core.errors import AppError
from conftest import ledger_args
from test_supervision_io import run_cli

HEADER = ["标准编号", "指标", "目标值", "实际值"]


def _file(path, rows, title="2026年模拟测评问卷调查结果"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([title])  # a title row above the table, as offices write it
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _results(db, round_name):
    return {(r["code"], r["indicator"]): r for r in scoring.round_surveys(db, scoring.resolve_round(db, round_name))}


@pytest.mark.parametrize("written, rate", [("85%", 0.85), ("0.85", 0.85), ("85", 0.85), (85, 0.85), (0.85, 0.85),
                                           ("８５％", 0.85), ("92.5%", 0.925), ("100", 1.0)])
def test_a_rate_is_read_however_the_office_writes_it(written, rate):
    assert scoring.parse_rate(written) == pytest.approx(rate)


def test_an_import_records_the_rounds_results_against_their_targets(demo_db, tmp_path):
    db = demo_db
    path = _file(tmp_path / "问卷.xlsx", [["7.2.2", "知晓率", "90%", "0.93"], ["7.2.2", "满意率", "90", "88%"],
                                        ["1.2.3", "满意率", 0.85, 85]])
    result = scoring.import_survey(db, path, "2026年模拟测评")
    assert not result["created_round"]
    rows = _results(db, "2026年模拟测评")
    assert {k: (r["target"], r["actual"], r["state"]) for k, r in rows.items()} == {
        ("7.2.2", "知晓率"): (0.9, 0.93, "达标"), ("7.2.2", "满意率"): (0.9, 0.88, "未达标"),
        ("1.2.3", "满意率"): (0.85, 0.85, "达标")}
    # the same file again changes nothing but its own log line
    scoring.import_survey(db, path, "2026年模拟测评")
    assert db.value("SELECT count(*) FROM survey_results") == 3


def test_the_trend_follows_the_rounds_and_a_blank_target_keeps_the_standards(demo_db, tmp_path):
    db = demo_db
    scoring.import_survey(db, _file(tmp_path / "a.xlsx", [["6.2.2", "知晓率", "90%", "84%"]]), "2025年市测")
    scoring.import_survey(db, _file(tmp_path / "b.xlsx", [["6.2.2", "知晓率", None, "91%"]]), "2026年模拟测评")
    node = db.value("SELECT id FROM framework_nodes WHERE code = '6.2.2' AND retired = 0")
    trend = scoring.survey_trend(db, node, "知晓率")
    assert [(t["round"], t["actual"], t["met"]) for t in trend] == [("2025年市测", 0.84, False),
                                                                    ("2026年模拟测评", 0.91, True)]
    assert _results(db, "2026年模拟测评")[("6.2.2", "知晓率")]["trend"] == "84% → 91%"


def test_bad_rows_are_listed_with_row_and_column_and_nothing_is_written(demo_db, tmp_path):
    db = demo_db
    path = _file(tmp_path / "问卷.xlsx", [
        ["7.2.2", "知晓率", "90%", "93%"],      # row 3: fine
        ["9.9.9", "知晓率", "90%", "93%"],      # 4: no such standard
        ["1.1.1", "满意率", "90%", "93%"],      # 5: not measured by survey
        ["7.2.2", "好评率", "90%", "93%"],      # 6: unknown indicator
        ["7.2.2", "支持率", "九成", "93%"],     # 7: target not a rate
        ["7.2.2", "满意率", "90%", "130%"],     # 8: beyond 100 %
        ["4.4.1", "知晓率", None, "93%"],       # 9: no target given nor set before
        ["7.2.2", "知晓率", "90%", "95%"],      # 10: the same indicator twice
    ])
    with pytest.raises(AppError) as err:
        scoring.import_survey(db, path, "2026年模拟测评")
    found = [(p.row, p.column) for p in err.value.problems]
    assert found == [(4, "标准编号"), (5, "标准编号"), (6, "指标"), (7, "目标值"), (8, "实际值"), (9, "目标值"),
                     (10, "指标")]
    messages = " ".join(p.message for p in err.value.problems)
    assert "没有编号为“9.9.9”的标准" in messages and "测评方法不含问卷调查" in messages
    assert "第 3 行已经出现过" in messages
    assert db.value("SELECT count(*) FROM survey_results") == 0
    assert db.value("SELECT count(*) FROM survey_targets") == 0


def test_import_survey_on_the_command_line(demo_db, data_dir, tmp_path):
    db = demo_db
    ledger = ledger_args(db, data_dir)
    good = _file(tmp_path / "问卷.xlsx", [["7.2.2", "支持率", "90%", "86%"], ["7.2.2", "知晓率", "90%", "95%"]])
    out = run_cli(ledger, "import-survey", str(good), "--round", "2026年模拟测评")
    assert out.returncode == 0, out.stderr
    assert "问卷调查结果 2 条：达标 1 条，未达标 1 条" in out.stdout
    assert "未达标：7.2.2 支持率 86%（目标 ≥90%）" in out.stdout
    bad = _file(tmp_path / "错.xlsx", [["7.2.2", "满意率", "90%", ""], ["7.2.2", "知晓率", "90%", "99%"]])
    out = run_cli(ledger, "import-survey", str(bad), "--round", "2026年模拟测评")
    assert out.returncode == 2
    assert "第 3 行\t实际值\t实际值为空。" in out.stderr
    rows = _results(db, "2026年模拟测评")
    assert rows[("7.2.2", "知晓率")]["actual"] == 0.95 and ("7.2.2", "满意率") not in rows


def test_the_scoring_page_records_a_result_and_shows_met_and_trend(qtbot, window, demo_db):
    from gui.widgets.locate import select_row_by_id

    page = window.show_page("scoring")
    tab = page.surveys
    page.tabs.setCurrentWidget(tab)
    round_id = scoring.resolve_round(demo_db, "2026年模拟测评")
    assert select_row_by_id(page.rounds, round_id)
    tab.code.setText("7.2.2")
    tab.indicator.setCurrentText("满意率")
    tab.target.setText("90%")
    tab.actual.setText("87")
    tab.save_result()
    shown = [{c.key: tab.model.data(tab.model.index(r, i)) for i, c in enumerate(tab.model.columns)}
             for r in range(tab.model.rowCount())]
    assert [(s["code"], s["indicator"], s["target"], s["actual"], s["state"]) for s in shown] == [
        ("7.2.2", "满意率", "90%", "87%", "未达标")]
    tab.actual.setText("92%")
    tab.save_result()
    row = {c.key: tab.model.data(tab.model.index(0, i)) for i, c in enumerate(tab.model.columns)}
    assert (row["actual"], row["state"]) == ("92%", "达标")
    assert _results(demo_db, "2026年模拟测评")[("7.2.2", "满意率")]["actual"] == 0.92
