"""The shared Excel reader and text helpers: untidy files are read, hostile ones refused with AppError."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.styles import Font

from core.errors import AppError, Cancelled
from core.xlsx import reader
from core.xlsx.reader import Column, Problem, list_sheets, read_table
from core.text import clean_text, closest, normalize_header, parse_date, parse_number, split_multi

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"

FRAMEWORK_COLUMNS = [
    Column("category", ("测评项目",)),
    Column("indicator", ("测评内容", "测评指标")),
    Column("code", ("标准编号", "编号"), required=True),
    Column("title", ("测评标准",), required=True),
    Column("methods", ("测评方法",)),
    Column("points", ("分值", "分值（分）")),
    Column("lead", ("牵头单位", "责任单位")),
    Column("support", ("配合单位",)),
    Column("group", ("专项推进组",)),
    Column("deadline", ("完成时限",)),
]


# --- helpers ------------------------------------------------------------------------------------


def save(wb: Workbook, path: Path) -> Path:
    wb.save(path)
    return path


def rewrite_member(path: Path, member: str, transform) -> Path:
    """Rewrite one part of a saved package (to make what openpyxl cannot write: cached formula values,
    absurd dimensions, cells longer than Excel allows)."""
    with zipfile.ZipFile(path) as source:
        parts = [(info.filename, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts:
            if name == member:
                data = transform(data.decode("utf-8")).encode("utf-8")
            target.writestr(name, data)
    return path


def package(path: Path, sheet_xml: str, *, strings_xml: str | None = None, styles_xml: str | None = None,
            workbook_pr: str = "") -> Path:
    """A minimal package written by hand, shaped like Excel's and WPS's own output."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{main}" xmlns:r="{rel}">{workbook_pr}'
            f'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="/xl/worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId3" Type="{rel}/styles" Target="styles.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    if strings_xml is not None:
        parts["xl/sharedStrings.xml"] = strings_xml
    if styles_xml is not None:
        parts["xl/styles.xml"] = styles_xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


def small_table(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["标准编号", "测评标准", "牵头单位"])
    ws.append(["1.1.1", "学习制度健全", "区委宣传部"])
    ws.append(["1.1.2", "信息公开", "区政府办公室"])
    return save(wb, path)


def values(table, key):
    return [row.values[key] for row in table.rows]


# --- text helpers -------------------------------------------------------------------------------


def test_clean_text_tidies_spaces_numbers_and_dates():
    assert clean_text(None) == ""
    assert clean_text(1.0) == "1"
    assert clean_text(1.5) == "1.5"
    assert clean_text(0.1 + 0.2) == "0.3"
    assert clean_text(13812345678.0) == "13812345678"
    assert clean_text(7) == "7"
    assert clean_text("\u3000 区委\u00a0 宣传部 \u3000") == "区委 宣传部"
    assert clean_text(" 区委办\r\n\r\n  区财政局 \n") == "区委办\n区财政局"
    assert clean_text("\ufeff编号\u200b") == "编号"
    assert clean_text(dt.date(2026, 3, 15)) == "2026-03-15"
    assert clean_text(dt.datetime(2026, 3, 15)) == "2026-03-15"
    assert clean_text(dt.datetime(2026, 3, 15, 8, 30)) == "2026-03-15 08:30"


def test_split_multi_splits_on_every_separator_keeping_order_without_repeats():
    text = "区委办、区财政局，区教育局,区民政局；团区委;区妇联／区总工会/区法院\n区司法局\r区委办 、 "
    assert split_multi(text) == [
        "区委办", "区财政局", "区教育局", "区民政局", "团区委", "区妇联", "区总工会", "区法院", "区司法局",
    ]
    assert split_multi(None) == []
    assert split_multi("  ") == []


@pytest.mark.parametrize(
    "value",
    [
        "2026.3.15", "2026/3/15", "2026-03-15", "2026年3月15日", "2026.03.15", "20260315", " 2026 年 3 月 15 日 ",
        "２０２６－０３－１５", "2026-03-15 00:00:00", dt.date(2026, 3, 15), dt.datetime(2026, 3, 15, 9, 0),
        46096, 46096.75, 20260315,
    ],
)
def test_parse_date_accepts_what_offices_write(value):
    assert parse_date(value) == dt.date(2026, 3, 15)


@pytest.mark.parametrize("value", ["2026年3月", "下周一", "15/3/2026", "2026-02-30", "1.5", 2026, True, -3])
def test_parse_date_refuses_other_text_in_chinese(value):
    with pytest.raises(ValueError) as raised:
        parse_date(value)
    assert "日期" in str(raised.value)


def test_parse_date_empty_is_none():
    assert parse_date(None) is None
    assert parse_date(" \u3000") is None


def test_parse_number():
    assert parse_number(1) == 1.0
    assert parse_number("1.5") == 1.5
    assert parse_number("１．５") == 1.5
    assert parse_number(" -2 ") == -2.0
    assert parse_number("1,234.5") == 1234.5
    assert parse_number("") is None
    assert parse_number(None) is None
    for bad in ("1.5分", "约2", "1,5", "abc", True, float("nan"), "inf"):
        with pytest.raises(ValueError) as raised:
            parse_number(bad)
        assert "数字" in str(raised.value)


def test_normalize_header():
    assert normalize_header(" 分 值\n（分） ") == "分值(分)"
    assert normalize_header("分值（分）", strip_unit=True) == "分值"
    assert normalize_header("完成时限【日期】", strip_unit=True) == "完成时限"
    assert normalize_header("Phone No.") == "phoneno."
    assert normalize_header("（分）", strip_unit=True) == "(分)"


def test_closest_prefers_containment_for_chinese_unit_names():
    units = ["区委宣传部", "区委组织部", "区城管局", "区城乡建设局", "区教育局"]
    assert closest("宣传部", units)[0] == "区委宣传部"
    assert closest("区城管局执法大队", units)[0] == "区城管局"
    assert closest("区委组织部门", units)[0] == "区委组织部"
    assert closest("毫不相干", units) == []
    assert closest("", units) == []
    assert len(closest("区", units, n=2)) == 2


# --- untidy tables that must be read ------------------------------------------------------------


def test_sample_framework_fills_merged_cells_and_skips_the_note():
    table = read_table(SAMPLES / "测评体系责任分解表_示例.xlsx", FRAMEWORK_COLUMNS)
    assert table.sheet_name == "责任分解表"
    assert table.header_row == 2
    assert len(table.rows) == 41
    assert [row.number for row in table.rows] == list(range(3, 44))
    assert "deadline" not in table.columns_found and table.columns_found["points"] == "分值"
    assert all(row.values["category"] for row in table.rows)
    assert table.rows[1].values["category"] == "一、廉洁高效的政务环境"  # row 4, inside merged B3:B7
    assert table.rows[1].values["indicator"] == "理论学习与政务公开"
    assert table.rows[-1].values["category"] == "七、扎实有效的创建活动"
    assert table.rows[0].values["points"] == 1.5 and table.rows[2].values["points"] == 2
    assert table.rows[0].values["deadline"] is None
    assert not any("注" in str(row.values["code"]) for row in table.rows)


def test_sample_units():
    columns = [Column("name", ("单位名称",), required=True), Column("short", ("简称",)), Column("phone", ("联系电话",))]
    table = read_table(SAMPLES / "责任单位_示例.xlsx", columns)
    assert table.header_row == 1 and len(table.rows) == 37
    assert table.rows[0].values == {"name": "区委办公室", "short": "区委办", "phone": "0931-8123401"}
    assert list_sheets(SAMPLES / "责任单位_示例.xlsx") == ["责任单位"]


def test_title_rows_variants_any_order_blank_rows_notes_and_spaces(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["XX区2026年测评达标责任分解表"])
    ws.append(["填报单位：区文明办", None, None, "2026年3月"])
    ws.append([])
    ws.append(["牵头\n单位", "测评标准", " 编 号 ", "分值（分）", "完成时限", "其他列"])
    ws.append(["\u3000区委宣传部 ", "学习制度健全", "1.1.1", 1.5, "2026.3.15", "x"])
    ws.append([])
    ws.append([None, None, None, None, None, None])
    ws.append(["区政府办公室、区政务服务中心", "信息公开", "1.1.2", "2", dt.datetime(2026, 4, 1), None])
    ws.append(["注：分值以测评体系为准。"])
    ws.append(["填表人：张三", None, "审核人：李四"])
    table = read_table(save(wb, tmp_path / "untidy.xlsx"), FRAMEWORK_COLUMNS)
    assert table.header_row == 4
    assert table.columns_found == {
        "lead": "牵头\n单位", "title": "测评标准", "code": "编 号", "points": "分值（分）", "deadline": "完成时限",
    }
    assert [row.number for row in table.rows] == [5, 8]
    assert values(table, "lead") == ["区委宣传部", "区政府办公室、区政务服务中心"]
    assert values(table, "points") == [1.5, "2"]
    assert values(table, "deadline") == ["2026.3.15", dt.date(2026, 4, 1)]
    assert values(table, "support") == [None, None]


def test_unit_variant_matches_only_when_listed(tmp_path):
    wb = Workbook()
    wb.active.append(["标准编号", "测评标准", "分值(分)"])
    wb.active.append(["1.1.1", "学习", 2])
    path = save(wb, tmp_path / "unit.xlsx")
    assert read_table(path, FRAMEWORK_COLUMNS).columns_found["points"] == "分值(分)"
    strict = [c if c.key != "points" else Column("points", ("分值",)) for c in FRAMEWORK_COLUMNS]
    assert "points" not in read_table(path, strict).columns_found


def test_merged_cells_fill_down_and_across_and_band_rows_are_skipped(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["测评项目", "测评内容", "标准编号", "测评标准", "牵头单位", "配合单位"])
    ws.append(["一、政务环境", None, None, None, None, None])  # a section band merged across the table
    ws.merge_cells("A2:F2")
    ws.append(["一、政务环境", "政务公开", "1.1.1", "目录完整", "区政府办", "区政务中心"])
    ws.append([None, None, "1.1.2", "答复及时", "区政府办", None])
    ws.append([None, "服务型政府", "1.2.1", "集中办理", "区政务中心", None])
    ws.merge_cells("A3:A5")
    ws.merge_cells("B3:B4")
    ws.merge_cells("E5:F5")  # lead and support are the same unit, merged across
    ws.append(["测评项目", "测评内容", "标准编号", "测评标准", "牵头单位", "配合单位"])  # a second table pasted below
    ws.append(["二、法治环境", "法治宣传", "2.1.1", "普法责任制", "区司法局", None])
    ws.append(["以上标准由区文明办负责解释，各单位对照落实"])
    ws.merge_cells("A8:F8")
    table = read_table(save(wb, tmp_path / "merged.xlsx"), FRAMEWORK_COLUMNS)
    assert [row.number for row in table.rows] == [3, 4, 5, 7]
    table.rows.pop()
    assert values(table, "category") == ["一、政务环境"] * 3
    assert values(table, "indicator") == ["政务公开", "政务公开", "服务型政府"]
    assert values(table, "support") == ["区政务中心", None, "区政务中心"]


def test_two_row_merged_header(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["2026年责任分解表"])
    ws.merge_cells("A1:F1")
    ws.append(["标准编号", "测评标准", "分值", "责任单位", None, "备注"])
    ws.append([None, None, None, "牵头单位", "配合单位", None])
    for column in "ABCF":
        ws.merge_cells(f"{column}2:{column}3")
    ws.merge_cells("D2:E2")
    ws.append(["1.1.1", "学习制度健全", 1.5, "区委宣传部", "区委办"])
    ws.append(["1.1.2", "信息公开", 1, "区政府办", None])
    table = read_table(save(wb, tmp_path / "two_rows.xlsx"), FRAMEWORK_COLUMNS)
    assert table.header_row == 2
    assert table.columns_found == {"code": "标准编号", "title": "测评标准", "points": "分值", "lead": "牵头单位",
                                   "support": "配合单位"}
    assert [row.number for row in table.rows] == [4, 5]
    assert values(table, "lead") == ["区委宣传部", "区政府办"]
    assert values(table, "support") == ["区委办", None]


def test_two_row_header_without_merges(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["标准编号", "测评标准", "责任单位"])
    ws.append([None, None, "牵头单位", "配合单位"])
    ws.append(["1.1.1", "学习", "区委宣传部", "区委办"])
    table = read_table(save(wb, tmp_path / "plain_two_rows.xlsx"), FRAMEWORK_COLUMNS)
    assert table.header_row == 1 and table.rows[0].number == 3
    assert table.rows[0].values["lead"] == "区委宣传部" and table.rows[0].values["support"] == "区委办"


def test_formulas_are_read_by_their_saved_values(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["标准编号", "测评标准", "分值", "备注"])
    ws.append(["1.1.1", "学习", 2])
    ws.append(["1.1.2", "公开", 3])
    path = save(wb, tmp_path / "formulas.xlsx")

    def add_formulas(xml):
        # openpyxl cannot save a calculated value, so write the XML Excel writes for formulas
        xml = xml.replace('<c r="C2" t="n"><v>2</v></c>', '<c r="C2"><f>1+1</f><v>2</v></c>')
        xml = xml.replace('<c r="C3" t="n"><v>3</v></c>', '<c r="C3" t="str"><f>IF(A3="","",A3)</f><v></v></c>')
        return xml.replace("</row></sheetData>",
                           '<c r="D3" t="str"><f>B3&amp;"!"</f><v>公开!</v></c></row></sheetData>')

    rewrite_member(path, "xl/worksheets/sheet1.xml", add_formulas)
    columns = [Column("code", ("标准编号",)), Column("points", ("分值",)), Column("note", ("备注",))]
    table = read_table(path, columns)
    assert values(table, "points") == [2, None]  # an empty text result is a saved value: an empty cell
    assert values(table, "note") == [None, "公开!"]


def test_a_formula_without_its_saved_value_is_reported_with_its_row_and_column(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["标准编号", "测评标准", "分值"])
    ws.append(["1.1.1", "学习", "=1+1"])  # openpyxl saves formulas without calculating them
    ws.append(["1.1.2", "公开", 3])
    columns = [Column("code", ("标准编号",)), Column("points", ("分值",))]
    with pytest.raises(AppError) as refused:
        read_table(save(wb, tmp_path / "uncalculated.xlsx"), columns)
    assert [(p.row, p.column) for p in refused.value.problems] == [(2, "分值")]
    assert "没有保存它的计算结果" in refused.value.problems[0].message
    assert "=1+1" in refused.value.problems[0].message


def test_formula_string_results_and_cell_types(tmp_path):
    sheet = (
        '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
        '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c>'
        '<x:c r="C1" t="inlineStr"><x:is><x:t>完成时限</x:t></x:is></x:c>'
        '<x:c r="D1" t="inlineStr"><x:is><x:t>是否</x:t></x:is></x:c>'
        '<x:c r="E1" t="inlineStr"><x:is><x:t>结果</x:t></x:is></x:c></x:row>'
        '<x:row r="2"><x:c r="A2" t="s"><x:v>2</x:v></x:c>'
        '<x:c r="B2" t="str"><x:f>1</x:f><x:v> 区委办_x000D_ </x:v></x:c>'
        '<x:c r="C2" s="1"><x:v>46096</x:v></x:c><x:c r="D2" t="b"><x:v>1</x:v></x:c>'
        '<x:c r="E2" t="b"><x:v>0</x:v></x:c></x:row>'
        '<x:row><x:c t="s"><x:v>3</x:v></x:c>'
        '<x:c t="inlineStr"><x:is><x:r><x:t>区</x:t></x:r><x:r><x:t>教育局</x:t></x:r></x:is></x:c>'
        '<x:c s="2"><x:v>46096.5</x:v></x:c><x:c t="b"><x:v>0</x:v></x:c>'
        '<x:c t="d"><x:v>2026-03-15T00:00:00</x:v></x:c></x:row>'
        "</x:sheetData></x:worksheet>"
    )
    strings = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<si><t>标准编号</t></si><si><r><t>牵头</t></r><r><rPr><b/></rPr><t>单位</t></r>"
        "<rPh sb='0' eb='2'><t>QIANTOU</t></rPh></si><si><t>1.1.1</t></si>"
        "<si><t xml:space='preserve'> 1.1.2 </t></si></sst>"
    )
    styles = (
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<numFmts count="1">'
        '<numFmt numFmtId="180" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;;@"/>'
        "</numFmts><cellStyleXfs><xf numFmtId='14'/></cellStyleXfs>"
        "<cellXfs><xf numFmtId='0'/><xf numFmtId='31'/><xf numFmtId='180'/></cellXfs></styleSheet>"
    )
    path = package(tmp_path / "wps.xlsx", sheet, strings_xml=strings, styles_xml=styles)
    columns = [Column("code", ("标准编号",)), Column("lead", ("牵头单位",)), Column("deadline", ("完成时限",)),
               Column("flag", ("是否",)), Column("result", ("结果",))]
    table = read_table(path, columns)
    assert table.columns_found["lead"] == "牵头单位"  # phonetic run left out
    assert table.rows[0].values == {"code": "1.1.1", "lead": "区委办", "deadline": dt.date(2026, 3, 15),
                                    "flag": True, "result": False}
    assert table.rows[1].values == {"code": "1.1.2", "lead": "区教育局", "deadline": dt.datetime(2026, 3, 15, 12),
                                    "flag": False, "result": dt.date(2026, 3, 15)}


def test_1904_date_system(tmp_path):
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>标准编号</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>完成时限</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>1</t></is></c><c r="B2" s="1"><v>44634</v></c></row>'
        "</sheetData></worksheet>"
    )
    styles = ('<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              "<cellXfs><xf numFmtId='0'/><xf numFmtId='14'/></cellXfs></styleSheet>")
    path = package(tmp_path / "mac.xlsx", sheet, styles_xml=styles, workbook_pr='<workbookPr date1904="1"/>')
    table = read_table(path, [Column("code", ("标准编号",)), Column("deadline", ("完成时限",))])
    assert table.rows[0].values["deadline"] == dt.date(2026, 3, 15)


def test_hidden_sheets_ignored_unless_named_and_best_sheet_wins(tmp_path):
    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["本表用于导入测评体系"])
    hidden = wb.create_sheet("隐藏")
    hidden.append(["标准编号", "测评标准", "牵头单位", "配合单位"])
    hidden.append(["9.9.9", "隐藏的", "区委办", "区财政局"])
    hidden.sheet_state = "hidden"
    data = wb.create_sheet("数据")
    data.append(["标准编号", "测评标准"])
    data.append(["1.1.1", "可见的"])
    path = save(wb, tmp_path / "sheets.xlsx")
    assert list_sheets(path) == ["说明", "数据"]
    assert list_sheets(path, include_hidden=True) == ["说明", "隐藏", "数据"]
    assert read_table(path, FRAMEWORK_COLUMNS).rows[0].values["title"] == "可见的"
    named = read_table(path, FRAMEWORK_COLUMNS, sheet_names=["隐藏"])
    assert named.sheet_name == "隐藏" and named.rows[0].values["title"] == "隐藏的"
    with pytest.raises(AppError, match="找不到工作表“不存在”.*说明、隐藏、数据"):
        read_table(path, FRAMEWORK_COLUMNS, sheet_names=["不存在"])


def test_a_real_xlsx_with_another_extension_is_read(tmp_path):
    path = small_table(tmp_path / "table.xlsx")
    renamed = path.rename(tmp_path / "导出.xls")
    assert len(read_table(renamed, FRAMEWORK_COLUMNS).rows) == 2


def test_progress_and_cancel(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "_PROGRESS_EVERY_BYTES", 1)
    calls = []
    path = small_table(tmp_path / "t.xlsx")
    read_table(path, FRAMEWORK_COLUMNS, progress=lambda done, total, text: calls.append((done, total, text)))
    assert calls and calls[-1][0] == calls[-1][1] and "读取" in calls[-1][2]
    with pytest.raises(Cancelled):
        read_table(path, FRAMEWORK_COLUMNS, cancel=lambda: True)


def test_problem_shape():
    problem = Problem(12, "牵头单位", "未知的单位“宣传部”")
    assert (problem.row, problem.column, problem.message) == (12, "牵头单位", "未知的单位“宣传部”")


# --- wrong tables -------------------------------------------------------------------------------


def test_missing_required_column_names_it_and_its_variants(tmp_path):
    wb = Workbook()
    wb.active.append(["编号", "牵头单位", "配合单位"])
    wb.active.append(["1.1.1", "区委办", None])
    with pytest.raises(AppError) as raised:
        read_table(save(wb, tmp_path / "missing.xlsx"), FRAMEWORK_COLUMNS)
    message = raised.value.message_zh
    assert "第 1 行的表头缺少必需的列：“测评标准”（可写作：测评标准）。" in message


def test_no_header_lists_the_expected_names(tmp_path):
    wb = Workbook()
    wb.active.append(["姓名", "年龄"])
    wb.active.append(["张三", 30])
    with pytest.raises(AppError) as raised:
        read_table(save(wb, tmp_path / "other.xlsx"), FRAMEWORK_COLUMNS)
    message = raised.value.message_zh
    assert "找不到表头" in message and "测评项目、测评内容、标准编号" in message and "必需的列：标准编号、测评标准" in message


def test_empty_sheet(tmp_path):
    with pytest.raises(AppError, match="是空的"):
        read_table(save(Workbook(), tmp_path / "empty_sheet.xlsx"), FRAMEWORK_COLUMNS)


def test_too_many_data_rows(tmp_path):
    wb = Workbook()
    wb.active.append(["标准编号", "测评标准"])
    for number in range(10):
        wb.active.append([f"1.1.{number}", "标准"])
    path = save(wb, tmp_path / "many.xlsx")
    assert len(read_table(path, FRAMEWORK_COLUMNS, max_data_rows=10).rows) == 10
    with pytest.raises(AppError, match="数据行太多：超过 9 行"):
        read_table(path, FRAMEWORK_COLUMNS, max_data_rows=9)


# --- files that are not workbooks, or hostile ---------------------------------------------------

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .xls files and of password-protected .xlsx


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("empty.xlsx", b"", "文件是空的"),
        ("old.xls", OLE + b"\0" * 2000, "旧版 Excel 97-2003"),
        ("locked.xlsx", OLE + b"\0" * 600 + "EncryptedPackage".encode("utf-16-le"), "打开密码"),
        ("table.xlsx", "标准编号,测评标准\n1.1.1,学习\n".encode("gbk"), "不是有效的 Excel 工作簿（.xlsx）"),
        ("random.xlsx", bytes(range(256)) * 8, "不是有效的 Excel 工作簿（.xlsx）"),
    ],
)
def test_not_a_workbook(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(AppError) as raised:
        read_table(path, FRAMEWORK_COLUMNS)
    assert expected in raised.value.message_zh
    assert "Excel 或 WPS" in raised.value.message_zh


def test_other_zips_and_missing_files(tmp_path):
    docx = tmp_path / "letter.xlsx"
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    with pytest.raises(AppError, match="没有 Excel 工作簿"):
        read_table(docx, FRAMEWORK_COLUMNS)
    ods = tmp_path / "calc.xlsx"
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    with pytest.raises(AppError, match="OpenDocument"):
        read_table(ods, FRAMEWORK_COLUMNS)
    with pytest.raises(AppError, match="找不到文件"):
        read_table(tmp_path / "nope.xlsx", FRAMEWORK_COLUMNS)
    with pytest.raises(AppError, match="文件夹"):
        list_sheets(tmp_path)


def test_truncated_workbook_is_reported_as_damaged(tmp_path):
    path = small_table(tmp_path / "whole.xlsx")
    data = path.read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(AppError, match="不是有效的 Excel 工作簿"):
        read_table(cut, FRAMEWORK_COLUMNS)


def test_zip_bomb_is_refused_before_decompressing(tmp_path):
    path = small_table(tmp_path / "bomb.xlsx")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/media/padding.xml", "w", force_zip64=True) as member:
            block = b"\0" * (1024 * 1024)
            for _ in range(64):
                member.write(block)
    started = time.perf_counter()
    with pytest.raises(AppError, match="压缩比高达"):
        read_table(path, FRAMEWORK_COLUMNS)
    assert time.perf_counter() - started < 1


def test_total_uncompressed_size_is_capped(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "MAX_UNCOMPRESSED_BYTES", 2_000)
    with pytest.raises(AppError, match="解压后约"):
        read_table(small_table(tmp_path / "t.xlsx"), FRAMEWORK_COLUMNS)


def test_dtd_is_refused(tmp_path):
    path = small_table(tmp_path / "dtd.xlsx")
    laughs = '<!DOCTYPE worksheet [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    rewrite_member(path, "xl/worksheets/sheet1.xml", lambda xml: laughs + xml)
    with pytest.raises(AppError, match="不允许的 XML"):
        read_table(path, FRAMEWORK_COLUMNS)


def test_hundred_thousand_empty_formatted_rows_are_cheap(tmp_path):
    path = small_table(tmp_path / "formatted.xlsx")
    empty_rows = "".join(
        f'<row r="{r}"><c r="A{r}" s="1"/><c r="B{r}" s="1"/><c r="C{r}" s="1"/><c r="D{r}" s="1"/></row>'
        for r in range(4, 100_004)
    )
    late = '<row r="100010"><c r="A100010" t="inlineStr"><is><t>9.9.9</t></is></c></row>'
    rewrite_member(path, "xl/worksheets/sheet1.xml",
                   lambda xml: xml.replace("</sheetData>", empty_rows + late + "</sheetData>"))
    started = time.perf_counter()
    table = read_table(path, FRAMEWORK_COLUMNS)
    assert time.perf_counter() - started < 3
    assert [row.number for row in table.rows] == [2, 3]


def test_absurd_dimension_and_far_out_cells_cost_nothing(tmp_path):
    path = small_table(tmp_path / "absurd.xlsx")

    def stretch(xml):
        xml = re.sub(r'<dimension ref="[^"]*" ?/>', '<dimension ref="A1:XFD1048576"/>', xml)
        far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>远处</t></is></c></row>'
        return xml.replace("</row></sheetData>",
                           '<c r="XFD3" t="inlineStr"><is><t>远处</t></is></c></row>' + far + "</sheetData>")

    rewrite_member(path, "xl/worksheets/sheet1.xml", stretch)
    with zipfile.ZipFile(path) as archive:
        assert b"A1:XFD1048576" in archive.read("xl/worksheets/sheet1.xml")
    started = time.perf_counter()
    table = read_table(path, FRAMEWORK_COLUMNS)
    assert time.perf_counter() - started < 1
    assert values(table, "code") == ["1.1.1", "1.1.2"]


def test_cells_longer_than_excel_allows_are_refused(tmp_path):
    inline = small_table(tmp_path / "inline.xlsx")
    huge = "长" * 40_000
    huge_cell = f'<c r="B3" t="inlineStr"><is><t>{huge}</t></is></c>'
    rewrite_member(inline, "xl/worksheets/sheet1.xml",
                   lambda xml: xml.replace("</row></sheetData>", huge_cell + "</row></sheetData>"))
    with pytest.raises(AppError, match="第 3 行 B 列的单元格超过 Excel 允许的 32,767 个字符"):
        read_table(inline, FRAMEWORK_COLUMNS)
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>2</v></c></row></sheetData></worksheet>'
    )
    strings = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               f"<si><t>标准编号</t></si><si><t>测评标准</t></si><si><t>{huge}</t></si></sst>")
    with pytest.raises(AppError, match="32,767"):
        read_table(package(tmp_path / "shared.xlsx", sheet, strings_xml=strings), FRAMEWORK_COLUMNS)


def test_libreoffice_converted_file(tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    source = tmp_path / "source.xlsx"
    shutil.copy(SAMPLES / "测评体系责任分解表_示例.xlsx", source)
    out = tmp_path / "out"
    subprocess.run([soffice, "--headless", "--convert-to", "ods", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=120)
    if not (out / "source.ods").exists():
        pytest.skip("LibreOffice is here without Calc (its spreadsheet part): nothing was converted")
    subprocess.run([soffice, "--headless", "--convert-to", "xlsx", "--outdir", str(out / "x"),
                    str(out / "source.ods")], check=True, capture_output=True, timeout=120)
    table = read_table(out / "x" / "source.xlsx", FRAMEWORK_COLUMNS)
    assert len(table.rows) == 41 and all(row.values["category"] for row in table.rows)


# --- anything thrown at it: only AppError escapes -----------------------------------------------


def _valid_package() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["标题"])
    ws.merge_cells("A1:C1")
    ws.append(["标准编号", "测评标准", "牵头单位"])
    ws["A2"].font = Font(bold=True)
    ws.append(["1.1.1", "学习", dt.date(2026, 3, 15)])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


VALID = _valid_package()


def _mutated_members(data: bytes, seed: int, flips: list[int]) -> bytes:
    """The valid package with bytes of one XML part changed, re-zipped with correct checksums."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        parts = [(info.filename, bytearray(source.read(info.filename))) for info in source.infolist()]
    name, part = parts[seed % len(parts)]
    for position in flips:
        if part:
            part[position % len(part)] = (part[position % len(part)] + 1 + seed) % 256
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member, content in parts:
            target.writestr(member, bytes(content))
    return out.getvalue()


def _mutated_raw(data: bytes, flips: list[int], cut: int) -> bytes:
    raw = bytearray(data)
    for position in flips:
        raw[position % len(raw)] ^= 0xFF
    return bytes(raw[: max(1, len(raw) - cut)])


file_bytes = st.one_of(
    st.binary(max_size=2048),
    st.builds(_mutated_raw, st.just(VALID), st.lists(st.integers(0, 10**6), max_size=8),
              st.one_of(st.just(0), st.integers(1, 3000))),
    st.builds(_mutated_members, st.just(VALID), st.integers(0, 1000),
              st.lists(st.integers(0, 10**6), min_size=1, max_size=20)),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=file_bytes)
def test_only_app_error_escapes(tmp_path, content):
    path = tmp_path / "fuzz.xlsx"
    path.write_bytes(content)
    try:
        read_table(path, FRAMEWORK_COLUMNS)
    except AppError as error:
        assert error.message_zh


def test_unusable_cells_matter_only_in_the_columns_read(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["标准编号", "测评标准", "备注"])
    ws.append(["1.1.1", "学习_x0007_制度_x000D_\n公开", "#REF!"])  # 备注 is not read; 测评标准 is free text
    columns = [Column("code", ("标准编号",)), Column("title", ("测评标准",), free_text=True)]
    table = read_table(save(wb, tmp_path / "scoped.xlsx"), columns)
    assert table.rows[0].values == {"code": "1.1.1", "title": "学习制度\n公开"}
