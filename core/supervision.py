"""督查督办: findings, their lifecycle, 督办通知单 with gap-free yearly numbers, overdue and 挂牌督办.

A finding moves only along TRANSITIONS; every move is dated in finding_events and audited in the
same transaction. Overdue and 挂牌 are computed at query time from the thresholds in settings, so
changing a threshold takes effect at once and nothing stored goes stale.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core import attachments, audit, framework, settings, sites, units, workdays
from core.db import like_contains, rows, scalar, write
from core.errors import AppError

SOURCES = ["明察暗访", "点位检查", "市级督查", "测评反馈", "群众举报", "其他"]
SEVERITIES = ["一般", "较重", "严重"]
STATUSES = ["待交办", "已交办", "已签收", "整改中", "已反馈", "已销号"]
# Statuses in which the unit still owes the fix: a deadline passed here means overdue.
OWING = ("已交办", "已签收", "整改中")
REVIEW_RESULTS = ("通过", "未通过")


@dataclass(frozen=True)
class Transition:
    label: str
    sources: tuple[str, ...]
    target: str


# The only moves a finding can make. 交办 and 再次督办 happen by issuing a 督办通知单; 撤回交办
# only by voiding the notice that did the 交办.
TRANSITIONS = {
    "issue": Transition("交办", ("待交办",), "已交办"),
    "reissue": Transition("再次督办", OWING, "已交办"),
    "sign": Transition("签收", ("已交办",), "已签收"),
    "start": Transition("开始整改", ("已签收",), "整改中"),
    "feedback": Transition("整改反馈", ("整改中",), "已反馈"),
    "close": Transition("复查通过并销号", ("已反馈",), "已销号"),
    "reject": Transition("复查未通过", ("已反馈",), "整改中"),
    "unissue": Transition("通知单作废，撤回交办", ("已交办",), "待交办"),
}


def allowed_actions(status: str) -> list[str]:
    return [key for key, t in TRANSITIONS.items() if status in t.sources]


# What of a recorded finding may still be corrected, by status. Before 交办 everything. A 督办通知单
# then fixes the unit it was sent to, the deadline it set and the date of the finding it cites (a
# wrong 交办 is undone by voiding the notice, a deadline moved by 再次督办), while the record itself
# (wording, 点位, standard, 配合单位, severity, source) can be corrected until 销号. A closed finding is final.
CORRECTABLE_FIELDS = ("source", "site_id", "node_id", "description", "support_ids", "severity")
FIELDS_SET_AT_ISSUE = ("found_on", "unit_id", "limit_days", "requested_due")


def editable_fields(status: str) -> tuple[str, ...]:
    if status == "已销号":
        return ()
    if status == "待交办":
        return CORRECTABLE_FIELDS + FIELDS_SET_AT_ISSUE
    return CORRECTABLE_FIELDS


def _today() -> dt.date:
    return dt.date.today()


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def _as_date(value, label: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise AppError(f"{label}“{value}”无法识别，请写成 2026-03-15 的形式。") from None


# --- rules: overdue and 挂牌 ----------------------------------------------------------------------

@dataclass(frozen=True)
class Rules:
    """The thresholds and the dates they give for one day, ready to bind into SQL."""

    today: str
    overdue_cutoff: str  # overdue by more than N working days ⇔ due_on < this date
    count_limit: int
    repeat_days: int

    def params(self) -> dict:
        return {"today": self.today, "cutoff": self.overdue_cutoff, "count_limit": self.count_limit,
                "repeat_days": self.repeat_days}


def rules(db, today: dt.date | None = None) -> Rules:
    today = today or _today()
    limit = settings.get(db, "flag_overdue_workdays")
    # Working days in (due, today] exceed `limit` exactly when due is before the (limit+1)-th
    # working day counted back from today.
    cutoff = workdays.load(db).nth_workday_back(today, limit + 1)
    return Rules(today.isoformat(), cutoff.isoformat(), settings.get(db, "flag_supervision_count"),
                 settings.get(db, "flag_repeat_days"))


def _sql_list(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


# The rules as SQL over findings `f`, against the dates of one day bound as :today and :cutoff (never
# stored: they depend on the day). Statuses are listed with IN rather than <> so that the index
# findings_flags (status, due_on, supervision_count, found_on, prev_at_site; m009) answers both the
# filters and the counts without reading the table. is_overdue and flag_reasons are the same rules per row.
OPEN_SQL = f"f.status IN ({_sql_list(s for s in STATUSES if s != '已销号')})"
OVERDUE_SQL = f"(f.status IN ({_sql_list(OWING)}) AND f.due_on < :today)"
FLAG_COUNT_SQL = "(f.supervision_count >= :count_limit)"
FLAG_OVERDUE_SQL = f"(f.status IN ({_sql_list(OWING)}) AND f.due_on < :cutoff)"
FLAG_REPEAT_SQL = "(f.prev_at_site IS NOT NULL AND julianday(f.found_on) - julianday(f.prev_at_site) <= :repeat_days)"
FLAGGED_SQL = f"({OPEN_SQL} AND ({FLAG_COUNT_SQL} OR {FLAG_OVERDUE_SQL} OR {FLAG_REPEAT_SQL}))"


def is_overdue(row: dict, r: Rules) -> bool:
    return row["status"] in OWING and bool(row["due_on"]) and row["due_on"] < r.today


def flag_reasons(row: dict, r: Rules) -> list[str]:
    if row["status"] == "已销号":
        return []
    reasons = []
    if row["supervision_count"] >= r.count_limit:
        reasons.append(f"督办{row['supervision_count']}次")
    if row["status"] in OWING and row["due_on"] and row["due_on"] < r.overdue_cutoff:
        reasons.append("严重逾期")
    if row["prev_at_site"] and (dt.date.fromisoformat(row["found_on"])
                                - dt.date.fromisoformat(row["prev_at_site"])).days <= r.repeat_days:
        reasons.append("同一点位重复出现")
    return reasons


# --- standards ------------------------------------------------------------------------------------

def standard_choices(db) -> list[dict]:
    """Standards of the current edition for the picker: id, code, title."""
    edition_id = framework.current_edition_id(db)
    if edition_id is None:
        return []
    return rows(db, "SELECT id, code, title FROM framework_nodes WHERE edition_id = ? AND level = 3"
                    " AND retired = 0 ORDER BY position, id", (edition_id,))


def find_standard(db, code: str) -> int | None:
    edition_id = framework.current_edition_id(db)
    if edition_id is None:
        return None
    return scalar(db, "SELECT id FROM framework_nodes WHERE edition_id = ? AND level = 3 AND code = ?",
                  (edition_id, "".join(str(code).split())))


def standard_lead(db, node_id: int) -> int | None:
    return scalar(db, "SELECT a.unit_id FROM assignment_units a JOIN units u ON u.id = a.unit_id"
                      " WHERE a.node_id = ? AND a.role = 'lead' AND u.retired = 0 ORDER BY a.position LIMIT 1",
                  (node_id,))


def default_unit(db, site_id: int | None, node_id: int | None) -> int | None:
    """The 点位's unit (or its 属地), else the standard's lead unit."""
    unit_id = sites.default_unit(db, site_id) if site_id else None
    if unit_id is None and node_id:
        unit_id = standard_lead(db, node_id)
    return unit_id


# --- findings -------------------------------------------------------------------------------------

def _check_active_unit(db, unit_id: int, role: str) -> dict:
    unit = units.get_unit(db, unit_id)
    if unit["retired"]:
        merged = ""
        if unit["merged_into"]:
            merged = f"它已并入“{units.get_unit(db, unit['merged_into'])['name']}”，"
        raise AppError(f"{role}“{unit['name']}”已停用，不能交办新问题。{merged}请选择在用的单位。")
    return unit


def validate_finding(db, data: dict, kept_unit_ids=()) -> dict:
    """Check a finding's fields and return them cleaned (no writing). Units in kept_unit_ids are the
    finding's own already: they may have been retired since, and stay."""
    found_on = _as_date(data.get("found_on") or _today(), "发现日期")
    source = str(data.get("source") or "").strip()
    if source not in SOURCES:
        raise AppError(f"问题来源“{source}”无法识别，可选：{'、'.join(SOURCES)}。")
    severity = str(data.get("severity") or "一般").strip()
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
        _check_active_unit(db, unit_id, "责任单位")
    support_ids = [u for u in dict.fromkeys(data.get("support_ids") or []) if u != unit_id]
    for u in support_ids:
        if u not in kept_unit_ids:
            _check_active_unit(db, u, "配合单位")
    limit_days = data.get("limit_days")
    if limit_days is not None and (not isinstance(limit_days, int) or limit_days < 1):
        raise AppError("整改时限应为不小于 1 的工作日数。")
    requested_due = data.get("requested_due")
    if requested_due:
        requested_due = _as_date(requested_due, "整改期限")
        if requested_due < found_on:
            raise AppError(f"整改期限 {requested_due.isoformat()} 早于发现日期 {found_on.isoformat()}，"
                           "请检查日期。")
    return {"found_on": found_on.isoformat(), "source": source, "site_id": site_id, "node_id": node_id,
            "description": description, "unit_id": unit_id, "severity": severity,
            "limit_days": limit_days, "requested_due": requested_due.isoformat() if requested_due else None,
            "support_ids": support_ids, "fixed_on_spot": bool(data.get("fixed_on_spot"))}


def _previous_at_site(db, site_id: int, found_on: str, node_id) -> str | None:
    """The latest earlier finding at this 点位 about the same problem (same standard when both
    name one): what makes a repeat."""
    return scalar(db, "SELECT max(found_on) FROM findings WHERE site_id = ? AND found_on < ?"
                      " AND (? IS NULL OR node_id IS NULL OR node_id = ?)", (site_id, found_on, node_id, node_id))


def create_finding(db, data: dict, photos=(), after_photos=(), fix_note: str = "") -> int:
    """Record one finding, with its photos, in one transaction. A finding fixed on the spot
    (现场整改) is closed at once and needs its after-photo."""
    for path in [*photos, *after_photos]:
        attachments.check_image(path)
    with write(db):
        clean = validate_finding(db, data)
        if clean["fixed_on_spot"] and not after_photos:
            raise AppError("现场整改的问题需要附上整改后的照片。")
        return insert_finding(db, clean, photos, after_photos, fix_note)


def insert_finding(db, clean: dict, photos=(), after_photos=(), fix_note: str = "") -> int:
    support_ids = clean.pop("support_ids")
    on_spot = clean["fixed_on_spot"]
    row = {**clean, "fixed_on_spot": int(on_spot), "created_at": _now(),
           "status": "已销号" if on_spot else "待交办",
           "closed_on": clean["found_on"] if on_spot else None,
           "prev_at_site": _previous_at_site(db, clean["site_id"], clean["found_on"], clean["node_id"])}
    finding_id = db["findings"].insert(row).last_pk
    db.conn.executemany("INSERT INTO finding_units (finding_id, unit_id, position) VALUES (?, ?, ?)",
                        [(finding_id, u, i) for i, u in enumerate(support_ids)])
    record_event(db, finding_id, clean["found_on"], "现场整改" if on_spot else "录入", "",
           row["status"], note=fix_note if on_spot else "")
    for path in photos:
        attachments.add_attachment(db, "findings", finding_id, path, role="before")
    for path in after_photos:
        attachments.add_attachment(db, "findings", finding_id, path, role="after")
    audit.log(db, "录入督查问题", "findings", finding_id, None, {**row, "support_ids": support_ids},
              clean["description"][:40])
    return finding_id


def update_finding(db, finding_id: int, changes: dict) -> None:
    """Correct a recorded finding: only what editable_fields allows in its status, checked as a new
    finding is, in one transaction with its audit row."""
    with write(db):
        before = get_finding(db, finding_id)
        locked = [key for key in changes if key not in editable_fields(before["status"])]
        if locked:
            why = "已销号，不能再修改" if before["status"] == "已销号" else \
                f"已交办（{before['notice_number']}），{'、'.join(_FIELD_NAMES[k] for k in locked)}以通知单为准，不能修改"
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
            row["prev_at_site"] = _previous_at_site(db, clean["site_id"], clean["found_on"], clean["node_id"])
        if row:
            db["findings"].update(finding_id, row)
        if "support_ids" in changed:
            db.execute("DELETE FROM finding_units WHERE finding_id = ?", (finding_id,))
            db.conn.executemany("INSERT INTO finding_units (finding_id, unit_id, position) VALUES (?, ?, ?)",
                                [(finding_id, u, i) for i, u in enumerate(changed["support_ids"])])
        audit.log(db, "修改督查问题", "findings", finding_id, {k: before[k] for k in changed}, changed,
                  clean["description"][:40])


_FIELD_NAMES = {"found_on": "发现日期", "source": "来源", "site_id": "点位", "node_id": "测评标准",
                "description": "问题描述", "unit_id": "责任单位", "support_ids": "配合单位", "severity": "严重程度",
                "limit_days": "整改时限", "requested_due": "整改期限"}


def record_event(db, finding_id: int, on_date: str, action: str, from_status: str, to_status: str, *,
           person: str = "", result: str = "", note: str = "", notice_id: int | None = None) -> None:
    db.execute("INSERT INTO finding_events (finding_id, on_date, action, from_status, to_status, person,"
               " result, note, notice_id, operator, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (finding_id, on_date, action, from_status, to_status, person, result, note, notice_id,
                getattr(db, "operator", ""), _now()))


def get_finding(db, finding_id: int) -> dict:
    found = rows(db, "SELECT f.*, s.name AS site, s.site_type, l.name AS locality, u.name AS unit,"
                     " n.code AS standard_code, n.title AS standard_title, o.number AS notice_number"
                     " FROM findings f JOIN sites s ON s.id = f.site_id JOIN units u ON u.id = f.unit_id"
                     " LEFT JOIN units l ON l.id = s.locality_unit_id"
                     " LEFT JOIN framework_nodes n ON n.id = f.node_id LEFT JOIN notices o ON o.id = f.notice_id"
                     " WHERE f.id = ?", (finding_id,))
    if not found:
        raise AppError(f"找不到编号为 {finding_id} 的督查问题。请按问题清单（findings-export）的“编号”列填写。")
    f = found[0]
    f["support_ids"] = [r["unit_id"] for r in rows(
        db, "SELECT unit_id FROM finding_units WHERE finding_id = ? ORDER BY position", (finding_id,))]
    f["support"] = "、".join(units.unit_names(db, f["support_ids"]))
    return f


def history(db, finding_id: int) -> list[dict]:
    return rows(db, "SELECT e.*, o.number AS notice_number FROM finding_events e"
                    " LEFT JOIN notices o ON o.id = e.notice_id WHERE e.finding_id = ? ORDER BY e.id",
                (finding_id,))


def _move(db, finding: dict, action: str, on_date: str, **event) -> None:
    t = TRANSITIONS[action]
    if finding["status"] not in t.sources:
        allowed = "、".join(TRANSITIONS[a].label for a in allowed_actions(finding["status"])) or "无"
        raise AppError(f"问题 {finding['id']} 当前状态为“{finding['status']}”，不能“{t.label}”"
                       f"（需先处于{'、'.join(t.sources)}）。当前可进行：{allowed}。")
    if on_date < finding["found_on"]:
        raise AppError(f"“{t.label}”的日期 {on_date} 早于问题发现日期 {finding['found_on']}，请检查日期。")
    db.execute("UPDATE findings SET status = ? WHERE id = ?", (t.target, finding["id"]))
    record_event(db, finding["id"], on_date, t.label, finding["status"], t.target, **event)


def _step(db, finding_id: int, action: str, on_date, changes: dict | None = None, **event) -> None:
    on_date = _as_date(on_date or _today(), "日期").isoformat()
    with write(db):
        before = get_finding(db, finding_id)
        _move(db, before, action, on_date, **event)
        if changes:
            db["findings"].update(finding_id, changes)
        audit.log(db, TRANSITIONS[action].label, "findings", finding_id, {"status": before["status"]},
                  {"status": TRANSITIONS[action].target, **(changes or {}), **event}, before["description"][:40])


def sign(db, finding_id: int, signer: str, on_date=None) -> None:
    if not signer.strip():
        raise AppError("请填写签收人。")
    _step(db, finding_id, "sign", on_date, person=signer.strip())


def start_fixing(db, finding_id: int, on_date=None, note: str = "") -> None:
    _step(db, finding_id, "start", on_date, note=note.strip())


def feedback(db, finding_id: int, description: str, on_date=None, after_photos=()) -> None:
    """整改反馈: what the unit did, with optional after-photos."""
    if not description.strip():
        raise AppError("整改反馈需要填写整改情况说明。")
    for path in after_photos:
        attachments.check_image(path)
    with write(db):
        _step(db, finding_id, "feedback", on_date, note=description.strip())
        for path in after_photos:
            attachments.add_attachment(db, "findings", finding_id, path, role="after")


def review(db, finding_id: int, reviewer: str, passed: bool, comment: str = "", on_date=None) -> None:
    """复查: passed closes the finding (销号); failed sends it back to 整改中 with a new deadline and
    one more 督办."""
    if not reviewer.strip():
        raise AppError("复查记录需要填写复查人。")
    if not passed and not comment.strip():
        raise AppError("复查未通过时请写明未通过的原因。")
    day = _as_date(on_date or _today(), "复查日期")
    result = "通过" if passed else "未通过"
    with write(db):
        finding = get_finding(db, finding_id)
        if passed:
            changes = {"closed_on": day.isoformat()}
        else:
            deadline = workdays.add_workdays(db, day, _limit_days(db, finding))
            changes = {"supervision_count": finding["supervision_count"] + 1, "due_on": deadline.due.isoformat()}
        _step(db, finding_id, "close" if passed else "reject", day, changes, person=reviewer.strip(),
              result=result, note=comment.strip())


def _limit_days(db, finding: dict) -> int:
    if finding["limit_days"]:
        return finding["limit_days"]
    return int(settings.get(db, "deadline_days").get(finding["severity"], 5))


# --- lists ----------------------------------------------------------------------------------------

# What the list shows of each finding; `pick` is the filtered, ordered (and limited) ids.
_LIST_COLUMNS = (
    "SELECT f.id, f.found_on, f.source, f.description, f.severity, f.status, f.due_on, f.supervision_count,"
    " f.fixed_on_spot, f.prev_at_site, f.closed_on, f.assigned_on, f.unit_id, f.site_id, f.node_id,"
    " f.limit_days, f.requested_due,"
    " s.name AS site, s.site_type, l.name AS locality, u.name AS unit, n.code AS standard_code,"
    " o.number AS notice_number, " + OVERDUE_SQL + " AS overdue, " + FLAGGED_SQL + " AS flagged"
    " FROM pick JOIN findings f ON f.id = pick.id JOIN sites s ON s.id = f.site_id JOIN units u ON u.id = f.unit_id"
    " LEFT JOIN units l ON l.id = s.locality_unit_id LEFT JOIN framework_nodes n ON n.id = f.node_id"
    " LEFT JOIN notices o ON o.id = f.notice_id")
LIST_ORDER = " ORDER BY f.found_on DESC, f.id DESC"  # newest first; the index findings_found gives it


@dataclass
class FindingFilter:
    status: str = ""
    unit_id: int | None = None
    include_support: bool = False  # the unit's findings as 配合单位 too (per-unit view)
    locality_id: int | None = None
    site_type: str = ""
    node_id: int | None = None
    overdue: bool = False
    flagged: bool = False
    open_only: bool = False
    text: str = ""
    found_from: str = ""
    found_to: str = ""
    ids: tuple[int, ...] = ()


# Filter field → its condition on findings `f`, bound to the field's value as :<field>. Conditions
# on the 点位 are subqueries rather than a join, so that the ids and the count are read from the
# findings' indexes alone. include_support, text and ids are built below.
FILTER_CONDITIONS = {
    "status": "f.status = :status",
    "unit_id": "f.unit_id = :unit_id",
    "locality_id": "f.site_id IN (SELECT id FROM sites WHERE locality_unit_id = :locality_id)",
    "site_type": "f.site_id IN (SELECT id FROM sites WHERE site_type = :site_type)",
    "node_id": "f.node_id = :node_id",
    "overdue": OVERDUE_SQL,
    "flagged": FLAGGED_SQL,
    "open_only": OPEN_SQL,
    "found_from": "f.found_on >= :found_from",
    "found_to": "f.found_on <= :found_to",
}
UNIT_WITH_SUPPORT_SQL = ("(f.unit_id = :unit_id OR f.id IN (SELECT finding_id FROM finding_units"
                         " WHERE unit_id = :unit_id))")


def text_condition(index, text: str) -> tuple[str, dict]:
    """The text search of the list, in one place: findings whose description or 点位 name contains
    every word. Words of three or more characters are answered by the store's search index of
    findings (title = description, detail = 点位 name); shorter ones by LIKE."""
    words = text.split()
    long_words = [w for w in words if len(w) >= 3]
    conditions, params = [], {}
    if long_words:
        # "+f.id": the matches only filter; the order and the other conditions choose the index. Led
        # by the matches, a word found in most findings would fetch every one of them to sort.
        ids, match_params = index.matching_ids("findings", long_words)
        conditions.append(f"+f.id IN ({ids})")
        params.update(match_params)
    for i, word in enumerate(w for w in words if len(w) < 3):
        conditions.append(f"(f.description LIKE :text{i} ESCAPE '\\'"
                          f" OR f.site_id IN (SELECT id FROM sites WHERE name LIKE :text{i} ESCAPE '\\'))")
        params[f"text{i}"] = like_contains(word)
    return " AND ".join(conditions), params


def _where(flt: FindingFilter, index) -> tuple[str, dict]:
    if flt.status and flt.status not in STATUSES:
        raise AppError(f"状态“{flt.status}”无法识别，可选：{'、'.join(STATUSES)}。")
    where, params = [], {}
    for field, condition in FILTER_CONDITIONS.items():
        value = getattr(flt, field)
        if value:
            where.append(UNIT_WITH_SUPPORT_SQL if field == "unit_id" and flt.include_support else condition)
            params[field] = value
    if flt.text.strip():
        condition, text_params = text_condition(index, flt.text)
        where.append(condition)
        params.update(text_params)
    if flt.ids:
        where.append(f"f.id IN ({','.join(str(int(i)) for i in flt.ids)})")
    return (" WHERE " + " AND ".join(where)) if where else "", params


def _list_sql(flt: FindingFilter, r: Rules, limit: int | None, index) -> tuple[str, dict]:
    where, params = _where(flt, index)
    pick = "SELECT f.id FROM findings f" + where + LIST_ORDER + (f" LIMIT {int(limit)}" if limit else "")
    return f"WITH pick AS MATERIALIZED ({pick}) " + _LIST_COLUMNS + LIST_ORDER, {**params, **r.params()}


def _count_sql(flt: FindingFilter, r: Rules, index) -> tuple[str, dict]:
    where, params = _where(flt, index)
    return "SELECT count(*) FROM findings f" + where, {**params, **r.params()}


def list_query(db, flt: FindingFilter | None = None, *, limit: int | None = None,
               today: dt.date | None = None) -> tuple[str, dict]:
    """(sql, params) of the finding list as list_findings runs it: the matching ids are chosen,
    ordered and limited from the findings' indexes first, and only those rows are joined to what
    the list shows."""
    return _list_sql(flt or FindingFilter(), rules(db, today), limit, db.search)


def count_query(db, flt: FindingFilter | None = None, *, today: dt.date | None = None) -> tuple[str, dict]:
    """(sql, params) counting the findings that match the filter, as list_findings runs it."""
    return _count_sql(flt or FindingFilter(), rules(db, today), db.search)


def list_findings(db, flt: FindingFilter | None = None, *, limit: int | None = None,
                  today: dt.date | None = None) -> tuple[list[dict], int]:
    """Findings matching the filter, newest first, and how many match in all (the list shows at
    most `limit`)."""
    flt = flt or FindingFilter()
    r = rules(db, today)
    found = rows(db, *_list_sql(flt, r, limit, db.search))
    total = scalar(db, *_count_sql(flt, r, db.search)) if limit and len(found) == limit else len(found)
    _decorate(db, found, r)
    return found, total


def _decorate(db, found: list[dict], r: Rules) -> None:
    ids = [f["id"] for f in found]
    support: dict[int, list[str]] = {}
    for i in range(0, len(ids), 900):
        chunk = ids[i:i + 900]
        for s in rows(db, "SELECT fu.finding_id, u.name FROM finding_units fu JOIN units u ON u.id = fu.unit_id"
                          f" WHERE fu.finding_id IN ({','.join('?' * len(chunk))}) ORDER BY fu.position", chunk):
            support.setdefault(s["finding_id"], []).append(s["name"])
    for f in found:
        f["support"] = "、".join(support.get(f["id"], []))
        f["overdue"] = bool(f["overdue"])
        f["flagged"] = bool(f["flagged"])
        f["flag_reasons"] = "、".join(flag_reasons(f, r)) if f["flagged"] else ""
        f["standard_code"] = f["standard_code"] or ""
        f["notice_number"] = f["notice_number"] or ""
        f["locality"] = f["locality"] or ""


def counts(db, today: dt.date | None = None) -> dict:
    """Open, overdue and 挂牌 counts for the page header (one pass over the index findings_flags)."""
    r = rules(db, today)
    found = rows(db, "SELECT count(*) AS total, sum(" + OPEN_SQL + ") AS open, sum(" + OVERDUE_SQL + ") AS overdue,"
                     " sum(" + FLAGGED_SQL + ") AS flagged, sum(f.status = '待交办') AS waiting FROM findings f",
                 r.params())[0]
    return {k: v or 0 for k, v in found.items()}


def unit_owes(db, today: dt.date | None = None) -> list[dict]:
    """Per unit: what it owes (open findings as 责任单位), how many are overdue or 挂牌."""
    r = rules(db, today)
    return rows(db, "SELECT u.id AS unit_id, u.name AS unit, count(*) AS open, sum(" + OVERDUE_SQL + ") AS overdue,"
                    " sum(" + FLAGGED_SQL + ") AS flagged, sum(f.status = '待交办') AS waiting,"
                    " sum(f.status = '已反馈') AS awaiting_review, min(CASE WHEN f.status IN ('已交办', '已签收', '整改中')"
                    " THEN f.due_on END) AS next_due"
                    " FROM findings f JOIN units u ON u.id = f.unit_id WHERE f.status <> '已销号'"
                    " GROUP BY u.id ORDER BY overdue DESC, open DESC, u.position", r.params())


# --- notices --------------------------------------------------------------------------------------

def format_number(doc_code: str, year: int, seq: int) -> str:
    return f"{doc_code}〔{year}〕{seq}号"


def issue_notice(db, unit_id: int, finding_ids: list[int], *, issued_on=None, requirement: str = "",
                 contact: str | None = None) -> dict:
    """督办通知单 for one unit's findings. The number is taken inside the BEGIN IMMEDIATE
    transaction, so two processes issuing at once queue and get consecutive numbers.

    Findings 待交办 are 交办; findings still owed past their deadline are 再次督办 (督办次数 + 1).
    Returns {"id", "number", "due_on", "warnings"}."""
    finding_ids = list(dict.fromkeys(int(i) for i in finding_ids))
    if not finding_ids:
        raise AppError("请至少选择一个督查问题。")
    day = _as_date(issued_on or _today(), "交办日期")
    requirement = requirement.strip() or default_requirement()
    contact = settings.get(db, "notice_contact") if contact is None else contact.strip()
    calendar = workdays.load(db)
    with write(db):
        unit = _check_active_unit(db, unit_id, "责任单位")
        plans, warnings = [], set()
        for fid in finding_ids:
            f = get_finding(db, fid)
            if f["unit_id"] != unit_id:
                raise AppError(f"问题 {fid} 的责任单位是“{f['unit']}”，不是“{unit['name']}”。"
                               "一份督办通知单只能发给一个单位，请分开开具。")
            if f["status"] == "待交办":
                action = "issue"
            elif f["status"] in OWING and f["due_on"] and f["due_on"] < day.isoformat():
                action = "reissue"
            else:
                raise AppError(f"问题 {fid} 当前状态为“{f['status']}”" +
                               ("，尚未逾期，不需要再次督办。" if f["status"] in OWING else "，不能开具督办通知单。")
                               + "只有“待交办”或已逾期未整改的问题可以开具。")
            if f["found_on"] > day.isoformat():
                raise AppError(f"交办日期 {day.isoformat()} 早于问题 {fid} 的发现日期 {f['found_on']}。")
            if f["requested_due"] and action == "issue":
                due = dt.date.fromisoformat(f["requested_due"])
                if due <= day:
                    raise AppError(f"问题 {fid} 录入的整改期限 {f['requested_due']} 不晚于交办日期 {day.isoformat()}，"
                                   "请修改期限或按整改时限（工作日）重新计算。")
            else:
                deadline = calendar.add_workdays(day, _limit_days(db, f))
                due = deadline.due
                if deadline.warning:
                    warnings.add(deadline.warning)
            plans.append((f, action, due))
        year = day.year
        seq = (scalar(db, "SELECT max(seq) FROM notices WHERE year = ?", (year,)) or 0) + 1
        number = format_number(settings.get(db, "doc_code"), year, seq)
        due_on = min(d for _, _, d in plans).isoformat()
        notice_round = max(f["supervision_count"] for f, _, _ in plans) + 1
        notice_id = db["notices"].insert({
            "year": year, "seq": seq, "number": number, "unit_id": unit_id, "issued_on": day.isoformat(),
            "due_on": due_on, "requirement": requirement, "contact": contact or "", "round": notice_round,
            "created_at": _now()}).last_pk
        for position, (f, action, due) in enumerate(plans):
            db.execute("INSERT INTO notice_findings (notice_id, finding_id, position, due_on) VALUES (?, ?, ?, ?)",
                       (notice_id, f["id"], position, due.isoformat()))
            _move(db, f, action, day.isoformat(), notice_id=notice_id, note=number)
            db["findings"].update(f["id"], {"notice_id": notice_id, "due_on": due.isoformat(),
                                            "assigned_on": day.isoformat(),
                                            "supervision_count": f["supervision_count"] + 1})
        audit.log(db, "开具督办通知单", "notices", notice_id, None,
                  {"number": number, "unit": unit["name"], "findings": finding_ids, "due_on": due_on}, number)
    return {"id": notice_id, "number": number, "due_on": due_on, "warnings": sorted(warnings)}


def default_requirement() -> str:
    return ("请你单位接到本通知后立即组织整改，于整改期限前完成，并将整改情况（附整改前后对比照片）"
            "书面反馈至区创城办。逾期未整改或整改不到位的，将再次督办、挂牌督办，并在全区通报。")


def void_notice(db, notice_id: int, reason: str, on_date=None) -> None:
    """作废: the number stays (shown as 作废); findings it handed over return to where they were."""
    if not reason.strip():
        raise AppError("作废督办通知单需要写明原因。")
    with write(db):
        notice = get_notice(db, notice_id)
        if notice["voided"]:
            raise AppError(f"{notice['number']} 已经作废。")
        for f in notice["findings"]:
            if f["notice_id"] != notice_id or f["status"] != "已交办":
                raise AppError(f"{notice['number']} 中的问题 {f['id']} 已{f['status']}，通知单不能再作废。"
                               "如交办有误，请在问题的后续步骤中处理。")
        for f in notice["findings"]:
            issue_event = rows(db, "SELECT from_status FROM finding_events WHERE finding_id = ? AND notice_id = ?"
                                   " ORDER BY id DESC LIMIT 1", (f["id"], notice_id))[0]
            previous = rows(db, "SELECT nf.notice_id, nf.due_on FROM notice_findings nf JOIN notices n"
                                " ON n.id = nf.notice_id WHERE nf.finding_id = ? AND nf.notice_id <> ?"
                                " AND n.voided = 0 ORDER BY nf.notice_id DESC LIMIT 1", (f["id"], notice_id))
            restored = issue_event["from_status"]
            db.execute("UPDATE findings SET status = ?, notice_id = ?, due_on = ?, supervision_count = ?,"
                       " assigned_on = ? WHERE id = ?",
                       (restored, previous[0]["notice_id"] if previous else None,
                        previous[0]["due_on"] if previous else None, max(f["supervision_count"] - 1, 0),
                        f["assigned_on"] if previous else None, f["id"]))
            record_event(db, f["id"], _as_date(on_date or _today(), "作废日期").isoformat(), "通知单作废", "已交办", restored, note=reason.strip(),
                   notice_id=notice_id)
        db.execute("UPDATE notices SET voided = 1, void_reason = ?, voided_at = ? WHERE id = ?",
                   (reason.strip(), _now(), notice_id))
        audit.log(db, "作废督办通知单", "notices", notice_id, {"voided": 0}, {"voided": 1, "reason": reason.strip()},
                  notice["number"])


def record_receipt(db, notice_id: int, signer: str, signed_on, note: str = "") -> int:
    """回执: the unit's signature on the notice; its findings still 已交办 are 签收. Returns how many."""
    if not signer.strip():
        raise AppError("请填写回执上的签收人。")
    day = _as_date(signed_on, "签收时间")
    with write(db):
        notice = get_notice(db, notice_id)
        if notice["voided"]:
            raise AppError(f"{notice['number']} 已作废，不能登记回执。")
        if day.isoformat() < notice["issued_on"]:
            raise AppError(f"签收时间 {day.isoformat()} 早于通知单的交办日期 {notice['issued_on']}。")
        signed = 0
        for f in notice["findings"]:
            if f["notice_id"] == notice_id and f["status"] == "已交办":
                _move(db, f, "sign", day.isoformat(), person=signer.strip(), notice_id=notice_id)
                signed += 1
        db.execute("UPDATE notices SET receipt_signer = ?, receipt_at = ?, receipt_note = ? WHERE id = ?",
                   (signer.strip(), day.isoformat(), note.strip(), notice_id))
        audit.log(db, "登记回执", "notices", notice_id, None, {"signer": signer, "at": day.isoformat(),
                                                            "signed": signed}, notice["number"])
    return signed


def get_notice(db, notice_id: int) -> dict:
    found = rows(db, "SELECT n.*, u.name AS unit, u.liaison, u.phone FROM notices n JOIN units u ON u.id = n.unit_id"
                     " WHERE n.id = ?", (notice_id,))
    if not found:
        raise AppError(f"找不到编号为 {notice_id} 的督办通知单。")
    notice = found[0]
    notice["findings"] = []
    for r in rows(db, "SELECT finding_id, due_on FROM notice_findings WHERE notice_id = ? ORDER BY position",
                  (notice_id,)):
        f = get_finding(db, r["finding_id"])
        f["notice_due_on"] = r["due_on"]
        notice["findings"].append(f)
    return notice


def find_notice(db, number: str) -> int:
    found = scalar(db, "SELECT id FROM notices WHERE number = ?", (number.strip(),))
    if found is None:
        raise AppError(f"找不到文号为“{number}”的督办通知单。")
    return found


def list_notices(db, year: int | None = None, unit_id: int | None = None) -> list[dict]:
    where, params = [], []
    if year:
        where.append("n.year = ?")
        params.append(year)
    if unit_id:
        where.append("n.unit_id = ?")
        params.append(unit_id)
    sql = ("SELECT n.*, u.name AS unit, (SELECT count(*) FROM notice_findings nf WHERE nf.notice_id = n.id)"
           " AS finding_count FROM notices n JOIN units u ON u.id = n.unit_id")
    if where:
        sql += " WHERE " + " AND ".join(where)
    result = rows(db, sql + " ORDER BY n.year DESC, n.seq DESC", params)
    for n in result:
        n["state"] = "作废" if n["voided"] else ("已签收" if n["receipt_signer"] else "待签收")
    return result


# --- sites added on the spot ---------------------------------------------------------------------

def site_for_entry(db, name: str, site_type: str = "", locality_id: int | None = None) -> int:
    """The registered 点位 of this name, or a new one registered now (with its type)."""
    site_id = sites.find_site(db, name)
    if site_id:
        return site_id
    if not site_type:
        raise AppError(f"点位“{name}”还不在点位库中。请选择点位类型，程序会把它加入点位库。")
    return sites.create_site(db, {"name": name, "site_type": site_type}, locality_id)


# --- 通报 ----------------------------------------------------------------------------------------

def bulletin_data(db, start, end, today: dt.date | None = None) -> dict:
    """What a 通报 for [start, end] reports. Overdue and 挂牌 are as of `today` (default: the end
    of the period, or today when the period is still running)."""
    start, end = _as_date(start, "开始日期"), _as_date(end, "结束日期")
    if end < start:
        raise AppError(f"通报的结束日期 {end.isoformat()} 早于开始日期 {start.isoformat()}。")
    as_of = today or min(end, _today())
    r = rules(db, as_of)
    period = FindingFilter(found_from=start.isoformat(), found_to=end.isoformat())
    new, _ = list_findings(db, period, today=as_of)
    closed = [f for f in list_findings(db, FindingFilter(status="已销号"), today=as_of)[0]
              if f["closed_on"] and start.isoformat() <= f["closed_on"] <= end.isoformat()]
    overdue, _ = list_findings(db, FindingFilter(overdue=True), today=as_of)
    flagged, _ = list_findings(db, FindingFilter(flagged=True), today=as_of)
    ranking = rows(db, "SELECT u.name AS unit, count(*) AS open, sum(" + OVERDUE_SQL + ") AS overdue,"
                       " sum(" + FLAGGED_SQL + ") AS flagged FROM findings f JOIN units u ON u.id = f.unit_id"
                       " WHERE f.status <> '已销号' GROUP BY u.id ORDER BY overdue DESC, open DESC, u.position",
                   r.params())
    rank, previous = 0, None
    for i, row in enumerate(ranking, 1):
        key = (row["overdue"], row["open"])
        rank = rank if key == previous else i
        row["rank"], previous = rank, key
    overdue_by_unit: dict[str, int] = {}
    for f in overdue:
        overdue_by_unit[f["unit"]] = overdue_by_unit.get(f["unit"], 0) + 1
    return {
        "start": start.isoformat(), "end": end.isoformat(), "as_of": as_of.isoformat(),
        "new": new, "closed": closed, "overdue": overdue, "flagged": flagged, "ranking": ranking,
        "overdue_by_unit": sorted(overdue_by_unit.items(), key=lambda kv: (-kv[1], kv[0])),
        "counts": {"new": len(new), "on_spot": sum(1 for f in new if f["fixed_on_spot"]),
                   "closed": len(closed), "overdue": len(overdue), "flagged": len(flagged),
                   "open": sum(row["open"] for row in ranking)},
    }


# --- demo district --------------------------------------------------------------------------------

def load_demo_part(db, demo: dict, today: dt.date | None = None) -> None:
    """The demo's 点位 and a few weeks of findings at every stage (inside load_demo's transaction).
    Dates are counted back from today so that deadlines, overdue and 挂牌 look as in real use."""
    part = demo.get("supervision")
    if not part:
        return
    import tempfile
    from pathlib import Path

    today = today or _today()
    settings.set(db, "notice_contact", part["contact"])
    res = units.resolver(db)
    site_ids = {}
    for s in part["sites"]:
        site_ids[s["name"]] = sites.create_site(
            db, {k: s[k] for k in ("name", "site_type", "address")}, res.lookup(s["locality"])[1],
            [res.lookup(u)[1] for u in s["units"]])
    with tempfile.TemporaryDirectory() as tmp:
        before = _demo_photo(Path(tmp) / "整改前.jpg", (150, 120, 90))
        after = _demo_photo(Path(tmp) / "整改后.jpg", (90, 150, 110))
        notices: dict[str, list[tuple[int, dt.date]]] = {}
        for item in part["findings"]:
            found = today - dt.timedelta(days=item["days_ago"])
            data = {"found_on": found, "source": item["source"], "site_id": site_ids[item["site"]],
                    "node_id": find_standard(db, item["code"]), "description": item["description"],
                    "severity": item["severity"], "fixed_on_spot": item["stage"] == "现场整改"}
            fid = create_finding(db, data, photos=[before], after_photos=[after] if data["fixed_on_spot"] else [],
                                 fix_note="检查组督促现场整改到位")
            if item["notice"]:
                notices.setdefault(item["notice"], []).append((fid, found))
                item["finding_id"] = fid
        stages = {i["finding_id"]: i["stage"] for i in part["findings"] if "finding_id" in i}
        for group in notices.values():
            ids = [fid for fid, _ in group]
            issued = min(max(found for _, found in group) + dt.timedelta(days=1), today)
            unit_id = get_finding(db, ids[0])["unit_id"]
            notice = issue_notice(db, unit_id, ids, issued_on=issued)
            if any(stages[f] == "作废重开" for f in ids):
                void_notice(db, notice["id"], "通知单中整改要求表述有误，重新开具", issued)
                notice = issue_notice(db, unit_id, ids, issued_on=issued)
            _demo_steps(db, notice["id"], ids, stages, issued, today, after)


def _demo_steps(db, notice_id, ids, stages, issued, today, after_photo) -> None:
    def day(offset):
        return min(issued + dt.timedelta(days=offset), today)

    order = ["已交办", "已签收", "整改中", "已反馈", "已销号"]
    reached = [s for s in (stages[f] for f in ids)]
    if all(s in ("已交办", "作废重开") for s in reached):
        return
    liaison = get_notice(db, notice_id)["liaison"] or "单位联络员"
    record_receipt(db, notice_id, liaison, day(1), "已收到，立即安排整改")
    for fid in ids:
        stage = stages[fid]
        target = "整改中" if stage == "复查未通过" else stage
        if order.index(target) >= order.index("整改中"):
            start_fixing(db, fid, day(1))
        if order.index(target) >= order.index("已反馈") or stage == "复查未通过":
            feedback(db, fid, "已组织人员清理整治，完成整改", day(3), after_photos=[after_photo])
        if stage == "已销号":
            review(db, fid, "区创城办督查组", True, "现场复查，整改到位", on_date=day(4))
        if stage == "复查未通过":
            review(db, fid, "区创城办督查组", False, "复查时仍有小广告，垃圾未清运完毕", on_date=day(4))


def _demo_photo(path, colour) -> str:
    """A stand-in street photo (sky, buildings, road) for the demo's findings."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (640, 480), (170, 200, 230))
    draw = ImageDraw.Draw(img)
    for i, x in enumerate(range(20, 640, 120)):
        draw.rectangle([x, 120 + (i % 3) * 30, x + 90, 330], fill=(200 - i * 10, 190 - i * 8, 170))
    draw.rectangle([0, 330, 640, 480], fill=colour)
    draw.ellipse([260, 360, 380, 430], fill=(colour[0] - 60, colour[1] - 60, colour[2] - 60))
    img.save(path, quality=80)
    return str(path)
