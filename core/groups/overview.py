"""What a 专项推进组's standards show in an edition: materials approved of all, open and overdue
findings, and the points the last 测评 round lost on them — per group (the 推进组 page's list) and
per standard of one group (its detail)."""

from __future__ import annotations

from core import framework, materials, scoring
from core.framework.groups import list_groups
from core.scoring.points import rounded
from core.supervision.rules import OPEN_SQL, OVERDUE_SQL, count_where, day_rules

_FINDINGS_SQL = (f"SELECT f.node_id, count(*) AS open, {count_where(OVERDUE_SQL)} AS overdue FROM findings f"
                 " JOIN framework_nodes n ON n.id = f.node_id"
                 f" WHERE n.edition_id = :edition AND {OPEN_SQL} GROUP BY f.node_id")


def last_round(db, edition_id: int) -> dict | None:
    """The edition's latest 测评 round (by its date), or None."""
    rounds = [r for r in scoring.list_rounds(db) if r["edition_id"] == edition_id]
    return rounds[-1] if rounds else None


def _per_standard(db, edition_id: int) -> dict[int, dict]:
    """standard → its materials (all, approved), open and overdue findings, last round's loss."""
    found: dict[int, dict] = {}

    def of(node_id: int) -> dict:
        return found.setdefault(node_id, {"materials": 0, "approved": 0, "open": 0, "overdue": 0, "loss": 0.0})

    for m in materials.checklist(db, edition_id):
        s = of(m["node_id"])
        s["materials"] += 1
        s["approved"] += m["status"] in materials.APPROVED
    for r in db.rows(_FINDINGS_SQL, {**day_rules(db).params(), "edition": edition_id}):
        of(r["node_id"]).update(open=r["open"], overdue=r["overdue"] or 0)
    latest = last_round(db, edition_id)
    if latest is not None:
        for line in scoring.lines(db, latest["id"]):
            if line["node_id"]:
                of(line["node_id"])["loss"] += line["loss"]
    return found


def _totals(rows: list[dict]) -> dict:
    t = {key: sum(r[key] for r in rows) for key in ("materials", "approved", "open", "overdue", "loss")}
    t["loss"] = rounded(t["loss"])
    t["approved_share"] = t["approved"] / t["materials"] if t["materials"] else None
    return t


def overview(db, edition_id: int) -> dict:
    """{'round': the last round's name or '', 'groups': every group with its standards' totals in
    the edition (standards, materials, approved, approved_share, open, overdue, loss)}."""
    per = _per_standard(db, edition_id)
    by_group: dict[int | None, list[dict]] = {}
    for s in framework.standards_in_order(db, edition_id):
        by_group.setdefault(s["working_group_id"], []).append(per.get(s["id"]) or _totals([]))
    out = []
    for g in list_groups(db):
        rows = by_group.get(g["id"], [])
        out.append({**g, **_totals(rows), "standards": len(rows)})
    latest = last_round(db, edition_id)
    return {"round": latest["name"] if latest else "", "groups": out}


def group_standards(db, group_id: int, edition_id: int) -> list[dict]:
    """The group's standards in the edition in tree order, each with its materials (approved of
    all), open and overdue findings and the last round's loss."""
    per = _per_standard(db, edition_id)
    out = []
    for s in framework.standards_in_order(db, edition_id):
        if s["working_group_id"] == group_id:
            figures = per.get(s["id"]) or _totals([])
            out.append({"id": s["id"], "code": s["code"], "title": s["title"], "category": s["category"],
                        "points": s["points"], **figures, "loss": rounded(figures["loss"]),
                        "approved_share": figures["approved"] / figures["materials"] if figures["materials"] else None})
    return out
