"""督办通知单: issuing one for a unit's findings with a gap-free yearly number, voiding it, its
回执, and the notices as documents to print."""

from __future__ import annotations

import datetime as dt

from core import attachments, audit, clock, dates, settings
from core.errors import AppError
from core.query import Where
from core.supervision import findings, lifecycle, workdays
from core.supervision.rules import ISSUED, OWING, PENDING, limit_days

# A notice's state as the list shows it.
VOIDED, RECEIPTED, AWAITING_RECEIPT = "作废", "已签收", "待签收"


def format_number(doc_code: str, year: int, seq: int) -> str:
    return f"{doc_code}〔{year}〕{seq}号"


def default_requirement() -> str:
    return ("请你单位接到本通知后立即组织整改，于整改期限前完成，并将整改情况（附整改前后对比照片）"
            "书面反馈至区创城办。逾期未整改或整改不到位的，将再次督办、挂牌督办，并在全区通报。")


def _plan(db, calendar, unit: dict, finding_id: int, day: dt.date, warnings: set) -> tuple[dict, str, dt.date]:
    """What issuing does to one finding: 交办 or 再次督办, and its new deadline."""
    f = findings.get_finding(db, finding_id)
    if f["unit_id"] != unit["id"]:
        raise AppError(f"问题 {finding_id} 的责任单位是“{f['unit']}”，不是“{unit['name']}”。"
                       "一份督办通知单只能发给一个单位，请分开开具。")
    if f["status"] == PENDING:
        action = "issue"
    elif f["status"] in OWING and f["due_on"] and f["due_on"] < day.isoformat():
        action = "reissue"
    else:
        raise AppError(f"问题 {finding_id} 当前状态为“{f['status']}”" +
                       ("，尚未逾期，不需要再次督办。" if f["status"] in OWING else "，不能开具督办通知单。")
                       + "只有“待交办”或已逾期未整改的问题可以开具。")
    if f["found_on"] > day.isoformat():
        raise AppError(f"交办日期 {day.isoformat()} 早于问题 {finding_id} 的发现日期 {f['found_on']}。")
    if f["requested_due"] and action == "issue":
        due = dt.date.fromisoformat(f["requested_due"])
        if due <= day:
            raise AppError(f"问题 {finding_id} 录入的整改期限 {f['requested_due']} 不晚于交办日期 {day.isoformat()}，"
                           "请修改期限或按整改时限（工作日）重新计算。")
    else:
        deadline = calendar.add_workdays(day, limit_days(db, f))
        due = deadline.due
        if deadline.warning:
            warnings.add(deadline.warning)
    return f, action, due


def issue_notice(db, unit_id: int, finding_ids: list[int], *, issued_on=None, requirement: str = "",
                 contact: str | None = None) -> dict:
    """督办通知单 for one unit's findings. The number comes from the year's counter row, taken
    inside the write transaction: two clients issuing at once get consecutive numbers, and a notice
    that fails to be written gives its number back.

    Findings 待交办 are 交办; findings still owed past their deadline are 再次督办 (督办次数 + 1).
    Returns {"id", "number", "due_on", "warnings"}."""
    finding_ids = list(dict.fromkeys(int(i) for i in finding_ids))
    if not finding_ids:
        raise AppError("请至少选择一个督查问题。")
    day = dates.parse(issued_on, "交办日期") or clock.today()
    requirement = requirement.strip() or default_requirement()
    contact = settings.get(db, "notice_contact") if contact is None else contact.strip()
    calendar = workdays.load(db)
    with db.write():
        unit = findings.check_active_unit(db, unit_id, "责任单位")
        warnings: set[str] = set()
        plans = [_plan(db, calendar, unit, fid, day, warnings) for fid in finding_ids]
        year = day.year
        seq = db.take_number(f"notice:{year}",
                             start_after=("SELECT max(seq) FROM notices WHERE year = :year", {"year": year}))
        number = format_number(settings.get(db, "doc_code"), year, seq)
        due_on = min(d for _, _, d in plans).isoformat()
        notice_id = db.insert("notices", {
            "year": year, "seq": seq, "number": number, "unit_id": unit_id, "issued_on": day.isoformat(),
            "due_on": due_on, "requirement": requirement, "contact": contact or "",
            "round": max(f["supervision_count"] for f, _, _ in plans) + 1, "created_at": clock.stamp()})
        db.executemany("INSERT INTO notice_findings (notice_id, finding_id, position, due_on)"
                       " VALUES (:notice_id, :finding_id, :position, :due_on)",
                       [{"notice_id": notice_id, "finding_id": f["id"], "position": position, "due_on": due.isoformat()}
                        for position, (f, _, due) in enumerate(plans)])
        for f, action, due in plans:
            lifecycle.move(db, f, action, day.isoformat(), notice_id=notice_id, note=number)
            db.update("findings", f["id"], {"notice_id": notice_id, "due_on": due.isoformat(),
                                            "assigned_on": day.isoformat(),
                                            "supervision_count": f["supervision_count"] + 1})
        audit.log(db, "开具督办通知单", "notices", notice_id, None,
                  {"number": number, "unit": unit["name"], "findings": finding_ids, "due_on": due_on}, number)
    return {"id": notice_id, "number": number, "due_on": due_on, "warnings": sorted(warnings)}


def void_notice(db, notice_id: int, reason: str, on_date=None) -> None:
    """作废: the number stays (shown as 作废); findings it handed over return to where they were."""
    if not reason.strip():
        raise AppError("作废督办通知单需要写明原因。")
    day = (dates.parse(on_date, "作废日期") or clock.today()).isoformat()
    with db.write():
        notice = get_notice(db, notice_id)
        if notice["voided"]:
            raise AppError(f"{notice['number']} 已经作废。")
        for f in notice["findings"]:
            if f["notice_id"] != notice_id or f["status"] != ISSUED:
                raise AppError(f"{notice['number']} 中的问题 {f['id']} 已{f['status']}，通知单不能再作废。"
                               "如交办有误，请在问题的后续步骤中处理。")
        for f in notice["findings"]:
            restored = db.value("SELECT from_status FROM finding_events WHERE finding_id = :finding_id"
                                " AND notice_id = :notice_id ORDER BY id DESC LIMIT 1",
                                {"finding_id": f["id"], "notice_id": notice_id})
            previous = db.one("SELECT nf.notice_id, nf.due_on FROM notice_findings nf JOIN notices n"
                              " ON n.id = nf.notice_id WHERE nf.finding_id = :finding_id AND nf.notice_id <> :notice_id"
                              " AND n.voided = 0 ORDER BY nf.notice_id DESC LIMIT 1",
                              {"finding_id": f["id"], "notice_id": notice_id})
            db.update("findings", f["id"], {
                "status": restored, "notice_id": previous["notice_id"] if previous else None,
                "due_on": previous["due_on"] if previous else None,
                "supervision_count": max(f["supervision_count"] - 1, 0),
                "assigned_on": f["assigned_on"] if previous else None})
            lifecycle.record_event(db, f["id"], day, "通知单作废", ISSUED, restored, note=reason.strip(),
                                   notice_id=notice_id)
        db.update("notices", notice_id, {"voided": 1, "void_reason": reason.strip(), "voided_at": clock.stamp()})
        audit.log(db, "作废督办通知单", "notices", notice_id, {"voided": 0}, {"voided": 1, "reason": reason.strip()},
                  notice["number"])


def record_receipt(db, notice_id: int, signer: str, signed_on, note: str = "") -> int:
    """回执: the unit's signature on the notice; its findings still 已交办 are 签收. Returns how many."""
    if not signer.strip():
        raise AppError("请填写回执上的签收人。")
    day = dates.required(signed_on, "签收时间").isoformat()
    with db.write():
        notice = get_notice(db, notice_id)
        if notice["voided"]:
            raise AppError(f"{notice['number']} 已作废，不能登记回执。")
        if day < notice["issued_on"]:
            raise AppError(f"签收时间 {day} 早于通知单的交办日期 {notice['issued_on']}。")
        signed = 0
        for f in notice["findings"]:
            if f["notice_id"] == notice_id and f["status"] == ISSUED:
                lifecycle.move(db, f, "sign", day, person=signer.strip(), notice_id=notice_id)
                signed += 1
        db.update("notices", notice_id, {"receipt_signer": signer.strip(), "receipt_at": day,
                                         "receipt_note": note.strip()})
        audit.log(db, "登记回执", "notices", notice_id, None, {"signer": signer, "at": day, "signed": signed},
                  notice["number"])
    return signed


def get_notice(db, notice_id: int) -> dict:
    notice = db.one("SELECT n.*, u.name AS unit, u.liaison, u.phone FROM notices n JOIN units u ON u.id = n.unit_id"
                    " WHERE n.id = :id", {"id": notice_id})
    if notice is None:
        raise AppError(f"找不到编号为 {notice_id} 的督办通知单。")
    notice["findings"] = []
    for r in db.rows("SELECT finding_id, due_on FROM notice_findings WHERE notice_id = :id ORDER BY position",
                     {"id": notice_id}):
        f = findings.get_finding(db, r["finding_id"])
        f["notice_due_on"] = r["due_on"]
        notice["findings"].append(f)
    return notice


def find_notice(db, number: str) -> int:
    found = db.value("SELECT id FROM notices WHERE number = :number", {"number": number.strip()})
    if found is None:
        raise AppError(f"找不到文号为“{number}”的督办通知单。")
    return found


def list_notices(db, year: int | None = None, unit_id: int | None = None) -> list[dict]:
    where = Where().equals("n.year", "year", year or None).equals("n.unit_id", "unit_id", unit_id or None)
    result = db.rows("SELECT n.*, u.name AS unit, (SELECT count(*) FROM notice_findings nf WHERE nf.notice_id = n.id)"
                     " AS finding_count FROM notices n JOIN units u ON u.id = n.unit_id" + where.sql()
                     + " ORDER BY n.year DESC, n.seq DESC, n.id DESC", where.params)
    for n in result:
        n["state"] = VOIDED if n["voided"] else (RECEIPTED if n["receipt_signer"] else AWAITING_RECEIPT)
    return result


# --- printing ------------------------------------------------------------------------------------

def notice_document(db, notice_id: int) -> dict:
    """What the printed notice shows: the notice, its findings with their 整改前 photos (stored
    files, named), and the office that issues it."""
    notice = get_notice(db, notice_id)
    notice["office"] = settings.get(db, "office_name")
    for f in notice["findings"]:
        f["photos"] = [{"name": a["original_name"], "path": str(attachments.stored_path(db, a["sha256"])),
                        "caption": attachments.photo_caption(a)}
                       for a in attachments.list_attachments(db, "findings", f["id"], role="before")]
    return notice


def render_notices(db, notice_ids: list[int], path, progress=None, cancel=None):
    """The notices as one PDF (公文 form with photos and 回执)."""
    from core.pdf import supervision_pdf

    return supervision_pdf.render_notices([notice_document(db, nid) for nid in notice_ids], path,
                                          progress=progress, cancel=cancel)


def write_notices(db, notice_ids: list[int], path, progress=None, cancel=None) -> int | None:
    """The notices as one file, chosen by its name: Word (.docx) to edit, else PDF. Returns the
    PDF's pages; None for Word (its pages are counted by the program that opens it)."""
    from core.docx import is_word

    if not is_word(path):
        return render_notices(db, notice_ids, path, progress, cancel).page_count
    from core.docx import supervision_docx

    supervision_docx.write_notices([notice_document(db, nid) for nid in notice_ids], path, progress=progress,
                                   cancel=cancel)
    return None
