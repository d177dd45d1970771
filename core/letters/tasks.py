"""Each unit's tasks for a letter — the standards it leads or supports in an edition — and the
letters themselves, filled from the template for the units chosen."""

from __future__ import annotations

from dataclasses import dataclass, field

from core import framework, settings, units
from core.errors import AppError
from core.letters.template import TEMPLATE_FIELDS, fill, get_template, validate_template

TASK_KEYS = ("code", "title", "role", "points", "deadline")  # what a snapshot keeps
TASK_FIELDS = ("id", "code", "title", "points", "deadline", "category", "indicator")


def check_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise AppError(f"年度“{year}”不是四位年份，请写成 2026 这样的形式。") from None
    if not 2000 <= year <= 2100:
        raise AppError(f"年度 {year} 不在 2000 到 2100 之间，请检查。")
    return year


def format_points(value) -> str:
    return f"{value:g}" if value is not None else ""


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
                             for lead, role in ((True, framework.LEAD), (False, framework.SUPPORT))}
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
    lead = sum(1 for t in tasks if t["role"] == framework.LEAD)
    return {"tasks": len(tasks), "lead": lead, "support": len(tasks) - lead,
            "points": sum(t.get("points") or 0 for t in tasks)}


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
    return db.value(f"SELECT count(*) FROM units u WHERE {HAS_TASKS_SQL}", {"e": edition_id})


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
