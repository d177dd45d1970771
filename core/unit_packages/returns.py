"""Taking a 工作包 return (回执) in one go: the unit and the package are read from its 说明 sheet;
every sheet and every file it names is checked first and every problem reported at once (行号, 列,
问题); only a clean return is written, in one transaction, through each area's own path:
answered findings → 整改反馈 (core.supervision.lifecycle) with their after-photos, materials →
the 报送表 path (core.materials), the 责任书 → 已签订 with its scan (core.letters). What already
stands in the ledger as the return says is left as it is, so the same return twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core import attachments, audit, clock, dates, framework, letters, materials, settings, units
from core.errors import AppError, Cancelled
from core.query import Where
from core.supervision import lifecycle
from core.supervision.rules import CLOSED, FIXING, REPORTED
from core.text import clean_text, parse_number
from core.unit_packages.export import OWNER, package_code, parse_package_code
from core.xlsx import materials_io, work_package_io as io
from core.xlsx.reader import Problem

FEEDBACK = lifecycle.TRANSITIONS["feedback"]
SHOWN_UNMATCHED = 20


@dataclass
class ReturnResult:
    unit: str
    code: str
    findings: int = 0  # now 已反馈
    photos: int = 0
    findings_unchanged: int = 0  # their 整改情况 stood in the ledger already
    unanswered: int = 0  # rows without 整改情况, left alone
    materials_submitted: int = 0
    materials_files: int = 0
    materials_updated: int = 0
    letter_signed: bool = False
    scans: int = 0
    imported_before: str = ""  # when this package was imported before (empty the first time)
    unmatched_files: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        """What the import took, in words (the command line and the window say the same)."""
        if not self.changed:
            when = f"（此工作包已于 {self.imported_before} 导入过）" if self.imported_before else ""
            lines = [f"“{self.unit}”的工作包回执 {self.code} 与台账一致，没有需要登记的变化，未做任何更改{when}。"]
        else:
            taken = []
            if self.findings:
                taken.append(f"{self.findings} 个督查问题已反馈（附整改后照片 {self.photos} 张）")
            if self.materials_submitted or self.materials_files:
                taken.append(f"{self.materials_submitted} 项档案材料变为“已提交”（添加文件 {self.materials_files} 个）")
            if self.materials_updated:
                taken.append(f"更新报送信息的档案材料 {self.materials_updated} 项")
            if self.letter_signed:
                taken.append("责任书已登记签订")
            if self.scans:
                taken.append(f"责任书扫描件 {self.scans} 份")
            lines = [f"已导入“{self.unit}”的工作包回执 {self.code}：" + "，".join(taken) + "。"]
        if self.findings_unchanged:
            lines.append(f"与已登记的整改反馈相同、未重复登记的问题 {self.findings_unchanged} 个。")
        if self.unanswered:
            lines.append(f"未填写整改情况的问题 {self.unanswered} 个，保持原状。")
        if self.unmatched_files:  # a workbook returned in a busy folder: name the first few
            shown = "、".join(self.unmatched_files[:SHOWN_UNMATCHED])
            more = f" 等 {len(self.unmatched_files)} 个" if len(self.unmatched_files) > SHOWN_UNMATCHED else ""
            lines.append(f"文件夹中未被回执引用的文件（{len(self.unmatched_files)} 个，未导入）：{shown}{more}")
        return lines

    @property
    def changed(self) -> bool:
        return bool(self.findings or self.materials_submitted or self.materials_files or self.materials_updated
                     or self.letter_signed or self.scans)


def _where(sheet: str, column: str) -> str:
    return f"{sheet}：{column}"


# --- reading and checking ------------------------------------------------------------------------

def _package(db, path, problems: list) -> tuple[dict, dict, str]:
    """The package the return answers and its unit, from 说明 (AppError when it is not a 回执)."""
    notes = io.read_notes(path)
    if io.PACKAGE_ITEM not in notes:
        raise AppError("这个文件的“说明”表中没有“工作包编号”，不是本程序导出的工作包回执。"
                       "请用导出的工作包回执填写后报回。")
    row, code = notes[io.PACKAGE_ITEM]
    package_id = parse_package_code(code)
    package = db.one(f"SELECT * FROM {OWNER} WHERE id = :id", {"id": package_id}) if package_id else None
    if package is None:
        raise AppError(f"工作包编号“{code}”在本台账中不存在（第 {row} 行）。这可能是其他台账导出的工作包，"
                       "或编号被改动了，请核对。")
    unit = units.get_unit(db, package["unit_id"])
    if io.UNIT_ITEM in notes:
        row, name = notes[io.UNIT_ITEM]
        hit = units.resolver(db).lookup(name)
        if not hit or hit[0] != units.UNIT or hit[1] not in (unit["id"], unit["merged_into"]):
            problems.append(Problem(row, _where(io.NOTES_SHEET, "内容"),
                                    f"说明中的责任单位“{name}”与工作包 {code} 的单位“{unit['name']}”不符，请核对"))
    edition = notes.get(io.EDITION_ITEM, (0, ""))
    return package, unit, edition


def _check_findings(db, table, unit: dict, source, limit_mb: int, result: ReturnResult, problems: list) -> list:
    label = {k: _where(io.FINDINGS_SHEET, v) for k, v in io.FINDING_LABELS.items()}
    wanted = {}
    for row in table.rows:
        try:
            number = parse_number(row.values.get("finding_id"))
        except ValueError:
            number = -1
        wanted[row.number] = int(number) if number is not None and number == int(number) and number > 0 else number
    ids = sorted({i for i in wanted.values() if isinstance(i, int)})
    by_id = Where().one_of("f.id", "id", ids)
    known = {f["id"]: f for f in db.rows(
        "SELECT f.id, f.unit_id, f.status, f.assigned_on, u.name AS unit FROM findings f"
        " JOIN units u ON u.id = f.unit_id" + by_id.sql(), by_id.params)}
    last_step, last_feedback = {}, {}
    of_ids = Where().one_of("finding_id", "id", ids)
    for e in db.rows("SELECT finding_id, on_date, action, note FROM finding_events" + of_ids.sql()
                     + " ORDER BY finding_id, on_date, id", of_ids.params):
        last_step[e["finding_id"]] = e
        if e["action"] == FEEDBACK.label:
            last_feedback[e["finding_id"]] = e
    today = clock.today().isoformat()
    seen, plans = set(), []
    for row in table.rows:
        v, n = row.values, row.number
        text = clean_text(v.get("feedback"))
        finding_id = wanted[n]
        if finding_id is None:
            if text:
                problems.append(Problem(n, label["finding_id"], "填写了整改情况，但没有问题编号"))
            continue
        f = known.get(finding_id) if isinstance(finding_id, int) else None
        if f is None:
            problems.append(Problem(n, label["finding_id"], f"问题编号“{clean_text(v.get('finding_id'))}”在台账中不存在，"
                                    "请勿修改问题编号"))
            continue
        if f["unit_id"] != unit["id"]:
            problems.append(Problem(n, label["finding_id"], f"问题 {f['id']} 的责任单位是“{f['unit']}”，不是本工作包的"
                                    f"“{unit['name']}”。这可能是其他单位的回执，请核对"))
            continue
        if f["id"] in seen:
            problems.append(Problem(n, label["finding_id"], f"问题 {f['id']} 在表中出现了不止一次"))
            continue
        seen.add(f["id"])
        if not text:
            result.unanswered += 1
            continue
        try:
            day = dates.iso(v.get("done_on"), "完成日期") or today
        except AppError as exc:
            problems.append(Problem(n, label["done_on"], exc.message_zh))
            continue
        before = last_feedback.get(f["id"])
        if before and before["note"] == text and before["on_date"] == day:
            result.findings_unchanged += 1  # this answer stands already
            continue
        why = _date_problem(day, today, f, last_step.get(f["id"]))
        if why:
            problems.append(Problem(n, label["done_on"], why))
            continue
        if f["status"] not in FEEDBACK.sources:
            problems.append(Problem(n, label["feedback"], _not_ready(f)))
            continue
        paths = []
        for name in materials_io.file_names(v.get("photos")):
            path = materials.find_file(source, name, n, label["photos"], limit_mb, problems)
            if path is not None:
                try:
                    attachments.check_image(path)
                    paths.append(path)
                except AppError as exc:
                    problems.append(Problem(n, label["photos"], exc.message_zh))
        plans.append((f, text, day, paths))
    return plans


def _date_problem(day: str, today: str, f: dict, last: dict | None) -> str:
    if day > today:
        return f"完成日期 {day} 晚于今天（{today}），请检查日期"
    if f["assigned_on"] and day < f["assigned_on"]:
        return f"完成日期 {day} 早于交办日期 {f['assigned_on']}，请检查日期"
    if last and day < last["on_date"]:
        return f"完成日期 {day} 早于上一步“{last['action']}”的日期 {last['on_date']}，请检查日期"
    return ""


def _not_ready(f: dict) -> str:
    head = f"问题 {f['id']} 当前状态为“{f['status']}”，"
    if f["status"] == REPORTED:
        return head + "已反馈过，正在等待复查；如需更正整改情况，请与创城办联系"
    if f["status"] == CLOSED:
        return head + "已销号，不需要再反馈"
    return head + f"还不能登记整改反馈（需先处于“{FIXING}”）：请先签收督办通知单并开始整改，再报回整改情况"


def _check_letter(db, table, unit: dict, source, limit_mb: int, problems: list) -> dict | None:
    """The 责任书 row's signing, when the unit filled it in."""
    label = {k: _where(io.LETTER_SHEET, v) for k, v in io.LETTER_LABELS.items()}
    plan = None
    for row in table.rows:
        v, n = row.values, row.number
        signer = " ".join(clean_text(v.get("signer")).split())
        scan = clean_text(v.get("scan"))
        if not (signer or clean_text(v.get("signed_on")) or scan):
            continue
        try:
            year = letters.check_year(parse_number(v.get("year")) if v.get("year") is not None else None)
        except (AppError, ValueError):
            problems.append(Problem(n, label["year"], f"年度“{clean_text(v.get('year'))}”不是四位年份"))
            continue
        try:
            day = dates.iso(v.get("signed_on"), "签订日期")
        except AppError as exc:
            problems.append(Problem(n, label["signed_on"], exc.message_zh))
            continue
        if not signer:
            problems.append(Problem(n, label["signer"], "填写了签订日期或扫描件，但没有填写签字人（乙方负责人姓名）"))
            continue
        day = day or clock.today().isoformat()
        status = letters.get_status(db, year, unit["id"])
        if status["state"] == letters.SIGNED and (status["signed_by"], status["signed_on"]) != (signer, day):
            problems.append(Problem(n, label["signer"], f"{year}年度责任书已登记签订（签字人 {status['signed_by']}，"
                                    f"{status['signed_on']}），与回执中的不同；如需更正，请在“目标责任书”页修改"))
            continue
        try:
            dates.check_order(day, "签订日期", after=status["issued_on"], after_label="印发日期")
        except AppError as exc:
            problems.append(Problem(n, label["signed_on"], exc.message_zh))
            continue
        path = materials.find_file(source, scan, n, label["scan"], limit_mb, problems) if scan else None
        if scan and path is None:
            continue
        plan = {"year": year, "signer": signer, "day": day, "scan": path, "status": status}
    return plan


# --- the whole return ----------------------------------------------------------------------------

def import_return(db, path, files=None, progress=None, cancel=None) -> ReturnResult:
    """Check the 回执 at `path` with the files it names (`files`: a folder or a .zip), then take it in
    one transaction. `path` may be the .zip the unit sent back: the 回执 is the workbook inside it,
    the files are beside it. AppError with every problem when anything is wrong; nothing is written then."""
    problems: list[Problem] = []
    if progress:
        progress(0, 3, "正在检查回执")
    limit_mb = settings.get(db, "attachment_max_mb")
    sent_as_zip = str(path).lower().endswith(".zip")
    if sent_as_zip and files:
        raise AppError("报回的是 .zip 压缩包时，照片和文件就在压缩包里，不需要再指定 --files。")
    files = path if sent_as_zip else files
    source = materials_io.open_files(files, limit_mb * 1024 * 1024, cancel) if files else None
    try:
        if sent_as_zip:
            path = _workbook_in(source, path)
        package, unit, (edition_row, edition_name) = _package(db, path, problems)
        result = ReturnResult(unit["name"], package_code(package["id"]), imported_before=package["imported_at"])
        finding_plans = _check_findings(db, io.read_findings(path), unit, source, limit_mb, result, problems)
        material_plan = _check_materials(db, io.read_materials(path), unit, edition_row, edition_name, source,
                                         problems, cancel)
        letter_plan = _check_letter(db, io.read_letter(path), unit, source, limit_mb, problems)
        if problems:
            raise AppError(f"回执中有 {len(problems)} 处问题，未导入任何内容。请按列表修改后重新导入。",
                           problems=problems)
        if cancel and cancel():
            raise Cancelled()
        if progress:
            progress(1, 3, "正在登记")
        with attachments.files_kept_only_on_success(db), db.write():
            _write(db, package, unit, finding_plans, material_plan, letter_plan, result, cancel)
        if source is not None:
            used = {path, *(p for _, _, _, paths in finding_plans for p in paths)}
            used.update(p for item in (material_plan.items if material_plan else []) for p in item[1])
            if letter_plan and letter_plan["scan"] is not None:
                used.add(letter_plan["scan"])
            result.unmatched_files = sorted(source.relative(p) for p in set(source.by_path.values()) - used
                                            if p.exists())
    finally:
        if source is not None:
            source.close()
    if progress:
        progress(3, 3, "已完成")
    return result


def _workbook_in(source, zip_path):
    books = [p for p in source.by_path.values() if p.suffix.lower() == ".xlsx" and not p.name.startswith("~$")]
    if len(books) != 1:
        raise AppError(f"压缩包“{zip_path}”中" + ("没有" if not books else f"有 {len(books)} 个") +
                       " .xlsx 工作簿；报回的压缩包中应只有一个工作包回执，以及回执中提到的照片和文件。")
    return books[0]


def _check_materials(db, table, unit, edition_row, edition_name, source, problems, cancel):
    if not table.rows:
        return None
    edition_id = framework.edition_id_by_name(db, edition_name) if edition_name else framework.current_edition_id(db)
    if edition_id is None:
        problems.append(Problem(edition_row or None, _where(io.NOTES_SHEET, "内容"),
                                f"测评体系版本“{edition_name}”在本台账中不存在，无法核对档案材料"))
        return None
    found: list[Problem] = []
    plan = materials.plan_return(db, table, edition_id, source, unit["id"], found, cancel)
    problems.extend(Problem(p.row, _where(io.MATERIALS_SHEET, p.column), p.message) for p in found)
    return plan


def _write(db, package, unit, finding_plans, material_plan, letter_plan, result: ReturnResult, cancel) -> None:
    for f, text, day, paths in finding_plans:
        if cancel and cancel():
            raise Cancelled()
        lifecycle.feedback(db, f["id"], text, day, after_photos=paths)
        result.findings += 1
        result.photos += len(paths)
    if material_plan is not None:
        materials.write_return(db, material_plan, cancel=cancel)
        r = material_plan.result
        result.materials_submitted, result.materials_files = r.submitted, r.attached
        result.materials_updated = max(len(material_plan.items) - r.unchanged - r.submitted, 0)
    if letter_plan is not None:
        _sign(db, unit, letter_plan, result)
    if result.changed or not package["imported_at"]:
        stamp = clock.stamp()
        db.update(OWNER, package["id"], {"imported_at": stamp, "imported_by": db.operator})
        audit.log(db, "导入工作包回执", OWNER, package["id"], {"imported_at": package["imported_at"]},
                  {"imported_at": stamp, "findings": result.findings, "photos": result.photos,
                   "materials_submitted": result.materials_submitted, "materials_files": result.materials_files,
                   "letter_signed": result.letter_signed, "scans": result.scans},
                  f"{unit['name']} {package_code(package['id'])}")


def _sign(db, unit: dict, plan: dict, result: ReturnResult) -> None:
    status = plan["status"]
    if status["state"] != letters.SIGNED:
        letters.set_state(db, plan["year"], unit["id"], letters.SIGNED, on=plan["day"], signed_by=plan["signer"])
        result.letter_signed = True
    if plan["scan"] is not None:
        record_id = letters.status_id(db, plan["year"], unit["id"])
        held = {a["sha256"] for a in attachments.list_attachments(db, letters.OWNER_TABLE, record_id,
                                                                   role=letters.SCAN_ROLE)}
        if attachments.file_sha256(plan["scan"]) not in held:
            letters.attach_signed_copy(db, plan["year"], unit["id"], plan["scan"])
            result.scans += 1
