"""档案材料 exchange and outputs: unit round trip with a folder or zip, bad returns, checklist Excel,
the 归档文件目录 and labels, and the 迎检资料包."""

import re
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from core import framework, materials, settings, units
from core.errors import AppError


def _edition(db):
    return framework.current_edition_id(db)


def _fill(template: Path, out: Path, fill: dict) -> None:
    """What the unit does: fill 文件名, 文号, 成文日期, 页数, 说明 on the rows it has files for."""
    wb = load_workbook(template)
    ws = wb.active
    headers = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        code = row[headers.index("材料编号")].value
        for key, value in fill.get(code, {}).items():
            row[headers.index(key)].value = value
    wb.save(out)


def _template(db, tmp_path, unit="区文明办"):
    unit_id = units.resolve_one(db, unit)
    path = tmp_path / f"{unit}.xlsx"
    materials.export_unit_template(db, path, _edition(db), unit_id)
    rows = list(load_workbook(path).active.values)
    return path, rows[0], rows[1:]


def _pending(rows, headers, kind):
    return [r[0] for r in rows if r[headers.index("材料类型")] == kind and r[headers.index("状态")] == "待提交"]


def test_unit_round_trip_with_a_folder_is_idempotent(demo_db, tmp_path):
    template, headers, rows = _template(demo_db, tmp_path)
    assert headers[:2] == ("材料编号", "责任单位") and {"文件名", "文号", "成文日期", "页数", "说明"} <= set(headers)
    assert all(r[1] == "区文明办" for r in rows)
    photos, reports = _pending(rows, headers, "实景图片"), _pending(rows, headers, "说明报告")
    files = tmp_path / "报送文件"
    (files / "照片").mkdir(parents=True)
    (files / "照片" / "活动1.jpg").write_bytes(b"\xff\xd8photo1")
    (files / "照片" / "活动2.jpg").write_bytes(b"\xff\xd8photo2")
    (files / "情况说明.pdf").write_bytes(b"%PDF-1.4 report")
    (files / "多余的文件.docx").write_bytes(b"extra")
    filled = tmp_path / "交回.xlsx"
    _fill(template, filled, {photos[0]: {"文件名": "活动1.jpg\n照片/活动2.jpg", "说明": "两张照片"},
                             reports[0]: {"文件名": "情况说明.pdf", "文号": "X文明办〔2026〕8号",
                                          "成文日期": "2026年6月3日", "页数": 4}})
    e = _edition(demo_db)
    result = materials.import_file(demo_db, filled, e, files)
    assert (result.attached, result.submitted) == (3, 2)
    assert result.unmatched_files == ["多余的文件.docx"]
    report = materials.get_material(demo_db, materials.parse_code(reports[0]))
    assert (report["status"], report["doc_number"], report["doc_date"], report["pages"], report["file_count"]) == (
        "已提交", "X文明办〔2026〕8号", "2026-06-03", 4, 1)
    assert materials.get_material(demo_db, materials.parse_code(photos[0]))["file_count"] == 2
    audit_rows = demo_db.value("SELECT count(*) FROM audit_log")
    again = materials.import_file(demo_db, filled, e, files)
    assert (again.attached, again.submitted) == (0, 0)
    assert demo_db.value("SELECT count(*) FROM audit_log") == audit_rows


def test_return_from_a_zip_and_cli(demo_db, data_dir, tmp_path):
    template, headers, rows = _template(demo_db, tmp_path)
    target = _pending(rows, headers, "统计表格")[0]
    filled = tmp_path / "交回.xlsx"
    _fill(template, filled, {target: {"文件名": "统计表.pdf"}})
    archive = tmp_path / "files.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("区文明办/统计表.pdf", b"%PDF-1.4 stats")
    ledger = ["--data", str(data_dir.root)] + (["--server", demo_db.url] if demo_db.engine == "postgresql" else [])
    demo_db.close()
    main = Path(__file__).resolve().parent.parent / "main.py"
    run = subprocess.run([sys.executable, str(main), *ledger, "materials-import", str(filled),
                          "--files", str(archive), "--unit", "区文明办"], capture_output=True, text=True,
                         encoding="utf-8")
    assert run.returncode == 0, run.stderr
    assert "添加文件 1 个" in run.stdout
    check = subprocess.run([sys.executable, str(main), *ledger, "materials-check"],
                           capture_output=True, text=True, encoding="utf-8")
    assert check.returncode == 3 and "材料无附件" in check.stdout


def test_bad_returns_write_nothing(demo_db, tmp_path):
    e = _edition(demo_db)
    template, headers, rows = _template(demo_db, tmp_path)
    target = _pending(rows, headers, "说明报告")[0]
    files = tmp_path / "f"
    files.mkdir()
    (files / "ok.pdf").write_bytes(b"%PDF ok")
    before = demo_db.value("SELECT count(*) FROM attachments"), demo_db.value("SELECT count(*) FROM audit_log")

    def refused(fill, source=files, unit_id=None):
        out = tmp_path / "bad.xlsx"
        _fill(template, out, fill)
        with pytest.raises(AppError) as info:
            materials.import_file(demo_db, out, e, source, unit_id)
        assert (demo_db.value("SELECT count(*) FROM attachments"),
                demo_db.value("SELECT count(*) FROM audit_log")) == before
        return info.value

    err = refused({target: {"文件名": "不存在.pdf"}})
    assert "找不到文件“不存在.pdf”" in err.problems[0].message
    wb = load_workbook(template)
    wb.active.cell(row=2, column=1, value="CL999999")
    wb.active.cell(row=2, column=11, value="ok.pdf")
    wrong_id = tmp_path / "wrong-id.xlsx"
    wb.save(wrong_id)
    with pytest.raises(AppError) as info:
        materials.import_file(demo_db, wrong_id, e, files)
    assert "CL999999" in info.value.problems[0].message and "不存在" in info.value.problems[0].message
    # another unit's return, imported as if it were 区文明办's
    other, other_headers, other_rows = _template(demo_db, tmp_path, "区政府办公室")
    theirs = tmp_path / "theirs.xlsx"
    _fill(other, theirs, {_pending(other_rows, other_headers, "说明报告")[0]: {"文件名": "ok.pdf"}})
    with pytest.raises(AppError) as info:
        materials.import_file(demo_db, theirs, e, files, units.resolve_one(demo_db, "区文明办"))
    assert "其他单位的报送表" in info.value.problems[0].message
    # a row edited to claim a material of another unit
    wb = load_workbook(template)
    their_code = _pending(other_rows, other_headers, "统计表格")[0]
    wb.active.cell(row=2, column=1, value=their_code)
    mixed = tmp_path / "mixed.xlsx"
    wb.save(mixed)
    with pytest.raises(AppError) as info:
        materials.import_file(demo_db, mixed, e, files)
    assert any("属于“区政府办公室”" in p.message for p in info.value.problems)
    err = refused({target: {"文件名": "ok.pdf", "页数": "三"}})
    assert err.problems[0].column == "页数"
    err = refused({target: {"文件名": "ok.pdf"}}, source=None)
    assert "没有提供文件夹" in err.problems[0].message


def test_zip_members_climbing_out_are_refused(demo_db, tmp_path):
    template, headers, rows = _template(demo_db, tmp_path)
    filled = tmp_path / "交回.xlsx"
    _fill(template, filled, {_pending(rows, headers, "说明报告")[0]: {"文件名": "evil.pdf"}})
    for name in ("../evil.pdf", "a/../../evil.pdf", "/etc/evil.pdf", "C:/evil.pdf"):
        archive = tmp_path / "evil.zip"
        with zipfile.ZipFile(archive, "w") as z:
            z.writestr(name, b"%PDF")
        with pytest.raises(AppError, match="压缩包以外"):
            materials.import_file(demo_db, filled, _edition(demo_db), archive)
    assert not (tmp_path / "evil.pdf").exists()


def test_zip_member_over_the_size_limit_is_reported_and_never_unpacked(demo_db, tmp_path):
    settings.set(demo_db, "attachment_max_mb", 1)
    template, headers, rows = _template(demo_db, tmp_path)
    filled = tmp_path / "交回.xlsx"
    _fill(template, filled, {_pending(rows, headers, "说明报告")[0]: {"文件名": "大文件.pdf"}})
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("大文件.pdf", b"\0" * (2 * 1024 * 1024))
    before = demo_db.value("SELECT count(*) FROM attachments")
    with pytest.raises(AppError) as info:
        materials.import_file(demo_db, filled, _edition(demo_db), archive)
    assert "超过附件上限 1 MB" in info.value.problems[0].message
    assert demo_db.value("SELECT count(*) FROM attachments") == before


def test_checklist_export_reimports_unchanged_and_edits_add_remove(demo_db, tmp_path):
    e = _edition(demo_db)
    out = tmp_path / "清单.xlsx"
    assert materials.export_checklist(demo_db, out, e) == 76
    ws = load_workbook(out).active
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["材料编号", "标准编号", "测评项目"] and "附件数" in headers
    result = materials.import_file(demo_db, out, e)
    assert (result.kind, result.unchanged, result.updated) == ("checklist", 76, 0)
    wb = load_workbook(out)
    ws = wb.active
    ws.cell(row=2, column=headers.index("材料名称") + 1, value="学习计划及通知")
    ws.cell(row=3, column=headers.index("责任单位") + 1, value="区委办")
    ws.cell(row=1, column=len(headers) + 1, value="删除")
    ws.cell(row=4, column=len(headers) + 1, value="是")
    ws.append([None, "6.2.1", None, None, "统计表格", "公园绿地面积统计", "", "区城管局", "2026-09-30"])
    wb.save(out)
    result = materials.import_file(demo_db, out, e)
    assert (result.updated, result.added, result.removed) == (2, 1, 1)
    data = materials.checklist(demo_db, e)
    assert any(r["title"] == "公园绿地面积统计" and r["unit_name"] == "区城管局" for r in data)
    assert len(data) == 76
    ws.append(["CL000001", None, None, None, "视频", "x"])
    ws.append([None, "9.9.9", None, None, "其他", "y"])
    wb.save(out)
    with pytest.raises(AppError) as info:
        materials.import_file(demo_db, out, e)
    messages = " ".join(p.message for p in info.value.problems)
    assert "视频" in messages and "9.9.9" in messages


def test_catalogue_and_labels(demo_db, tmp_path):
    from pypdf import PdfReader

    e = _edition(demo_db)
    pdf = tmp_path / "目录.pdf"
    assert materials.write_catalogue_pdf(demo_db, pdf, e) == 2  # two boxes, one page each
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(pdf).pages)
    assert "归档文件目录" in text and "X创城指〔2026〕1号" in text and "第2盒" in text
    xlsx = tmp_path / "目录.xlsx"
    assert materials.write_catalogue_xlsx(demo_db, xlsx, e, box=1) == 4
    ws = load_workbook(xlsx)["第1盒"]
    assert [c.value for c in ws[1]] == materials.CATALOGUE_HEADERS
    assert [r[0] for r in ws.iter_rows(min_row=2, values_only=True)] == [1, 2, 3, 4]
    labels = tmp_path / "标签.pdf"
    assert materials.write_box_labels(demo_db, labels, e) == 2
    reader = PdfReader(labels)
    assert len(reader.pages) == 2 and "第 1 盒" in reader.pages[0].extract_text()
    with pytest.raises(AppError, match="没有已归档"):
        materials.write_catalogue_pdf(demo_db, tmp_path / "x.pdf", e, box=9)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs)["href"])


def test_package_folder_and_zip_have_every_file_and_working_links(demo_db, tmp_path):
    e = _edition(demo_db)
    folder = tmp_path / "迎检资料包"
    result = materials.build_package(demo_db, folder, e)
    with_files = [r for r in materials.checklist(demo_db, e) if r["file_count"]]
    assert result.files == sum(r["file_count"] for r in with_files) == 12
    parser = _Links()
    parser.feed((folder / "index.html").read_text(encoding="utf-8"))
    assert len(parser.hrefs) == 13  # every file and 目录.xlsx
    for href in parser.hrefs:
        assert (folder / unquote(href)).is_file(), href
    copied = [p for p in folder.rglob("*") if p.is_file() and p.name not in ("index.html", "目录.xlsx")]
    assert len(copied) == 12
    assert all(re.match(r"\d\d ", p.relative_to(folder).parts[0]) for p in copied)
    ws = load_workbook(folder / "目录.xlsx").active
    assert ws.max_row == 77
    archive = tmp_path / "包.zip"
    materials.build_package(demo_db, archive, e)
    with zipfile.ZipFile(archive) as z:
        names = set(z.namelist())
        assert {"index.html", "目录.xlsx"} <= names and len(names) == 14
    with pytest.raises(AppError, match="不是空文件夹"):
        materials.build_package(demo_db, folder, e)


def test_a_document_dated_after_its_submission_is_refused(demo_db, tmp_path, monkeypatch):
    monkeypatch.setenv("CHUANGCHENG_TODAY", "2026-06-10")
    template, headers, rows = _template(demo_db, tmp_path)
    target = _pending(rows, headers, "说明报告")[0]
    files = tmp_path / "f"
    files.mkdir()
    (files / "ok.pdf").write_bytes(b"%PDF ok")
    filled = tmp_path / "交回.xlsx"
    _fill(template, filled, {target: {"文件名": "ok.pdf", "成文日期": "2026年6月13日"}})
    with pytest.raises(AppError) as info:
        materials.import_file(demo_db, filled, _edition(demo_db), files)
    problem = info.value.problems[0]
    assert problem.column == "成文日期"
    assert problem.message == "成文日期 2026-06-13 晚于今天（2026-06-10），还没有到这一天，请检查日期。"
    assert materials.get_material(demo_db, materials.parse_code(target))["status"] == "待提交"


def test_an_untouched_unit_template_imports_back_changing_nothing(demo_db, tmp_path):
    template, _headers, rows = _template(demo_db, tmp_path)
    assert rows
    audit_rows = demo_db.value("SELECT count(*) FROM audit_log")
    result = materials.import_file(demo_db, template, _edition(demo_db), None)
    assert (result.attached, result.submitted) == (0, 0)
    assert demo_db.value("SELECT count(*) FROM audit_log") == audit_rows
