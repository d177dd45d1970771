"""A finding's way from 交办 to 销号: the only moves it can make, each dated in finding_events and
audited in the same transaction (签收, 开始整改, 整改反馈, 复查)."""

from __future__ import annotations

from core import attachments, audit, clock, dates
from core.errors import AppError
from core.supervision import findings, workdays
from core.supervision.rules import (CLOSED, FAILED, FIXING, ISSUED, OWING, PASSED, PENDING, REPORTED, SIGNED,
                                    limit_days)
from core.workflow import Transition, Workflow

# The only moves a finding can make. 交办 and 再次督办 happen by issuing a 督办通知单; 撤回交办
# only by voiding the notice that did the 交办.
TRANSITIONS = {
    "issue": Transition("交办", (PENDING,), ISSUED),
    "reissue": Transition("再次督办", OWING, ISSUED),
    "sign": Transition("签收", (ISSUED,), SIGNED),
    "start": Transition("开始整改", (SIGNED,), FIXING),
    "feedback": Transition("整改反馈", (FIXING,), REPORTED),
    "close": Transition("复查通过并销号", (REPORTED,), CLOSED),
    "reject": Transition("复查未通过", (REPORTED,), FIXING),
    "unissue": Transition("通知单作废，撤回交办", (ISSUED,), PENDING),
}
WORKFLOW = Workflow("督查问题", TRANSITIONS)


def allowed_actions(status: str) -> list[str]:
    return WORKFLOW.allowed(status)


def record_event(db, finding_id: int, on_date: str, action: str, from_status: str, to_status: str, *,
                 person: str = "", result: str = "", note: str = "", notice_id: int | None = None) -> None:
    db.insert("finding_events", {
        "finding_id": finding_id, "on_date": on_date, "action": action, "from_status": from_status,
        "to_status": to_status, "person": person, "result": result, "note": note, "notice_id": notice_id,
        "operator": db.operator, "recorded_at": clock.stamp()})


def history(db, finding_id: int) -> list[dict]:
    return db.rows("SELECT e.*, o.number AS notice_number FROM finding_events e"
                   " LEFT JOIN notices o ON o.id = e.notice_id WHERE e.finding_id = :id ORDER BY e.id",
                   {"id": finding_id})


def move(db, finding: dict, action: str, on_date: str, **event) -> None:
    """Move a finding one step (inside the caller's transaction), or say why it cannot move."""
    t = WORKFLOW[action]
    if finding["status"] not in t.sources:
        allowed = "、".join(WORKFLOW[a].label for a in allowed_actions(finding["status"])) or "无"
        raise AppError(f"问题 {finding['id']} 当前状态为“{finding['status']}”，不能“{t.label}”"
                       f"（需先处于{'、'.join(t.sources)}）。当前可进行：{allowed}。")
    if on_date < finding["found_on"]:
        raise AppError(f"“{t.label}”的日期 {on_date} 早于问题发现日期 {finding['found_on']}，请检查日期。")
    db.update("findings", finding["id"], {"status": t.target})
    record_event(db, finding["id"], on_date, t.label, finding["status"], t.target, **event)


def _day(value, label: str = "日期") -> str:
    return (dates.parse(value, label) or clock.today()).isoformat()


def _check_step_date(db, finding: dict, action: str, on_date: str) -> None:
    """签收, 整改, 反馈, 复查 and 销号 happen in order and not in the future."""
    last = db.one("SELECT on_date, action FROM finding_events WHERE finding_id = :id ORDER BY on_date DESC, id DESC"
                  " LIMIT 1", {"id": finding["id"]})
    dates.check_order(on_date, f"“{WORKFLOW[action].label}”的日期",
                      after=last["on_date"] if last else "", after_label=f"上一步“{last['action']}”的日期" if last else "")


def _step(db, finding_id: int, action: str, on_date, changes: dict | None = None, *,
          expected_version: int | None = None, **event) -> None:
    """expected_version: the version the user's list showed (refused, with who and when, when a
    colleague moved or changed the finding since)."""
    on_date = _day(on_date)
    with db.write():
        db.check_version("findings", finding_id, expected_version)
        before = findings.get_finding(db, finding_id)
        _check_step_date(db, before, action, on_date)
        move(db, before, action, on_date, **event)
        db.update("findings", finding_id, changes or {})
        audit.log(db, WORKFLOW[action].label, "findings", finding_id, {"status": before["status"]},
                  {"status": WORKFLOW[action].target, **(changes or {}), **event}, before["description"][:40])


def sign(db, finding_id: int, signer: str, on_date=None, *, expected_version: int | None = None) -> None:
    if not signer.strip():
        raise AppError("请填写签收人。")
    _step(db, finding_id, "sign", on_date, person=signer.strip(), expected_version=expected_version)


def start_fixing(db, finding_id: int, on_date=None, note: str = "", *, expected_version: int | None = None) -> None:
    _step(db, finding_id, "start", on_date, note=note.strip(), expected_version=expected_version)


def feedback(db, finding_id: int, description: str, on_date=None, after_photos=(), *,
             expected_version: int | None = None) -> None:
    """整改反馈: what the unit did, with optional after-photos."""
    if not description.strip():
        raise AppError("整改反馈需要填写整改情况说明。")
    for path in after_photos:
        attachments.check_image(path)
    with db.write():
        _step(db, finding_id, "feedback", on_date, note=description.strip(), expected_version=expected_version)
        for path in after_photos:
            attachments.add_attachment(db, "findings", finding_id, path, role="after")


def review(db, finding_id: int, reviewer: str, passed: bool, comment: str = "", on_date=None, *,
           expected_version: int | None = None) -> None:
    """复查: passed closes the finding (销号); failed sends it back to 整改中 with a new deadline and
    one more 督办."""
    if not reviewer.strip():
        raise AppError("复查记录需要填写复查人。")
    if not passed and not comment.strip():
        raise AppError("复查未通过时请写明未通过的原因。")
    day = _day(on_date, "复查日期")
    with db.write():
        db.check_version("findings", finding_id, expected_version)
        finding = findings.get_finding(db, finding_id)
        if passed:
            changes = {"closed_on": day}
        else:
            deadline = workdays.add_workdays(db, dates.required(day, "复查日期"), limit_days(db, finding))
            changes = {"supervision_count": finding["supervision_count"] + 1, "due_on": deadline.due.isoformat()}
        _step(db, finding_id, "close" if passed else "reject", day, changes, person=reviewer.strip(),
              result=PASSED if passed else FAILED, note=comment.strip())
