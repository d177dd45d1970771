"""The tree as pages and documents read it: every node with its totals and unit names, the
standards in tree order, and the filters of the 测评体系 page."""

from __future__ import annotations

from core.framework.assignments import HAS_LEAD_SQL, assignment_names, without_lead_ids
from core.framework.groups import GROUP_NAME_SQL
from core.framework.tree import STANDARD, STANDARD_COLUMNS, STANDARD_JOINS, TREE_ORDER
from core.query import Where
from core.text import like_contains


def tree_rows(db, edition_id: int, include_retired: bool = False) -> list[dict]:
    """Every node of an edition in display order (parents first), with lead/support names, whether
    nobody leads a standard (no_lead), and subtree totals."""
    where = "" if include_retired else " AND n.retired = 0"
    nodes = db.rows(f"SELECT n.*, {GROUP_NAME_SQL} AS working_group FROM framework_nodes n WHERE n.edition_id = :edition" + where +
                    " ORDER BY n.level, n.position, n.id", {"edition": edition_id})
    names = assignment_names(db, edition_id)
    no_lead = without_lead_ids(db, edition_id)
    by_id = {n["id"]: n for n in nodes}
    for n in nodes:
        n["lead"], n["support"] = names.get(n["id"], ([], []))
        n["no_lead"] = n["id"] in no_lead
        n["total_points"] = 0.0
        n["standard_count"] = 0
    for n in nodes:
        if n["level"] == STANDARD and not n["retired"]:
            p = n
            while p is not None:
                p["total_points"] += n["points"] or 0
                p["standard_count"] += 1
                p = by_id.get(p["parent_id"])
    return nodes


def standards(db, edition_id: int, include_retired: bool = False) -> list[dict]:
    """Standards in tree order with their category and indicator, and lead/support names."""
    nodes = tree_rows(db, edition_id, include_retired)
    by_parent: dict = {}
    for n in nodes:
        by_parent.setdefault(n["parent_id"], []).append(n)
    out = []
    for cat in by_parent.get(None, []):
        for ind in by_parent.get(cat["id"], []):
            for std in by_parent.get(ind["id"], []):
                out.append({**std, "category": cat["title"], "indicator": ind["title"],
                            "category_id": cat["id"], "indicator_id": ind["id"]})
    return out


def standards_without_lead(db, edition_id: int) -> list[dict]:
    return [s for s in standards(db, edition_id) if s["no_lead"]]


def standards_in_order(db, edition_id: int) -> list[dict]:
    """The standards of an edition in tree order with category and indicator (no unit names)."""
    return db.rows(STANDARD_COLUMNS + " FROM framework_nodes n" + STANDARD_JOINS + TREE_ORDER, {"edition": edition_id})


def filter_node_ids(db, edition_id: int, text: str = "", unit_id: int | None = None, method: str = "",
                    working_group: str = "", no_lead: bool = False,
                    include_retired: bool = False) -> set[int] | None:
    """Standards matching every given filter, plus their ancestors (so the tree can show them).
    None when no filter is set. The rows of the tree (tree_rows) are read once per change of the
    data, not per filter: the page keeps them and shows the ids this returns."""
    if not (text or unit_id or method or working_group or no_lead):
        return None
    ids: set[int] = set()
    for r in db.rows(*filter_query(edition_id, text, unit_id, method, working_group, no_lead, include_retired)):
        ids.update((r["id"], r["parent_id"], r["grand_id"]))
    return ids


def filter_query(edition_id: int, text: str = "", unit_id: int | None = None, method: str = "",
                 working_group: str = "", no_lead: bool = False, include_retired: bool = False) -> tuple[str, dict]:
    """(sql, params) of filter_node_ids: the matching standards with their parent and grandparent."""
    where = Where().equals("n.edition_id", "edition", edition_id).add("n.level = 3")
    if not include_retired:
        where.add("n.retired = 0")
    where.contains(["n.code", "n.title", "p.title", "c.title"], "text", text)
    if method:
        where.add("('、' || n.methods || '、') LIKE :method ESCAPE '\\'", method=like_contains(f"、{method}、"))
    if working_group:
        where.add("n.working_group_id = (SELECT g.id FROM working_groups g WHERE g.name = :working_group)",
                  working_group=working_group)
    if unit_id:
        where.add("n.id IN (SELECT node_id FROM assignment_units WHERE unit_id = :unit)", unit=unit_id)
    if no_lead:
        where.add(f"NOT {HAS_LEAD_SQL}")
    return ("SELECT n.id, n.parent_id, p.parent_id AS grand_id FROM framework_nodes n"
            " JOIN framework_nodes p ON p.id = n.parent_id"
            " JOIN framework_nodes c ON c.id = p.parent_id" + where.sql(), where.params)
