"""Importing and exporting the 测评达标责任分解表."""

import shutil
import subprocess

import openpyxl
import pytest

from core import framework, units
from core.errors import AppError
from core.xlsx import framework_io
from district import load_district


@pytest.fixture
def units_db(db, samples):
    units.import_units(db, samples / "责任单位_示例.xlsx")
    return db


def _standards(db, edition=None):
    edition = edition or framework.current_edition_id(db)
    return {s["code"]: s for s in framework.standards(db, edition, include_retired=True)}


def _write(path, rows_, *, title=None, merges=(), sheet_title="分解表"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet_title
    if title:
        ws.append([title])
    for r in rows_:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    wb.save(path)
    return path


def test_import_sample_file(units_db, samples):
    db = units_db
    report = framework.import_framework(db, samples / "测评体系责任分解表_示例.xlsx", new_edition="2026年度")
    assert len(report["added"]) == 41 and report["retired"] == []
    std = _standards(db)
    assert len(std) == 41
    # merged 测评项目 / 测评内容 cells fill down
    assert std["1.2.3"]["category"] == "一、廉洁高效的政务环境"
    assert std["1.2.3"]["indicator"] == "服务型政府建设"
    assert std["5.1.2"]["lead"] == ["各街道办事处"]  # a group stays a group
    assert std["1.2.3"]["support"] == ["区市场监管局", "区卫健委", "区交通运输局"]
    assert std["1.1.2"]["methods"] == "材料审核、网上申报"
    assert std["5.3.3"]["points"] == 0.5
    assert std["5.3.2"]["support"] == []
    assert framework.current_edition_id(db) == report["edition_id"]  # first edition becomes current
    assert db.value("SELECT count(*) FROM audit_log WHERE action = '导入责任分解表'") == 1


def test_reimporting_the_same_file_changes_nothing(units_db, samples):
    db = units_db
    path = samples / "测评体系责任分解表_示例.xlsx"
    framework.import_framework(db, path)
    audit_before = db.value("SELECT count(*) FROM audit_log")
    report = framework.import_framework(db, path)
    assert report["added"] == [] and report["updated"] == [] and report["retired"] == []
    assert report["unchanged"] == 41
    # only the summary row of the import itself
    assert db.value("SELECT count(*) FROM audit_log") == audit_before + 1


def test_new_version_updates_in_place_and_retires_missing(units_db, samples, tmp_path):
    db = units_db
    framework.import_framework(db, samples / "测评体系责任分解表_示例.xlsx")
    first_ids = {c: s["id"] for c, s in _standards(db).items()}
    wb = openpyxl.load_workbook(samples / "测评体系责任分解表_示例.xlsx")
    ws = wb.active
    ws["G3"] = 2.5            # 1.1.1 分值 1.5 → 2.5
    ws["H4"] = "区委办公室"     # 1.1.2 牵头
    ws.delete_rows(43)         # 7.2.2 removed
    path = tmp_path / "v2.xlsx"
    wb.save(path)
    report = framework.import_framework(db, path)
    assert set(report["updated"]) == {"1.1.1", "1.1.2"}
    assert report["retired"] == ["7.2.2"]
    std = _standards(db)
    assert std["1.1.1"]["points"] == 2.5 and std["1.1.1"]["id"] == first_ids["1.1.1"]
    assert std["1.1.2"]["lead"] == ["区委办公室"]
    assert std["7.2.2"]["retired"] == 1  # kept for history
    # Importing the old file again brings it back.
    report = framework.import_framework(db, samples / "测评体系责任分解表_示例.xlsx")
    assert report["restored"] == ["7.2.2"]


def test_header_variants_title_rows_any_order_and_notes(units_db, tmp_path):
    path = _write(tmp_path / "v.xlsx", [
        ["", "", "", "", "", ""],
        ["编号", "一级指标", "二级指标", "具体标准", "主责单位", "协办单位", "分数", "考核方式", "工作组", "时限"],
        ["1.1", "政务环境", "政务公开", "信息公开及时", "区政府办", "区政务服务中心；区融媒体中心", "1", "材料审核", "综合组", "2026年6月30日"],
        [None, None, None, None, None, None, None, None, None, None],
        ["1.10", None, None, "十号标准", "各街道", "区城管局/区住建局", "2", "实地考察，问卷调查", "", "6月底前"],
        ["说明：本表由区创城办编制。"],
    ], title="某区2026年测评任务分解", merges=("B4:B6", "C4:C6"))
    report = framework.import_framework(db := units_db, path)
    std = _standards(db)
    assert set(std) == {"1.1", "1.10"} and len(report["added"]) == 2
    assert std["1.10"]["category"] == "政务环境" and std["1.10"]["indicator"] == "政务公开"
    assert std["1.1"]["lead"] == ["区政府办公室"]  # 简称 resolved to the unit
    assert std["1.1"]["support"] == ["区政务服务中心", "区融媒体中心"]
    assert std["1.10"]["support"] == ["区城管局", "区住建局"]
    assert std["1.10"]["methods"] == "实地考察、问卷调查"
    assert std["1.1"]["deadline"] == "2026-06-30" and std["1.10"]["deadline"] == "6月底前"
    assert std["1.1"]["working_group"] == "综合组"


def test_two_row_merged_header(units_db, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["测评项目", "标准编号", "测评标准", "分值", "责任单位", None])
    ws.append([None, None, None, None, "牵头单位", "配合单位"])
    for cell in ("A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:F1"):
        ws.merge_cells(cell)
    ws.append(["文明交通", "5.2.1", "礼让斑马线", 2, "区公安分局交警大队", "区文明办"])
    wb.save(tmp_path / "h2.xlsx")
    framework.import_framework(units_db, tmp_path / "h2.xlsx")
    std = _standards(units_db)["5.2.1"]
    assert std["lead"] == ["区公安分局交警大队"] and std["support"] == ["区文明办"] and std["points"] == 2


def test_unknown_units_are_reported_with_suggestions_and_nothing_written(units_db, tmp_path):
    path = _write(tmp_path / "u.xlsx", [
        ["测评项目", "标准编号", "测评标准", "牵头单位", "配合单位"],
        ["甲", "1", "一", "区城管执法局", "区文明委"],
        ["甲", "2", "二", "区教育局", "区城管执法局"],
    ])
    with pytest.raises(framework.UnknownUnitsError) as err:
        framework.import_framework(units_db, path)
    assert set(err.value.unknown) == {"区城管执法局", "区文明委"}
    assert "区城管局" in err.value.unknown["区城管执法局"]
    assert err.value.rows_of["区城管执法局"] == [2, 3]
    assert units_db.value("SELECT count(*) FROM editions") == 0
    report = framework.import_framework(units_db, path, create_units=True)
    assert set(report["created_units"]) == {"区城管执法局", "区文明委"}
    assert _standards(units_db)["2"]["support"] == ["区城管执法局"]


def test_created_units_get_kinds_from_their_names(db, tmp_path):
    path = _write(tmp_path / "k.xlsx", [
        ["测评项目", "标准编号", "测评标准", "牵头单位"],
        ["甲", "1", "一", "新华街道、红旗镇、区档案馆"],
    ])
    framework.import_framework(db, path, create_units=True)
    kinds = {u["name"]: u["kind"] for u in units.list_units(db)}
    assert kinds == {"新华街道": "街道", "红旗镇": "乡镇", "区档案馆": "其他"}


def test_every_problem_reported_at_once_and_nothing_written(units_db, tmp_path):
    path = _write(tmp_path / "bad.xlsx", [
        ["测评项目", "标准编号", "测评标准", "测评方法", "分值", "牵头单位"],
        ["甲", "1.1", "一", "材料审核", "1", "区教育局"],
        ["甲", "1.1", "重复编号", "材料审核", "1", "区教育局"],
        ["甲", "", "没有编号", "材料审核", "1", "区教育局"],
        ["甲", "1.3", "方法不对", "电话抽查", "1", "区教育局"],
        ["甲", "1.4", "分值不对", "材料审核", "一分", "区教育局"],
        ["甲", "1.5", "负分", "材料审核", "-1", "区教育局"],
    ])
    with pytest.raises(AppError) as err:
        framework.import_framework(units_db, path)
    found = {(p.row, p.column) for p in err.value.problems}
    assert found == {(3, "标准编号"), (4, "标准编号"), (5, "测评方法"), (6, "分值"), (7, "分值")}
    assert units_db.value("SELECT count(*) FROM framework_nodes") == 0


@pytest.mark.parametrize("content, message", [
    (b"not a workbook at all", "不是有效的 Excel"),
    (b"", "不是有效的 Excel"),
])
def test_not_an_xlsx(units_db, tmp_path, content, message):
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    with pytest.raises(AppError, match=message):
        framework.import_framework(units_db, path)


def test_no_header_row_and_missing_lead_column_and_empty_sheet(units_db, tmp_path):
    with pytest.raises(AppError) as err:
        framework.import_framework(units_db, _write(tmp_path / "a.xlsx", [["名称", "金额"], ["x", 1]]))
    assert "测评标准" in err.value.message_zh
    with pytest.raises(AppError) as err:
        framework.import_framework(units_db, _write(tmp_path / "b.xlsx", [
            ["测评项目", "标准编号", "测评标准", "配合单位"], ["甲", "1", "一", "区教育局"]]))
    assert "牵头单位" in err.value.message_zh + err.value.details
    with pytest.raises(AppError):
        framework.import_framework(units_db, _write(tmp_path / "c.xlsx", []))
    assert units_db.value("SELECT count(*) FROM framework_nodes") == 0


def test_export_then_import_round_trip(db, tmp_path):
    load_district(db)
    src = framework.current_edition_id(db)
    path = tmp_path / "out.xlsx"
    framework.export_framework(db, path, src)
    ws = openpyxl.load_workbook(path).active
    assert [c.value for c in ws[1]] == framework_io.EXPORT_HEADERS
    assert ws.freeze_panes == "A2"
    first = [c.value for c in ws[2]]
    assert first[:4] == ["1.1.1", "一、廉洁高效的政务环境", "理论学习与政务公开", first[3]]
    assert first[6] == "区委宣传部" and first[7] == "区委办公室、区委组织部"
    # into a new edition: the same data
    framework.import_framework(db, path, new_edition="复核版")
    new = framework.resolve_edition(db, "复核版")
    keys = ("code", "category", "indicator", "title", "methods", "points", "lead", "support", "working_group")
    a = [{k: s[k] for k in keys} for s in framework.standards(db, src)]
    b = [{k: s[k] for k in keys} for s in framework.standards(db, new)]
    assert a == b
    # and into the same edition: nothing changes
    report = framework.import_framework(db, path)
    assert report["updated"] == [] and report["added"] == [] and report["unchanged"] == 43


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_file_resaved_by_libreoffice(units_db, samples, tmp_path):
    src = tmp_path / "in.xlsx"
    shutil.copy(samples / "测评体系责任分解表_示例.xlsx", src)
    out = tmp_path / "lo"
    subprocess.run(["soffice", "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(src)],
                   check=True, capture_output=True, timeout=120)
    if not (out / "in.xlsx").exists():
        pytest.skip("LibreOffice Calc is not installed (only other LibreOffice parts are)")
    report = framework.import_framework(units_db, out / "in.xlsx")
    assert len(report["added"]) == 41


def test_import_into_an_edition_chosen_by_its_id(units_db, samples):
    db = units_db
    current = framework.create_edition(db, "2026年度")
    review = framework.create_edition(db, "复核版")
    report = framework.import_framework(db, samples / "测评体系责任分解表_示例.xlsx", review)
    assert report["edition_id"] == review and len(report["added"]) == 41
    assert framework.edition_totals(db, review)["standards"] == 41
    assert framework.edition_totals(db, current)["standards"] == 0
    assert framework.current_edition_id(db) == current
    with pytest.raises(AppError, match="找不到"):
        framework.import_framework(db, samples / "测评体系责任分解表_示例.xlsx", review + 100)


def test_month_end_deadlines_and_points_with_their_unit(tmp_path):
    path = tmp_path / "分解表.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["标准编号", "测评项目", "测评内容", "测评标准", "分值", "完成时限", "牵头单位"])
    ws.append(["1.1.1", "一、市容", "环境", "路面干净", "1.5分", "2026年9月底前", "区城管局"])
    ws.append(["1.1.2", "一、市容", "环境", "无乱贴", "2 分", "2027年2月末", "区城管局"])
    wb.save(path)
    parsed = framework_io.read_framework(path, [])
    assert parsed.problems == []
    assert [(r["points"], r["deadline"]) for r in parsed.rows] == [(1.5, "2026-09-30"), (2, "2027-02-28")]


def test_export_carries_deadline_and_negative_list_and_reimports_them(db, tmp_path):
    import datetime as dt

    load_district(db)
    src = framework.current_edition_id(db)
    stds = framework.standards(db, src)
    by_date, by_words, negative = stds[0], stds[1], stds[2]
    framework.update_node(db, by_date["id"], {"deadline": "2026-09-30"})
    framework.update_node(db, by_words["id"], {"deadline": "长期坚持"})
    framework.update_node(db, negative["id"], {"negative": 1})
    path = tmp_path / "out.xlsx"
    framework.export_framework(db, path, src)
    ws = openpyxl.load_workbook(path).active
    header = [c.value for c in ws[1]]
    assert header[0] == "标准编号" and "完成时限" in header and "负面清单" in header
    rows = {r[0]: dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows[by_date["code"]]["完成时限"] == dt.datetime(2026, 9, 30)  # a real date cell
    assert rows[by_words["code"]]["完成时限"] == "长期坚持"
    assert rows[negative["code"]]["负面清单"] == "是" and rows[by_date["code"]]["负面清单"] is None
    framework.import_framework(db, path, new_edition="复核版")
    again = {s["code"]: s for s in framework.standards(db, framework.resolve_edition(db, "复核版"))}
    assert again[by_date["code"]]["deadline"] == "2026-09-30" and again[by_words["code"]]["deadline"] == "长期坚持"
    assert again[negative["code"]]["negative"] == 1 and again[by_date["code"]]["negative"] == 0
    report = framework.import_framework(db, path)
    assert report["updated"] == [] and report["added"] == []


def test_a_total_row_is_skipped_and_its_points_checked(units_db, tmp_path):
    path = _write(tmp_path / "t.xlsx", [
        ["测评项目", "标准编号", "测评标准", "分值", "牵头单位"],
        ["甲", "1", "一", "1.5分", "区教育局"],
        ["甲", "2", "二", "2", "区教育局"],
        ["合计", "合计", None, "4", None],
    ])
    report = framework.import_framework(units_db, path)
    assert report["added"] == ["1", "2"]
    assert any("第 4 行是“合计”行，已跳过" in w and "4 与各标准分值之和 3.5 不符" in w for w in report["warnings"])


def test_unknown_units_come_with_every_other_problem_from_one_reading(units_db, tmp_path, monkeypatch):
    from core.xlsx import framework_io

    path = _write(tmp_path / "u.xlsx", [
        ["测评项目", "标准编号", "测评标准", "牵头单位"],
        ["甲", "1", "一", "区城管执法局"],
        ["甲", "1", "二", "区教育局"],
    ])
    with pytest.raises(framework.UnknownUnitsError) as err:
        framework.import_framework(units_db, path)
    found = {(p.row, p.column) for p in err.value.problems}
    assert (2, "责任单位") in found and (3, "标准编号") in found  # the unit and the duplicate code together
    assert not err.value.only_units
    # a file whose only problem is a unit: creating it imports what was read, without reading again
    path = _write(tmp_path / "v.xlsx", [["测评项目", "标准编号", "测评标准", "牵头单位"], ["甲", "1", "一", "区城管执法局"]])
    reads = []
    real = framework_io.read_framework
    monkeypatch.setattr(framework_io, "read_framework", lambda *a, **k: reads.append(1) or real(*a, **k))
    with pytest.raises(framework.UnknownUnitsError) as err:
        framework.import_framework(units_db, path)
    assert err.value.only_units
    report = framework.import_framework(units_db, path, create_units=True, parsed=err.value.parsed)
    assert report["created_units"] == ["区城管执法局"] and len(reads) == 1


def test_the_window_creates_unknown_units_from_the_one_reading(qtbot, window, tmp_path, monkeypatch):
    from core.xlsx import framework_io

    path = _write(tmp_path / "v.xlsx", [["测评项目", "标准编号", "测评标准", "牵头单位"], ["甲", "9.9.9", "一", "区新设局"]])
    reads, infos = [], []
    real = framework_io.read_framework
    monkeypatch.setattr(framework_io, "read_framework", lambda *a, **k: reads.append(1) or real(*a, **k))
    monkeypatch.setattr("gui.dialogs.open_file", lambda *a, **k: str(path))
    monkeypatch.setattr("gui.dialogs.confirm", lambda *a, **k: True)
    monkeypatch.setattr("gui.dialogs.show_info", lambda parent, title, text: infos.append(text))
    page = window.show_page("framework")
    page.import_framework()
    qtbot.waitUntil(lambda: bool(infos), timeout=20000)
    assert "新建单位：区新设局" in infos[0] and len(reads) == 1
