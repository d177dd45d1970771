"""档案材料 in and out of Excel: the checklist, each unit's 报送模板, and the unit's return with its files.

Accepted column names (any order; the header row is found by name):
  材料编号|编号 (required; blank on a row that adds a new requirement)
  标准编号|指标编号      材料类型|类型      材料名称|材料|题名      材料要求|要求|报送要求
  责任单位|报送单位      截止日期|报送时限|时限      删除 (是/√: take the material off the checklist)
A unit's return (报送模板 filled in) also has:
  文件名|附件|文件 (several names on separate lines or split by ；)   文号   成文日期|日期   页数   说明|备注
A file with a 文件名 column is a return; the files it names come from a folder or a .zip, matched by
their path inside it or, when unique, by their name alone (case does not matter).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from core import attachments, audit, framework, materials, settings, units
from core.db import rows, write
from core.errors import AppError, Cancelled
from core.xlsx.reader import Column, Problem, read_table
from core.text import clean_text, parse_date, parse_number
from core.xlsx.writer import Sheet, write_workbook

COLUMNS = [
    Column("material_code", ("材料编号", "编号"), required=True),
    Column("code", ("标准编号", "指标编号")),
    Column("kind", ("材料类型", "类型")),
    Column("title", ("材料名称", "材料", "题名")),
    Column("requirement", ("材料要求", "要求", "报送要求"), free_text=True),
    Column("unit", ("责任单位", "报送单位")),
    Column("due_on", ("截止日期", "报送时限", "时限")),
    Column("remove", ("删除",)),
    Column("files", ("文件名", "附件", "文件")),
    Column("doc_number", ("文号",)),
    Column("doc_date", ("成文日期", "日期")),
    Column("pages", ("页数",)),
    Column("note", ("说明", "备注"), free_text=True),
]
LABELS = {c.key: c.names[0] for c in COLUMNS}
EXPORT_HEADERS = ["材料编号", "标准编号", "测评项目", "测评标准", "材料类型", "材料名称", "材料要求", "责任单位",
                  "截止日期", "状态", "审核意见", "附件数"]
TEMPLATE_HEADERS = ["材料编号", "责任单位", "标准编号", "测评标准", "材料类型", "材料名称", "材料要求", "截止日期",
                    "状态", "审核意见", "文件名", "文号", "成文日期", "页数", "说明"]
_YES = {"是", "√", "✓", "y", "yes", "1", "true", "删除"}
_FILE_SEPARATORS = re.compile(r"[\n；;]+")
MAX_ZIP_TOTAL = 50 * 1024 ** 3  # more than any real return: a zip bomb
MAX_ZIP_FILES = 10_000  # a unit's return is tens or hundreds of files


def _date_cell(text: str):
    return dt.date.fromisoformat(text) if text else None


# --- export ---------------------------------------------------------------------------------------

def export_checklist(db, path, edition_id: int, progress=None, cancel=None) -> int:
    data = materials.checklist(db, edition_id)
    body = ([r["material_code"], r["code"], r["category"], r["standard_title"], r["kind"], r["title"],
             r["requirement"], r["unit_name"], _date_cell(r["due_on"]), r["status"], r["comment"], r["file_count"]]
            for r in data)
    write_workbook(path, [Sheet("档案材料清单", EXPORT_HEADERS, body, row_count=len(data),
                                widths={"测评标准": 40, "材料名称": 30, "材料要求": 40})],
                   progress=progress, cancel=cancel)
    return len(data)


def export_unit_template(db, path, edition_id: int, unit_id: int, progress=None, cancel=None) -> int:
    """One unit's 报送模板: its materials with the columns it fills (文件名, 文号, 成文日期, 页数, 说明)."""
    unit = units.get_unit(db, unit_id)
    data = materials.checklist(db, edition_id, unit_id=unit_id)
    if not data:
        raise AppError(f"“{unit['name']}”在本版本的档案材料清单中没有材料，不需要报送模板。")
    body = ([r["material_code"], unit["name"], r["code"], r["standard_title"], r["kind"], r["title"],
             r["requirement"], _date_cell(r["due_on"]), r["status"], r["comment"], "", r["doc_number"],
             _date_cell(r["doc_date"]), r["pages"], r["note"]] for r in data)
    write_workbook(path, [Sheet(f"{unit['short_name'] or unit['name']}报送模板", TEMPLATE_HEADERS, body,
                                row_count=len(data), number_formats={"材料编号": "@"},
                                widths={"测评标准": 36, "材料名称": 28, "材料要求": 36, "文件名": 30, "说明": 24})],
                   progress=progress, cancel=cancel)
    return len(data)


# --- import: which kind of file --------------------------------------------------------------------

@dataclass
class ImportResult:
    kind: str  # "checklist" or "return"
    added: int = 0
    updated: int = 0
    removed: int = 0
    attached: int = 0
    submitted: int = 0
    unchanged: int = 0
    unmatched_files: list[str] = field(default_factory=list)
    rows_without_files: list[str] = field(default_factory=list)


def import_file(db, path, edition_id: int, files=None, unit_id: int | None = None,
                progress=None, cancel=None) -> ImportResult:
    """Import a checklist or, when the sheet has a 文件名 column, a unit's return with its files."""
    table = read_table(path, COLUMNS, progress=progress, cancel=cancel)
    if "files" in table.columns_found:
        return import_return(db, table, edition_id, files, unit_id, progress, cancel)
    if files:
        raise AppError("这个文件没有“文件名”列，不是单位报送表，不能同时导入文件。"
                       "请用导出的报送模板填写，或去掉 --files。")
    return import_checklist(db, table, edition_id, cancel)


def _materials_by_id(db, edition_id: int) -> dict[int, dict]:
    return {r["id"]: r for r in rows(db, "SELECT m.*, coalesce(u.name, '') AS unit_name FROM materials m"
                                         " LEFT JOIN units u ON u.id = m.unit_id WHERE m.edition_id = ?",
                                     (edition_id,))}


def _lookup_material(v: dict, n: int, known: dict, problems: list, edition_name: str) -> dict | None:
    text = clean_text(v.get("material_code"))
    material_id = materials.parse_code(text)
    if material_id is None:
        problems.append(Problem(n, LABELS["material_code"], f"材料编号“{text}”无法识别，应为 CL000123 的形式"))
        return None
    m = known.get(material_id)
    if m is None or m["removed"]:
        problems.append(Problem(n, LABELS["material_code"],
                                f"材料编号 {text} 在“{edition_name}”的清单中不存在（可能已删除或属于其他年度）"))
        return None
    return m


# --- the checklist ----------------------------------------------------------------------------------

def import_checklist(db, table, edition_id: int, cancel=None) -> ImportResult:
    """Edit, add and remove requirements from a checklist sheet: validated first, one transaction."""
    edition = framework.get_edition(db, edition_id)
    known = _materials_by_id(db, edition_id)
    codes = {r["code"]: r["id"] for r in rows(db, "SELECT id, code FROM framework_nodes WHERE edition_id = ?"
                                                  " AND level = 3 AND retired = 0", (edition_id,))}
    res = units.resolver(db)
    cols = table.columns_found
    problems: list[Problem] = []
    plans: list[tuple[str, dict | None, dict]] = []
    for row in table.rows:
        if cancel and cancel():
            raise Cancelled()
        v, n = row.values, row.number
        fields: dict = {}
        if "kind" in cols:
            kind = clean_text(v.get("kind"))
            if kind and kind not in materials.KINDS:
                problems.append(Problem(n, LABELS["kind"], f"材料类型“{kind}”无效，应为：{'、'.join(materials.KINDS)}"))
            elif kind:
                fields["kind"] = kind
        if "title" in cols:
            fields["title"] = " ".join(clean_text(v.get("title")).split())
        if "requirement" in cols:
            fields["requirement"] = clean_text(v.get("requirement"))
        if "unit" in cols:
            name = clean_text(v.get("unit"))
            hit = res.lookup(name) if name else None
            if name and (not hit or hit[0] != "unit"):
                hint = "、".join(res.suggestions(name))
                problems.append(Problem(n, LABELS["unit"], f"未知的责任单位“{name}”" + (f"，是否是：{hint}？" if hint else "")))
            else:
                fields["unit_id"] = hit[1] if hit else None
        if "due_on" in cols:
            try:
                d = parse_date(v.get("due_on"))
                fields["due_on"] = d.isoformat() if d else ""
            except ValueError as exc:
                problems.append(Problem(n, LABELS["due_on"], str(exc)))
        remove = clean_text(v.get("remove")).lower() in _YES
        if clean_text(v.get("material_code")):
            m = _lookup_material(v, n, known, problems, edition["name"])
            if m is None:
                continue
            if remove:
                plans.append(("remove", m, {}))
                continue
            if "title" in fields and not fields["title"]:
                problems.append(Problem(n, LABELS["title"], "材料名称不能为空"))
                continue
            plans.append(("update", m, fields))
        elif not remove:
            code = "".join(clean_text(v.get("code")).split())
            if code not in codes:
                problems.append(Problem(n, LABELS["code"], f"标准编号“{code}”在“{edition['name']}”中不存在"
                                        if code else "新增材料须填写标准编号"))
                continue
            if not fields.get("title"):
                problems.append(Problem(n, LABELS["title"], "新增材料须填写材料名称"))
                continue
            plans.append(("add", None, {**fields, "node_id": codes[code]}))
    if problems:
        raise AppError(f"清单中有 {len(problems)} 处问题，未导入任何内容。请按列表修改后重新导入。",
                       problems=problems)
    result = ImportResult("checklist")
    with write(db):
        for action, m, fields in plans:
            if action == "remove":
                materials.remove_material(db, m["id"])
                result.removed += 1
            elif action == "add":
                node_id = fields.pop("node_id")
                materials.add_material(db, node_id, fields)
                result.added += 1
            elif any(m[k] != val for k, val in fields.items()):
                materials.update_material(db, m["id"], fields)
                result.updated += 1
            else:
                result.unchanged += 1
    return result


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


def open_files(db, source, cancel=None) -> FileSource:
    """A folder as is, or a .zip checked (no member may climb out of the folder, no absurd sizes)
    and unpacked into a temporary folder."""
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
        limit = settings.get(db, "attachment_max_mb") * 1024 * 1024
        temp = tempfile.TemporaryDirectory(prefix="materials-return-")
        try:
            root = Path(temp.name)
            for info in infos:
                if cancel and cancel():
                    raise Cancelled()
                if info.file_size > limit:
                    continue  # reported as over the limit when a row names it; never unpacked
                target = root / _member_name(info)
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as fin, open(target, "wb") as fout:
                    shutil.copyfileobj(fin, fout, 1024 * 1024)
            oversized = {_member_name(i) for i in infos if i.file_size > limit}
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


# --- a unit's return ---------------------------------------------------------------------------------

def import_return(db, table, edition_id: int, files=None, unit_id: int | None = None,
                  progress=None, cancel=None) -> ImportResult:
    """A unit's filled 报送模板 with the files it names: every row and file checked first; then the
    files are attached, metadata stored and the items become 已提交, in one transaction. Files
    already attached to the item (same content) are skipped, so the same return twice changes nothing."""
    edition = framework.get_edition(db, edition_id)
    known = _materials_by_id(db, edition_id)
    res = units.resolver(db)
    problems: list[Problem] = []
    source = open_files(db, files, cancel) if files else None
    try:
        limit_mb = settings.get(db, "attachment_max_mb")
        expected_unit = unit_id
        plans = []
        used: set[Path] = set()
        result = ImportResult("return")
        for row in table.rows:
            if cancel and cancel():
                raise Cancelled()
            v, n = row.values, row.number
            m = _lookup_material(v, n, known, problems, edition["name"])
            if m is None:
                continue
            sheet_unit = clean_text(v.get("unit"))
            if sheet_unit:
                hit = res.lookup(sheet_unit)
                if not hit or hit[0] != "unit":
                    problems.append(Problem(n, LABELS["unit"], f"未知的责任单位“{sheet_unit}”"))
                    continue
                if expected_unit is None:
                    expected_unit = hit[1]
                elif hit[1] != expected_unit and unit_id is not None:
                    problems.append(Problem(n, LABELS["unit"], f"这是“{res.display.get(hit[1], sheet_unit)}”的报送表，"
                                            f"不是所选的“{res.display.get(unit_id, '')}”的。这可能是其他单位的报送表，请核对"))
                    continue
                elif hit[1] != expected_unit:
                    problems.append(Problem(n, LABELS["unit"], f"本行的责任单位“{sheet_unit}”与表中其他行"
                                            f"（{res.display.get(expected_unit, '')}）不同：一张报送表只能是一个单位的"))
                    continue
            if expected_unit is not None and m["unit_id"] != expected_unit:
                problems.append(Problem(n, LABELS["material_code"],
                                        f"材料 {materials.material_code(m['id'])} 属于“{m['unit_name'] or '未指定单位'}”，"
                                        f"不是本表的“{res.display.get(expected_unit, '')}”。这可能是其他单位的报送表，请核对"))
                continue
            meta = {}
            for key in ("doc_number", "note"):
                if key in table.columns_found:
                    meta[key] = clean_text(v.get(key))
            if "doc_date" in table.columns_found:
                try:
                    d = parse_date(v.get("doc_date"))
                    meta["doc_date"] = d.isoformat() if d else ""
                except ValueError as exc:
                    problems.append(Problem(n, LABELS["doc_date"], str(exc)))
            if "pages" in table.columns_found:
                try:
                    pages = parse_number(v.get("pages"))
                except ValueError:
                    pages = -1
                if pages is not None and (pages != int(pages) or pages < 1):
                    problems.append(Problem(n, LABELS["pages"], f"页数“{clean_text(v.get('pages'))}”应为正整数"))
                else:
                    meta["pages"] = int(pages) if pages is not None else m["pages"]
            names = [p.strip() for p in _FILE_SEPARATORS.split(clean_text(v.get("files"))) if p.strip()]
            found_paths = []
            for name in names:
                if source is None:
                    problems.append(Problem(n, LABELS["files"], f"表中写了文件“{name}”，但没有提供文件夹或压缩包"
                                            "（命令行加 --files 文件夹或压缩包）"))
                    continue
                path, why = source.find(name)
                if path is None:
                    problems.append(Problem(n, LABELS["files"], why))
                    continue
                if source.relative(path).casefold() in source.oversized or (
                        path.exists() and path.stat().st_size > limit_mb * 1024 * 1024):
                    problems.append(Problem(n, LABELS["files"], f"文件“{name}”超过附件上限 {limit_mb} MB，"
                                            "请压缩后重新报送，或在“设置”中调高附件大小上限"))
                    continue
                found_paths.append(path)
                used.add(path)
            if names and m["status"] == "已归档":
                problems.append(Problem(n, LABELS["files"], f"材料 {materials.material_code(m['id'])} 已归档，"
                                        "不能再添加文件；如需更换请先撤销归档"))
                continue
            if not names:
                result.rows_without_files.append(materials.material_code(m["id"]))
            plans.append((m, found_paths, meta))
        if problems:
            raise AppError(f"报送表中有 {len(problems)} 处问题，未导入任何内容。请按列表修改后重新导入。",
                           problems=problems)
        if source is not None:
            result.unmatched_files = sorted(source.relative(p) for p in set(source.by_path.values()) - used
                                            if p.exists())
        _write_return(db, plans, result, progress, cancel)
        return result
    finally:
        if source is not None:
            source.close()


def _write_return(db, plans, result: ImportResult, progress, cancel) -> None:
    total = sum(len(p[1]) for p in plans) or 1
    done = 0
    # A return refused part-way (a full disk, a cancel) leaves no stored file behind that only it brought.
    with attachments.files_kept_only_on_success(db), write(db):
        for m, paths, meta in plans:
            attached_shas = {a["sha256"] for a in materials.files_of(db, m["id"])}
            touched = False
            for path in paths:
                if cancel and cancel():
                    raise Cancelled()
                sha = attachments.file_sha256(path)
                if sha not in attached_shas:
                    attachments.add_attachment(db, materials.OWNER, m["id"], path)
                    attached_shas.add(sha)
                    result.attached += 1
                    touched = True
                done += 1
                if progress:
                    progress(done, total, path.name)
            changed = {k: val for k, val in meta.items() if m[k] != val}
            if changed:
                db["materials"].update(m["id"], {**changed, "updated_at": dt.datetime.now().isoformat(timespec="seconds")})
                audit.log(db, "登记报送信息", materials.OWNER, m["id"], {k: m[k] for k in changed}, changed, m["title"])
                touched = True
            if paths and m["status"] in materials.TRANSITIONS["submit"].sources:
                materials.change_status(db, m["id"], "submit")
                result.submitted += 1
                touched = True
            if not touched:
                result.unchanged += 1
