"""督查督办 documents and files: Excel import/export, notices and 通报 read back, the command line."""

import datetime as dt
import subprocess
import sys

import openpyxl
import pytest
from pypdf import PdfReader

from conftest import ROOT, ledger_args
from core import supervision, units
from core.errors import AppError
from core.supervision import FindingFilter
from core.xlsx.writer import Sheet, write_workbook
from test_supervision import make_photo, new_finding, office, place  # noqa: F401 - fixtures

HEADERS = ["发现日期", "来源", "点位", "点位类型", "属地", "标准编号", "问题描述", "责任单位", "配合单位", "严重程度", "整改时限"]


def pdf_text(path) -> str:
    return "".join(page.extract_text() for page in PdfReader(str(path)).pages).replace(" ", "").replace("\n", "")


def test_import_sheet_with_new_site_and_variants(office, place, tmp_path):  # noqa: F811
    path = tmp_path / "督查结果.xlsx"
    write_workbook(path, [Sheet("检查结果", ["检查日期", "督查方式", "点位名称", "类型", "所属街道", "指标编号", "存在问题",
                                             "主责单位", "协办单位", "问题等级", "整改期限"], [
        ["2026.10.12", "明察暗访", "人民路", "", "", "5.1.1", "垃圾堆积", "", "区住建局、各街道", "一般", "3"],
        ["2026年10月12日", "点位检查", "新华巷", "背街小巷", "东岗街道办事处", "", "墙面小广告", "", "", "", "2026-10-20"],
    ])])
    with pytest.raises(AppError) as err:  # 各街道 is a group, not a unit
        supervision.import_findings(office, path)
    assert [p.column for p in err.value.problems] == ["配合单位"]
    write_workbook(path, [Sheet("检查结果", HEADERS, [
        ["2026.10.12", "明察暗访", "人民路", "", "", "5.1.1", "垃圾堆积", "", "区住建局", "一般", "3个工作日"],
        ["2026年10月12日", "点位检查", "新华巷", "背街小巷", "东岗街道办事处", "", "墙面小广告", "", "", "", "2026-10-20"],
    ])])
    result = supervision.import_findings(office, path)
    assert result == {"findings": 2, "updated": 0, "unchanged": 0, "created_sites": ["新华巷"], "added_types": [],
                      "warnings": []}
    found = {f["site"]: f for f in supervision.list_findings(office)[0]}
    assert found["人民路"]["unit"] == "区城管局" and found["人民路"]["support"] == "区住建局"
    assert found["新华巷"]["unit"] == "东岗街道办事处"  # the new 点位's 属地
    full = supervision.get_finding(office, found["人民路"]["id"])
    assert full["limit_days"] == 3 and supervision.get_finding(office, found["新华巷"]["id"])["requested_due"] == "2026-10-20"


def test_import_reports_every_problem_and_writes_nothing(office, place, tmp_path):  # noqa: F811
    path = tmp_path / "bad.xlsx"
    units.retire_unit(office, units.resolve_one(office, "区司法局"))
    write_workbook(path, [Sheet("检查结果", HEADERS, [
        ["2026-10-12", "明察暗访", "新点位甲", "菜市场", "", "", "问题一", "区城管局", "", "一般", ""],
        ["2026-10-12", "明察暗访", "人民路", "", "", "", "问题二", "区环卫所", "", "一般", ""],
        ["2026-10-12", "明察暗访", "人民路", "", "", "", "问题三", "区司法局", "", "很重", "2026-10-01"],
        ["2026-13-12", "路过", "人民路", "", "", "9.9.9", "", "区城管局", "", "一般", "0"],
    ])])
    with pytest.raises(AppError) as err:
        supervision.import_findings(office, path)
    problems = {(p.row, p.column) for p in err.value.problems}
    assert (2, "点位类型") in problems  # unknown 点位类型
    assert (3, "责任单位") in problems  # unknown unit
    assert {(4, "责任单位"), (4, "严重程度"), (4, "整改时限")} <= problems  # retired, bad severity, date before
    assert {(5, "发现日期"), (5, "来源"), (5, "标准编号"), (5, "问题描述"), (5, "整改时限")} <= problems
    unknown = next(p for p in err.value.problems if p.row == 3)
    assert "区环卫所" in unknown.message
    assert office.value("SELECT count(*) FROM findings") == 0
    assert office.value("SELECT count(*) FROM sites") == 1


def test_export_reimports_and_has_real_dates(office, place, tmp_path):  # noqa: F811
    fid = new_finding(office, place, support_ids=[units.resolve_one(office, "区住建局")])
    supervision.issue_notice(office, units.resolve_one(office, "区城管局"), [fid], issued_on="2026-09-30")
    out = tmp_path / "out.xlsx"
    assert supervision.export_findings(office, out, FindingFilter(status="已交办")) == 1
    ws = openpyxl.load_workbook(out).active
    header = [c.value for c in ws[1]]
    assert header[:11] == ["编号", "发现日期", "来源", "点位", "点位类型", "属地", "标准编号", "问题描述", "责任单位",
                           "配合单位", "严重程度"]
    row = [c.value for c in ws[2]]
    assert row[0] == fid and isinstance(row[1], dt.datetime) and row[9] == "区住建局" and row[14] == "X创城督〔2026〕1号"
    result = supervision.import_findings(office, out)  # the export is a valid import sheet: the same finding
    assert (result["findings"], result["updated"], result["unchanged"]) == (0, 0, 1)
    assert office.value("SELECT count(*) FROM findings") == 1


def test_notice_pdf_reads_back(office, place, tmp_path):  # noqa: F811
    a = supervision.create_finding(office, {"found_on": "2026-09-28", "source": "明察暗访", "site_id": place,
                                             "description": "人民路绿化带内垃圾堆积无人清理"},
                                   photos=[make_photo(tmp_path / "p.jpg")])
    b = new_finding(office, place, description="公益广告牌破损褪色", severity="严重")
    notice = supervision.issue_notice(office, units.resolve_one(office, "区城管局"), [a, b], issued_on="2026-09-30")
    path = tmp_path / "notice.pdf"
    supervision.render_notices(office, [notice["id"]], path)
    text = pdf_text(path)
    for expected in ("X创城督〔2026〕1号", "区城管局：", "人民路绿化带内垃圾堆积无人清理", "公益广告牌破损褪色",
                     "2026-10-13", "2026-10-08", "2026年10月8日前", "回执", "签收人", "整改情况", "印发"):
        assert expected in text, expected
    reader = PdfReader(str(path))
    assert any("/XObject" in (p.get("/Resources") or {}) for p in reader.pages)  # the photo is embedded
    fonts = {f["/BaseFont"] for p in reader.pages for f in (p["/Resources"].get("/Font") or {}).values()}
    assert fonts and all("STSong" not in str(f) for f in fonts)


def test_bulletin_counts_match_the_database(office, place, tmp_path):  # noqa: F811
    cg = units.resolve_one(office, "区城管局")
    a, b, c = (new_finding(office, place, found_on=d) for d in ("2026-10-08", "2026-10-09", "2026-10-12"))
    supervision.issue_notice(office, cg, [a, b], issued_on="2026-10-09")  # due 16 Oct
    for step in (lambda f: supervision.sign(office, f, "张", "2026-10-10"),
                 lambda f: supervision.start_fixing(office, f, "2026-10-10"),
                 lambda f: supervision.feedback(office, f, "好", "2026-10-12"),
                 lambda f: supervision.review(office, f, "李", True, "", on_date="2026-10-13")):
        step(a)
    data = supervision.bulletin_data(office, "2026-10-01", "2026-10-31", today=dt.date(2026, 10, 31))
    q = lambda sql: office.value(sql)  # noqa: E731
    assert data["counts"]["new"] == q("SELECT count(*) FROM findings WHERE found_on BETWEEN '2026-10-01' AND '2026-10-31'") == 3
    assert data["counts"]["closed"] == q("SELECT count(*) FROM findings WHERE closed_on BETWEEN '2026-10-01' AND '2026-10-31'") == 1
    assert data["counts"]["overdue"] == q("SELECT count(*) FROM findings WHERE status IN ('已交办','已签收','整改中')"
                                          " AND due_on < '2026-10-31'") == 1
    assert data["counts"]["open"] == q("SELECT count(*) FROM findings WHERE status <> '已销号'") == 2
    assert data["ranking"][0]["unit"] == "区城管局" and data["ranking"][0]["overdue"] == 1
    pdf = tmp_path / "通报.pdf"
    supervision.write_bulletin(office, "2026-10-01", "2026-10-31", pdf, today=dt.date(2026, 10, 31))
    text = pdf_text(pdf)
    assert "共发现问题3个" in text and "销号1个" in text and "逾期未整改1个" in text and "区城管局" in text
    xlsx = tmp_path / "通报.xlsx"
    supervision.write_bulletin(office, "2026-10-01", "2026-10-31", xlsx, today=dt.date(2026, 10, 31))
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == ["概况", "新发现问题", "销号问题", "逾期未整改", "挂牌督办", "单位排名"]
    assert book["新发现问题"].max_row == 4 and book["单位排名"]["B2"].value == "区城管局"
    with pytest.raises(AppError, match="早于开始日期"):
        supervision.bulletin_data(office, "2026-10-31", "2026-10-01")


def run_cli(ledger, *args):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *ledger, *args],
                          capture_output=True, text=True, encoding="utf-8", cwd=ROOT)


def test_cli_issue_print_and_bulletin(office, place, data_dir, tmp_path):  # noqa: F811
    ids = [new_finding(office, place) for _ in range(2)]
    ledger = ledger_args(office, data_dir)
    out = run_cli(ledger, "findings-export", str(tmp_path / "all.xlsx"), "--status", "待交办")
    assert out.returncode == 0, out.stderr
    ws = openpyxl.load_workbook(tmp_path / "all.xlsx").active
    exported = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)]
    assert sorted(exported) == ids
    out = run_cli(ledger, "notice-issue", "--unit", "城管局", "--findings", ",".join(map(str, exported)),
                  "--date", "2026-10-09", "--out", str(tmp_path / "n.pdf"))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "X创城督〔2026〕1号"
    assert "X创城督〔2026〕1号" in pdf_text(tmp_path / "n.pdf")
    refused = run_cli(ledger, "notice-issue", "--unit", "区城管局", "--findings", str(ids[0]), "--date", "2026-10-12")
    assert refused.returncode == 2 and "尚未逾期" in refused.stderr
    assert run_cli(ledger, "notice-issue", "--unit", "区城管局", "--findings", "99999").returncode == 2
    out = run_cli(ledger, "notices", "--out", str(tmp_path / "all.pdf"), "--year", "2026")
    assert out.returncode == 0 and "1 份" in out.stdout
    out = run_cli(ledger, "bulletin", "--from", "2026-09-01", "--to", "2026-10-31", "--out", str(tmp_path / "b.xlsx"))
    assert out.returncode == 0, out.stderr
    assert run_cli(ledger, "bulletin", "--from", "2026-09-01", "--to", "2026-10-31",
                   "--out", str(tmp_path / "b.doc")).returncode == 2
    bad = tmp_path / "bad.xlsx"
    write_workbook(bad, [Sheet("结果", HEADERS, [["2026-10-12", "明察暗访", "某某点", "菜市场", "", "", "x", "无此单位", "", "", ""]])])
    out = run_cli(ledger, "findings-import", str(bad), "--report", str(tmp_path / "problems.xlsx"))
    assert out.returncode == 2 and "点位类型" in out.stderr and "无此单位" in out.stderr
    assert (tmp_path / "problems.xlsx").exists()


# --- the exchange round-trips: 编号 names the finding ------------------------------------------------

def _ledger(db):
    """What a user would compare: every finding with its status, deadline and units, and the log."""
    return {"findings": db.rows("SELECT * FROM findings ORDER BY id"),
            "units": db.rows("SELECT * FROM finding_units ORDER BY finding_id, position"),
            "sites": db.rows("SELECT * FROM sites ORDER BY id"),
            "audit": db.value("SELECT count(*) FROM audit_log")}


def _exported_rows(path) -> dict:
    ws = openpyxl.load_workbook(path).active
    header = [c.value for c in ws[1]]
    return {row[0]: dict(zip(header, row)) for row in ws.iter_rows(min_row=2, values_only=True)}


def _waiting_with_deadlines(db):
    """Two 待交办 findings of the demo with an entered deadline: a date, and a number of working days."""
    site = db.value("SELECT site_id FROM findings WHERE status = '待交办' ORDER BY id")
    base = {"found_on": dt.date.today(), "source": "明察暗访", "site_id": site, "severity": "一般"}
    due = dt.date.today() + dt.timedelta(days=20)
    by_date = supervision.create_finding(db, {**base, "description": "护栏缺损", "requested_due": due})
    by_days = supervision.create_finding(db, {**base, "description": "井盖缺失", "limit_days": 3})
    return by_date, due, by_days


def test_findings_export_then_import_twice_changes_nothing(demo_db, tmp_path):
    by_date, due, by_days = _waiting_with_deadlines(demo_db)
    out = tmp_path / "督查问题清单.xlsx"
    assert supervision.export_findings(demo_db, out) == 24
    exported = _exported_rows(out)
    assert exported[by_date]["整改时限"].date() == due  # the entered deadline of a 待交办 finding
    assert exported[by_days]["整改时限"] == "3个工作日"
    before = _ledger(demo_db)
    assert demo_db.value("SELECT count(*) FROM findings WHERE status = '已销号'") == 6
    for _ in range(2):
        result = supervision.import_findings(demo_db, out)
        assert result == {"findings": 0, "updated": 0, "unchanged": 24, "created_sites": [], "added_types": [],
                          "warnings": []}
        assert _ledger(demo_db) == before  # no finding doubled or reopened, no deadline lost, nothing logged


def test_an_edited_export_corrects_what_the_status_allows(demo_db, tmp_path):
    by_date, due, by_days = _waiting_with_deadlines(demo_db)
    out = tmp_path / "督查问题清单.xlsx"
    supervision.export_findings(demo_db, out)
    issued = demo_db.value("SELECT id FROM findings WHERE status = '整改中' ORDER BY id")
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    header = [c.value for c in ws[1]]
    row_of = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}

    def edit(finding_id, column, value):
        ws.cell(row_of[finding_id], header.index(column) + 1).value = value

    edit(issued, "问题描述", "人行道护栏缺损两处（已核实）")
    edit(issued, "严重程度", "较重")
    edit(by_days, "整改时限", 5)
    edit(by_date, "责任单位", "区住建局")  # not yet handed over: the unit may change
    ws.append([None, dt.date.today(), "点位检查", "东岗农贸市场", None, None, None, "地面有垃圾", None, None, "一般"])
    wb.save(out)
    findings = demo_db.value("SELECT count(*) FROM findings")

    result = supervision.import_findings(demo_db, out)
    assert (result["findings"], result["updated"], result["unchanged"]) == (1, 3, 21)
    assert demo_db.value("SELECT count(*) FROM findings") == findings + 1
    corrected = supervision.get_finding(demo_db, issued)
    assert corrected["description"] == "人行道护栏缺损两处（已核实）" and corrected["severity"] == "较重"
    assert corrected["status"] == "整改中"
    assert supervision.get_finding(demo_db, by_days)["limit_days"] == 5
    assert supervision.get_finding(demo_db, by_date)["unit"] == "区住建局"
    log = demo_db.value("SELECT before || ' → ' || after FROM audit_log WHERE action = '修改督查问题'"
                          " AND record_id = :p1", {"p1": str(issued)})
    assert "人行道护栏缺损两处（已核实）" in log and "较重" in log


def test_an_export_cannot_change_a_closed_or_issued_finding_or_name_a_missing_one(demo_db, tmp_path):
    out = tmp_path / "督查问题清单.xlsx"
    supervision.export_findings(demo_db, out)
    closed = demo_db.value("SELECT id FROM findings WHERE status = '已销号' ORDER BY id")
    issued = demo_db.value("SELECT id FROM findings WHERE status = '已交办' ORDER BY id")
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    header = [c.value for c in ws[1]]
    row_of = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    ws.cell(row_of[closed], header.index("问题描述") + 1).value = "改写已销号的问题"
    ws.cell(row_of[issued], header.index("责任单位") + 1).value = "区住建局"
    ws.cell(row_of[issued], header.index("整改时限") + 1).value = dt.date.today() + dt.timedelta(days=60)
    ws.append([9999, dt.date.today(), "点位检查", "东岗农贸市场", None, None, None, "地面有垃圾", None, None, "一般"])
    wb.save(out)
    before = _ledger(demo_db)
    with pytest.raises(AppError) as refused:
        supervision.import_findings(demo_db, out)
    problems = {(p.row, p.column): p.message for p in refused.value.problems}
    assert "已销号，不能再修改" in problems[(row_of[closed], "问题描述")]
    assert "以通知单为准" in problems[(row_of[issued], "责任单位")]
    assert "以通知单为准" in problems[(row_of[issued], "整改时限")]
    assert "没有编号为 9999 的督查问题" in problems[(ws.max_row, "编号")]
    assert len(problems) == 4
    assert _ledger(demo_db) == before


def test_a_serial_number_column_named_bianhao_is_not_taken_for_finding_numbers(demo_db, tmp_path):
    path = tmp_path / "检查结果.xlsx"
    first = supervision.get_finding(demo_db, demo_db.value("SELECT min(id) FROM findings"))
    other_site = demo_db.value("SELECT name FROM sites WHERE id <> :p1 ORDER BY id", {"p1": first["site_id"]})
    write_workbook(path, [Sheet("检查结果", ["编号", "发现日期", "点位", "问题描述"],
                                [[first["id"], dt.date.today() + dt.timedelta(days=1), other_site, "垃圾桶满溢"]])])
    before = _ledger(demo_db)
    with pytest.raises(AppError) as refused:
        supervision.import_findings(demo_db, path)
    assert any(p.row == 2 and p.column == "编号" and "序号" in p.message for p in refused.value.problems)
    assert _ledger(demo_db) == before


def test_immediate_fix_means_due_on_the_day_found(office, place, tmp_path):  # noqa: F811
    path = tmp_path / "督查结果.xlsx"
    write_workbook(path, [Sheet("检查结果", HEADERS, [
        ["2026.10.12", "明察暗访", "人民路", "", "", "5.1.1", "垃圾堆积", "", "", "一般", "即知即改"]])])
    assert supervision.import_findings(office, path)["findings"] == 1
    found = supervision.list_findings(office)[0][0]
    assert supervision.get_finding(office, found["id"])["requested_due"] == "2026-10-12"


def test_a_total_row_is_skipped_and_its_count_checked(office, place, tmp_path):  # noqa: F811
    path = tmp_path / "合计.xlsx"
    write_workbook(path, [Sheet("检查结果", HEADERS, [
        ["2026-10-12", "明察暗访", "人民路", "", "", "", "问题一", "区城管局", "", "一般", ""],
        ["2026-10-12", "明察暗访", "人民路", "", "", "", "问题二", "区城管局", "", "一般", ""],
        [None, None, "合计", None, None, None, "共 3 个", None, None, None, None],
    ])])
    result = supervision.import_findings(office, path)
    assert result["findings"] == 2
    assert result["warnings"] == ["第 4 行是“合计”行，已跳过；但它写的 3 个与文件中的 2 个问题不符，请核对文件。"]
