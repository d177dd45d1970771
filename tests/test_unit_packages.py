"""工作包: one package per unit out (the return workbook, its notices and task list as PDFs) and the
unit's return taken back in one go — read back as the office would: the xlsx cells, the zip members,
the ledger's rows after the import, the refusal with every problem and nothing written."""

from __future__ import annotations

import shutil
import zipfile

import openpyxl
import pytest
from PIL import Image
from PySide6.QtCore import Qt

from core import audit, framework, letters, materials, supervision, unit_packages, units
from core.errors import AppError
from conftest import ledger_args
from test_supervision import new_finding, office, place  # noqa: F401 - fixtures
from test_supervision_io import run_cli

TODAY = "2026-12-01"


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch):
    monkeypatch.setenv("CHUANGCHENG_TODAY", TODAY)


@pytest.fixture
def unit_work(office, place):  # noqa: F811
    """区城管局 with two findings handed over on 2026-11-20 (one 整改中, one only 已交办) and one of
    another unit; its materials and tasks come from the demo district."""
    cg = units.resolve_one(office, "区城管局")
    fixing = new_finding(office, place, found_on="2026-11-18", unit_id=cg, description="人民路绿化带内垃圾堆积")
    waiting = new_finding(office, place, found_on="2026-11-18", unit_id=cg, description="人民路人行道破损")
    notice = supervision.issue_notice(office, cg, [fixing, waiting], issued_on="2026-11-20")
    supervision.sign(office, fixing, "王联络", "2026-11-21")
    supervision.start_fixing(office, fixing, "2026-11-22")
    street = units.resolve_one(office, "城关街道办事处")
    other = new_finding(office, place, found_on="2026-11-18", unit_id=street, description="路口乱停车")
    supervision.issue_notice(office, street, [other], issued_on="2026-11-20")
    return {"unit": cg, "fixing": fixing, "waiting": waiting, "other": other, "notice": notice["number"]}


def _sheet_rows(path, sheet):
    ws = openpyxl.load_workbook(path)[sheet]
    values = list(ws.iter_rows(values_only=True))
    return [dict(zip(values[0], row)) for row in values[1:]]


def _fill(path, sheet, match_header, match_value, **cells):
    """Write into the row whose `match_header` cell is match_value, as a unit would in Excel."""
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    headers = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[headers.index(match_header)].value == match_value:
            for header, value in cells.items():
                row[headers.index(header)].value = value
    book.save(path)


def _photo(path):
    Image.new("RGB", (60, 40), (90, 150, 110)).save(path)
    return path


def _workbook(folder):
    found = list(folder.glob("*.xlsx"))
    assert len(found) == 1
    return found[0]


def _counts(db):
    return {t: db.value(f"SELECT count(*) FROM {t}") for t in
            ("audit_log", "attachments", "finding_events", "letter_status", "materials")}


# --- out ------------------------------------------------------------------------------------------

def test_a_package_holds_one_return_workbook_the_open_notices_and_the_task_list(office, unit_work, tmp_path):
    done = unit_packages.export_package(office, unit_work["unit"], tmp_path / "城管.zip")
    with zipfile.ZipFile(tmp_path / "城管.zip") as z:
        names = sorted(z.namelist())
        z.extractall(tmp_path / "unzipped")
    assert [n for n in names if n.endswith(".xlsx")] == ["区城管局工作包回执.xlsx"]
    assert f"督办通知单/{unit_work['notice']}.pdf" in names and "任务清单.pdf" in names
    assert len([n for n in names if n.startswith("督办通知单/")]) == 1  # the other unit's notice is not in it
    path = tmp_path / "unzipped" / "区城管局工作包回执.xlsx"
    assert openpyxl.load_workbook(path).sheetnames == ["说明", "督查问题", "档案材料", "责任书", "任务清单"]
    notes = {r["项目"]: r["内容"] for r in _sheet_rows(path, "说明")}
    assert notes["责任单位"] == "区城管局" and notes["工作包编号"] == done.code == f"GZB{done.package_id:06d}"
    assert "整改情况" in notes["一、督查问题"] and ".zip" in notes["六、如何报回"]
    findings = _sheet_rows(path, "督查问题")
    assert [r["问题编号"] for r in findings] == [unit_work["fixing"], unit_work["waiting"]]
    assert {r["状态"] for r in findings} == {"整改中", "已交办"}
    assert all(r["整改情况"] is None and r["完成日期"] is None and r["整改后照片"] is None for r in findings)
    assert findings[0]["督办通知单"] == unit_work["notice"] and findings[0]["交办日期"].date().isoformat() == "2026-11-20"
    edition = framework.current_edition_id(office)
    own = materials.checklist(office, edition, unit_id=unit_work["unit"])
    assert [r["材料编号"] for r in _sheet_rows(path, "档案材料")] == [m["material_code"] for m in own] and own
    letter = _sheet_rows(path, "责任书")
    assert len(letter) == 1 and letter[0]["责任单位"] == "区城管局" and letter[0]["签字人"] is None
    tasks = letters.tasks_by_unit(office, edition, [unit_work["unit"]])[unit_work["unit"]]
    assert [r["标准编号"] for r in _sheet_rows(path, "任务清单")] == [t["code"] for t in tasks]
    row = office.one("SELECT * FROM unit_packages WHERE id = :id", {"id": done.package_id})
    assert row["unit_id"] == unit_work["unit"] and row["exported_by"] == office.operator and row["imported_at"] == ""
    assert [h["action"] for h in audit.history(office, "unit_packages", done.package_id)] == ["导出工作包"]


def test_all_units_get_a_folder_each(office, unit_work, tmp_path):
    result = unit_packages.export_all(office, tmp_path / "全部")
    folders = sorted(p.name for p in (tmp_path / "全部").iterdir())
    assert folders == sorted(p.unit for p in result.packages) and "区城管局" in folders
    assert all(len(list((tmp_path / "全部" / f).glob("*.xlsx"))) == 1 for f in folders)
    assert office.value("SELECT count(*) FROM unit_packages") == len(result.packages)
    assert "区政协办公室" in result.skipped  # nothing to do: no package
    with pytest.raises(AppError, match="不是空文件夹"):
        unit_packages.export_all(office, tmp_path / "全部")


# --- in -------------------------------------------------------------------------------------------

@pytest.fixture
def filled(office, unit_work, tmp_path):
    """The exported package as the unit sends it back: one finding answered with a photo, one
    material with its file, the letter signed with its scan."""
    done = unit_packages.export_package(office, unit_work["unit"], tmp_path / "包")
    book = _workbook(tmp_path / "包")
    _fill(book, "督查问题", "问题编号", unit_work["fixing"], 整改情况="已清理垃圾并增设垃圾桶",
          完成日期="2026年11月28日", 整改后照片="照片/整改后.jpg")
    code = next(r["材料编号"] for r in _sheet_rows(book, "档案材料") if r["状态"] == "待提交")
    _fill(book, "档案材料", "材料编号", code, 文件名="工作方案.pdf", 文号="城管发〔2026〕8号")
    _fill(book, "责任书", "年度", 2026, 签字人="刘局长", 签订日期="2026-11-25", 扫描件="责任书扫描件.pdf")
    files = tmp_path / "报回"
    (files / "照片").mkdir(parents=True)
    _photo(files / "照片" / "整改后.jpg")
    (files / "工作方案.pdf").write_bytes(b"%PDF-1.4 plan")
    (files / "责任书扫描件.pdf").write_bytes(b"%PDF-1.4 signed")
    return {**unit_work, "book": book, "files": files, "package": done.package_id,
            "material": materials.parse_code(code)}


def test_the_return_is_taken_in_one_go_and_again_changes_nothing(office, filled):
    result = unit_packages.import_return(office, filled["book"], filled["files"])
    assert (result.findings, result.photos, result.unanswered) == (1, 1, 1)
    assert (result.materials_submitted, result.materials_files, result.letter_signed, result.scans) == (1, 1, True, 1)
    f = supervision.get_finding(office, filled["fixing"])
    assert f["status"] == "已反馈"
    event = supervision.history(office, filled["fixing"])[-1]
    assert (event["action"], event["on_date"], event["note"]) == ("整改反馈", "2026-11-28", "已清理垃圾并增设垃圾桶")
    assert [a["original_name"] for a in office.rows(
        "SELECT original_name FROM attachments WHERE owner_table = 'findings' AND owner_id = :id AND role = 'after'",
        {"id": filled["fixing"]})] == ["整改后.jpg"]
    assert supervision.get_finding(office, filled["waiting"])["status"] == "已交办"  # unanswered: left alone
    m = materials.get_material(office, filled["material"])
    assert m["status"] == "已提交" and m["doc_number"] == "城管发〔2026〕8号"
    assert [a["original_name"] for a in materials.files_of(office, filled["material"])] == ["工作方案.pdf"]
    status = letters.get_status(office, 2026, filled["unit"])
    assert (status["state"], status["signed_by"], status["signed_on"]) == ("已签订", "刘局长", "2026-11-25")
    assert [a["original_name"] for a in office.rows(
        "SELECT original_name FROM attachments WHERE owner_table = 'letter_status' AND owner_id = :id",
        {"id": status["id"]})] == ["责任书扫描件.pdf"]
    row = office.one("SELECT * FROM unit_packages WHERE id = :id", {"id": filled["package"]})
    assert row["imported_at"].startswith(TODAY) and row["imported_by"] == office.operator
    before = _counts(office)
    again = unit_packages.import_return(office, filled["book"], filled["files"])
    assert not again.changed and again.imported_before == row["imported_at"] and again.findings_unchanged == 1
    assert _counts(office) == before
    assert office.one("SELECT * FROM unit_packages WHERE id = :id", {"id": filled["package"]}) == row


def test_a_return_with_problems_lists_every_one_and_writes_nothing(office, filled):
    book = filled["book"]
    _fill(book, "督查问题", "问题编号", filled["fixing"], 完成日期="2026-11-19", 整改后照片="不存在.jpg")
    _fill(book, "督查问题", "问题编号", filled["waiting"], 问题编号=filled["other"], 整改情况="已处理")
    _fill(book, "责任书", "年度", 2026, 签字人=None)
    ws_book = openpyxl.load_workbook(book)
    ws_book["督查问题"].append([999999, None, None, None, None, None, None, None, None, "已整改"])
    ws_book.save(book)
    before = _counts(office)
    with pytest.raises(AppError) as err:
        unit_packages.import_return(office, book, filled["files"])
    found = {(p.row, p.column): p.message for p in err.value.problems}
    assert "未导入任何内容" in err.value.message_zh
    assert "早于交办日期 2026-11-20" in found[(2, "督查问题：完成日期")]
    assert "城关街道办事处" in found[(3, "督查问题：问题编号")] and "其他单位" in found[(3, "督查问题：问题编号")]
    assert "999999" in found[(4, "督查问题：问题编号")] and "不存在" in found[(4, "督查问题：问题编号")]
    assert "没有填写签字人" in found[(2, "责任书：签字人")]
    assert _counts(office) == before
    assert supervision.get_finding(office, filled["fixing"])["status"] == "整改中"
    assert office.value("SELECT imported_at FROM unit_packages WHERE id = :id", {"id": filled["package"]}) == ""
    # the date right, the photo still missing from the folder sent
    _fill(book, "督查问题", "问题编号", filled["fixing"], 完成日期="2026-11-28")
    with pytest.raises(AppError) as err:
        unit_packages.import_return(office, book, filled["files"])
    assert any(p.column == "督查问题：整改后照片" and "不存在.jpg" in p.message for p in err.value.problems)


def test_a_finding_not_yet_being_fixed_is_reported_not_forced(office, filled):
    _fill(filled["book"], "督查问题", "问题编号", filled["waiting"], 整改情况="已修复")
    with pytest.raises(AppError) as err:
        unit_packages.import_return(office, filled["book"], filled["files"])
    [problem] = err.value.problems
    assert problem.column == "督查问题：整改情况" and "已交办" in problem.message and "签收" in problem.message
    assert supervision.get_finding(office, filled["waiting"])["status"] == "已交办"


def test_a_workbook_that_is_no_return_is_refused(office, tmp_path):
    path = tmp_path / "别的.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["项目", "内容"])
    book.active.append(["责任单位", "区城管局"])
    book.save(path)
    with pytest.raises(AppError, match="没有“工作包编号”"):
        unit_packages.import_return(office, path)


# --- command line ---------------------------------------------------------------------------------

def test_command_line_exports_refuses_and_imports(office, unit_work, data_dir, tmp_path):
    ledger = ledger_args(office, data_dir)
    out = run_cli(ledger, "unit-package", "--unit", "城管局", "--out", str(tmp_path / "包"))
    assert out.returncode == 0, out.stderr
    assert "已生成“区城管局”的工作包 GZB" in out.stdout and "督查问题 2 个" in out.stdout
    book = _workbook(tmp_path / "包")
    _fill(book, "督查问题", "问题编号", unit_work["fixing"], 整改情况="已清理", 完成日期="2026-11-30",
          整改后照片="整改后.jpg")
    out = run_cli(ledger, "unit-package-import", str(book), "--report", str(tmp_path / "问题.xlsx"))
    assert out.returncode == 2 and "未导入任何内容" in out.stderr
    assert "整改后.jpg" in _sheet_rows(tmp_path / "问题.xlsx", "导入问题")[0]["问题"]
    assert supervision.get_finding(office, unit_work["fixing"])["status"] == "整改中"
    files = tmp_path / "照片"
    files.mkdir()
    _photo(files / "整改后.jpg")
    shutil.make_archive(str(tmp_path / "照片"), "zip", files)
    out = run_cli(ledger, "unit-package-import", str(book), "--files", str(tmp_path / "照片.zip"))
    assert out.returncode == 0, out.stderr
    assert "1 个督查问题已反馈（附整改后照片 1 张）" in out.stdout and "未填写整改情况的问题 1 个" in out.stdout
    assert supervision.get_finding(office, unit_work["fixing"])["status"] == "已反馈"
    out = run_cli(ledger, "unit-package-import", str(book), "--files", str(tmp_path / "照片.zip"))
    assert out.returncode == 0 and "没有需要登记的变化，未做任何更改" in out.stdout
    out = run_cli(ledger, "unit-package", "--all", "--out", str(tmp_path / "全部"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "全部" / "区城管局" / "区城管局工作包回执.xlsx").exists()


# --- the window -----------------------------------------------------------------------------------

def test_window_exports_a_package_and_takes_its_return(qtbot, window, demo_db, tmp_path, monkeypatch):
    from gui.widgets.locate import select_row_by_id

    cg = units.resolve_one(demo_db, "区城管局")
    site = supervision.list_sites(demo_db)[0]["id"]
    fid = new_finding(demo_db, site, found_on="2026-11-18", unit_id=cg, description="解放路护栏损坏")
    supervision.issue_notice(demo_db, cg, [fid], issued_on="2026-11-20")
    supervision.sign(demo_db, fid, "王联络", "2026-11-21")
    supervision.start_fixing(demo_db, fid, "2026-11-22")
    page = window.show_page("units")
    assert select_row_by_id(page.table, cg)
    infos, errors = [], []
    monkeypatch.setattr("gui.dialogs.show_info", lambda parent, title, text: infos.append(text))
    monkeypatch.setattr("gui.dialogs.show_error", lambda parent, title, exc: errors.append(exc))
    monkeypatch.setattr("gui.dialogs.save_file", lambda *a, **k: str(tmp_path / "城管.zip"))
    qtbot.mouseClick(page.buttons["package"], Qt.LeftButton)
    qtbot.waitUntil(lambda: bool(infos or errors), timeout=60000)
    assert not errors and "已生成“区城管局”的工作包 GZB" in infos[0]
    with zipfile.ZipFile(tmp_path / "城管.zip") as z:
        z.extractall(tmp_path / "回执")
    book = _workbook(tmp_path / "回执")
    _fill(book, "督查问题", "问题编号", fid, 整改情况="已更换护栏", 完成日期="2026-11-19")
    monkeypatch.setattr("gui.dialogs.open_file", lambda *a, **k: str(book))
    qtbot.mouseClick(page.buttons["package_return"], Qt.LeftButton)
    qtbot.waitUntil(lambda: bool(errors), timeout=60000)
    assert [(p.row, p.column) for p in errors[0].problems] == [(2 + _row_of(book, fid), "督查问题：完成日期")]
    assert supervision.get_finding(demo_db, fid)["status"] == "整改中"
    _fill(book, "督查问题", "问题编号", fid, 完成日期="2026年11月30日")
    shutil.make_archive(str(tmp_path / "报回"), "zip", tmp_path / "回执")
    monkeypatch.setattr("gui.dialogs.open_file", lambda *a, **k: str(tmp_path / "报回.zip"))
    infos.clear()
    qtbot.mouseClick(page.buttons["package_return"], Qt.LeftButton)
    qtbot.waitUntil(lambda: bool(infos), timeout=60000)
    assert "1 个督查问题已反馈" in infos[0]
    assert supervision.get_finding(demo_db, fid)["status"] == "已反馈"


def _row_of(book, finding_id) -> int:
    return [r["问题编号"] for r in _sheet_rows(book, "督查问题")].index(finding_id)
