"""What a unit is told: the short text pasted into 政务微信 or a text message, and the 催办单 (its
rows handed to core.pdf.remind_pdf), both in the office's names from the settings."""

from __future__ import annotations

import datetime as dt

from core import materials, settings
from core.remind.items import FINDING, LETTER, MATERIAL, PACKAGE, UNSIGNED


def month_day(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.month}月{day.day}日"


def _due_and_overdue(found: list[dict], noun: str, measure: str, due_verb: str) -> list[str]:
    """'3 个督查问题将于 11月9日 到期，1 个已逾期 2 天' (either half alone when the other is empty)."""
    coming = [i for i in found if i["overdue_days"] == 0 and i["due_on"]]
    late = [i for i in found if i["overdue_days"] > 0]
    parts = []
    if coming:
        dates_ = sorted({i["due_on"] for i in coming})
        when = month_day(dates_[0])
        parts.append(f"{len(coming)} {measure}{noun}{'最早' if len(dates_) > 1 else ''}将于 {when} {due_verb}")
    if late:
        worst = max(i["overdue_days"] for i in late)
        days = f" {worst} 天" if len(late) == 1 else f"（最长 {worst} 天）"
        parts.append(f"{len(late)} {measure}{'' if coming else noun}已逾期{days}")
    return parts


def _clauses(entry: dict) -> list[str]:
    by_kind: dict[str, list[dict]] = {}
    for item in entry["items"]:
        by_kind.setdefault(item["kind"], []).append(item)
    clauses = []
    if by_kind.get(FINDING):
        clauses.append("，".join(_due_and_overdue(by_kind[FINDING], "督查问题", "个", "到期")))
    if by_kind.get(UNSIGNED):
        worst = max(i["overdue_days"] for i in by_kind[UNSIGNED])
        late = f"，已超过签收时限 {worst} 天" if worst else ""
        clauses.append(f"{len(by_kind[UNSIGNED])} 个督查问题已交办尚未签收{late}")
    if by_kind.get(MATERIAL):
        needs_more = [i for i in by_kind[MATERIAL] if i["status"] == materials.NEEDS_MORE]
        pending = [i for i in by_kind[MATERIAL] if i["status"] != materials.NEEDS_MORE]
        if needs_more:
            clauses.append(f"{len(needs_more)} 项档案材料需补充")
        if pending:
            clauses.append("，".join(_due_and_overdue(pending, "档案材料", "项", "截止报送")))
    if by_kind.get(LETTER):
        clauses.append("目标责任书已印发尚未签订")
    if by_kind.get(PACKAGE):
        clauses.append("工作包尚未交回")
    return clauses


def situation(entry: dict) -> str:
    """What the unit has outstanding, after “你单位”: 有 3 个督查问题将于 11月9日 到期，1 个已逾期 2 天；2 项档案材料需补充."""
    clauses = _clauses(entry)
    return ("有 " if clauses[0][0].isdigit() else "") + "；".join(clauses)


def reply_by(entry: dict) -> str:
    """The date the unit is asked to finish by: the soonest 到期日 still ahead; '' when everything
    is already late (then: at once)."""
    ahead = sorted(i["due_on"] for i in entry["items"] if i["due_on"] and i["overdue_days"] == 0)
    return ahead[0] if ahead else ""


def message(db, entry: dict) -> str:
    """The short text for 政务微信 or SMS, e.g. 【城关区创城办】区城管局：你单位有 3 个督查问题将于
    11月9日 到期，1 个已逾期 2 天；2 项档案材料需补充。请于11月9日前办结并反馈。联系人：…"""
    district = settings.get(db, "district_name")
    contact = settings.get(db, "notice_contact").strip()
    by = reply_by(entry)
    ask = f"请于{month_day(by)}前办结并反馈。" if by else "请立即办结并反馈。"
    text = f"【{district}创城办】{entry['short_name']}：你单位{situation(entry)}。{ask}"
    return text + contact_line(contact)


def contact_line(contact: str) -> str:
    """“联系人：…”, the setting as the office typed it (often starting with 联系人 already)."""
    if not contact:
        return ""
    return contact if contact.startswith("联系") else f"联系人：{contact}"


def reminder_document(db, entry: dict) -> dict:
    """What the printed 催办单 of a unit shows (core.pdf.remind_pdf lays it out)."""
    return {"office": settings.get(db, "office_name"), "unit": entry["name"], "liaison": entry["liaison"],
            "phone": entry["phone"], "today": entry["today"],
            "reply_by": reply_by(entry), "contact": contact_line(settings.get(db, "notice_contact").strip()),
            "rows": [[i + 1, item["matter"], item["due_on"],
                      item["overdue_days"] or ""] for i, item in enumerate(entry["items"])]}
