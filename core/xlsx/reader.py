"""Reading one table out of an .xlsx file that a person made: the tolerant, safe reader every importer uses.

The table is found by its column names (title rows above, a header of one or two rows made of merged
cells, columns in any order); merged cells are filled; blank rows, a repeated header and notes below
are skipped; formulas are read by their saved values. Files that are hostile rather than untidy (not a
workbook, a zip bomb, cells longer than Excel allows, endless rows) are refused with an AppError, or
cut short, before they cost much time or memory.

Cells that hold no usable data are refused for every importer alike, each listed with its 行号 and 列:
an Excel error (#REF!, #N/A…, also as plain text), a formula saved without its result, and control
characters in names and codes (in a free-text column they are dropped instead).

Why not openpyxl for reading: its read-only mode does not expose merged cells, builds Python objects
for every cell, and for files without a <dimension> parses each sheet once more just to size it. On a
50,000-row, 10-column table it took 3.9 s (shared strings) to 6.3 s (inline strings) merely to iterate
the values; this module streams the sheet XML through expat and returns the finished, cleaned table in
1.9–2.5 s, finding merged ranges with a byte scan of the same XML. Memory stays proportional to the
rows returned, never to the sheet's declared size.

Kept whole because the streaming parse, the merged-cell fill and the header search work on one pass
over the same sheet XML and share its state; the safety limits must be read beside the loops they bound.
"""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import re
import zipfile
from collections import defaultdict
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pyexpat import ParserCreate

from openpyxl.styles.numbers import is_date_format, is_timedelta_format
from openpyxl.utils.cell import get_column_letter
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel

from core.errors import AppError, Cancelled
from core.text import clean_text, has_control_chars, normalize_header, show_control_chars, strip_control_chars

# Hostile-file limits. A 50,000-row table is ~60 MB of sheet XML compressed about 20:1.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_MEMBER_RATIO = 100  # deflate ratio beyond which a big member is a bomb, not a spreadsheet
RATIO_CHECKED_FROM_BYTES = 10 * 1024 * 1024
MAX_ZIP_MEMBERS = 10_000
MAX_CELL_CHARS = 32_767  # Excel's own limit: anything longer was not made by Excel
MAX_MERGED_RANGES = 100_000
MAX_COLUMNS = 256  # columns read per row; cells further right (even at XFD) are ignored
HEADER_SCAN_ROWS = 30  # non-empty rows searched for the header
BLANK_ROW_LIMIT = 1_000  # this many empty rows in a row end the sheet (formatted-but-empty tails)

_CHUNK = 64 * 1024
_PROGRESS_EVERY_BYTES = 1024 * 1024

_NOT_XLSX = "不是有效的 Excel 工作簿（.xlsx）：{reason}。请在 Excel 或 WPS 中打开它，另存为 .xlsx 后再导入。"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
_NOTE = re.compile(r"(?:注(?:$|[\s:：、.．,，(（\d])|注释|注意|说明|备注|附注|填表说明)")
_MERGE_TAG = re.compile(rb"""<(?:[\w.-]+:)?mergeCell(?=[\s/>])[^>]*?\sref\s*=\s*["']([^"']*)["']""")
_RANGE = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7}):\$?([A-Za-z]{1,3})\$?(\d{1,7})")
_ESCAPED_CHAR = re.compile(r"_x([0-9A-Fa-f]{4})_")

# Number formats built into Excel that show dates or times, including the zh-CN ones (27–36, 50–58)
# that Chinese Excel and WPS save without writing their format code into the file.
_BUILTIN_DATE_FORMATS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_BUILTIN_TIMEDELTA_FORMATS = frozenset([46])

# What Excel and WPS show in a cell whose formula failed; also found as plain text when such a
# sheet was copied as values or saved as CSV on the way.
EXCEL_ERRORS = frozenset(["#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                          "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#UNKNOWN!", "#BUSY!"])


def is_excel_error(text) -> bool:
    return isinstance(text, str) and text.strip().upper() in EXCEL_ERRORS


@dataclass(frozen=True)
class Column:
    """A column an importer wants: its key in Row.values and every header text offices use for it.

    names[0] is the name shown in messages. A variant with a unit, such as "分值（分）", matches only
    if it is listed (full- and half-width brackets, spaces and ASCII case do not matter).
    free_text marks prose (a description, a requirement): control characters in it are dropped, while
    in any other column (names, codes, dates, numbers) they make the import refused.
    """

    key: str
    names: tuple[str, ...]
    required: bool = False
    free_text: bool = False

    def __post_init__(self):
        if isinstance(self.names, str):
            object.__setattr__(self, "names", (self.names,))
        if not self.names:
            raise ValueError(f"column {self.key!r} needs at least one name")


@dataclass(slots=True)
class Row:
    """One data row: its Excel row number (1-based) and a value for every requested column key.

    Values are as stored (str, int, float, bool, date, datetime, time) with text cleaned by
    clean_text; None for an empty cell or a column the file does not have. Never an Excel error, a
    formula without its result, or a control character (read_table refuses those).
    """

    number: int
    values: dict


@dataclass
class TableRead:
    sheet_name: str
    header_row: int  # first header row (1-based); a two-row header also uses the row below
    columns_found: dict[str, str]  # key -> header text as written in the file
    rows: list[Row] = field(default_factory=list)


# A row summing the others, as offices add them under a table (合计/总计, or a 小计 of a part): the
# imports skip it, and check a grand total against the rows read.
TOTAL_WORDS = ("合计", "总计", "小计")
GRAND_TOTALS = ("合计", "总计")


def total_label(values: dict, keys) -> str:
    """合计, 总计 or 小计 when one of these cells of the row says so, else ""."""
    for key in keys:
        text = "".join(clean_text(values.get(key)).split())
        if text in TOTAL_WORDS:
            return text
    return ""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an imported file, in the report shape 行号 / 列 / 问题."""

    row: int | None
    column: str | None
    message: str


def list_sheets(path, *, include_hidden: bool = False) -> list[str]:
    """The names of the worksheets in the workbook, in tab order; hidden ones only when asked."""
    with _open_workbook(path) as book:
        return [s.name for s in book.sheets if include_hidden or s.visible]


def read_table(
    path,
    columns,
    *,
    sheet_names=None,
    max_data_rows: int = 200_000,
    progress=None,
    cancel=None,
) -> TableRead:
    """Find the table with these columns in the workbook and return its data rows.

    Searches the visible sheets (or only `sheet_names`, hidden or not) and takes the one whose header
    matches the most columns. progress(done, total, text) reports bytes of the sheet read; a cancel()
    returning True raises Cancelled. Bad files raise AppError with a message for the user; unusable
    cells in the columns read (see _UnusableCell) raise one AppError listing every such cell.
    """
    columns = list(columns)
    keys = [c.key for c in columns]
    if len(set(keys)) != len(keys):
        raise ValueError(f"duplicate column keys: {keys}")
    matcher = _HeaderMatcher(columns)
    with _open_workbook(path) as book:
        sheets = book.pick_sheets(sheet_names)
        sheet, header, merges = _find_table(book, sheets, matcher)
        rows, problems = _read_rows(book, sheet, header, merges, columns, max_data_rows, progress, cancel)
    if problems:
        raise AppError(
            f"工作表“{sheet.name}”中有 {len(problems)} 个单元格不能作为数据导入（Excel 错误值、没有保存结果的公式"
            "或不可见的控制字符），未导入任何数据。请按问题清单修改后重新导入。", problems=problems)
    found = {key: header.found[key][1] for key in keys if key in header.found}
    return TableRead(sheet.name, header.first_row, found, rows)


# --- the package: zip checks, workbook parts -------------------------------------------------


@dataclass(frozen=True)
class _SheetEntry:
    name: str
    visible: bool
    member: str


class _Workbook:
    """An opened, checked .xlsx package: its worksheets, shared strings and date styles."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self._members = {name.lower(): name for name in archive.namelist()}
        workbook_part = self._office_document()
        self.epoch = WINDOWS_EPOCH
        self.sheets = self._read_sheet_list(workbook_part)
        parts = _relationships(self, workbook_part)
        self.strings = self._read_strings(parts.get("sharedStrings"))
        self.date_styles, self.timedelta_styles = self._read_date_styles(parts.get("styles"))

    def member(self, name: str) -> str | None:
        return self._members.get(name.lower())

    def pick_sheets(self, names) -> list[_SheetEntry]:
        if not self.sheets:
            raise AppError(_NOT_XLSX.format(reason="找不到其中的工作表（文件可能已损坏）"))
        if not names:
            visible = [s for s in self.sheets if s.visible]
            if not visible:
                raise AppError("工作簿里没有可见的工作表。请在 Excel 或 WPS 中取消隐藏要导入的工作表后再试。")
            return visible
        by_name = {normalize_header(s.name): s for s in self.sheets}
        picked = []
        for name in [names] if isinstance(names, str) else names:
            sheet = by_name.get(normalize_header(name))
            if sheet is None:
                available = "、".join(s.name for s in self.sheets) or "（无）"
                raise AppError(f"找不到工作表“{name}”。这个工作簿里的工作表有：{available}。")
            picked.append(sheet)
        return picked

    def _office_document(self) -> str:
        for rel in _read_rels(self, "_rels/.rels"):
            if rel["type"].endswith("/officeDocument"):
                return _resolve_target("", rel["target"])
        return "xl/workbook.xml"

    def _read_sheet_list(self, workbook_part: str) -> list[_SheetEntry]:
        if self.member(workbook_part) is None:
            raise AppError(_NOT_XLSX.format(reason=_missing_workbook_reason(self)))
        targets = {rel["id"]: rel for rel in _read_rels(self, _rels_path(workbook_part))}
        base = posixpath.dirname(workbook_part)
        sheets = []

        def start(name, attrs):
            if name == "sheet":
                rel = targets.get(attrs.get("id", ""))
                if rel is None or not rel["type"].endswith("/worksheet"):
                    return  # chart sheets and dialog sheets hold no table
                member = self.member(_resolve_target(base, rel["target"]))
                if member is not None:
                    visible = attrs.get("state", "visible") == "visible"
                    sheets.append(_SheetEntry(attrs.get("name", ""), visible, member))
            elif name == "workbookPr" and attrs.get("date1904", "").lower() in ("1", "true"):
                self.epoch = MAC_EPOCH

        _parse_part(self, workbook_part, start)
        return sheets

    def _read_strings(self, part: str | None) -> list[str]:
        if part is None or self.member(part) is None:
            return []
        strings: list[str] = []
        state = {"parts": None, "phonetic": 0, "collect": False}

        def start(name, attrs):
            if name == "si":
                state["parts"] = []
            elif name == "rPh":
                state["phonetic"] += 1
            elif name == "t" and state["parts"] is not None and not state["phonetic"]:
                state["collect"] = True

        def end(name):
            if name == "t":
                state["collect"] = False
            elif name == "rPh":
                state["phonetic"] -= 1
            elif name == "si":
                text = "".join(state["parts"])
                if len(text) > MAX_CELL_CHARS:
                    raise AppError(_huge_cell_message(None, None, None))
                strings.append(_text_value(text))
                state["parts"] = None

        def data(text):
            if state["collect"]:
                state["parts"].append(text)

        _parse_part(self, part, start, end, data)
        return strings

    def _read_date_styles(self, part: str | None) -> tuple[frozenset, frozenset]:
        """Cell style indexes (as the strings in s="…") whose number format shows a date or a duration."""
        if part is None or self.member(part) is None:
            return frozenset(), frozenset()
        custom: dict[int, str] = {}
        style_formats: list[int] = []
        state = {"in_cell_xfs": False}

        def start(name, attrs):
            if name == "numFmt":
                try:
                    custom[int(attrs.get("numFmtId", ""))] = attrs.get("formatCode", "")
                except ValueError:
                    pass
            elif name == "cellXfs":
                state["in_cell_xfs"] = True
            elif name == "xf" and state["in_cell_xfs"]:
                try:
                    style_formats.append(int(attrs.get("numFmtId", "0")))
                except ValueError:
                    style_formats.append(0)

        def end(name):
            if name == "cellXfs":
                state["in_cell_xfs"] = False

        _parse_part(self, part, start, end)
        dates, durations = set(), set()
        for index, format_id in enumerate(style_formats):
            code = custom.get(format_id)
            if code is not None:
                is_duration, is_date = is_timedelta_format(code), is_date_format(code)
            else:
                is_duration = format_id in _BUILTIN_TIMEDELTA_FORMATS
                is_date = format_id in _BUILTIN_DATE_FORMATS
            if is_duration:
                durations.add(str(index))
            elif is_date:
                dates.add(str(index))
        return frozenset(dates), frozenset(durations)


@contextmanager
def _open_workbook(path):
    """The checked workbook; any failure reading it that is not already an AppError means a damaged file."""
    archive = _open_checked_zip(path)
    try:
        yield _Workbook(archive)
    except (AppError, Cancelled):
        raise
    except Exception as error:
        details = f"{type(error).__name__}: {error}"
        raise AppError(_NOT_XLSX.format(reason="文件已损坏或不完整"), details=details) from error
    finally:
        archive.close()


def _open_checked_zip(path) -> zipfile.ZipFile:
    """Open the file as a zip after refusing what is not an .xlsx or would expand into a bomb."""
    path = os.fspath(path)
    if os.path.isdir(path):  # Windows refuses to open a folder with "permission denied", not EISDIR
        raise AppError(f"这是一个文件夹，不是 Excel 文件：{path}。请选择一个 .xlsx 文件。")
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as file:
            head = file.read(len(_OLE_MAGIC))
            encrypted = head == _OLE_MAGIC and _contains(file, _ENCRYPTED_MARK)
    except FileNotFoundError:
        raise AppError(f"找不到文件：{path}。请确认文件还在原来的位置。") from None
    except IsADirectoryError:
        raise AppError(f"这是一个文件夹，不是 Excel 文件：{path}。请选择一个 .xlsx 文件。") from None
    except OSError as error:
        raise AppError(
            f"无法读取文件：{path}。请关闭正在打开该文件的程序，或把文件复制到本机后再试。",
            details=str(error),
        ) from None
    if size == 0:
        raise AppError(_NOT_XLSX.format(reason="文件是空的（0 字节）"))
    if encrypted:
        raise AppError("文件设置了打开密码，无法读取。请在 Excel 或 WPS 中打开它、取消密码，另存为 .xlsx 后再导入。")
    if head == _OLE_MAGIC:
        raise AppError(_NOT_XLSX.format(reason="这是旧版 Excel 97-2003 格式（.xls）"))
    try:
        archive = zipfile.ZipFile(path)
    except Exception as error:  # zipfile raises many kinds for files that are not zips
        raise AppError(
            _NOT_XLSX.format(reason="文件内容不是 xlsx 格式（可能是 CSV、文本或其他文件改了扩展名）"),
            details=str(error),
        ) from None
    try:
        _check_members(archive.infolist())
    except AppError:
        archive.close()
        raise
    return archive


def _contains(file, needle: bytes) -> bool:
    """Whether the rest of the file holds `needle` (read in chunks: encrypted packages can be large)."""
    tail = b""
    while chunk := file.read(1024 * 1024):
        if needle in tail + chunk:
            return True
        tail = chunk[-len(needle):]
    return False


def _check_members(infos) -> None:
    """Refuse zip bombs from the declared sizes, before anything is decompressed.

    Python's zipfile never returns more than a member's declared size (and fails the CRC if the data
    is longer), so the declared sizes are a real bound on what reading can cost.
    """
    if len(infos) > MAX_ZIP_MEMBERS:
        raise AppError(_bomb_message(f"压缩包里有 {len(infos):,} 个部件"))
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise AppError("文件设置了密码，无法读取。请在 Excel 或 WPS 中取消密码，另存为 .xlsx 后再导入。")
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECKED_FROM_BYTES and ratio > MAX_MEMBER_RATIO:
            raise AppError(_bomb_message(f"其中一部分压缩比高达 {ratio:,.0f} 倍"))
    if total > MAX_UNCOMPRESSED_BYTES:
        raise AppError(_bomb_message(f"解压后约 {total / 1024 / 1024:,.0f} MB"))


def _bomb_message(reason: str) -> str:
    return (
        f"文件被拒绝：{reason}，远超正常表格，可能已损坏或是恶意构造的文件。"
        "请在 Excel 或 WPS 中打开后另存为新的 .xlsx，或把数据拆分成较小的文件后再导入。"
    )


def _missing_workbook_reason(book: _Workbook) -> str:
    if book.member("xl/workbook.bin"):
        return "这是 Excel 二进制工作簿（.xlsb）"
    if book.member("mimetype") and b"opendocument" in book.archive.read(book.member("mimetype"))[:200]:
        return "这是 OpenDocument 格式（.ods 等）"
    return "压缩包里没有 Excel 工作簿（可能是 Word 文档或其他压缩文件）"


def _rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _resolve_target(base: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(base, target))


def _read_rels(book: _Workbook, part: str) -> list[dict]:
    if book.member(part) is None:
        return []
    rels = []

    def start(name, attrs):
        if name == "Relationship" and attrs.get("TargetMode") != "External":
            rels.append({"id": attrs.get("Id", ""), "type": attrs.get("Type", ""),
                         "target": attrs.get("Target", "")})

    _parse_part(book, part, start)
    return rels


def _relationships(book: _Workbook, workbook_part: str) -> dict[str, str]:
    """The workbook's shared-strings and styles parts, by the last word of their relationship type."""
    base = posixpath.dirname(workbook_part)
    found = {}
    for rel in _read_rels(book, _rels_path(workbook_part)):
        kind = rel["type"].rsplit("/", 1)[-1]
        if kind in ("sharedStrings", "styles"):
            found[kind] = _resolve_target(base, rel["target"])
    found.setdefault("sharedStrings", posixpath.join(base, "sharedStrings.xml"))
    found.setdefault("styles", posixpath.join(base, "styles.xml"))
    return found


def _new_parser(start, end=None, data=None, *, local_names: bool = True):
    """An expat parser that refuses any DTD; a spreadsheet part never has one, so refusing it rules
    out entity-expansion attacks outright.

    With local_names the handlers get element and attribute names without namespace. The sheet
    parser turns that off and strips prefixes itself: the wrapper would double its cost per cell.
    """
    parser = ParserCreate(namespace_separator="\x01") if local_names else ParserCreate()
    parser.buffer_text = True

    def refuse_dtd(*_):
        raise AppError(_NOT_XLSX.format(reason="文件里含有不允许的 XML 声明"))

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    if data is not None:
        parser.CharacterDataHandler = data
    if not local_names:
        parser.StartElementHandler = start
        if end is not None:
            parser.EndElementHandler = end
        return parser
    short_names: dict[str, str] = {}

    def local(name):
        short = short_names.get(name)
        if short is None:
            short = short_names[name] = name.rpartition("\x01")[2]
        return short

    parser.StartElementHandler = lambda name, attrs: start(local(name), {local(k): attrs[k] for k in attrs})
    if end is not None:
        parser.EndElementHandler = lambda name: end(local(name))
    return parser


def _parse_part(book: _Workbook, part: str, start, end=None, data=None) -> None:
    parser = _new_parser(start, end, data)
    with book.archive.open(book.member(part)) as stream:
        while chunk := stream.read(_CHUNK):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _unescape(text: str) -> str:
    """Undo Excel's _xHHHH_ escapes (how it stores control characters such as _x000D_)."""
    if "_x" not in text:
        return text
    return _ESCAPED_CHAR.sub(lambda m: chr(int(m[1], 16)), text)


class _UnusableCell(str):
    """A cell value no importer may take as data. The text is what the problem list shows."""

    def problem(self, column: Column) -> str | None:
        """What is wrong with this value in this column, or None when the column can use it."""
        raise NotImplementedError


class _ExcelError(_UnusableCell):
    def problem(self, column: Column) -> str:
        return f"单元格是 Excel 错误值 {self}（公式引用出错或无法计算），不能作为数据导入。请改为正确的内容"


class _UnsavedFormula(_UnusableCell):
    def problem(self, column: Column) -> str:
        formula = f"（={self}）" if self else ""
        return (f"单元格是公式{formula}，但文件里没有保存它的计算结果（文件可能是由其他程序生成、未在 Excel 中保存过）。"
                "请在 Excel 或 WPS 中打开并保存后再导入，或把公式改为数值")


class _ControlText(_UnusableCell):
    """Text holding control characters, kept as read so the problem can show where they are."""

    def problem(self, column: Column) -> str | None:
        if column.free_text:
            return None
        return (f"“{clean_text(show_control_chars(self))}”中含有不可见的控制字符（显示为 [U+…]），名称、编号和日期中"
                "不允许出现。请在 Excel 或 WPS 中重新输入这个单元格的内容")

    def usable(self) -> str:
        return clean_text(strip_control_chars(self))


def _text_value(raw: str):
    """A text cell as an importer may see it: cleaned, or marked when it is an error or holds control
    characters (the column decides in _read_rows whether that is a problem)."""
    text = _unescape(raw)
    if not text.isprintable() and has_control_chars(text):  # isprintable: the fast common case
        return _ControlText(text)
    text = clean_text(text)
    return _ExcelError(text) if text[:1] == "#" and is_excel_error(text) else text


def _huge_cell_message(sheet: str | None, row: int | None, column: int | None) -> str:
    where = f"工作表“{sheet}”第 {row} 行 {get_column_letter(column)} 列的" if sheet else "文件中有"
    return (
        f"{where}单元格超过 Excel 允许的 {MAX_CELL_CHARS:,} 个字符，文件可能已损坏或是恶意构造的。"
        "请在 Excel 或 WPS 中检查后另存为新的 .xlsx 再导入。"
    )


# --- streaming a worksheet -------------------------------------------------------------------


_COLUMN_INDEX: dict[str, int] = {}


def _column_index(reference: str) -> int:
    letters = reference.rstrip("0123456789")
    index = _COLUMN_INDEX.get(letters)
    if index is None:
        index = 0
        for char in letters.upper():
            if not "A" <= char <= "Z":
                raise ValueError(f"bad cell reference {reference!r}")
            index = index * 26 + ord(char) - 64
        if not 1 <= index <= 16_384:
            raise ValueError(f"bad cell reference {reference!r}")
        _COLUMN_INDEX[letters] = index
    return index


class _SheetParser:
    """expat handlers turning <row>/<c> elements into (row number, {column: value}) for non-empty rows."""

    def __init__(self, book: _Workbook, sheet_name: str, max_col: int):
        self.book = book
        self.sheet_name = sheet_name
        self.max_col = max_col
        self.done_rows: list[tuple[int, dict]] = []
        self.row_number = 0
        self.values: dict | None = None
        self.column = 0
        self.kind = "n"
        self.style = ""
        self.parts: list[str] | None = None
        self.formula: list[str] | None = None
        self.sink: list[str] | None = None  # where character data goes: the value's or the formula's text
        self.phonetic = 0
        self.parser = _new_parser(self.start, self.end, self.data, local_names=False)

    def start(self, name, attrs):
        if ":" in name:  # some writers prefix the main namespace (<x:c>)
            name = name.rpartition(":")[2]
        if name == "c":
            reference = attrs.get("r")
            self.column = _column_index(reference) if reference else self.column + 1
            self.kind = attrs.get("t", "n")
            self.style = attrs.get("s", "")
            self.parts = []
            self.formula = None
            self.phonetic = 0
        elif self.parts is not None:
            if name == "v" or (name == "t" and not self.phonetic):
                self.sink = self.parts
            elif name == "f":
                self.sink = self.formula = []
            elif name == "rPh":
                self.phonetic += 1
        elif name == "row":
            number = attrs.get("r")
            self.row_number = int(number) if number else self.row_number + 1
            self.values = {}
            self.column = 0

    def end(self, name):
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "c":
            text = "".join(self.parts)
            self.parts = None
            if len(text) > MAX_CELL_CHARS:
                raise AppError(_huge_cell_message(self.sheet_name, self.row_number, self.column))
            if self.column <= self.max_col and self.values is not None:
                if self.formula is not None and not text and self.kind not in ("str", "inlineStr"):
                    # Excel saves every result (an empty text result as t="str"); programs that write
                    # formulas without calculating them leave the value out.
                    value = _UnsavedFormula("".join(self.formula))
                else:
                    value = self._value(text)
                if value is not None:
                    self.values[self.column] = value
        elif name in ("v", "t", "f"):
            self.sink = None
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "row":
            if self.values:
                self.done_rows.append((self.row_number, self.values))
            self.values = None

    def data(self, text):
        if self.sink is not None:
            self.sink.append(text)

    def _value(self, text: str):
        if not text:
            return None
        kind = self.kind
        if kind == "s":
            return self.book.strings[int(text)] or None
        if kind in ("str", "inlineStr"):
            return _text_value(text) or None
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "e":
            return _ExcelError(text.strip())
        if kind == "d":
            return _as_date(_iso_datetime(text))
        try:
            number = float(text) if ("." in text or "e" in text or "E" in text) else int(text)
        except ValueError:
            return clean_text(text) or None
        if self.style in self.book.date_styles:
            return _as_date(_excel_datetime(number, self.book.epoch, False))
        if self.style in self.book.timedelta_styles:
            return _excel_datetime(number, self.book.epoch, True)
        return number


def _excel_datetime(number, epoch, duration: bool):
    try:
        return from_excel(number, epoch, timedelta=duration)
    except (OverflowError, ValueError):
        return number  # a date format on a number no calendar has: leave it for the caller to reject


def _iso_datetime(text: str):
    try:
        return dt.datetime.fromisoformat(text.strip().rstrip("Z"))
    except ValueError:
        return clean_text(text) or None


def _as_date(value):
    """Dates stored as midnight datetimes come back as plain dates."""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0, 0) and value.tzinfo is None:
        return value.date()
    return value


def _iter_rows(book: _Workbook, sheet: _SheetEntry, max_col: int, progress=None, cancel=None):
    """Yield (row number, {column: value}) for each row with a value in columns 1..max_col.

    Stops after BLANK_ROW_LIMIT empty rows, so a sheet formatted down to row 1,048,576 costs no more
    than its data.
    """
    sheet_parser = _SheetParser(book, sheet.name, max_col)
    parser = sheet_parser.parser
    total = book.archive.getinfo(sheet.member).file_size
    done = reported = 0
    last_row = 0
    with book.archive.open(sheet.member) as stream:
        while True:
            if cancel is not None and cancel():
                raise Cancelled()
            chunk = stream.read(_CHUNK)
            parser.Parse(chunk, not chunk)
            done += len(chunk)
            if progress is not None and done - reported >= _PROGRESS_EVERY_BYTES:
                reported = done
                progress(done, total, f"正在读取“{sheet.name}”第 {sheet_parser.row_number:,} 行")
            rows, sheet_parser.done_rows = sheet_parser.done_rows, []
            for number, values in rows:
                if number - last_row > BLANK_ROW_LIMIT:
                    return
                last_row = number
                yield number, values
            if not chunk or sheet_parser.row_number - last_row > BLANK_ROW_LIMIT:
                return


def _scan_merges(book: _Workbook, sheet: _SheetEntry) -> list[tuple[int, int, int, int]]:
    """Merged ranges as (first row, first column, last row, last column), from the raw sheet XML.

    A byte search is enough: "<mergeCell" cannot occur unescaped in cell text, and it spares a
    second full XML parse of the sheet just to reach <mergeCells>, which comes after all the rows.
    """
    found = set()
    tail = b""
    with book.archive.open(sheet.member) as stream:
        while chunk := stream.read(1024 * 1024):
            for match in _MERGE_TAG.finditer(tail + chunk):
                found.add(match[1])
                if len(found) > MAX_MERGED_RANGES:
                    raise AppError(
                        f"工作表“{sheet.name}”里合并单元格超过 {MAX_MERGED_RANGES:,} 处，文件可能已损坏。"
                        "请取消不需要的合并单元格后另存为 .xlsx 再导入。"
                    )
            tail = chunk[-512:]
    merges = []
    for reference in found:
        match = _RANGE.fullmatch(reference.decode("ascii", "replace"))
        if match:
            first_row, last_row = int(match[2]), int(match[4])
            first_col, last_col = _column_index(match[1]), _column_index(match[3])
            if (first_row, first_col) != (last_row, last_col):
                merges.append((first_row, first_col, last_row, last_col))
    return merges


class _MergeFiller:
    """Gives every cell of a merged range the value of its top-left cell, row by row as rows stream."""

    def __init__(self, merges, first_row: int, max_col: int):
        self.starting: dict[int, list] = defaultdict(list)
        for top, left, bottom, right in merges:
            if top >= first_row and left <= max_col:
                self.starting[top].append((left, min(right, max_col), bottom))
        self.active: list[tuple[int, int, int, object]] = []

    def fill(self, number: int, values: dict) -> None:
        if self.active:
            self.active = [fill for fill in self.active if fill[0] >= number]
            for _, left, right, value in self.active:
                for column in range(left, right + 1):
                    values.setdefault(column, value)
        for left, right, bottom in self.starting.pop(number, ()):
            value = values.get(left)
            if value is None:
                continue
            for column in range(left + 1, right + 1):
                values.setdefault(column, value)
            if bottom > number:
                self.active.append((bottom, left, right, value))

    def merge_width_at(self, number: int, column: int) -> int:
        """How many columns a range starting at this cell spans (1 when it is not merged)."""
        for left, right, _ in self.starting.get(number, ()):
            if left == column:
                return right - left + 1
        return 1


# --- finding the header and reading the table ------------------------------------------------


class _HeaderMatcher:
    def __init__(self, columns):
        self.columns = columns
        self.by_name: dict[str, str] = {}
        for column in columns:
            for name in column.names:
                self.by_name.setdefault(normalize_header(name), column.key)

    def match(self, value) -> str | None:
        return self.by_name.get(normalize_header(value)) if value is not None else None

    @property
    def minimum(self) -> int:
        return min(2, len(self.columns))


@dataclass
class _Header:
    first_row: int
    last_row: int
    found: dict  # key -> (column, header text)
    first_col: int
    width: int  # last column with any header text

    @property
    def score(self) -> int:
        return len(self.found)


def _header_from(matcher: _HeaderMatcher, upper: tuple[int, dict], lower: tuple[int, dict] | None) -> _Header:
    """Match one header row, or two where the lower row's texts win when they name a column."""
    rows = [upper] if lower is None else [upper, lower]
    cells = sorted({column for _, values in rows for column in values})
    found = {}
    for column in cells:
        for _, values in reversed(rows):
            key = matcher.match(values.get(column))
            if key is not None:
                if key not in found:
                    found[key] = (column, clean_text(values[column]))
                break
    return _Header(upper[0], rows[-1][0], found, cells[0], cells[-1])


def _find_header(head_rows, matcher: _HeaderMatcher) -> list[_Header]:
    """Header candidates in the first rows, best first (most columns, then the earliest row).

    Each row alone is a candidate, and so is each pair of adjacent rows that makes a two-row header:
    together they match more columns than either alone, or the lower row's matches include names
    merged down from the upper row (then the header starts at the upper row).
    """
    singles = [_header_from(matcher, (number, values), None) for number, values, _ in head_rows]
    candidates = list(singles)
    for index in range(len(head_rows) - 1):
        (upper_number, upper, _), (lower_number, lower, merged_down) = head_rows[index : index + 2]
        if lower_number != upper_number + 1:
            continue
        pair = _header_from(matcher, (upper_number, upper), (lower_number, lower))
        best_single = max(singles[index].score, singles[index + 1].score)
        header_merged_down = any(matcher.match(lower[column]) for column in merged_down)
        if pair.score > best_single or (pair.score == best_single and header_merged_down):
            candidates.append(pair)
    return sorted(candidates, key=lambda header: (-header.score, header.first_row))


def _find_table(book: _Workbook, sheets: list[_SheetEntry], matcher: _HeaderMatcher):
    """The sheet whose header matches the most columns (the first such sheet), its header and merges."""
    best = best_incomplete = None
    empty_sheets = []
    merges_of = {}
    required = [c.key for c in matcher.columns if c.required]
    for sheet in sheets:
        merges_of[sheet] = _scan_merges(book, sheet)
        filler = _MergeFiller(merges_of[sheet], 1, MAX_COLUMNS)
        head_rows = []  # (row number, values with merges filled, columns filled from a merge above)
        with closing(_iter_rows(book, sheet, MAX_COLUMNS)) as rows:
            for number, values in rows:
                written = set(values)
                filler.fill(number, values)
                head_rows.append((number, values, set(values) - written))
                if len(head_rows) >= HEADER_SCAN_ROWS:
                    break
        if not head_rows:
            empty_sheets.append(sheet.name)
            continue
        for header in _find_header(head_rows, matcher):
            if header.score < matcher.minimum:
                continue
            complete = all(key in header.found for key in required)
            if complete:
                if best is None or header.score > best[1].score:
                    best = (sheet, header)
            elif best_incomplete is None or header.score > best_incomplete[1].score:
                best_incomplete = (sheet, header)
    if best is not None:
        return (*best, merges_of[best[0]])
    if best_incomplete is not None:
        raise AppError(_missing_columns_message(matcher, *best_incomplete))
    if len(empty_sheets) == len(sheets):
        names = "、".join(f"“{name}”" for name in empty_sheets)
        raise AppError(f"工作表{names}是空的，没有可导入的内容。请确认选对了文件和工作表。")
    raise AppError(_no_header_message(matcher, sheets))


def _names_of(column: Column) -> str:
    return "、".join(column.names)


def _missing_columns_message(matcher: _HeaderMatcher, sheet: _SheetEntry, header: _Header) -> str:
    missing = [c for c in matcher.columns if c.required and c.key not in header.found]
    details = "；".join(f"“{c.names[0]}”（可写作：{_names_of(c)}）" for c in missing)
    return (
        f"工作表“{sheet.name}”第 {header.first_row} 行的表头缺少必需的列：{details}。"
        "请在表头中补上这些列（列名须与上面的写法之一一致）后再导入。"
    )


def _no_header_message(matcher: _HeaderMatcher, sheets: list[_SheetEntry]) -> str:
    expected = "、".join(c.names[0] for c in matcher.columns)
    required = "、".join(c.names[0] for c in matcher.columns if c.required)
    names = "、".join(f"“{s.name}”" for s in sheets)
    message = (
        f"在工作表{names}的前 {HEADER_SCAN_ROWS} 行中找不到表头。"
        f"表头行应包含这些列名（至少两个）：{expected}。"
    )
    if required:
        message += f"其中必需的列：{required}。"
    return message + "请检查列名是否写对，或是否选错了工作表。"


def _read_rows(book, sheet, header: _Header, merges, columns, max_data_rows, progress,
               cancel) -> tuple[list[Row], list[Problem]]:
    filler = _MergeFiller(merges, header.last_row + 1, header.width)
    table_width = header.width - header.first_col + 1
    keys = [c.key for c in columns]
    by_key = {c.key: c for c in columns}
    key_columns = [(key, header.found[key][0] if key in header.found else None) for key in keys]
    repeated_header = {key: header.found[key][1] if key in header.found else None for key in keys}
    rows: list[Row] = []
    problems: list[Problem] = []
    for number, values in _iter_rows(book, sheet, header.width, progress, cancel):
        if number <= header.last_row:
            continue
        if len(values) == 1:
            (column, value), = values.items()
            if column <= header.first_col and isinstance(value, str) and _NOTE.match(value):
                break  # a note under the table: what follows is not data
            if filler.merge_width_at(number, column) >= max(2, table_width // 2):
                continue  # a title or section band merged across the table
        filler.fill(number, values)
        row_values = {key: values.get(column) if column else None for key, column in key_columns}
        if row_values == repeated_header or all(value is None for value in row_values.values()):
            continue  # the header again (tables pasted together) or nothing this import reads
        for key, value in row_values.items():
            if isinstance(value, _UnusableCell):
                message = value.problem(by_key[key])
                if message is None:
                    row_values[key] = value.usable() or None
                else:
                    problems.append(Problem(number, header.found[key][1], message))
        if len(rows) >= max_data_rows:
            raise AppError(
                f"工作表“{sheet.name}”的数据行太多：超过 {max_data_rows:,} 行。"
                "请把数据拆分成几个较小的文件分别导入。"
            )
        rows.append(Row(number, row_values))
    return rows, problems
