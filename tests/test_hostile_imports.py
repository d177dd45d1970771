"""Every importer against hostile and broken workbooks: a clear AppError, and nothing written.

The files made to be hostile (a zip bomb, an .xls, error cells, control characters …) must be
refused by every importer. Generated workbooks may be accepted or refused, but a refusal writes
nothing. A small number of generated examples runs in the suite; `pytest -m slow` runs the long soak
(set HOSTILE_EXAMPLES, default 10,000 per importer)."""

import datetime as dt
import os
import zipfile
from dataclasses import dataclass

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from core.supervision import workdays
from core.errors import AppError
from core import framework, units
from core.xlsx import framework_io, units_io


def _importers():
    """(name, column names the importer knows, call) for every importer in the program."""
    found = [
        ("units", [n for c in units_io.COLUMNS for n in c.names], lambda db, p: units.import_units(db, p)),
        ("framework", [n for c in framework_io.COLUMNS for n in c.names],
         lambda db, p: framework.import_framework(db, p, create_units=True)),
    ]
    from core import materials, scoring, supervision
    from core.xlsx import materials_io, scoring_io, supervision_io

    names = lambda columns: [n for c in columns for n in c.names]  # noqa: E731
    found += [
        ("results", names(scoring_io.COLUMNS),
         lambda db, p: scoring.import_results(db, p, "模糊测试轮次", replace=True)),
        ("findings", names(supervision_io.COLUMNS), lambda db, p: supervision.import_findings(db, p)),
        ("materials", names(materials_io.COLUMNS),
         lambda db, p: materials.import_file(db, p, framework.current_edition_id(db))),
        ("holidays", names(supervision_io.SCHEDULE_COLUMNS), lambda db, p: workdays.import_schedule(db, 2031, p)),
    ]
    return found


IMPORTERS = _importers()


def _snapshot(db):
    return {t: sorted(db.rows(f"SELECT * FROM {t}"), key=repr) for t in db.tables()}


def _refused_or_accepted(db, call, path):
    """For generated files, which may well be valid: a refusal is an AppError that wrote nothing."""
    before = _snapshot(db)
    try:
        call(db, path)
    except AppError:
        assert _snapshot(db) == before, "a refused import must write nothing"


def _refused(db, call, path) -> AppError:
    before = _snapshot(db)
    with pytest.raises(AppError) as refused:
        call(db, path)
    assert refused.value.message_zh
    assert _snapshot(db) == before, "a refused import must write nothing"
    return refused.value


@pytest.fixture(scope="module")
def refusing_db(tmp_path_factory):
    """One demo district for the files every importer must refuse: a refusal writes nothing (each
    test checks), so the cases can share it."""
    from core.demo import load_demo
    from core.paths import DataDir
    from core.store import open_store

    database = open_store(DataDir(tmp_path_factory.mktemp("refusing") / "data"), "测试员")
    load_demo(database)
    yield database
    database.conn.close()


# Control characters cannot be stored in xlsx at all, so the generator leaves them out.
text = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=40)
cell = st.one_of(st.none(), st.integers(-10 ** 12, 10 ** 12), st.floats(allow_nan=True, allow_infinity=True),
                 text, st.sampled_from(["=1/0", "=A1", "2026年13月45日", "#N/A", "各街道", "\u3000", "、、、"]),
                 st.dates())


@st.composite
def workbooks(draw, header_names):
    n_cols = draw(st.integers(1, 8))
    header = [draw(st.one_of(st.sampled_from(header_names), text)) for _ in range(n_cols)]
    body = draw(st.lists(st.lists(cell, min_size=0, max_size=n_cols + 2), max_size=12))
    title_rows = draw(st.integers(0, 3))
    merges = draw(st.lists(st.tuples(st.integers(1, 15), st.integers(1, 8), st.integers(0, 3), st.integers(0, 2)), max_size=3))
    hidden = draw(st.booleans())
    return header, body, title_rows, merges, hidden


def _write(path, spec):
    header, body, title_rows, merges, hidden = spec
    wb = openpyxl.Workbook()
    ws = wb.active
    for _ in range(title_rows):
        ws.append(["某区创城工作表"])
    ws.append(header)
    for r in body:
        try:
            ws.append(r)
        except (ValueError, TypeError):  # openpyxl refuses some values itself; write them as text
            ws.append([None if v is None else str(v) for v in r])
    for row, col, dr, dc in merges:
        try:
            ws.merge_cells(start_row=row, start_column=col, end_row=row + dr, end_column=col + dc)
        except ValueError:
            pass
    if hidden:
        extra = wb.create_sheet("隐藏")
        extra.append(header)
        extra.sheet_state = "hidden"
    wb.save(path)


EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "10000"))


@pytest.mark.parametrize("name, headers, call", IMPORTERS, ids=[i[0] for i in IMPORTERS])
def test_generated_broken_workbooks(demo_db, tmp_path, name, headers, call):
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(workbooks(headers))
    def run(spec):
        path = tmp_path / "gen.xlsx"
        _write(path, spec)
        _refused_or_accepted(demo_db, call, path)

    run()


@pytest.mark.slow
@pytest.mark.parametrize("name, headers, call", IMPORTERS, ids=[i[0] for i in IMPORTERS])
def test_generated_broken_workbooks_soak(demo_db, tmp_path, name, headers, call):
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(workbooks(headers))
    def run(spec):
        path = tmp_path / "gen.xlsx"
        _write(path, spec)
        _refused_or_accepted(demo_db, call, path)

    run()


def _zip_bomb(path):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as f:
            chunk = b"<c>" + b"0" * (1024 * 1024) + b"</c>"
            for _ in range(300):
                f.write(chunk)


def _empty_formatted_rows(path):
    from openpyxl.styles import PatternFill

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("表")
    ws.append(["单位名称", "标准编号", "测评项目", "测评标准", "牵头单位"])
    fill = PatternFill("solid", fgColor="FFFF00")
    for _ in range(100_000):
        c = openpyxl.cell.WriteOnlyCell(ws, value=None)
        c.fill = fill
        ws.append([c])
    wb.save(path)


def _huge_cell(path):
    wb = openpyxl.Workbook()
    wb.active.append(["单位名称", "标准编号", "测评项目", "测评标准", "牵头单位"])
    wb.active.append(["HUGE", "1", "x", "y", "z"])
    wb.save(path)
    # openpyxl cuts text to Excel's 32,767 characters, so the longer cell is written into the XML
    with zipfile.ZipFile(path) as source:
        parts = [(info.filename, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts:
            target.writestr(name, data.replace(b">HUGE<", (">" + "甲" * 40_000 + "<").encode()))


def _absurd_dimension(path):
    wb = openpyxl.Workbook()
    wb.active.append(["单位名称", "标准编号", "测评项目", "测评标准", "牵头单位"])
    wb.active["XFD1048576"] = "far away"
    wb.save(path)


def _too_many_parts(path):
    wb = openpyxl.Workbook()
    wb.active.append(["单位名称", "标准编号", "测评项目", "测评标准", "牵头单位"])
    wb.save(path)
    with zipfile.ZipFile(path, "a") as zf:
        for i in range(10_001):
            zf.writestr(f"customXml/item{i}.xml", "")


@pytest.mark.parametrize("make", [_zip_bomb, _empty_formatted_rows, _huge_cell, _absurd_dimension, _too_many_parts,
                                  lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0 old xls")],
                         ids=["zip-bomb", "100k-empty-rows", "huge-cell", "absurd-dimension", "10001-parts", "xls"])
@pytest.mark.parametrize("name, headers, call", IMPORTERS, ids=[i[0] for i in IMPORTERS])
def test_hostile_files(refusing_db, tmp_path_factory, make, name, headers, call):
    path = _HOSTILE.get(make)
    if path is None:  # each file is made once and thrown at every importer
        path = _HOSTILE[make] = tmp_path_factory.mktemp("hostile") / "hostile.xlsx"
        make(path)
    _refused(refusing_db, call, path)


_HOSTILE: dict = {}


# --- cells that hold no data: Excel errors, formulas without their result, control characters ------

@dataclass(frozen=True)
class Sheet:
    """A sheet every importer accepts on the demo district, and where to spoil it."""

    header: list
    row: list
    strict: str  # a name or code column: a control character there is refused
    free: str | None = None  # a free-text column: control characters there are dropped
    stored_free: str | None = None  # SQL giving back what the import stored from the free-text cell


GOOD_SHEETS = {
    "units": Sheet(["单位名称", "简称"], ["区新设局", "新设局"], strict="单位名称"),
    "framework": Sheet(["测评项目", "测评标准", "标准编号", "牵头单位"], ["文明交通", "路口秩序井然", "9.9.9", "区委办公室"],
                       strict="牵头单位", free="测评标准",
                       stored_free="SELECT title FROM framework_nodes WHERE code = '9.9.9' ORDER BY id DESC"),
    "results": Sheet(["标准编号", "满分", "得分", "子项", "失分原因"], ["1.1.1", 2, 1, "学习宣传", "宣传栏破损"],
                     strict="子项", free="失分原因", stored_free="SELECT reason FROM score_results ORDER BY id DESC"),
    "findings": Sheet(["发现日期", "点位", "问题描述", "责任单位"],
                      [dt.date.today(), "东岗农贸市场", "地面有垃圾", "区委办公室"], strict="责任单位", free="问题描述",
                      stored_free="SELECT description FROM findings ORDER BY id DESC"),
    "materials": Sheet(["材料编号", "标准编号", "材料名称", "材料要求"], [None, "1.1.1", "学习制度", "盖章扫描"],
                       strict="材料名称", free="材料要求",
                       stored_free="SELECT requirement FROM materials ORDER BY id DESC"),
    "holidays": Sheet(["日期", "类型", "名称"], [dt.date(2031, 10, 1), "放假", "国庆节"], strict="类型", free="名称",
                      stored_free="SELECT name FROM workday_overrides WHERE day = '2031-10-01'"),
}
# The framework goes to its own edition: a one-row file would otherwise retire the demo's standards.
CALLS = {name: call for name, _, call in IMPORTERS}
CALLS["framework"] = lambda db, p: framework.import_framework(db, p, framework.edition_id_by_name(db, "导入测试版本"),
                                                                new_edition="导入测试版本", create_units=True)
ERRORS = ["#REF!", "#N/A", "#DIV/0!", "#VALUE!", "#NAME?", "#NULL!", "#NUM!"]


def _sheet_file(path, sheet: Sheet, spoil=None, rows_=1):
    """The good sheet with `rows_` data rows; spoil(cell, i) may change the cell of row i in the strict column."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(sheet.header)
    column = sheet.header.index(sheet.strict) + 1
    for i in range(rows_):
        ws.append(sheet.row)
        if spoil is not None:
            spoil(ws.cell(ws.max_row, column), i)
    wb.save(path)
    return path


def _error_cell(cell, i):
    cell.value = ERRORS[i]  # openpyxl stores these as error cells (t="e")
    assert cell.data_type == "e"
    if i % 2:
        cell.data_type = "s"  # the same text as a plain string, as after copying values or a CSV


def _control_char(cell, i):
    cell.value = f"{cell.value}_x0007_"  # how Excel stores the character U+0007 in cell text


def _formula(cell, i):
    cell.value = "=A1"  # saved without its result, as programs that do not calculate write it


@pytest.mark.parametrize("name", GOOD_SHEETS)
def test_the_good_sheets_are_accepted(demo_db, tmp_path, name):
    CALLS[name](demo_db, _sheet_file(tmp_path / "good.xlsx", GOOD_SHEETS[name]))


@pytest.mark.parametrize("spoil, rows_, says", [(_error_cell, len(ERRORS), "Excel 错误值"),
                                                (_control_char, 1, "控制字符"),
                                                (_formula, 1, "没有保存它的计算结果")],
                         ids=["excel-errors", "control-character", "formula-without-value"])
@pytest.mark.parametrize("name", GOOD_SHEETS)
def test_cells_without_usable_data_are_refused_by_every_importer(refusing_db, tmp_path, name, spoil, rows_, says):
    sheet = GOOD_SHEETS[name]
    refused = _refused(refusing_db, CALLS[name], _sheet_file(tmp_path / "spoilt.xlsx", sheet, spoil, rows_))
    assert [(p.row, p.column) for p in refused.problems] == [(2 + i, sheet.strict) for i in range(rows_)]
    assert all(says in p.message for p in refused.problems)


@pytest.mark.parametrize("name", [name for name, sheet in GOOD_SHEETS.items() if sheet.free])
def test_control_characters_are_dropped_from_free_text_by_every_importer(demo_db, tmp_path, name):
    sheet = GOOD_SHEETS[name]
    column = sheet.header.index(sheet.free)
    text = sheet.row[column]
    row = list(sheet.row)
    row[column] = f"{text[:2]}_x0007_{text[2:]}_x001F_"
    CALLS[name](demo_db, _sheet_file(tmp_path / "free.xlsx", Sheet(sheet.header, row, sheet.strict)))
    assert demo_db.value(sheet.stored_free) == text


def _return_sheet(db, path):
    code = db.value("SELECT id FROM materials ORDER BY id LIMIT 1")
    wb = openpyxl.Workbook()
    wb.active.append(["材料编号", "文件名"])
    wb.active.append([f"CL{code:06d}", "制度.pdf"])
    wb.save(path)
    return path


def _zip_of_many_files(path, count):
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(count):
            zf.writestr(f"照片/{i}.txt", "")
    return path


@pytest.mark.parametrize("count", [10_001, 70_000], ids=["10001-files", "70000-files-zip64"])
def test_a_materials_zip_with_more_than_10000_files_is_refused(refusing_db, tmp_path, count):
    from core import framework, materials

    sheet = _return_sheet(refusing_db, tmp_path / "return.xlsx")
    edition = framework.current_edition_id(refusing_db)
    files = _zip_of_many_files(tmp_path / "files.zip", count)
    refused = _refused(refusing_db, lambda db, p: materials.import_file(db, p, edition, files=files), sheet)
    assert f"{count:,} 个文件" in refused.message_zh

    # The count comes from the zip's end record (the zip64 one beyond 65,535), before the entries are
    # parsed: with the entries spoilt, the refusal is still about their number.
    data = bytearray(files.read_bytes())
    first_entry = data.index(b"PK\x01\x02")
    data[first_entry:first_entry + 4] = b"XXXX"
    files.write_bytes(bytes(data))
    refused = _refused(refusing_db, lambda db, p: materials.import_file(db, p, edition, files=files), sheet)
    assert f"{count:,} 个文件" in refused.message_zh
