"""Exporting 工作包: for each unit, one folder (or .zip) holding

    <单位全称>工作包回执.xlsx      the return workbook (core/xlsx/work_package_io.py)
    督办通知单/<文号>.pdf         each open 督办通知单 of the unit, as the notices print it
    任务清单.pdf                 its 责任分工, when it holds standards in the current edition

Each package is one unit_packages row (its id is the 工作包编号 in the workbook) with its audit row,
written in the transaction that writes the files; the folder appears under its name only once
complete, so a cancel or a full disk leaves neither a half package nor a row for it.
"""

from __future__ import annotations

import os
import shutil
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from core import audit, clock, framework, settings, units
from core.errors import AppError, Cancelled, app_error_from_os
from core.file_access import long_path
from core.letters import NOT_ISSUED, SIGNED, latest_status, tasks_by_unit
from core.materials import checklist, safe_name
from core.supervision import notice_document
from core.supervision.rules import OWING, status_in
from core.xlsx import work_package_io

OWNER = "unit_packages"
CODE_PREFIX = "GZB"


def package_code(package_id: int) -> str:
    return f"{CODE_PREFIX}{package_id:06d}"


def parse_package_code(text: str) -> int | None:
    text = "".join(str(text or "").split()).upper()
    if text.startswith(CODE_PREFIX) and text[len(CODE_PREFIX):].isdigit():
        return int(text[len(CODE_PREFIX):])
    return None


def workbook_name(unit: dict) -> str:
    return f"{safe_name(unit['name'], 40)}工作包回执.xlsx"


@dataclass
class Exported:
    unit: str
    path: Path
    package_id: int
    findings: int
    materials: int
    notices: int
    letter: bool
    tasks: int
    pages: int

    @property
    def code(self) -> str:
        return package_code(self.package_id)


@dataclass
class ExportResult:
    packages: list[Exported] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # units with nothing to do

    @property
    def pages(self) -> int:
        return sum(p.pages for p in self.packages)


class _Ledger:
    """What the packages show, read once for every unit exported."""

    def __init__(self, db, unit_ids=None):
        self.year = settings.get(db, "current_year")
        self.edition_id = framework.current_edition_id(db)
        self.edition = framework.get_edition(db, self.edition_id)["name"] if self.edition_id else ""
        self.tasks = tasks_by_unit(db, self.edition_id, unit_ids) if self.edition_id else {}
        self.letters = latest_status(db, self.year)
        self.materials: dict[int, list[dict]] = {}
        if self.edition_id:
            for m in checklist(db, self.edition_id):
                if m["unit_id"] is not None and (unit_ids is None or m["unit_id"] in unit_ids):
                    self.materials.setdefault(m["unit_id"], []).append(m)
        self.findings: dict[int, list[dict]] = {}
        for f in db.rows(
                "SELECT f.id, f.unit_id, f.found_on, f.description, f.status, f.due_on, f.assigned_on,"
                " s.name AS site, n.code AS standard_code, n.title AS standard_title, o.number AS notice_number"
                " FROM findings f JOIN sites s ON s.id = f.site_id LEFT JOIN framework_nodes n ON n.id = f.node_id"
                f" LEFT JOIN notices o ON o.id = f.notice_id WHERE {status_in(OWING)}"
                " ORDER BY f.unit_id, f.due_on, f.id"):
            self.findings.setdefault(f["unit_id"], []).append(f)
        self.notices: dict[int, list[int]] = {}
        for n in db.rows(f"SELECT DISTINCT o.id, o.unit_id FROM notices o JOIN findings f ON f.notice_id = o.id"
                         f" WHERE o.voided = 0 AND {status_in(OWING)} ORDER BY o.unit_id, o.id"):
            self.notices.setdefault(n["unit_id"], []).append(n["id"])

    def has_work(self, unit_id: int) -> bool:
        return bool(self.tasks.get(unit_id) or self.findings.get(unit_id) or self.materials.get(unit_id))


# --- out -----------------------------------------------------------------------------------------

def export_package(db, unit_id: int, out, progress=None, cancel=None) -> Exported:
    """One unit's 工作包 into OUT: a folder that does not exist yet or is empty, or a .zip."""
    unit = units.get_unit(db, unit_id)
    out = Path(out)
    _check_target(out)
    ledger = _Ledger(db, {unit_id})
    if not ledger.has_work(unit_id):
        raise AppError(f"“{unit['name']}”没有未办结的督查问题、需报送的档案材料或测评任务，不需要工作包。")
    if progress:
        progress(0, 1, unit["name"])
    done = _export_one(db, ledger, unit, out, cancel)
    if progress:
        progress(1, 1, unit["name"])
    return done


def export_all(db, out_dir, unit_ids=None, progress=None, cancel=None) -> ExportResult:
    """A 工作包 for every active unit with something to do (or for those of unit_ids that have),
    one folder each (named by the unit) in OUT_DIR, a folder that does not exist yet or is empty."""
    out_dir = Path(out_dir)
    if out_dir.suffix.lower() == ".zip":
        raise AppError("全部单位的工作包按单位各放一个文件夹，请指定一个文件夹，而不是 .zip。")
    _check_target(out_dir)
    wanted = None if unit_ids is None else set(unit_ids)
    ledger = _Ledger(db, wanted)
    result = ExportResult()
    chosen = []
    listed = units.list_units(db) if wanted is None else [units.get_unit(db, u) for u in unit_ids]
    for unit in listed:
        if ledger.has_work(unit["id"]):
            chosen.append(unit)
        else:
            result.skipped.append(unit["name"])
    if not chosen:
        raise AppError(("所选单位" if wanted else "在用单位") + "都没有未办结的督查问题、需报送的档案材料或测评任务，"
                       "没有生成工作包。")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise app_error_from_os(exc, f"创建文件夹“{out_dir}”") from None
    for i, unit in enumerate(chosen):
        if progress:
            progress(i, len(chosen), unit["name"])
        result.packages.append(_export_one(db, ledger, unit, out_dir / safe_name(unit["name"], 60), cancel))
    if progress:
        progress(len(chosen), len(chosen), "已完成")
    return result


def _check_target(out: Path) -> None:
    if out.suffix.lower() == ".zip":
        if out.is_dir():
            raise AppError(f"“{out}”是一个文件夹，不能保存为压缩包。请换一个文件名。")
        return
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise AppError(f"“{out}”已存在且不是空文件夹。请指定一个新的文件夹名，或以 .zip 结尾保存为压缩包。")


def _export_one(db, ledger: _Ledger, unit: dict, out: Path, cancel) -> Exported:
    if cancel and cancel():
        raise Cancelled()
    uid = unit["id"]
    tasks = ledger.tasks.get(uid, [])
    findings = ledger.findings.get(uid, [])
    materials = ledger.materials.get(uid, [])
    notice_ids = ledger.notices.get(uid, [])
    letter = _letter_row(ledger, unit, tasks)
    temp = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        with db.write():
            package_id = db.insert(OWNER, {"unit_id": uid, "exported_at": clock.stamp(), "exported_by": db.operator,
                                           "file_name": str(out)})
            folder = temp if out.suffix.lower() != ".zip" else Path(str(temp) + ".d")
            folder.mkdir(parents=True)  # the folder the user named may not exist yet
            try:
                pages = _write_files(db, ledger, unit, package_id, folder, findings, materials, letter, tasks,
                                     notice_ids, cancel)
                if folder != temp:
                    _zip_folder(folder, temp)
            finally:
                if folder != temp:
                    shutil.rmtree(folder, ignore_errors=True)
            audit.log(db, "导出工作包", OWNER, package_id, None,
                      {"unit": unit["name"], "file": str(out), "findings": [f["id"] for f in findings],
                       "materials": len(materials), "notices": len(notice_ids), "letter": bool(letter)},
                      f"{unit['name']} {package_code(package_id)}")
        if out.is_dir():
            out.rmdir()  # the empty folder the user chose
        os.replace(long_path(temp), long_path(out))
    except OSError as exc:
        _remove(temp)
        raise app_error_from_os(exc, f"生成工作包“{out}”") from None
    except BaseException:
        _remove(temp)
        raise
    return Exported(unit["name"], out, package_id, len(findings), len(materials), len(notice_ids), bool(letter),
                    len(tasks), pages)


def _letter_row(ledger: _Ledger, unit: dict, tasks: list[dict]) -> dict | None:
    """The 责任书 row: a unit with tasks signs one a year."""
    if not tasks:
        return None
    status = ledger.letters.get(unit["id"]) or {}
    signed = status.get("state") == SIGNED
    return {"year": ledger.year, "unit_name": unit["name"], "state": status.get("state") or NOT_ISSUED,
            "task_count": len(tasks), "signed_by": status.get("signed_by", "") if signed else "",
            "signed_on": status.get("signed_on", "") if signed else "", "scan": ""}


def _notes(ledger: _Ledger, unit: dict, package_id: int, db) -> list[tuple[str, str]]:
    w = work_package_io
    return [
        (w.UNIT_ITEM, unit["name"]),
        (w.PACKAGE_ITEM, package_code(package_id)),
        (w.YEAR_ITEM, str(ledger.year)),
        (w.EDITION_ITEM, ledger.edition),
        ("导出日期", clock.today().isoformat()),
        ("导出人", db.operator),
        ("一、督查问题", "请对每个问题填写“整改情况”（采取了什么措施、整改到什么程度）和“完成日期”（如 2026-11-28）；"
                   "“整改后照片”填写照片的文件名，多张照片每行一个或用“；”分隔。填写了整改情况的问题登记为“已反馈”，"
                   "等待创城办复查；没有填写的问题保持原状。状态为“已交办”“已签收”的问题，须先签收督办通知单、"
                   "开始整改后才能登记反馈。"),
        ("二、档案材料", "按“材料要求”准备材料，在“文件名”列写上文件的文件名（多个文件每行一个），"
                   "并填写题名、文号、成文日期和页数；照片可填写照片时间、地点、人物、事由。"),
        ("三、责任书", "目标责任书签订后，填写签字人（乙方负责人姓名）和签订日期，在“扫描件”列写签订扫描件的文件名。"),
        ("四、任务清单", "本单位牵头和配合的测评标准，供核对，不需要填写；另附“任务清单.pdf”便于打印。"),
        ("五、督办通知单", "“督办通知单”文件夹中是本单位尚未办结的督办通知单，请按通知要求按期整改。"),
        ("六、如何报回", "请勿修改“工作包编号”“问题编号”“材料编号”和各表的列名。把本工作簿和填写中提到的照片、"
                   "文件、扫描件放在同一个文件夹中（可以有子文件夹），压缩为 .zip 后报回创城办。"),
    ]


def _write_files(db, ledger, unit, package_id, folder: Path, findings, materials, letter, tasks, notice_ids,
                 cancel) -> int:
    from core.pdf import letters_pdf, supervision_pdf  # reportlab loads when a package is made

    rows = [{**f, "standard": f"{f['standard_code']} {f['standard_title']}" if f["standard_code"] else "",
             "notice_number": f["notice_number"] or ""} for f in findings]
    template = [{**m, "unit_name": unit["name"], "files": ""} for m in materials]
    numbered = [{**t, "number": i} for i, t in enumerate(tasks, 1)]
    work_package_io.write_return_workbook(folder / workbook_name(unit), _notes(ledger, unit, package_id, db),
                                          rows, template, letter, numbered, cancel=cancel)
    pages = 0
    if notice_ids:
        (folder / "督办通知单").mkdir()
    for notice_id in notice_ids:
        if cancel and cancel():
            raise Cancelled()
        notice = notice_document(db, notice_id)
        pages += supervision_pdf.render_notices([notice], folder / "督办通知单" / f"{safe_name(notice['number'], 60)}.pdf",
                                                cancel=cancel).page_count
    if tasks:
        lead = sum(1 for t in tasks if t["role"] == framework.LEAD)
        intro = (f"根据{ledger.edition}测评任务责任分解表，你单位牵头{lead}项、配合{len(tasks) - lead}项测评标准，"
                 "清单如下。牵头单位对标准达标负总责，配合单位按分工做好相关工作。")
        pages += letters_pdf.write_task_list(f"{unit['name']}{ledger.year}年度创城任务清单", intro, tasks,
                                             folder / "任务清单.pdf")
    return pages


def _zip_folder(folder: Path, target: Path) -> None:
    with zipfile.ZipFile(long_path(target), "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                rel = path.relative_to(folder).as_posix()
                z.write(path, rel, zipfile.ZIP_STORED if path.suffix.lower() in (".pdf", ".xlsx")
                        else zipfile.ZIP_DEFLATED)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(long_path(path), ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
