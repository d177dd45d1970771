"""What changed in a unit's tasks since its letter was generated: each generation keeps the task
list as a snapshot, and the 分解表 of today is compared with it (added, removed and changed
standards, in words for the page and the command line)."""

from __future__ import annotations

import json

from core import audit, clock, framework
from core.letters.status import OWNER_TABLE, get_status, latest_status, status_id
from core.letters.tasks import TASK_KEYS, Letter, check_year, format_points, task_snapshot, tasks_by_unit

CHANGED = "有变化"  # the 分解表变化 column of a unit whose tasks changed
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


def change_texts(db, year: int, edition_id: int, states: dict[int, dict] | None = None) -> dict[int, str]:
    """unit → what changed in its tasks since its letter was generated (describe_changes; '' when
    nothing did), for the units whose letter has been generated."""
    states = latest_status(db, check_year(year), with_snapshot=True) if states is None else states
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


def record_generation(db, year: int, edition_id: int, letters: list[Letter]) -> dict[str, str]:
    """Keep each letter's task list, so the next generation can show what changed; returns, for
    the units whose tasks changed since their previous letter, what changed in words. A login
    that may not change the ledger (只读) prints and is told the changes; nothing is kept."""
    if not db.may_write:
        return _changes_since_last(db, year, letters)
    with db.write():
        changed = _changes_since_last(db, year, letters)
        stamp = clock.stamp()
        for letter in letters:
            record_id = status_id(db, year, letter.unit["id"])
            db.update("letter_status", record_id, {
                "edition_id": edition_id, "generated_at": stamp,
                "snapshot": json.dumps(task_snapshot(letter.tasks), ensure_ascii=False)})
        audit.log(db, "生成责任书", OWNER_TABLE, None, None,
                  {"year": year, "edition_id": edition_id, "units": [x.unit["name"] for x in letters]},
                  f"{year}年度 {len(letters)} 份")
    return changed


def _changes_since_last(db, year: int, letters: list[Letter]) -> dict[str, str]:
    changed: dict[str, str] = {}
    for letter in letters:
        previous = get_status(db, year, letter.unit["id"])["snapshot"]
        diff = changes(json.loads(previous) if previous else None, letter.tasks)
        if diff["any"]:
            changed[letter.unit["name"]] = describe_changes(diff)
    return changed
