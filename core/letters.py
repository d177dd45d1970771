"""目标责任书: the letter template, each unit's tasks for a year, and signing until every unit has signed.

Template placeholders are written {名称} over the closed set PLACEHOLDERS; a literal brace is written
twice ({{ or }}). A template naming anything else is refused with the unknown names listed.

Signing state per unit and year: 未印发 → 已印发 (date) → 已签订 (date, who signed); the scanned
signed copy is an attachment owned by ('letter_status', id). When letters are generated for
printing, each unit's task list is kept as a snapshot so a later generation can show what changed
in the 分解表 for that unit.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from core import attachments, audit, framework, settings, units
from core.db import rows, scalar, write
from core.errors import AppError
from core.resources import resource_path

# The closed set of placeholders, with what each stands for (shown in the template editor).
PLACEHOLDERS = {
    "单位名称": "乙方单位全称",
    "单位简称": "乙方单位简称（无简称时为全称）",
    "主要负责人": "乙方主要负责人",
    "分管领导": "乙方分管领导",
    "年度": "责任书年度，如 2026",
    "任务数": "乙方承担的测评标准总数",
    "牵头任务数": "乙方牵头的测评标准数",
    "配合任务数": "乙方配合的测评标准数",
    "分值合计": "乙方承担标准的分值合计",
    "甲方名称": "发文机关（设置中的“发文机关”）",
    "办公室名称": "设置中的“办公室名称”",
    "版本名称": "测评体系版本名称，如 2026年度",
    "测评体系": "测评体系名称，如 全国文明城市测评体系（2021年版）",
}

# Template fields, in the order they appear in a letter, with their labels.
TEMPLATE_FIELDS = {
    "title": "标题",
    "body": "正文（任务表之前）",
    "terms": "工作要求与考核奖惩（任务表之后）",
    "copies": "份数与生效",
    "party_a": "甲方署名",
    "party_b": "乙方署名",
}
TEMPLATE_NAME = "default"

STATES = ("未印发", "已印发", "已签订")
SCAN_ROLE = "签订扫描件"
OWNER_TABLE = "letter_status"
TASK_KEYS = ("code", "title", "role", "points", "deadline")  # what a snapshot keeps
TASK_FIELDS = ("id", "code", "title", "points", "deadline", "category", "indicator")

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


# --- the template -------------------------------------------------------------------------------

def default_template() -> dict:
    return json.loads(resource_path("templates", "letter_template.json").read_text(encoding="utf-8"))


def get_template(db) -> dict:
    stored = scalar(db, "SELECT content FROM letter_templates WHERE name = ?", (TEMPLATE_NAME,))
    template = default_template()
    if stored:
        template.update(json.loads(stored))
    return {key: template.get(key, "") for key in TEMPLATE_FIELDS}


def placeholders_in(text: str) -> tuple[list[str], list[str]]:
    """(placeholder names used, unknown names or stray braces) in one template text."""
    used, bad = [], []
    for m in _TOKEN.finditer(text or ""):
        token = m.group(0)
        if token in ("{{", "}}"):
            continue
        if token in ("{", "}"):
            bad.append(f"单独的“{token}”")
            continue
        name = m.group(1).strip()
        (used if name in PLACEHOLDERS else bad).append(name if name in PLACEHOLDERS else f"{{{m.group(1)}}}")
    return used, bad


def validate_template(template: dict) -> dict:
    """The template with every field present; AppError naming every unknown placeholder."""
    unknown_fields = set(template) - set(TEMPLATE_FIELDS)
    if unknown_fields:
        raise AppError(f"责任书模板中有未知的栏目：{'、'.join(sorted(unknown_fields))}。")
    clean = {key: str(template.get(key) or "").strip() for key in TEMPLATE_FIELDS}
    if not clean["title"]:
        raise AppError("责任书模板的标题不能为空。")
    problems = []
    for key, label in TEMPLATE_FIELDS.items():
        _, bad = placeholders_in(clean[key])
        if bad:
            problems.append(f"{label}：{'、'.join(dict.fromkeys(bad))}")
    if problems:
        raise AppError("责任书模板中有无法识别的占位符：" + "；".join(problems) + "。"
                       f"可用的占位符：{'、'.join('{' + n + '}' for n in PLACEHOLDERS)}；"
                       "如需写花括号本身，请写成 {{ 或 }}。")
    return clean


def save_template(db, template: dict) -> None:
    clean = validate_template(template)
    with write(db):
        before = get_template(db)
        if before == clean:
            return
        db.execute("INSERT INTO letter_templates (name, content, updated_at) VALUES (?, ?, ?)"
                   " ON CONFLICT (name) DO UPDATE SET content = excluded.content, updated_at = excluded.updated_at",
                   (TEMPLATE_NAME, json.dumps(clean, ensure_ascii=False), _now()))
        changed = [TEMPLATE_FIELDS[k] for k in clean if clean[k] != before.get(k)]
        audit.log(db, "修改责任书模板", "letter_templates", TEMPLATE_NAME,
                  {k: before.get(k) for k in clean if clean[k] != before.get(k)},
                  {k: clean[k] for k in clean if clean[k] != before.get(k)}, "、".join(changed))


def reset_template(db) -> None:
    save_template(db, default_template())


def fill(text: str, values: dict[str, str]) -> str:
    """The text with every placeholder replaced (the template was validated when saved)."""
    def replace(m):
        token = m.group(0)
        if token in ("{{", "}}"):
            return token[0]
        name = (m.group(1) or "").strip()
        if name not in PLACEHOLDERS:
            raise AppError(f"责任书模板中有无法识别的占位符：{token}。请在“编辑模板”中修改。")
        return values[name]
    return _TOKEN.sub(replace, text or "")


# --- tasks ----------------------------------------------------------------------------------------

def tasks_by_unit(db, edition_id: int, unit_ids=None) -> dict[int, list[dict]]:
    """Every unit's standards in the edition (as framework.unit_standards gives one unit's), or
    only these units', in one pass over the edition's assignments: groups are not expanded unit by
    unit (see framework.EditionRoles)."""
    roles = framework.EditionRoles(db, edition_id)
    wanted = roles.units() if unit_ids is None else roles.units() & set(unit_ids)
    order: dict[int, int] = {}
    variants: dict[int, dict[bool, dict]] = {}
    for i, s in enumerate(framework.standards_in_order(db, edition_id)):
        # One dict per standard and role, shared by every unit holding it (readers do not modify
        # them): at 10x data a copy per unit would be 150,000 dicts.
        base = {k: s[k] for k in TASK_FIELDS}
        order[s["id"]] = i
        variants[s["id"]] = {lead: {**base, "role": role, "role_name": framework.ROLE_NAMES[role]}
                             for lead, role in ((True, "lead"), (False, "support"))}
    by_groups: dict[tuple, list[int]] = {}  # the groups' standards in tree order, once per set of groups
    result: dict[int, list[dict]] = {}
    for unit_id in sorted(wanted):
        combo = roles.groups_of.get(unit_id, ())
        if combo not in by_groups:
            by_groups[combo] = sorted((n for n in roles.of_groups(unit_id) if n in order), key=order.__getitem__)
        held = roles.roles(unit_id)
        nodes = by_groups[combo]
        own = [n for n in roles.direct.get(unit_id, ()) if n in order and n not in roles.of_groups(unit_id)]
        if own:
            nodes = sorted(nodes + own, key=order.__getitem__)
        if nodes:
            result[unit_id] = [variants[n][held[n]] for n in nodes]
    return result


def task_snapshot(tasks: list[dict]) -> list[dict]:
    return [{k: t.get(k) for k in TASK_KEYS} for t in tasks]


def task_counts(tasks: list[dict]) -> dict:
    lead = sum(1 for t in tasks if t["role"] == "lead")
    return {"tasks": len(tasks), "lead": lead, "support": len(tasks) - lead,
            "points": sum(t.get("points") or 0 for t in tasks)}


def format_points(value) -> str:
    return f"{value:g}" if value is not None else ""


@dataclass
class Letter:
    """Everything one unit's letter shows."""

    unit: dict
    year: int
    title: str
    body: str
    terms: str
    copies: str
    party_a: str
    party_b: str
    tasks: list[dict] = field(default_factory=list)
    show_deadline: bool = False


def build_letters(db, year: int, edition_id: int, unit_ids: list[int] | None = None
                  ) -> tuple[list[Letter], list[dict]]:
    """The letters of the chosen units (all active units when None), and the units left out
    because they have no tasks in the edition."""
    year = check_year(year)
    template = get_template(db)
    validate_template(template)
    edition = framework.get_edition(db, edition_id)
    all_tasks = tasks_by_unit(db, edition_id)
    if unit_ids is None:
        chosen = units.list_units(db)
    else:
        chosen = [units.get_unit(db, unit_id) for unit_id in dict.fromkeys(unit_ids)]
    common = {"年度": str(year), "甲方名称": settings.get(db, "issuing_body"),
              "办公室名称": settings.get(db, "office_name"), "版本名称": edition["name"],
              "测评体系": edition["title"] or "全国文明城市测评体系"}
    letters, without_tasks = [], []
    for unit in chosen:
        tasks = all_tasks.get(unit["id"], [])
        if not tasks:
            without_tasks.append(unit)
            continue
        counts = task_counts(tasks)
        values = {**common, "单位名称": unit["name"], "单位简称": unit["short_name"] or unit["name"],
                  "主要负责人": unit["head"], "分管领导": unit["leader"], "任务数": str(counts["tasks"]),
                  "牵头任务数": str(counts["lead"]), "配合任务数": str(counts["support"]),
                  "分值合计": format_points(counts["points"])}
        filled = {key: fill(template[key], values) for key in TEMPLATE_FIELDS}
        letters.append(Letter(unit=unit, year=year, tasks=tasks,
                              show_deadline=any(t.get("deadline") for t in tasks), **filled))
    return letters, without_tasks


def check_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise AppError(f"年度“{year}”不是四位年份，请写成 2026 这样的形式。") from None
    if not 2000 <= year <= 2100:
        raise AppError(f"年度 {year} 不在 2000 到 2100 之间，请检查。")
    return year


# --- signing state --------------------------------------------------------------------------------

def _status_row(db, year: int, unit_id: int) -> dict | None:
    """The unit's row for the year; after a unit merge there may be two, the most advanced wins."""
    found = rows(db, "SELECT * FROM letter_status WHERE year = ? AND unit_id = ?"
                     " ORDER BY CASE state WHEN '已签订' THEN 0 WHEN '已印发' THEN 1 ELSE 2 END, id",
                 (year, unit_id))
    return found[0] if found else None


def status_id(db, year: int, unit_id: int) -> int:
    """The id of the unit's signing record for the year (created, as 未印发, when missing), which
    owns the scanned signed copy."""
    year = check_year(year)
    with write(db):
        row = _status_row(db, year, unit_id)
        if row:
            return row["id"]
        units.get_unit(db, unit_id)
        return db["letter_status"].insert({"year": year, "unit_id": unit_id}).last_pk


def get_status(db, year: int, unit_id: int) -> dict:
    row = _status_row(db, year, unit_id)
    return row or {"id": None, "year": year, "unit_id": unit_id, "state": "未印发", "issued_on": "",
                   "signed_on": "", "signed_by": "", "edition_id": None, "generated_at": "", "snapshot": None}


def _date(value, label: str) -> str:
    if isinstance(value, date):
        return value.isoformat()
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    raise AppError(f"{label}“{text}”无法识别，请写成 2026-03-15 的形式。")


def set_state(db, year: int, unit_id: int, state: str, *, on=None, signed_by: str = "") -> None:
    """Mark a unit's letter 未印发, 已印发 (on = issue date) or 已签订 (on = signing date, signed_by
    required). Going back clears the later dates, so a mistaken mark can be undone."""
    year = check_year(year)
    if state not in STATES:
        raise AppError(f"未知的签订状态“{state}”。可选：{'、'.join(STATES)}。")
    signed_by = " ".join(str(signed_by or "").split())
    on = _date(on or date.today(), "印发日期" if state == "已印发" else "签订日期") if state != "未印发" else ""
    if state == "已签订" and not signed_by:
        raise AppError("标记“已签订”时请填写签字人（乙方负责人姓名）。")
    with write(db):
        unit = units.get_unit(db, unit_id)
        before = get_status(db, year, unit_id)
        after = {"state": state, "issued_on": "", "signed_on": "", "signed_by": ""}
        if state == "已印发":
            after["issued_on"] = on
        elif state == "已签订":
            issued = before["issued_on"] or on
            if on < issued:
                raise AppError(f"签订日期 {on} 早于印发日期 {issued}，请检查。")
            after.update(issued_on=issued, signed_on=on, signed_by=signed_by)
        if all(before.get(k) == v for k, v in after.items()):
            return
        record_id = before["id"] or status_id(db, year, unit_id)
        db["letter_status"].update(record_id, after)
        audit.log(db, f"责任书{state}", OWNER_TABLE, record_id, {k: before.get(k) for k in after}, after,
                  f"{year}年度 {unit['name']}：{before['state']} → {state}")


def set_states(db, year: int, unit_ids: list[int], state: str, *, on=None, signed_by: str = "",
               scan=None) -> None:
    """set_state for several units in one transaction: a refused mark leaves every unit as it was.
    scan: the signed copy, stored with each unit's record in the same transaction (a full disk
    while storing it leaves the marks undone too)."""
    with attachments.files_kept_only_on_success(db), write(db):
        for unit_id in unit_ids:
            set_state(db, year, unit_id, state, on=on, signed_by=signed_by)
            if scan:
                attach_signed_copy(db, year, unit_id, scan)


def attach_signed_copy(db, year: int, unit_id: int, path) -> int:
    """Store the scanned signed copy with the unit's signing record; returns the attachment id."""
    return attachments.add_attachment(db, OWNER_TABLE, status_id(db, year, unit_id), path, role=SCAN_ROLE)


def record_generation(db, year: int, edition_id: int, letters: list[Letter]) -> dict[str, str]:
    """Keep each letter's task list, so the next generation can show what changed; returns, for
    the units whose tasks changed since their previous letter, what changed in words."""
    changed: dict[str, str] = {}
    with write(db):
        stamp = _now()
        for letter in letters:
            previous = get_status(db, year, letter.unit["id"])["snapshot"]
            diff = changes(json.loads(previous) if previous else None, letter.tasks)
            if diff["any"]:
                changed[letter.unit["name"]] = describe_changes(diff)
            record_id = status_id(db, year, letter.unit["id"])
            db["letter_status"].update(record_id, {"edition_id": edition_id, "generated_at": stamp,
                                                   "snapshot": json.dumps(task_snapshot(letter.tasks),
                                                                          ensure_ascii=False)})
        audit.log(db, "生成责任书", OWNER_TABLE, None, None,
                  {"year": year, "edition_id": edition_id, "units": [x.unit["name"] for x in letters]},
                  f"{year}年度 {len(letters)} 份")
    return changed


_CHANGE_LABELS = {"title": "测评标准", "role": "责任类型", "points": "分值", "deadline": "完成时限"}


def changes(snapshot: list[dict] | None, tasks: list[dict]) -> dict:
    """What changed in a unit's tasks since its snapshot: added, removed and changed standards
    (by code, in task order), each changed one with its differing fields."""
    if snapshot is None:
        return {"added": [], "removed": [], "changed": [], "any": False}
    old = {t["code"]: t for t in snapshot}
    new = {t["code"]: t for t in tasks}
    changed = []
    for code, task in new.items():
        before = old.get(code)
        if before is None or before == task:  # equal at once when task is a snapshot entry too
            continue
        diffs = [(label, before.get(k), task.get(k)) for k, label in _CHANGE_LABELS.items()
                 if before.get(k) != task.get(k)]
        if diffs:
            changed.append({"code": code, "diffs": diffs})
    result = {"added": [c for c in new if c not in old], "removed": [c for c in old if c not in new],
              "changed": changed}
    result["any"] = bool(result["added"] or result["removed"] or result["changed"])
    return result


def describe_changes(diff: dict) -> str:
    """The changes in words, for the GUI and the command line."""
    if not diff["any"]:
        return ""
    role = framework.ROLE_NAMES
    parts = []
    if diff["added"]:
        parts.append(f"新增 {len(diff['added'])} 项：{'、'.join(diff['added'])}")
    if diff["removed"]:
        parts.append(f"减少 {len(diff['removed'])} 项：{'、'.join(diff['removed'])}")
    for c in diff["changed"]:
        words = "，".join(f"{label} {role.get(a, _show(a))} → {role.get(b, _show(b))}"
                         for label, a, b in c["diffs"] if label != "测评标准") or "测评标准文字有修改"
        parts.append(f"{c['code']}：{words}")
    return "；".join(parts)


def _show(value) -> str:
    if value in (None, ""):
        return "（空）"
    return format_points(value) if isinstance(value, float) else str(value)


def unit_changes(db, year: int, unit_id: int, edition_id: int) -> dict:
    status = get_status(db, year, unit_id)
    snapshot = json.loads(status["snapshot"]) if status["snapshot"] else None
    return changes(snapshot, framework.unit_standards(db, unit_id, edition_id))


def _latest_status(db, year: int, with_snapshot: bool = False) -> dict[int, dict]:
    """unit → its letter_status row for the year (the most advanced one when merging left two);
    the snapshots (every task of every letter, megabytes at 10x) only when asked for."""
    states: dict[int, dict] = {}
    columns = "*" if with_snapshot else "id, year, unit_id, state, issued_on, signed_on, signed_by, edition_id, generated_at"
    for r in rows(db, f"SELECT {columns} FROM letter_status WHERE year = ?"
                      " ORDER BY CASE state WHEN '已签订' THEN 0 WHEN '已印发' THEN 1 ELSE 2 END, id", (year,)):
        states.setdefault(r["unit_id"], r)
    return states


def change_texts(db, year: int, edition_id: int, states: dict[int, dict] | None = None) -> dict[int, str]:
    """unit → what changed in its tasks since its letter was generated (describe_changes; '' when
    nothing did), for the units whose letter has been generated."""
    states = _latest_status(db, check_year(year), with_snapshot=True) if states is None else states
    stored = {u: r["snapshot"] for u, r in states.items() if r.get("snapshot")}
    if not stored:
        return {}
    tasks = tasks_by_unit(db, edition_id, stored)
    # Most letters have not changed: their snapshot is, to the character, the JSON record_generation
    # would write now. Tasks are dicts shared between units (tasks_by_unit), so each one's snapshot
    # entry and its JSON are made once.
    entries: dict[int, tuple[dict, str]] = {}

    def entry(task: dict) -> tuple[dict, str]:
        found = entries.get(id(task))
        if found is None:
            snap = {k: task.get(k) for k in TASK_KEYS}
            found = entries[id(task)] = (snap, json.dumps(snap, ensure_ascii=False))
        return found

    result = {}
    for unit_id, snapshot in stored.items():
        current = [entry(t) for t in tasks.get(unit_id, [])]
        if "[" + ", ".join(text for _, text in current) + "]" == snapshot:
            result[unit_id] = ""
        else:
            result[unit_id] = describe_changes(changes(json.loads(snapshot), [snap for snap, _ in current]))
    return result


def status_rows(db, year: int, edition_id: int | None, *, with_changes: bool = True) -> list[dict]:
    """Every active unit with its task counts, signing state for the year, whether its tasks changed
    since its letter was generated, and how many scans are attached. The counts come from
    EditionRoles without building task lists. Without with_changes the change columns are left
    empty for change_texts to fill: reading and comparing the snapshots is most of the work at 10x
    data (a few hundred ms), and a list can be shown before it."""
    year = check_year(year)
    roles = framework.EditionRoles(db, edition_id) if edition_id else None
    states = _latest_status(db, year, with_snapshot=with_changes)
    texts = change_texts(db, year, edition_id, states) if edition_id and with_changes else {}
    scans = {r["owner_id"]: r["n"] for r in rows(
        db, "SELECT owner_id, count(*) AS n FROM attachments WHERE owner_table = ? GROUP BY owner_id", (OWNER_TABLE,))}
    out = []
    for unit in units.list_units(db):
        count, lead, points = roles.totals(unit["id"]) if roles else (0, 0, 0.0)
        status = states.get(unit["id"], {})
        text = texts.get(unit["id"], "")
        out.append({"unit_id": unit["id"], "name": unit["name"], "short_name": unit["short_name"],
                    "kind": unit["kind"], "task_count": count, "lead_count": lead,
                    "support_count": count - lead, "points": points,
                    "state": status.get("state", "未印发") if count else "无任务",
                    "issued_on": status.get("issued_on", ""), "signed_on": status.get("signed_on", ""),
                    "signed_by": status.get("signed_by", ""), "generated_at": status.get("generated_at", ""),
                    "status_id": status.get("id"), "scan_count": scans.get(status.get("id"), 0),
                    "changed": "有变化" if text else "", "change_text": text})
    return out


# An active unit u holds a standard of edition :e (lead or support, groups expanded). Per unit,
# indexed EXISTS lookups instead of the assignment_units view, whose UNION over every expanded
# group costs ~0.4 s at 10x data, too slow for the status bar.
HAS_TASKS_SQL = """u.retired = 0
           AND (EXISTS (SELECT 1 FROM assignments a JOIN framework_nodes n ON n.id = a.node_id
                         WHERE a.unit_id = u.id AND n.edition_id = :e AND n.retired = 0)
                OR EXISTS (SELECT 1 FROM unit_groups g JOIN assignments a ON a.group_id = g.id
                             JOIN framework_nodes n ON n.id = a.node_id
                            WHERE g.unit_kind = u.kind AND n.edition_id = :e AND n.retired = 0)
                OR EXISTS (SELECT 1 FROM unit_group_members m JOIN assignments a ON a.group_id = m.group_id
                             JOIN framework_nodes n ON n.id = a.node_id
                            WHERE m.unit_id = u.id AND n.edition_id = :e AND n.retired = 0))"""


def units_with_tasks_count(db, edition_id: int) -> int:
    """Active units holding a standard of the edition: each signs a 责任书."""
    return scalar(db, f"SELECT count(*) FROM units u WHERE {HAS_TASKS_SQL}", {"e": edition_id}) or 0


def unsigned_count(db, year: int | None = None) -> int:
    """Units with tasks in the current edition whose letter for the year is not yet signed."""
    edition_id = framework.current_edition_id(db)
    if edition_id is None:
        return 0
    year = year or settings.get(db, "current_year")
    return scalar(db, f"""
        SELECT count(*) FROM units u
         WHERE {HAS_TASKS_SQL}
           AND NOT EXISTS (SELECT 1 FROM letter_status s WHERE s.unit_id = u.id AND s.year = :y
                                                          AND s.state = '已签订')""",
                  {"e": edition_id, "y": year}) or 0


STATUS_HEADERS = ["序号", "责任单位", "单位类别", "任务数", "牵头", "配合", "分值合计", "签订状态",
                  "印发日期", "签订日期", "签字人", "扫描件", "分解表变化"]


def export_status(db, path, year: int, edition_id: int | None, *, unsigned_only: bool = False,
                  progress=None, cancel=None) -> int:
    """The units and their signing state as .xlsx (only those with tasks not yet signed when
    unsigned_only); returns the number of rows."""
    from core.xlsx.writer import Sheet, write_workbook

    found = [r for r in status_rows(db, year, edition_id) if r["state"] != "无任务"]
    if unsigned_only:
        found = [r for r in found if r["state"] != "已签订"]
    data = [[i + 1, r["name"], r["kind"], r["task_count"], r["lead_count"], r["support_count"], r["points"],
             r["state"], _as_date(r["issued_on"]), _as_date(r["signed_on"]), r["signed_by"],
             r["scan_count"], r["change_text"]] for i, r in enumerate(found)]
    title = f"{year}年度未签订责任书单位" if unsigned_only else f"{year}年度责任书签订情况"
    write_workbook(path, [Sheet(title, STATUS_HEADERS, data, row_count=len(data))], progress=progress, cancel=cancel)
    return len(data)


def _as_date(text: str):
    return date.fromisoformat(text) if text else None


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


def load_demo_part(db, demo: dict) -> None:
    """The demo district's letters: generated in February, some issued and signed since, and two
    units whose tasks changed in the 分解表 after their letters were printed."""
    part = demo.get("letters")
    edition_id = framework.current_edition_id(db)
    if not part or edition_id is None:
        return
    year = part["year"]
    with write(db):
        built, _ = build_letters(db, year, edition_id)
        record_generation(db, year, edition_id, built)
        res = units.resolver(db)
        for name, codes in part.get("changed_since_generation", {}).items():
            unit_id = res.lookup(name)[1]
            letter = next(x for x in built if x.unit["id"] == unit_id)
            earlier = [t for t in task_snapshot(letter.tasks) if t["code"] not in codes]
            db.execute("UPDATE letter_status SET snapshot = ? WHERE year = ? AND unit_id = ?",
                       (json.dumps(earlier, ensure_ascii=False), year, unit_id))
        db.execute("UPDATE letter_status SET generated_at = ? WHERE year = ?", (part["generated_at"], year))
        for mark in part.get("marks", []):
            unit_id = res.lookup(mark["unit"])[1]
            set_state(db, year, unit_id, "已印发", on=mark["issued_on"])
            if mark["state"] == "已签订":
                set_state(db, year, unit_id, "已签订", on=mark["signed_on"], signed_by=mark["signed_by"])
