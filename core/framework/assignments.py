"""责任分解: who leads and who helps on each standard (a unit, or a group standing for many), and
what each unit holds — its standards, its points at stake, the standards nobody leads."""

from __future__ import annotations

from core import audit
from core.errors import AppError
from core.framework.tree import STANDARD, STANDARD_COLUMNS, STANDARD_JOINS, TREE_ORDER, get_node, update_node

LEAD, SUPPORT = "lead", "support"
ROLE_NAMES = {LEAD: "牵头", SUPPORT: "配合"}

# A standard n has a lead: a unit, or a group that stands for at least one unit (an active unit of
# its kind, or a listed member). Read straight from the assignments: expanding the groups for
# every standard would cost far more.
HAS_LEAD_SQL = ("EXISTS (SELECT 1 FROM assignments a WHERE a.node_id = n.id AND a.role = 'lead' AND ("
                "a.unit_id IS NOT NULL OR EXISTS (SELECT 1 FROM unit_groups g JOIN units u ON u.kind = g.unit_kind"
                " AND u.retired = 0 WHERE g.id = a.group_id) OR EXISTS (SELECT 1 FROM unit_group_members m"
                " WHERE m.group_id = a.group_id)))")


# --- the no-lead count ----------------------------------------------------------------------------

def without_lead_ids(db, edition_id: int) -> set[int]:
    """The edition's standards (retired ones too) that nobody leads."""
    return set(db.column("SELECT n.id FROM framework_nodes n WHERE n.edition_id = :edition AND n.level = 3"
                         f" AND NOT {HAS_LEAD_SQL}", {"edition": edition_id}))


def count_without_lead(db, edition_id: int) -> int:
    """Standards in use that nobody leads (shown on the 测评体系 and 责任分解 pages and the status bar)."""
    return db.value("SELECT count(*) FROM framework_nodes n WHERE n.edition_id = :edition AND n.level = 3"
                    f" AND n.retired = 0 AND NOT {HAS_LEAD_SQL}", {"edition": edition_id})


# --- the 分解表 as written ---------------------------------------------------------------------------

def assignment_names(db, edition_id: int) -> dict[int, tuple[list[str], list[str]]]:
    """node id → (lead names, support names) as written: a group shows as its name."""
    result: dict[int, tuple[list[str], list[str]]] = {}
    for r in db.rows("SELECT a.node_id, a.role, coalesce(u.name, g.name) AS name FROM assignments a"
                     " JOIN framework_nodes n ON n.id = a.node_id"
                     " LEFT JOIN units u ON u.id = a.unit_id LEFT JOIN unit_groups g ON g.id = a.group_id"
                     " WHERE n.edition_id = :edition ORDER BY a.node_id, a.role, a.position, a.id",
                     {"edition": edition_id}):
        lead, support = result.setdefault(r["node_id"], ([], []))
        (lead if r["role"] == LEAD else support).append(r["name"])
    return result


def assignment_refs(db, node_id: int) -> dict[str, list[tuple[str, int, str]]]:
    """{'lead': [('unit'|'group', id, name)], 'support': [...]} as assigned (groups not expanded)."""
    result: dict[str, list] = {LEAD: [], SUPPORT: []}
    for r in db.rows("SELECT a.role, a.unit_id, a.group_id, coalesce(u.name, g.name) AS name"
                     " FROM assignments a LEFT JOIN units u ON u.id = a.unit_id"
                     " LEFT JOIN unit_groups g ON g.id = a.group_id WHERE a.node_id = :node"
                     " ORDER BY a.position, a.id", {"node": node_id}):
        ref = ("unit", r["unit_id"], r["name"]) if r["unit_id"] else ("group", r["group_id"], r["name"])
        result[r["role"]].append(ref)
    return result


def set_assignments(db, node_id: int, lead: list[tuple[str, int]], support: list[tuple[str, int]],
                    *, log: bool = True) -> bool:
    """Replace a standard's lead and supporting units ('unit'|'group', id). Returns True when
    anything changed."""
    with db.write():
        node = get_node(db, node_id)
        if node["level"] != STANDARD:
            raise AppError("只有测评标准可以指定牵头单位和配合单位。")
        before = assignment_refs(db, node_id)
        lead = list(dict.fromkeys((k, i) for k, i, *_ in lead))
        support = [r for r in dict.fromkeys((k, i) for k, i, *_ in support) if r not in lead]
        if [r[:2] for r in before[LEAD]] == lead and [r[:2] for r in before[SUPPORT]] == support:
            return False
        db.execute("DELETE FROM assignments WHERE node_id = :node", {"node": node_id})
        db.executemany(
            "INSERT INTO assignments (node_id, role, unit_id, group_id, position)"
            " VALUES (:node, :role, :unit, :group_id, :position)",
            [{"node": node_id, "role": role, "unit": i if k == "unit" else None,
              "group_id": i if k == "group" else None, "position": pos}
             for role, refs in ((LEAD, lead), (SUPPORT, support)) for pos, (k, i) in enumerate(refs)])
        # The units are part of the standard as people edit it: a colleague's form read before
        # this change is refused like one read before a change of the standard's own fields.
        db.execute("UPDATE framework_nodes SET version = version + 1 WHERE id = :node", {"node": node_id})
        if log:
            after = assignment_refs(db, node_id)
            audit.log(db, "修改责任分工", "assignments", node_id,
                      {r: [x[2] for x in v] for r, v in before.items()},
                      {r: [x[2] for x in v] for r, v in after.items()}, node["code"])
    return True


def resolve_refs(db, names: list[str], role_label: str) -> list[tuple[str, int]]:
    """Unit or group references for names a user typed; unknown names are refused with suggestions."""
    from core import units

    res = units.resolver(db)
    refs = []
    for name in names:
        hit = res.lookup(name)
        if hit is None:
            hint = "、".join(res.suggestions(name))
            raise AppError(f"{role_label}中的“{name}”不是已登记的单位或分组。"
                           + (f"是否是：{hint}？" if hint else "请先在“责任单位”中新增该单位。"))
        refs.append(hit)
    return refs


def save_standard(db, node_id: int, data: dict, lead: list[str], support: list[str], *,
                  expected_version: int | None = None) -> None:
    """Save a standard's fields and its lead and supporting units (as typed) in one transaction.
    expected_version: the version the form read (refused when someone saved the standard since)."""
    with db.write():
        db.check_version("framework_nodes", node_id, expected_version)
        lead_refs = resolve_refs(db, lead, "牵头单位")
        support_refs = resolve_refs(db, support, "配合单位")
        update_node(db, node_id, data)
        set_assignments(db, node_id, lead_refs, support_refs)


# --- what each unit holds ---------------------------------------------------------------------------

def unit_standards_query(unit_id: int, edition_id: int) -> tuple[str, dict]:
    """(sql, params) of one unit's standards in tree order with is_lead. The unit's condition
    reaches each branch of the assignment_units view (m007): only its own rows are expanded."""
    return (STANDARD_COLUMNS + ", r.is_lead FROM (SELECT node_id,"
            " max(CASE WHEN role = 'lead' THEN 1 ELSE 0 END) AS is_lead"
            " FROM assignment_units WHERE unit_id = :unit GROUP BY node_id) r"
            " JOIN framework_nodes n ON n.id = r.node_id" + STANDARD_JOINS + TREE_ORDER,
            {"edition": edition_id, "unit": unit_id})


def unit_standards(db, unit_id: int, edition_id: int) -> list[dict]:
    """A unit's standards in an edition, as lead and as support (groups expanded)."""
    result = db.rows(*unit_standards_query(unit_id, edition_id))
    for s in result:
        s["role"] = LEAD if s.pop("is_lead") else SUPPORT
        s["role_name"] = ROLE_NAMES[s["role"]]
    return result


# Who belongs to a group, as the assignment_units view (m007) expands it: every active unit of the
# group's kind, and its listed members.
GROUP_MEMBERS_SQL = """
SELECT g.id AS group_id, u.id AS unit_id FROM unit_groups g JOIN units u ON u.kind = g.unit_kind AND u.retired = 0
 WHERE g.unit_kind IS NOT NULL
UNION ALL
SELECT g.id, m.unit_id FROM unit_groups g JOIN unit_group_members m ON m.group_id = g.id"""


# An edition's assignments as written (a unit, or a group), on standards whose branch is in use.
EDITION_ASSIGNMENTS_SQL = ("SELECT a.node_id, a.role, a.unit_id, a.group_id, n.points FROM assignments a"
                           " JOIN framework_nodes n ON n.id = a.node_id" + STANDARD_JOINS)


class EditionRoles:
    """Every unit's standards in an edition with its role (lead wins over support), read without
    expanding the groups to their units: at 10x data the expanded view holds 147,000 rows, where
    the edition has 15,000 assignments and a few groups. A unit's standards are its own plus those
    of its groups; units in the same groups share one merged set."""

    def __init__(self, db, edition_id: int):
        self.direct: dict[int, dict[int, bool]] = {}  # unit → node → is lead
        by_group: dict[int, dict[int, bool]] = {}
        self.points: dict[int, float] = {}
        for a in db.rows(EDITION_ASSIGNMENTS_SQL, {"edition": edition_id}):
            node_id = a["node_id"]
            if a["unit_id"] is not None:
                target = self.direct.setdefault(a["unit_id"], {})
            else:
                target = by_group.setdefault(a["group_id"], {})
            target[node_id] = target.get(node_id, False) or a["role"] == LEAD
            self.points[node_id] = a["points"] or 0
        groups_of: dict[int, list[int]] = {}
        for m in db.rows(GROUP_MEMBERS_SQL):
            if m["group_id"] in by_group:
                groups_of.setdefault(m["unit_id"], []).append(m["group_id"])
        self.groups_of = {u: tuple(sorted(set(g))) for u, g in groups_of.items()}
        self._merged: dict[tuple, dict[int, bool]] = {}
        for combo in set(self.groups_of.values()):
            merged: dict[int, bool] = {}
            for group_id in combo:
                for node_id, lead in by_group[group_id].items():
                    merged[node_id] = merged.get(node_id, False) or lead
            self._merged[combo] = merged
        self._totals: dict[tuple, tuple[int, int, float]] = {}

    def units(self) -> set[int]:
        return set(self.direct) | set(self.groups_of)

    def of_groups(self, unit_id: int) -> dict[int, bool]:
        """node → is lead for what the unit holds through its groups (shared: do not modify)."""
        return self._merged.get(self.groups_of.get(unit_id, ()), {})

    def roles(self, unit_id: int) -> dict[int, bool]:
        """node → is lead for every standard the unit holds."""
        merged = self.of_groups(unit_id)
        own = self.direct.get(unit_id)
        if not own:
            return merged
        result = dict(merged)
        for node_id, lead in own.items():
            result[node_id] = result.get(node_id, False) or lead
        return result

    def totals(self, unit_id: int) -> tuple[int, int, float]:
        """(standards, of which it leads, their points) for the unit, without building its list."""
        combo = self.groups_of.get(unit_id, ())
        merged = self.of_groups(unit_id)
        if combo not in self._totals:
            self._totals[combo] = (len(merged), sum(merged.values()), sum(self.points[n] for n in merged))
        count, lead, points = self._totals[combo]
        for node_id, own_lead in self.direct.get(unit_id, {}).items():
            via_group = merged.get(node_id)
            if via_group is None:
                count, lead, points = count + 1, lead + own_lead, points + self.points[node_id]
            elif own_lead and not via_group:
                lead += 1
        return count, lead, float(points)


def unit_summary(db, edition_id: int) -> list[dict]:
    """Per active unit: how many standards it leads and supports, and the points at stake."""
    roles = EditionRoles(db, edition_id)
    out = []
    for u in db.rows("SELECT id, name, short_name, kind FROM units WHERE retired = 0 ORDER BY position, id"):
        count, lead, points = roles.totals(u["id"])
        out.append({**u, "lead_count": lead, "support_count": count - lead, "points": points})
    return out
