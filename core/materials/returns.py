"""The checklist's exchange with the units through Excel: the checklist and each unit's 报送模板 out,
and back in either an edited checklist or a unit's return (报送表) with the files it names.

Everything read is checked first and every problem reported at once (行号, 列, 问题); only a clean
file is written, in one transaction. The workbook and the folder or .zip are read by
core/xlsx/materials_io.py; what they mean for the ledger is decided here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core import attachments, audit, clock, dates, framework, settings, units
from core.errors import AppError, Cancelled
from core.materials.checklist import add_material, checklist, files_of, remove_material, update_material
from core.materials.records import ARCHIVED, KINDS, OWNER, material_code, parse_code
from core.materials.workflow import TRANSITIONS, change_status
from core.text import clean_text, parse_number
from core.xlsx import materials_io
from core.xlsx.reader import Problem

LABELS = materials_io.LABELS  # the column a problem is reported in


# --- out ----------------------------------------------------------------------------------------

def export_checklist(db, path, edition_id: int, progress=None, cancel=None) -> int:
    """The edition's checklist with 材料编号, to edit and import again. Returns the number of rows."""
    data = checklist(db, edition_id)
    materials_io.write_checklist(path, data, progress, cancel)
    return len(data)


def export_unit_template(db, path, edition_id: int, unit_id: int, progress=None, cancel=None) -> int:
    """One unit's 报送模板: its materials with the columns it fills (文件名, 文号, 成文日期, 页数, 说明)."""
    unit = units.get_unit(db, unit_id)
    data = checklist(db, edition_id, unit_id=unit_id)
    if not data:
        raise AppError(f"“{unit['name']}”在本版本的档案材料清单中没有材料，不需要报送模板。")
    materials_io.write_unit_template(path, f"{unit['short_name'] or unit['name']}报送模板",
                                     [{**r, "unit_name": unit["name"], "files": ""} for r in data], progress, cancel)
    return len(data)


# --- in: which kind of file -----------------------------------------------------------------------

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
    """Import a checklist or, when the sheet has a 文件名 column, a unit's return with its files
    (`files`: a folder or a .zip; `unit_id`: the unit the return must belong to)."""
    table = materials_io.read_sheet(path, progress=progress, cancel=cancel)
    if materials_io.is_return(table):
        return import_return(db, table, edition_id, files, unit_id, progress, cancel)
    if files:
        raise AppError("这个文件没有“文件名”列，不是单位报送表，不能同时导入文件。"
                       "请用导出的报送模板填写，或去掉 --files。")
    return import_checklist(db, table, edition_id, cancel)


def _materials_by_id(db, edition_id: int) -> dict[int, dict]:
    return {r["id"]: r for r in db.rows("SELECT m.*, COALESCE(u.name, '') AS unit_name FROM materials m"
                                        " LEFT JOIN units u ON u.id = m.unit_id WHERE m.edition_id = :edition",
                                        {"edition": edition_id})}


def _lookup_material(v: dict, n: int, known: dict, problems: list, edition_name: str) -> dict | None:
    text = clean_text(v.get("material_code"))
    material_id = parse_code(text)
    if material_id is None:
        problems.append(Problem(n, LABELS["material_code"], f"材料编号“{text}”无法识别，应为 CL000123 的形式"))
        return None
    m = known.get(material_id)
    if m is None or m["removed"]:
        problems.append(Problem(n, LABELS["material_code"],
                                f"材料编号 {text} 在“{edition_name}”的清单中不存在（可能已删除或属于其他年度）"))
        return None
    return m


def _date(v: dict, key: str, n: int, problems: list) -> str | None:
    """The cell's date as stored ('' when empty), or None with a problem noted."""
    try:
        return dates.iso(v.get(key), LABELS[key])
    except AppError as exc:
        problems.append(Problem(n, LABELS[key], exc.message_zh))
        return None


# --- in: an edited checklist ----------------------------------------------------------------------

def import_checklist(db, table, edition_id: int, cancel=None) -> ImportResult:
    """Edit, add and remove requirements from a checklist sheet: validated first, one transaction."""
    edition = framework.get_edition(db, edition_id)
    known = _materials_by_id(db, edition_id)
    codes = {r["code"]: r["id"] for r in db.rows("SELECT id, code FROM framework_nodes WHERE edition_id = :edition"
                                                 " AND level = 3 AND retired = 0", {"edition": edition_id})}
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
            if kind and kind not in KINDS:
                problems.append(Problem(n, LABELS["kind"], f"材料类型“{kind}”无效，应为：{'、'.join(KINDS)}"))
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
            due_on = _date(v, "due_on", n, problems)
            if due_on is not None:
                fields["due_on"] = due_on
        remove = materials_io.says_yes(v.get("remove"))
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
    with db.write():
        for action, m, fields in plans:
            if action == "remove":
                remove_material(db, m["id"])
                result.removed += 1
            elif action == "add":
                node_id = fields.pop("node_id")
                add_material(db, node_id, fields)
                result.added += 1
            elif any(m[k] != val for k, val in fields.items()):
                update_material(db, m["id"], fields)
                result.updated += 1
            else:
                result.unchanged += 1
    return result


# --- in: a unit's return --------------------------------------------------------------------------

def import_return(db, table, edition_id: int, files=None, unit_id: int | None = None,
                  progress=None, cancel=None) -> ImportResult:
    """A unit's filled 报送模板 with the files it names: every row and file checked first; then the
    files are attached, metadata stored and the items become 已提交, in one transaction. Files
    already attached to the item (same content) are skipped, so the same return twice changes nothing."""
    limit_mb = settings.get(db, "attachment_max_mb")
    source = materials_io.open_files(files, limit_mb * 1024 * 1024, cancel) if files else None
    try:
        problems: list[Problem] = []
        plan = plan_return(db, table, edition_id, source, unit_id, problems, cancel)
        if problems:
            raise AppError(f"报送表中有 {len(problems)} 处问题，未导入任何内容。请按列表修改后重新导入。",
                           problems=problems)
        write_return(db, plan, progress, cancel)
        return plan.result
    finally:
        if source is not None:
            source.close()


@dataclass
class ReturnPlan:
    """What a checked return will do: per material (row, files, metadata, photo caption)."""

    items: list
    result: ImportResult


def plan_return(db, table, edition_id: int, source, unit_id: int | None, problems: list,
                cancel=None) -> ReturnPlan:
    """Check every row of a return and the files it names (in `source`, a materials_io.FileSource,
    or None), adding what is wrong to `problems`; nothing is written. Also the 工作包 import checks
    its 档案材料 sheet with it, beside its other sheets."""
    edition = framework.get_edition(db, edition_id)
    known = _materials_by_id(db, edition_id)
    res = units.resolver(db)
    limit_mb = settings.get(db, "attachment_max_mb")
    expected_unit = unit_id
    plans = []
    used = set()
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
                                    f"材料 {material_code(m['id'])} 属于“{m['unit_name'] or '未指定单位'}”，"
                                    f"不是本表的“{res.display.get(expected_unit, '')}”。这可能是其他单位的报送表，请核对"))
            continue
        meta = _return_meta(table.columns_found, v, n, m, problems)
        caption = _photo_caption(table.columns_found, v, n, problems)
        names = materials_io.file_names(v.get("files"))
        found_paths = []
        for name in names:
            path = find_file(source, name, n, LABELS["files"], limit_mb, problems)
            if path is not None:
                found_paths.append(path)
                used.add(path)
        if names and m["status"] == ARCHIVED:
            problems.append(Problem(n, LABELS["files"], f"材料 {material_code(m['id'])} 已归档，"
                                    "不能再添加文件；如需更换请先撤销归档"))
            continue
        if not names:
            result.rows_without_files.append(material_code(m["id"]))
        plans.append((m, found_paths, meta, caption))
    if source is not None:
        result.unmatched_files = sorted(source.relative(p) for p in set(source.by_path.values()) - used
                                        if p.exists())
    return ReturnPlan(plans, result)


def find_file(source, name: str, n: int, column: str, limit_mb: int, problems: list):
    """The file a row names, found in the folder or .zip sent with the return (None, with the
    problem noted, when it is not there, not unique or over the attachment limit)."""
    if source is None:
        problems.append(Problem(n, column, f"表中写了文件“{name}”，但没有提供文件夹或压缩包"
                                "（命令行加 --files 文件夹或压缩包）"))
        return None
    path, why = source.find(name)
    if path is None:
        problems.append(Problem(n, column, why))
        return None
    if source.relative(path).casefold() in source.oversized or (
            path.exists() and path.stat().st_size > limit_mb * 1024 * 1024):
        problems.append(Problem(n, column, f"文件“{name}”超过附件上限 {limit_mb} MB，"
                                "请压缩后重新报送，或在“设置”中调高附件大小上限"))
        return None
    return path


def _return_meta(columns_found, v: dict, n: int, m: dict, problems: list) -> dict:
    """题名, 文号, 成文日期, 页数 and 说明 of a return's row, as stored."""
    meta = {}
    for key in ("doc_title", "doc_number", "note"):
        if key in columns_found:
            meta[key] = clean_text(v.get(key))
    if "doc_date" in columns_found:
        doc_date = _date(v, "doc_date", n, problems)
        try:  # a document submitted today cannot have been written later
            dates.check_order(doc_date or "", LABELS["doc_date"])
        except AppError as exc:
            problems.append(Problem(n, LABELS["doc_date"], exc.message_zh))
            doc_date = None
        if doc_date is not None:
            meta["doc_date"] = doc_date
    if "pages" in columns_found:
        try:
            pages = parse_number(v.get("pages"))
        except ValueError:
            pages = -1
        if pages is not None and (pages != int(pages) or pages < 1):
            problems.append(Problem(n, LABELS["pages"], f"页数“{clean_text(v.get('pages'))}”应为正整数"))
        else:
            meta["pages"] = int(pages) if pages is not None else m["pages"]
    return meta


def _photo_caption(columns_found, v: dict, n: int, problems: list) -> dict:
    """照片时间、地点、人物、事由 of a return's row: the caption of every photo the row names (the
    parts not given are left to the photo's EXIF data)."""
    caption = {}
    for column, part in materials_io.PHOTO_COLUMNS.items():
        if column not in columns_found:
            continue
        value = _date(v, column, n, problems) if part == "taken_at" else clean_text(v.get(column))
        if value:
            caption[part] = value
    return caption


def write_return(db, plan: ReturnPlan, progress=None, cancel=None) -> None:
    """Write a checked return (plan_return): inside a caller's transaction, or in its own."""
    plans, result = plan.items, plan.result
    total = sum(len(p[1]) for p in plans) or 1
    done = 0
    # A return refused part-way (a full disk, a cancel) leaves no stored file behind that only it brought.
    with attachments.files_kept_only_on_success(db), db.write():
        for m, paths, meta, caption in plans:
            attached = {a["sha256"]: a for a in files_of(db, m["id"])}
            touched = False
            for path in paths:
                if cancel and cancel():
                    raise Cancelled()
                sha = attachments.file_sha256(path)
                photo_caption = caption if attachments.is_image_name(path.name) else {}
                if sha not in attached:
                    attachments.add_attachment(db, OWNER, m["id"], path, **photo_caption)
                    attached[sha] = {}
                    result.attached += 1
                    touched = True
                elif attached[sha] and any(attached[sha][k] != v for k, v in photo_caption.items()):
                    a = attached[sha]  # the same photo again, its caption corrected in the return
                    attachments.update_caption(db, a["id"], a["caption"], **photo_caption)
                    touched = True
                done += 1
                if progress:
                    progress(done, total, path.name)
            changed = {k: val for k, val in meta.items() if m[k] != val}
            if changed:
                db.update("materials", m["id"], {**changed, "updated_at": clock.stamp()})
                audit.log(db, "登记报送信息", OWNER, m["id"], {k: m[k] for k in changed}, changed, m["title"])
                touched = True
            if paths and m["status"] in TRANSITIONS["submit"].sources:
                change_status(db, m["id"], "submit")
                result.submitted += 1
                touched = True
            if not touched:
                result.unchanged += 1
