"""丢分分析 on the command line, and every file it writes read back (xlsx with openpyxl, PDF with pypdf)."""

import openpyxl
import pypdf
import pytest

from core import scoring
from test_cli import count, run
from test_scoring import HEADERS_B, write_xlsx


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory):
    data = tmp_path_factory.mktemp("scoring") / "d"
    r = run("demo", data=data)
    assert r.returncode == 0, r.stderr
    return data


def test_loss_report_by_unit_xlsx_headers_and_numbers(demo_data, tmp_path):
    out = tmp_path / "unit.xlsx"
    r = run("loss-report", "--round", "2025年市测", "--by", "unit", "--out", str(out), data=demo_data)
    assert r.returncode == 0, r.stderr
    ws = openpyxl.load_workbook(out)["按责任单位"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == ["责任单位", "应得分", "实得分", "失分", "得分率", "排名"]
    body = rows[1:]
    ranked = [r for r in body if r[5] is not None]
    assert ranked and all(0 <= r[4] <= 1 for r in ranked)
    assert all(abs(r[4] - r[2] / r[1]) < 1e-12 for r in ranked)  # unrounded
    assert [r[5] for r in ranked] == sorted(r[5] for r in ranked)
    assert all(r[5] is None for r in body[len(ranked):])  # nothing at stake: last, no rank
    assert ws.cell(2, 5).number_format == "0.00%"
    assert "区城管局" in [r[0] for r in body]  # full names


@pytest.mark.parametrize("by", ["category", "locality", "site-type", "standard"])
def test_loss_report_other_groupings(demo_data, tmp_path, by):
    out = tmp_path / f"{by}.xlsx"
    r = run("loss-report", "--round", "2025年市测", "--by", by, "--out", str(out), data=demo_data)
    assert r.returncode == 0, r.stderr
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert len(rows) > 2


def test_loss_report_pdf_notice_reads_back(demo_data, tmp_path):
    out = tmp_path / "notice.pdf"
    r = run("loss-report", "--round", "2025年市测", "--out", str(out), data=demo_data)
    assert r.returncode == 0, r.stderr
    reader = pypdf.PdfReader(out)
    text = "".join(page.extract_text() for page in reader.pages)
    for words in ("关于2025年市测失分情况的通报", "各责任单位得分排名", "区城管局", "失分较多的测评标准"):
        assert words in text.replace(" ", "").replace("\n", ""), words
    fonts = [f.get_object() for page in reader.pages for f in page["/Resources"]["/Font"].values()]
    assert fonts
    for font in fonts:  # embedded TrueType, never a bare CID font
        assert font["/Subtype"] == "/TrueType" and "/FontFile2" in font["/FontDescriptor"], font["/BaseFont"]


def test_unit_page_and_category_pdf(demo_data, tmp_path):
    out = tmp_path / "unit.pdf"
    r = run("loss-report", "--round", "2025年市测", "--unit", "城管局", "--out", str(out), data=demo_data)
    assert r.returncode == 0, r.stderr
    text = "".join(p.extract_text() for p in pypdf.PdfReader(out).pages).replace("\n", "")
    assert "区城管局失分明细" in text
    out = tmp_path / "cat.pdf"
    r = run("loss-report", "--round", "2025年市测", "--by", "category", "--out", str(out), data=demo_data)
    assert r.returncode == 0, r.stderr
    assert "公共文明行为" in "".join(p.extract_text() for p in pypdf.PdfReader(out).pages).replace("\n", "")


def test_compare_rounds_cli(demo_data, tmp_path):
    out = tmp_path / "cmp.xlsx"
    r = run("compare-rounds", "--from", "2025年市测", "--to", "2026年模拟测评", "--out", str(out), data=demo_data)
    assert r.returncode == 0, r.stderr
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:2] == ["按责任单位", "按测评项目"]
    head = [c.value for c in wb["按责任单位"][1]]
    assert head[:4] == ["责任单位", "2025年市测得分率", "2026年模拟测评得分率", "得分率变化"]
    assert wb.worksheets[2].max_row > 1 and wb.worksheets[3].max_row > 1  # new and fixed losses


def test_import_results_cli_refusals(demo_data, tmp_path):
    good = write_xlsx(tmp_path / "g.xlsx", HEADERS_B, [["城市环境卫生", "5.1.1", "庆阳路", "主干道", "城关街道", 1, 0.7,
                                                       None, "城管局", "垃圾"]])
    before = count(demo_data, "SELECT count(*) FROM score_results")
    r = run("import-results", str(good), "--round", "2025年市测", data=demo_data)
    assert r.returncode == 2 and "--replace" in r.stderr
    bad = write_xlsx(tmp_path / "b.xlsx", HEADERS_B, [["城市环境卫生", "5.1.1", "庆阳路", "主干道", "城关街道", 1, "七分",
                                                      None, "城管局", ""]])
    report = tmp_path / "problems.xlsx"
    r = run("import-results", str(bad), "--round", "新轮次", "--report", str(report), data=demo_data)
    assert r.returncode == 2 and "不是有效的数字" in r.stderr
    assert list(openpyxl.load_workbook(report).active.iter_rows(values_only=True))[1][:2] == (2, "实得分")
    r = run("import-results", str(good), "--round", "新轮次", "--date", "2026年13月1日", data=demo_data)
    assert r.returncode == 2 and "测评日期" in r.stderr
    assert count(demo_data, "SELECT count(*) FROM score_results") == before
    r = run("import-results", str(good), "--round", "2026年省测", "--date", "2026.8.1", data=demo_data)
    assert r.returncode == 0, r.stderr
    assert count(demo_data, "SELECT kind || held_on FROM score_rounds WHERE name = '2026年省测'") == "省测2026-08-01"
    r = run("loss-report", "--round", "没有这轮", "--out", str(tmp_path / "x.xlsx"), data=demo_data)
    assert r.returncode == 2 and "找不到测评轮次" in r.stderr


def test_task_list_export(demo_db, tmp_path):
    first = scoring.list_rounds(demo_db)[0]["id"]
    lost = [ln["id"] for ln in scoring.lines(demo_db, first) if ln["loss"] > 0][:3]
    out = tmp_path / "tasks.xlsx"
    n = scoring.export_tasks(demo_db, lost, out)
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "责任单位", "测评轮次") and len(rows) == n + 1 and n >= 3


def test_import_results_replace_logs_what_was_replaced(tmp_path):
    import json
    import sqlite3

    data = tmp_path / "d"
    assert run("demo", data=data).returncode == 0
    old_lines = count(data, "SELECT count(*) FROM score_results r JOIN score_rounds o ON o.id = r.round_id"
                            " WHERE o.name = '2025年市测'")
    good = write_xlsx(tmp_path / "g.xlsx", HEADERS_B, [["城市环境卫生", "5.1.1", "庆阳路", "主干道", "城关街道", 1, 0.7,
                                                       None, "城管局", "垃圾"]])
    r = run("--operator", "王小明", "import-results", str(good), "--round", "2025年市测", "--replace", data=data)
    assert r.returncode == 0, r.stderr
    conn = sqlite3.connect(data / "chuangcheng.db")
    operator, summary, before, after = conn.execute(
        "SELECT operator, summary, before, after FROM audit_log WHERE action = '替换测评成绩'").fetchone()
    conn.close()
    before, after = json.loads(before), json.loads(after)
    assert operator == "王小明" and summary == f"2025年市测：{old_lines} 条替换为 1 条"
    assert before["lines"] == old_lines and before["kind"] == "市测" and before["loss"] > 0
    assert after["lines"] == 1 and after["loss"] == 0.3 and after["file"] == str(good)
