"""Every importer against hostile and broken workbooks: a clear AppError, and nothing written.

A small number of generated examples runs in the suite; `pytest -m slow` runs the long soak
(set HOSTILE_EXAMPLES, default 10,000 per importer)."""

import os
import zipfile

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from core.db import rows
from core.errors import AppError
from core.xlsx import framework_io, units_io


def _importers():
    """(name, column names the importer knows, call) for every importer in the program."""
    found = [
        ("units", [n for c in units_io.COLUMNS for n in c.names], lambda db, p: units_io.import_units(db, p)),
        ("framework", [n for c in framework_io.COLUMNS for n in c.names],
         lambda db, p: framework_io.import_framework(db, p, create_units=True)),
    ]
    from core import framework
    from core.xlsx import findings_io, materials_io, results_io

    names = lambda columns: [n for c in columns for n in c.names]  # noqa: E731
    found += [
        ("results", names(results_io.COLUMNS),
         lambda db, p: results_io.import_results(db, p, "模糊测试轮次", replace=True)),
        ("findings", names(findings_io.COLUMNS), lambda db, p: findings_io.import_findings(db, p)),
        ("materials", names(materials_io.COLUMNS),
         lambda db, p: materials_io.import_file(db, p, framework.current_edition_id(db))),
    ]
    return found


IMPORTERS = _importers()


def _snapshot(db):
    tables = [r["name"] for r in rows(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    return {t: rows(db, f"SELECT * FROM [{t}]") for t in tables}


def _attempt(db, call, path):
    before = _snapshot(db)
    try:
        call(db, path)
    except AppError:
        assert _snapshot(db) == before, "a refused import must write nothing"


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
        _attempt(demo_db, call, path)

    run()


@pytest.mark.slow
@pytest.mark.parametrize("name, headers, call", IMPORTERS, ids=[i[0] for i in IMPORTERS])
def test_generated_broken_workbooks_soak(demo_db, tmp_path, name, headers, call):
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(workbooks(headers))
    def run(spec):
        path = tmp_path / "gen.xlsx"
        _write(path, spec)
        _attempt(demo_db, call, path)

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
    wb.active.append(["甲" * 40000, "1", "x", "y", "z"])
    wb.save(path)


def _absurd_dimension(path):
    wb = openpyxl.Workbook()
    wb.active.append(["单位名称", "标准编号", "测评项目", "测评标准", "牵头单位"])
    wb.active["XFD1048576"] = "far away"
    wb.save(path)


@pytest.mark.parametrize("make", [_zip_bomb, _empty_formatted_rows, _huge_cell, _absurd_dimension,
                                  lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0 old xls")],
                         ids=["zip-bomb", "100k-empty-rows", "huge-cell", "absurd-dimension", "xls"])
@pytest.mark.parametrize("name, headers, call", IMPORTERS, ids=[i[0] for i in IMPORTERS])
def test_hostile_files(demo_db, tmp_path_factory, make, name, headers, call):
    path = _HOSTILE.get(make)
    if path is None:  # each file is made once and thrown at every importer
        path = _HOSTILE[make] = tmp_path_factory.mktemp("hostile") / "hostile.xlsx"
        make(path)
    _attempt(demo_db, call, path)


_HOSTILE: dict = {}
