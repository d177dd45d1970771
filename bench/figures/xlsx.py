"""Excel in and out: importing the unit list and the 分解表, and exporting the 分解表.

DESIGN.md sets no budget for imports (they run off the GUI thread with a progress dialog); exports
must reach 5,000 rows per second, given here as the time that rate allows for the file's rows, and
are shown beside bare openpyxl on the same rows (whose speed depends on lxml being installed).
"""

from __future__ import annotations

import shutil

from openpyxl import LXML, Workbook

from bench.figures import Context, Timer, group, median, result
from bench.generate import OPERATOR
from core import framework, units
from core.paths import DataDir
from core.store import open_store
from core.xlsx import framework_io

EXPORT_ROWS_PER_S = 5000
IMPORT_EDITION = "导入测试"


def _rate(rows: int, samples_ms: list[float]) -> float:
    return round(rows / (median(samples_ms) / 1000))


def _line(name: str, timer: Timer, budget_ms, ctx: Context, rows: int, **extra) -> dict:
    return result(name, timer.wall, budget_ms, ctx, cpu_median_ms=median(timer.cpu), rows=rows,
                  rows_per_s=_rate(rows, timer.wall), **extra)


@group("import_units_xlsx")
def import_units(ctx: Context, wanted: set[str]):
    timer, counts = Timer(), {}
    for i in range(ctx.samples(5 if ctx.scale == "1x" else 3)):
        data = DataDir(ctx.scratch / f"units-{i}")  # a new, empty data folder each time
        db = open_store(data, OPERATOR)
        with timer.sample():
            counts = units.import_units(db, ctx.dataset.units_xlsx)
        db.conn.close()
        shutil.rmtree(data.root)
    yield _line("import_units_xlsx", timer, None, ctx, sum(counts.values()))


@group("import_framework_xlsx", "import_framework_xlsx_noop")
def import_framework(ctx: Context, wanted: set[str]):
    """The whole 分解表 into a new, empty edition of a copy of the dataset (its units exist), then
    the same file again: every row found unchanged, nothing written but the audit row."""
    full, noop, rows = Timer(), Timer(), 0
    for i in range(ctx.samples(5 if ctx.scale == "1x" else 3)):
        data = ctx.copy_data(f"framework-{i}")
        db = open_store(data, OPERATOR)
        with full.sample():
            report = framework.import_framework(db, ctx.dataset.framework_xlsx, new_edition=IMPORT_EDITION)
        rows = len(report["added"])
        if "import_framework_xlsx_noop" in wanted:
            with noop.sample():
                report = framework.import_framework(db, ctx.dataset.framework_xlsx, report["edition_id"])
            assert report["unchanged"] == rows, report  # a changed row would measure another path
        db.conn.close()
        shutil.rmtree(data.root)
    yield _line("import_framework_xlsx", full, None, ctx, rows)
    if noop.wall:
        yield _line("import_framework_xlsx_noop", noop, None, ctx, rows)


def _openpyxl_floor(path, headers: list[str], table: list[list]) -> None:
    """The same rows through bare openpyxl write-only mode: no styles, widths or checks. DESIGN.md
    calls this the floor; the export cannot be faster, and the gap is the program's own cost."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet("floor")
    worksheet.append(headers)
    for row in table:
        worksheet.append(row)
    workbook.save(path)


@group("export_framework_xlsx", reads_only=True)
def export_framework(ctx: Context, wanted: set[str]):
    db = ctx.open_store()
    target = ctx.scratch / "export.xlsx"
    table = framework.framework_table(db, ctx.dataset.edition_id)
    export, floor, rows = Timer(), Timer(), 0
    for _ in range(ctx.samples(5)):
        with export.sample():
            rows = framework.export_framework(db, target, ctx.dataset.edition_id)
        with floor.sample():
            _openpyxl_floor(ctx.scratch / "floor.xlsx", framework_io.EXPORT_HEADERS, table)
    db.close()
    yield _line("export_framework_xlsx", export, rows / EXPORT_ROWS_PER_S * 1000, ctx, rows,
                floor_rows_per_s=_rate(rows, floor.wall), lxml=LXML, file_kb=round(target.stat().st_size / 1024))
