"""档案材料 in and out of Excel — the files only (core.materials reads and writes the ledger): the
checklist, each unit's 报送模板, the unit's return and the folder or .zip of files it comes with,
the 归档文件目录 by box, the 材料体检 result and the 迎检资料包's 目录.xlsx.

Accepted column names (any order; the header row is found by name):
  材料编号|编号 (required; blank on a row that adds a new requirement)
  标准编号|指标编号      材料类型|类型      材料名称|材料      材料要求|要求|报送要求
  责任单位|报送单位      截止日期|报送时限|时限      删除 (是/√: take the material off the checklist)
A unit's return (报送模板 filled in) also has:
  文件名|附件|文件 (several names on separate lines or split by ；)   题名|文件题名 (the document's own
  title)   文号   成文日期|日期   页数   说明|备注
  照片时间|拍摄时间   照片地点|拍摄地点   照片人物|人物   照片事由|事由 (the caption of the row's photos)
A file with a 文件名 column is a return; the files it names come from a folder or a .zip, matched by
their path inside it or, when unique, by their name alone (case does not matter).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from core.errors import AppError, Cancelled
from core.text import clean_text
from core.xlsx.reader import Column, read_table
from core.xlsx.writer import Sheet, write_workbook

COLUMNS = [
    Column("material_code", ("材料编号", "编号"), required=True),
    Column("code", ("标准编号", "指标编号")),
    Column("kind", ("材料类型", "类型")),
    Column("title", ("材料名称", "材料")),
    Column("requirement", ("材料要求", "要求", "报送要求"), free_text=True),
    Column("unit", ("责任单位", "报送单位")),
    Column("due_on", ("截止日期", "报送时限", "时限")),
    Column("remove", ("删除",)),
    Column("files", ("文件名", "附件", "文件")),
    Column("doc_title", ("题名", "文件题名", "文件标题")),
    Column("doc_number", ("文号",)),
    Column("doc_date", ("成文日期", "日期")),
    Column("pages", ("页数",)),
    Column("note", ("说明", "备注"), free_text=True),
    Column("photo_taken_at", ("照片时间", "拍摄时间")),
    Column("photo_place", ("照片地点", "拍摄地点"), free_text=True),
    Column("photo_people", ("照片人物", "人物"), free_text=True),
    Column("photo_subject", ("照片事由", "事由"), free_text=True),
]
PHOTO_COLUMNS = {"photo_taken_at": "taken_at", "photo_place": "place", "photo_people": "people",
                 "photo_subject": "subject"}  # → the attachment's caption parts
LABELS = {c.key: c.names[0] for c in COLUMNS}

# What the written sheets hold: (key of the row given, header).
CHECKLIST_SHEET = (("material_code", "材料编号"), ("code", "标准编号"), ("category", "测评项目"),
                   ("standard_title", "测评标准"), ("kind", "材料类型"), ("title", "材料名称"),
                   ("requirement", "材料要求"), ("unit_name", "责任单位"), ("due_on", "截止日期"), ("status", "状态"),
                   ("comment", "审核意见"), ("file_count", "附件数"))
# The unit fills in the last nine columns; 文件名 starts empty.
TEMPLATE_SHEET = (("material_code", "材料编号"), ("unit_name", "责任单位"), ("code", "标准编号"),
                  ("standard_title", "测评标准"), ("kind", "材料类型"), ("title", "材料名称"),
                  ("requirement", "材料要求"), ("due_on", "截止日期"), ("status", "状态"), ("comment", "审核意见"),
                  ("files", "文件名"), ("doc_title", "题名"), ("doc_number", "文号"), ("doc_date", "成文日期"),
                  ("pages", "页数"), ("note", "说明"), ("photo_taken_at", "照片时间"), ("photo_place", "照片地点"),
                  ("photo_people", "照片人物"), ("photo_subject", "照片事由"))
PACKAGE_SHEET = (("category", "测评项目"), ("code", "标准编号"), ("standard_title", "测评标准"),
                 ("material_code", "材料编号"), ("kind", "材料类型"), ("title", "材料名称"), ("unit_name", "责任单位"),
                 ("status", "状态"), ("file_count", "文件数"), ("place", "文件位置"))
DATE_KEYS = {"due_on", "doc_date", "photo_taken_at"}  # stored as 'YYYY-MM-DD' text, written as real date cells

_YES = {"是", "√", "✓", "y", "yes", "1", "true", "删除"}
_FILE_SEPARATORS = re.compile(r"[\n；;]+")
MAX_ZIP_TOTAL = 50 * 1024 ** 3  # more than any real return: a zip bomb
MAX_ZIP_FILES = 10_000  # a unit's return is tens or hundreds of files


def _headers(columns) -> list[str]:
    return [label for _, label in columns]


def _body(columns, rows):
    return ([_cell(key, r.get(key)) for key, _ in columns] for r in rows)


def _cell(key: str, value):
    if key in DATE_KEYS:
        return dt.date.fromisoformat(value) if value else None
    return value


# --- reading the sheet ----------------------------------------------------------------------------

def read_sheet(path, progress=None, cancel=None, sheet_names=None):
    """The checklist or return in the workbook (a core.xlsx.reader.TableRead keyed as COLUMNS),
    searched in every visible sheet or only in `sheet_names`."""
    return read_table(path, COLUMNS, sheet_names=sheet_names, progress=progress, cancel=cancel)


def is_return(table) -> bool:
    """A sheet with a 文件名 column is a unit's return, not a checklist."""
    return "files" in table.columns_found


def says_yes(value) -> bool:
    """The 删除 column: 是, √, yes …"""
    return clean_text(value).lower() in _YES


def file_names(value) -> list[str]:
    """The names in a 文件名 cell: one a line, or split by ；."""
    return [p.strip() for p in _FILE_SEPARATORS.split(clean_text(value)) if p.strip()]


# --- writing --------------------------------------------------------------------------------------

def write_checklist(path, rows: list[dict], progress=None, cancel=None) -> None:
    write_workbook(path, [Sheet("档案材料清单", _headers(CHECKLIST_SHEET), _body(CHECKLIST_SHEET, rows),
                                row_count=len(rows), widths={"测评标准": 40, "材料名称": 30, "材料要求": 40})],
                   progress=progress, cancel=cancel)


def write_unit_template(path, sheet_name: str, rows: list[dict], progress=None, cancel=None) -> None:
    """A unit's 报送模板: its materials and the columns it fills in."""
    write_workbook(path, [Sheet(sheet_name, _headers(TEMPLATE_SHEET), _body(TEMPLATE_SHEET, rows),
                                row_count=len(rows), number_formats={"材料编号": "@"},
                                widths={"测评标准": 36, "材料名称": 28, "材料要求": 36, "文件名": 30, "题名": 36,
                                        "说明": 24, "照片地点": 18, "照片人物": 18, "照片事由": 24})],
                   progress=progress, cancel=cancel)


def template_rows(rows: list[dict]) -> list[list]:
    """Rows of a 报送模板 as its sheet holds them (TEMPLATE_SHEET), for a workbook that carries one."""
    return list(_body(TEMPLATE_SHEET, rows))


def write_catalogue(path, catalogue, progress=None, cancel=None) -> int:
    """The 归档文件目录 (a core.materials.Catalogue), one sheet per box. Returns the number of 件."""
    # 档号 and 日期 (20260118) are text, as DA/T 22-2015 writes them; Excel must not make numbers of them.
    sheets = [Sheet(f"第{box}盒", _headers(catalogue.columns), list(_body(catalogue.columns, rows)),
                    number_formats={"档号": "@", "日期": "@", "文号": "@"},
                    widths={"序号": 6, "档号": 26, "文号": 20, "责任者": 18, "题名": 44, "日期": 11, "密级": 6,
                            "页数": 6, "备注": 24}, landscape=True,
                    print_title=f"归档文件目录（{catalogue.year}年度 {catalogue.retention} 第{box}盒）")
              for box, rows in catalogue.boxes.items()]
    write_workbook(path, sheets, progress=progress, cancel=cancel)
    return sum(len(rows) for rows in catalogue.boxes.values())


def write_health(path, columns, found: list[dict]) -> None:
    """材料体检 results, one row per gap, in the given (key, header) columns."""
    write_workbook(path, [Sheet("材料体检", _headers(columns), list(_body(columns, found)))])


def write_package_catalogue(path, layout: list[dict]) -> None:
    """The 目录.xlsx of a 迎检资料包: every material, with the folder of its files or （无文件）."""
    rows = ({**r, "file_count": len(r["files"]), "place": r["folder"] if r["files"] else "（无文件）"} for r in layout)
    write_workbook(path, [Sheet("目录", _headers(PACKAGE_SHEET), _body(PACKAGE_SHEET, rows), row_count=len(layout),
                                widths={"测评标准": 40, "材料名称": 30, "文件位置": 50})])


# --- the files of a return: a folder or a .zip ------------------------------------------------------

class FileSource:
    """The files a unit sent, indexed by their path inside the folder (with '/') and by name."""

    def __init__(self, root: Path, cleanup: tempfile.TemporaryDirectory | None = None):
        self.root = root
        self._cleanup = cleanup
        self.oversized: set[str] = set()  # zip members over the size limit, never unpacked
        self.by_path: dict[str, Path] = {}
        self.by_name: dict[str, list[Path]] = {}
        for p in sorted(root.rglob("*")):
            if p.is_file() and not p.is_symlink():
                rel = p.relative_to(root).as_posix()
                self.by_path[rel.casefold()] = p
                self.by_name.setdefault(p.name.casefold(), []).append(p)

    def find(self, name: str) -> tuple[Path | None, str]:
        """(path, '') or (None, why)."""
        key = name.replace("\\", "/").strip("/").casefold()
        if key in self.by_path:
            return self.by_path[key], ""
        found = self.by_name.get(PurePosixPath(key).name, [])
        if len(found) == 1:
            return found[0], ""
        if found:
            return None, f"有 {len(found)} 个同名文件“{name}”，请写出所在的子文件夹，如“照片/{name}”"
        return None, f"文件夹或压缩包中找不到文件“{name}”"

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def close(self) -> None:
        if self._cleanup is not None:
            self._cleanup.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _member_name(info: zipfile.ZipInfo) -> str:
    """Names written by Windows' own zip tool are in GBK without the UTF-8 flag."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _climbs_out(name: str) -> bool:
    normal = name.replace("\\", "/")
    parts = PurePosixPath(normal).parts
    return (normal.startswith("/") or bool(re.match(r"^[A-Za-z]:", normal)) or ".." in parts)


def _declared_member_count(path: Path) -> int | None:
    """The member count in the zip's end record (or its zip64 record, for 65,535 or more), read
    before zipfile parses every member's entry: 300,000 entries cost it 1.8 s and 300 MB. None when
    the records cannot be found; then the parsed count decides."""
    max_comment = 65_535
    try:
        with open(path, "rb") as file:
            size = file.seek(0, 2)
            start = max(0, size - 22 - max_comment)
            file.seek(start)
            tail = file.read()
            at = tail.rfind(b"PK\x05\x06")
            if at < 0 or len(tail) < at + 12:
                return None
            count = int.from_bytes(tail[at + 10:at + 12], "little")
            if count != 0xFFFF or at < 20 or tail[at - 20:at - 16] != b"PK\x06\x07":
                return count
            file.seek(int.from_bytes(tail[at - 12:at - 4], "little"))  # the locator points at the zip64 record
            record = file.read(40)
    except OSError:
        return None  # zipfile reports the unreadable file
    return int.from_bytes(record[32:40], "little") if record[:4] == b"PK\x06\x06" else None


def _refuse_too_many_files(path: Path, count: int | None) -> None:
    if count is not None and count > MAX_ZIP_FILES:
        raise AppError(f"压缩包“{path.name}”里有 {count:,} 个文件，超过报送上限 {MAX_ZIP_FILES:,} 个，大得不合常理，"
                       "已拒绝导入。请核对是否选错了压缩包，或分成几次报送。")


def open_files(source, size_limit: int, cancel=None) -> FileSource:
    """A folder as is, or a .zip checked (no member may climb out of the folder, no absurd sizes)
    and unpacked into a temporary folder; members over size_limit bytes (the attachment limit) are
    known by name but never unpacked."""
    path = Path(source)
    if path.is_dir():
        return FileSource(path)
    if not path.is_file():
        raise AppError(f"找不到文件夹或压缩包“{source}”。请检查路径。")
    _refuse_too_many_files(path, _declared_member_count(path))
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise AppError(f"“{path.name}”不是可以读取的 .zip 压缩包。请提供文件夹，或重新压缩为 .zip。") from None
    with archive:
        _refuse_too_many_files(path, len(archive.infolist()))  # the record's count may understate
        infos = [i for i in archive.infolist() if not i.is_dir()]
        bad = [_member_name(i) for i in infos if _climbs_out(_member_name(i))]
        if bad:
            raise AppError(f"压缩包“{path.name}”中有 {len(bad)} 个文件的路径指向压缩包以外的位置（如“{bad[0]}”），"
                           "为安全起见拒绝导入。请让报送单位重新压缩文件夹。")
        links = [_member_name(i) for i in infos if (i.external_attr >> 16) & 0o170000 == 0o120000]
        if links:
            raise AppError(f"压缩包“{path.name}”中含有符号链接（如“{links[0]}”），为安全起见拒绝导入。")
        total = sum(i.file_size for i in infos)
        if total > MAX_ZIP_TOTAL:
            raise AppError(f"压缩包“{path.name}”解压后达 {total / 1024 ** 3:.0f} GB，大得不合常理，已拒绝导入。")
        temp = tempfile.TemporaryDirectory(prefix="materials-return-")
        try:
            root = Path(temp.name)
            for info in infos:
                if cancel and cancel():
                    raise Cancelled()
                if info.file_size > size_limit:
                    continue  # reported as over the limit when a row names it; never unpacked
                target = root / _member_name(info)
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as fin, open(target, "wb") as fout:
                    shutil.copyfileobj(fin, fout, 1024 * 1024)
            oversized = {_member_name(i) for i in infos if i.file_size > size_limit}
        except zipfile.BadZipFile:
            temp.cleanup()
            raise AppError(f"压缩包“{path.name}”已损坏，无法解压。请重新压缩后再导入。") from None
        except BaseException:
            temp.cleanup()
            raise
    source_files = FileSource(root, temp)
    for name in oversized:  # known by name so the row gets the size message, not "missing"
        p = root / name
        source_files.by_path[name.casefold()] = p
        source_files.by_name.setdefault(p.name.casefold(), []).append(p)
    source_files.oversized = {name.casefold() for name in oversized}
    return source_files
