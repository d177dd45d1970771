"""督查问题 as recorded: checking a finding's fields, recording it with its photos, correcting it
as far as its status allows, reading it back; the standards and units a finding defaults to."""

from __future__ import annotations

from core import attachments, audit, clock, dates, framework, units
from core.errors import AppError
from core.supervision import lifecycle, sites
from core.supervision.rules import CLOSED, PENDING, SEVERITIES, SOURCES, NORMAL

# What of a recorded finding may still be corrected, by status. Before 交办 everything. A 督办通知单
# then fixes the unit it was sent to, the deadline it set and the date of the finding it cites (a
# wrong 交办 is undone by voiding the notice, a deadline moved by 再次督办), while the record itself
# (wording, 点位, standard, 配合单位, severity, source) can be corrected until 销号. A closed finding is final.
CORRECTABLE_FIELDS = ("source", "site_id", "node_id", "description", "support_ids", "severity")
FIELDS_SET_AT_ISSUE = ("found_on", "unit_id", "limit_days", "requested_due")
FIELD_NAMES = {"found_on": "发现日期", "source": "来源", "site_id": "点位", "node_id": "测评标准",
               "description": "问题描述", "unit_id": "责任单位", "support_ids": "配合单位", "severity": "严重程度",
               "limit_days": "整改时限", "requested_due": "整改期限"}


def editable_fields(status: str) -> tuple[str, ...]:
    if status == CLOSED:
        return ()
    if status == PENDING:
        return CORRECTABLE_FIELDS + FIELDS_SET_AT_ISSUE
    return CORRECTABLE_FIELDS


# --- standards and default units ---------------------------------------------------------------

def standard_choices(db) -> list[dict]:
    """Standards of the current edition for the picker: id, code, title."""
    edition_id = framework.current_edition_id(db)
    if edition_id is None:
        return []
    return db.rows("SELECT id, code, title FROM framework_nodes WHERE edition_id = :edition_id AND level = 3"
                   " AND retired = 0 ORDER BY position, id", {"edition_id": edition_id})


def find_standard(db, code: str) -> int | None:
    edition_id = framework.current_edition_id(db)
    if edition_id is None:
        return None
    return db.value("SELECT id FROM framework_nodes WHERE edition_id = :edition_id AND level = 3 AND code = :code",
                    {"edition_id": edition_id, "code": "".join(str(code).split())})


def standard_lead(db, node_id: int) -> int | None:
    return db.value("SELECT a.unit_id FROM assignment_units a JOIN units u ON u.id = a.unit_id"
                    " WHERE a.node_id = :node_id AND a.role = 'lead' AND u.retired = 0"
                    " ORDER BY a.position, a.unit_id LIMIT 1", {"node_id": node_id})


def default_unit(db, site_id: int | None, node_id: int | None) -> int | None:
    """The 点位's unit (or its 属地), else the standard's lead unit."""
    unit_id = sites.default_unit(db, site_id) if site_id else None
    if unit_id is None and node_id:
        unit_id = standard_lead(db, node_id)
    return unit_id


def check_active_unit(db, unit_id: int, role: str) -> dict:
    unit = units.get_unit(db, unit_id)
    if unit["retired"]:
        merged = ""
        if unit["merged_into"]:
            merged = f"它已并入“{units.get_unit(db, unit['merged_into'])['name']}”，"
        raise AppError(f"{role}“{unit['name']}”已停用，不能交办新问题。{merged}请选择在用的单位。")
    return unit


# --- recording and correcting --------------------------------------------------------------------

def validate_finding(db, data: dict, kept_unit_ids=()) -> dict:
    """Check a finding's fields and return them cleaned (no writing). Units in kept_unit_ids are the
    finding's own already: they may have been retired since, and stay."""
    found_on = dates.parse(data.get("found_on"), "发现日期") or clock.today()
    source = str(data.get("source") or "").strip()
    if source not in SOURCES:
        raise AppError(f"问题来源“{source}”无法识别，可选：{'、'.join(SOURCES)}。")
    severity = str(data.get("severity") or NORMAL).strip()
    if severity not in SEVERITIES:
        raise AppError(f"严重程度“{severity}”无法识别，可选：{'、'.join(SEVERITIES)}。")
    description = str(data.get("description") or "").strip()
    if not description:
        raise AppError("请填写问题描述：哪里、什么问题。")
    site_id = data.get("site_id")
    if not site_id:
        raise AppError("请选择点位，或在点位栏输入新点位的名称并选择点位类型。")
    site = sites.get_site(db, site_id)
    node_id = data.get("node_id") or None
    if node_id:
        framework.get_node(db, node_id)
    unit_id = data.get("unit_id") or default_unit(db, site_id, node_id)
    if not unit_id:
        raise AppError(f"点位“{site['name']}”没有默认责任单位，问题也未关联测评标准，请选择责任单位。")
    if unit_id not in kept_unit_ids:
        check_active_unit(db, unit_id, "责任单位")
    support_ids = [u for u in dict.fromkeys(data.get("support_ids") or []) if u != unit_id]
    for u in support_ids:
        if u not in kept_unit_ids:
            check_active_unit(db, u, "配合单位")
    limit_days = data.get("limit_days")
    if limit_days is not None and (not isinstance(limit_days, int) or limit_days < 1):
        raise AppError("整改时限应为不小于 1 的工作日数。")
    requested_due = dates.parse(data.get("requested_due"), "整改期限") if data.get("requested_due") else None
    if requested_due and requested_due < found_on:
        raise AppError(f"整改期限 {requested_due.isoformat()} 早于发现日期 {found_on.isoformat()}，请检查日期。")
    return {"found_on": found_on.isoformat(), "source": source, "site_id": site_id, "node_id": node_id,
            "description": description, "unit_id": unit_id, "severity": severity,
            "limit_days": limit_days, "requested_due": requested_due.isoformat() if requested_due else None,
            "support_ids": support_ids, "fixed_on_spot": bool(data.get("fixed_on_spot"))}


def previous_at_site(db, site_id: int, found_on: str, node_id) -> str | None:
    """The latest earlier finding at this 点位 about the same problem (same standard when both
    name one): what makes a repeat."""
    same_problem = "" if node_id is None else " AND (node_id IS NULL OR node_id = :node_id)"
    return db.value("SELECT max(found_on) FROM findings WHERE site_id = :site_id AND found_on < :found_on"
                    + same_problem, {"site_id": site_id, "found_on": found_on, "node_id": node_id})


def create_finding(db, data: dict, photos=(), after_photos=(), fix_note: str = "", *,
                   new_site: tuple[str, str] | None = None) -> int:
    """Record one finding, with its photos, in one transaction. A finding fixed on the spot
    (现场整改) is closed at once and needs its after-photo. new_site: (name, 点位类型) of a 点位 not
    yet registered, added in the same transaction, so a refused finding leaves no new 点位 behind."""
    for path in [*photos, *after_photos]:
        attachments.check_image(path)
    with db.write():
        if data.get("site_id") is None and new_site:
            data = {**data, "site_id": sites.site_for_entry(db, *new_site)}
        clean = validate_finding(db, data)
        if clean["fixed_on_spot"] and not after_photos:
            raise AppError("现场整改的问题需要附上整改后的照片。")
        return insert_finding(db, clean, photos, after_photos, fix_note)


def insert_finding(db, clean: dict, photos=(), after_photos=(), fix_note: str = "") -> int:
    """Write a finding validate_finding has checked (inside the caller's transaction)."""
    support_ids = clean.pop("support_ids")
    on_spot = clean["fixed_on_spot"]
    row = {**clean, "fixed_on_spot": int(on_spot), "created_at": clock.stamp(),
           "status": CLOSED if on_spot else PENDING,
           "closed_on": clean["found_on"] if on_spot else None,
           "prev_at_site": previous_at_site(db, clean["site_id"], clean["found_on"], clean["node_id"])}
    finding_id = db.insert("findings", row)
    _set_support(db, finding_id, support_ids)
    lifecycle.record_event(db, finding_id, clean["found_on"], "现场整改" if on_spot else "录入", "",
                           row["status"], note=fix_note if on_spot else "")
    for path in photos:
        attachments.add_attachment(db, "findings", finding_id, path, role="before")
    for path in after_photos:
        attachments.add_attachment(db, "findings", finding_id, path, role="after")
    audit.log(db, "录入督查问题", "findings", finding_id, None, {**row, "support_ids": support_ids},
              clean["description"][:40])
    return finding_id


def _set_support(db, finding_id: int, unit_ids) -> None:
    db.executemany("INSERT INTO finding_units (finding_id, unit_id, position) VALUES (:finding_id, :unit_id, :position)",
                   [{"finding_id": finding_id, "unit_id": u, "position": i} for i, u in enumerate(unit_ids)])


def update_finding(db, finding_id: int, changes: dict, *, expected_version: int | None = None) -> None:
    """Correct a recorded finding: only what editable_fields allows in its status, checked as a new
    finding is, in one transaction with its audit row. expected_version: the version the form read
    (refused when someone saved the finding since)."""
    with db.write():
        db.check_version("findings", finding_id, expected_version)
        before = get_finding(db, finding_id)
        locked = [key for key in changes if key not in editable_fields(before["status"])]
        if locked:
            why = "已销号，不能再修改" if before["status"] == CLOSED else \
                f"已交办（{before['notice_number']}），{'、'.join(FIELD_NAMES[k] for k in locked)}以通知单为准，不能修改"
            raise AppError(f"问题 {finding_id} {why}。")
        fields = ("found_on", "source", "site_id", "node_id", "description", "unit_id", "support_ids", "severity",
                  "limit_days", "requested_due", "fixed_on_spot")
        clean = validate_finding(db, {**{k: before[k] for k in fields}, **changes},
                                 kept_unit_ids={before["unit_id"], *before["support_ids"]})
        changed = {k: clean[k] for k in changes if clean[k] != before[k]}
        if not changed:
            return
        row = {k: v for k, v in changed.items() if k != "support_ids"}
        if {"site_id", "found_on", "node_id"} & set(changed):
            row["prev_at_site"] = previous_at_site(db, clean["site_id"], clean["found_on"], clean["node_id"])
        db.update("findings", finding_id, row)
        if "support_ids" in changed:
            db.execute("DELETE FROM finding_units WHERE finding_id = :id", {"id": finding_id})
            _set_support(db, finding_id, changed["support_ids"])
        audit.log(db, "修改督查问题", "findings", finding_id, {k: before[k] for k in changed}, changed,
                  clean["description"][:40])


def get_finding(db, finding_id: int) -> dict:
    f = db.one("SELECT f.*, s.name AS site, s.site_type, l.name AS locality, u.name AS unit,"
               " n.code AS standard_code, n.title AS standard_title, o.number AS notice_number"
               " FROM findings f JOIN sites s ON s.id = f.site_id JOIN units u ON u.id = f.unit_id"
               " LEFT JOIN units l ON l.id = s.locality_unit_id"
               " LEFT JOIN framework_nodes n ON n.id = f.node_id LEFT JOIN notices o ON o.id = f.notice_id"
               " WHERE f.id = :id", {"id": finding_id})
    if f is None:
        raise AppError(f"找不到编号为 {finding_id} 的督查问题。请按问题清单（findings-export）的“编号”列填写。")
    support = db.rows("SELECT fu.unit_id, u.name FROM finding_units fu JOIN units u ON u.id = fu.unit_id"
                      " WHERE fu.finding_id = :id ORDER BY fu.position", {"id": finding_id})
    f["support_ids"] = [r["unit_id"] for r in support]
    f["support"] = "、".join(r["name"] for r in support)
    return f
