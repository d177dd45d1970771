"""Writing .xlsx exports that open cleanly in Excel and WPS.

Every sheet gets a bold, frozen header row, an auto-filter over the data, column widths estimated
from the content, and real date cells; and it prints as people expect: on A4, across the page
(landscape when the columns are too wide for portrait), the header row on every page, the title at
the top and 第 N 页 共 M 页 at the foot. Sheets are streamed with openpyxl's write-only mode, and the
file appears under its name only when complete: it is written to a temporary file in the same folder
and renamed, so a failure, a cancel or a locked target leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import errno
import math
import numbers
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain, islice

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.errors import AppError, Cancelled, storage_error
from core.file_access import check_not_in_use
from core.xlsx.reader import Problem

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
TIME_FORMAT = "hh:mm"
MAX_CELL_CHARS = 32_767
MIN_WIDTH, MAX_WIDTH = 6, 60
WIDTH_SAMPLE_ROWS = 200  # rows looked at to size the columns (write-only mode sizes before writing)
PROGRESS_EVERY_ROWS = 500
PAPER_A4 = "9"  # the OOXML paper size code
# Column widths (in characters) that still print legibly across a portrait A4 page.
PORTRAIT_WIDTH = 100

_ILLEGAL_CHARS = re.compile(r"[\000-\010\013\014\016-\037]")  # XML 1.0 forbids them; Excel refuses the file
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
_HEADER_ALIGNMENT = Alignment(vertical="center", wrap_text=True)


@dataclass
class Sheet:
    """One sheet to export.

    number_formats and widths are keyed by 0-based column index or by header text; a number format
    such as "0.0%" shows fractions as percentages, "0.00" fixes decimals, "@" keeps text as text.
    row_count tells the progress bar the total when rows is a generator. print_title heads every
    printed page (the sheet title when empty); landscape None chooses by the columns' width.
    """

    title: str
    headers: list[str]
    rows: Iterable[Sequence] = ()
    number_formats: dict = field(default_factory=dict)
    widths: dict = field(default_factory=dict)
    row_count: int | None = None
    print_title: str = ""
    landscape: bool | None = None


def write_workbook(path, sheets: list[Sheet], *, progress=None, cancel=None) -> None:
    """Write the sheets to an .xlsx at path, replacing it only once the new file is complete.

    progress(done, total, text) is called every few hundred rows (total is 0 when unknown); a cancel()
    returning True raises Cancelled. Raises AppError when the file cannot be written.
    """
    sheets = list(sheets)
    if not sheets:
        raise ValueError("write_workbook needs at least one sheet")
    total = _total_rows(sheets)

    def save(temporary_path):
        workbook = Workbook(write_only=True)
        try:
            done = 0
            titles: set[str] = set()
            for sheet in sheets:
                title = _unique_title(sheet.title, titles)
                done = _write_sheet(workbook, sheet, title, done, total, progress, cancel)
            if progress is not None:
                progress(done, total, "正在保存文件…")
            workbook.save(temporary_path)
        finally:
            _discard_buffers(workbook)

    _save_atomically(path, save)


def write_problems(path, problems: list[Problem], title: str = "导入问题") -> None:
    """Write an import's problem report (行号, 列, 问题) for the user to work through in Excel."""
    rows = [[p.row, p.column, p.message] for p in problems]
    write_workbook(path, [Sheet(title, ["行号", "列", "问题"], rows, widths={"行号": 8, "列": 16, "问题": 80})])


# --- one sheet --------------------------------------------------------------------------------


def _write_sheet(workbook, sheet: Sheet, title: str, done: int, total: int, progress, cancel) -> int:
    worksheet = workbook.create_sheet(title)
    headers = [str(header) for header in sheet.headers]
    formats = _by_column(sheet.number_formats, headers)
    rows = iter(sheet.rows)
    sample = list(islice(rows, WIDTH_SAMPLE_ROWS))

    # Write-only mode writes the sheet's head (panes, column widths) with the first row.
    worksheet.freeze_panes = "A2"
    widths = _by_column(sheet.widths, headers)
    chosen = [widths.get(index, width) for index, width in enumerate(_estimate_widths(headers, sample, formats))]
    for index, width in enumerate(chosen):
        worksheet.column_dimensions[get_column_letter(index + 1)].width = width
    _set_printing(worksheet, sheet.print_title or sheet.title,
                  sum(chosen) > PORTRAIT_WIDTH if sheet.landscape is None else sheet.landscape)

    worksheet.append([_header_cell(worksheet, header) for header in headers])
    cells = _CellMaker(worksheet, formats)
    written = 0
    for row in chain(sample, rows):
        worksheet.append(cells.row(row))
        written += 1
        if written % PROGRESS_EVERY_ROWS == 0:
            if cancel is not None and cancel():
                raise Cancelled()
            if progress is not None:
                progress(done + written, total, f"正在写入“{title}”：{written:,} 行")
    if cancel is not None and cancel():
        raise Cancelled()
    width = max(len(headers), cells.widest_row, 1)
    worksheet.auto_filter.ref = f"A1:{get_column_letter(width)}{written + 1}"
    return done + written


def _set_printing(worksheet, title: str, landscape: bool) -> None:
    """A4, fitted to the page's width (as many pages down as needed), the header row repeated on every
    page, the title in the page header and the page number in the footer."""
    setup = worksheet.page_setup
    setup.paperSize = PAPER_A4
    setup.orientation = "landscape" if landscape else "portrait"
    setup.fitToWidth, setup.fitToHeight = 1, 0
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True
    worksheet.print_options.horizontalCentered = True
    worksheet.print_title_rows = "1:1"
    worksheet.oddHeader.center.text = _safe_text(title).replace("&", "&&")
    worksheet.oddHeader.center.size = 14
    worksheet.oddFooter.center.text = "第 &P 页 共 &N 页"


def _header_cell(worksheet, text: str):
    cell = WriteOnlyCell(worksheet, _safe_text(text))
    cell.data_type = "s"
    cell.font = _HEADER_FONT
    cell.fill = _HEADER_FILL
    cell.alignment = _HEADER_ALIGNMENT
    return cell


class _CellMaker:
    """Turns a row of Python values into what write-only mode writes fast.

    Plain values pass through; only cells that need a number format become WriteOnlyCells, which
    copy a prepared style instead of resolving the format for every cell.
    """

    def __init__(self, worksheet, formats: dict[int, str]):
        self.worksheet = worksheet
        self.formats = formats
        self.styles: dict[str, object] = {}
        self.widest_row = 0

    def row(self, values) -> list:
        out = []
        formats = self.formats
        for index, value in enumerate(values):
            kind = type(value)
            if value is None or kind is bool:
                out.append(value)
            elif kind is str:
                out.append(self._text(value, formats.get(index)))
            elif kind is int or kind is float:
                out.append(self._number(value, formats.get(index)))
            elif isinstance(value, dt.datetime):
                value = value.astimezone().replace(tzinfo=None) if value.tzinfo else value
                out.append(self._styled(value, formats.get(index, DATETIME_FORMAT)))
            elif isinstance(value, dt.date):
                out.append(self._styled(value, formats.get(index, DATE_FORMAT)))
            elif isinstance(value, dt.time):
                out.append(self._styled(value.replace(tzinfo=None), formats.get(index, TIME_FORMAT)))
            elif isinstance(value, (numbers.Real, Decimal)):  # IntEnum, numpy numbers
                out.append(self._number(float(value), formats.get(index)))
            else:
                out.append(self._text(str(value), formats.get(index)))
        self.widest_row = max(self.widest_row, len(out))
        return out

    def _number(self, number, number_format: str | None):
        if isinstance(number, float) and not math.isfinite(number):
            return None  # Excel cannot show NaN or infinity, and calls a file with them damaged
        return number if number_format is None else self._styled(number, number_format)

    def _text(self, text: str, number_format: str | None):
        text = _safe_text(text)
        if number_format is None and text[:1] != "=" and text not in _ERROR_CODES:
            return text
        # A cell of user text that starts with "=" must stay text: openpyxl would write a formula.
        cell = self._styled(text, number_format) if number_format else WriteOnlyCell(self.worksheet, text)
        cell.data_type = "s"
        return cell

    def _styled(self, value, number_format: str):
        style = self.styles.get(number_format)
        if style is None:
            template = WriteOnlyCell(self.worksheet)
            template.number_format = number_format
            style = self.styles[number_format] = template._style
        cell = WriteOnlyCell(self.worksheet, value)
        cell._style = copy(style)
        return cell


def _safe_text(text: str) -> str:
    if _ILLEGAL_CHARS.search(text):
        text = _ILLEGAL_CHARS.sub("", text)
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - 1] + "…"
    return text


def _by_column(mapping: dict, headers: list[str]) -> dict[int, object]:
    """Options keyed by column index or header text, as a dict keyed by column index."""
    by_index = {}
    for key, value in mapping.items():
        if isinstance(key, int):
            by_index[key] = value
        elif key in headers:
            by_index[headers.index(key)] = value
        else:
            raise ValueError(f"no column {key!r} among headers {headers}")
    return by_index


def _display_width(value, number_format: str | None) -> float:
    """Roughly how many character widths Excel needs: CJK and full-width characters count double."""
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, float) and number_format is None:
        text = format(value, ".15g")
    elif isinstance(value, (int, float)) and number_format:
        text = format(value, ",.2f") if "%" not in number_format else "100.0%"
    else:
        text = str(value)
    longest = 0
    for line in text.split("\n"):
        longest = max(longest, sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line))
    return longest


def _estimate_widths(headers: list[str], sample: list, formats: dict[int, str]) -> list[float]:
    columns = max([len(headers)] + [len(row) for row in sample])
    widths = []
    for index in range(columns):
        # A header is bold and shares its cell with the filter button.
        header = _display_width(headers[index], None) * 1.1 + 2 if index < len(headers) else 0
        number_format = formats.get(index)
        cells = (row[index] for row in sample if index < len(row))
        content = max((_display_width(value, number_format) for value in cells), default=0)
        widths.append(round(min(MAX_WIDTH, max(MIN_WIDTH, header, content + 2)), 1))
    return widths


def _unique_title(title: str, used: set[str]) -> str:
    """A sheet title Excel accepts: no []:*?/\\, at most 31 characters, not used yet (case-insensitive)."""
    base = _SHEET_TITLE_FORBIDDEN.sub("_", str(title)).strip("'").strip() or "Sheet"
    base = base[:31]
    candidate, number = base, 2
    while candidate.lower() in used:
        suffix = f"({number})"
        candidate = base[: 31 - len(suffix)] + suffix
        number += 1
    used.add(candidate.lower())
    return candidate


def _total_rows(sheets: list[Sheet]) -> int:
    total = 0
    for sheet in sheets:
        if sheet.row_count is not None:
            total += sheet.row_count
        elif hasattr(sheet.rows, "__len__"):
            total += len(sheet.rows)
        else:
            return 0
    return total


def _discard_buffers(workbook) -> None:
    """Remove the temporary files write-only sheets stream into when the workbook was not saved.

    openpyxl only deletes them at interpreter exit, and a desktop program runs for days.
    """
    for worksheet in workbook.worksheets:
        writer = worksheet._writer
        if writer is None or not os.path.exists(writer.out):
            continue  # saved: openpyxl removed it
        try:
            if worksheet._rows is not None:
                worksheet._rows.close()  # ends <sheetData> so the stream closes without errors
            writer.close()
        except Exception:
            pass  # a sheet broken mid-row cannot close cleanly; its file goes all the same
        writer.cleanup()


# --- saving safely ----------------------------------------------------------------------------


def _save_atomically(path, save) -> None:
    """Call save(temporary path) in the target folder, then rename over the target."""
    path = os.path.abspath(os.fspath(path))
    if os.path.isdir(path):
        raise _write_error(path, IsADirectoryError(errno.EISDIR, "是一个文件夹", path))
    try:
        if os.path.exists(path):
            # Excel locks a file it has open; find out now rather than after writing every row.
            check_not_in_use(path)
        handle, temporary = tempfile.mkstemp(prefix="~", suffix=".tmp", dir=os.path.dirname(path))
        os.close(handle)
    except OSError as error:
        raise _write_error(path, error) from None
    try:
        save(temporary)
        os.replace(temporary, path)
    except OSError as error:
        _remove_quietly(temporary)
        raise _write_error(path, error) from None
    except BaseException:
        _remove_quietly(temporary)
        raise


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def _write_error(path: str, error: OSError) -> AppError:
    return storage_error(error, f"写入文件 {path}") or AppError(
        f"无法写入文件：{path}。请关闭正在打开该文件的程序，或换一个保存位置。",
        details=str(error),
    )
