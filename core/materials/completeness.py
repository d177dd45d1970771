"""完成情况: how far the archive is, per 测评项目, unit or working group."""

from __future__ import annotations

from core.materials.checklist import checklist
from core.materials.records import APPROVED

BY = {"category": "测评项目", "unit": "责任单位", "working_group": "专项推进组"}


def _group_of(r: dict, by: str) -> tuple:
    if by == "category":
        return r["category_id"], r["category"]
    if by == "unit":
        return r["unit_id"], r["unit_name"] or "（未指定）"
    return r["working_group"], r["working_group"] or "（未分组）"


def completeness(db, edition_id: int, by: str = "category") -> list[dict]:
    """Per 测评项目, unit or working group: share of materials approved (已归档 counts) and share
    of points covered (a standard is covered when all its materials are approved; the base is the
    points of the standards that have materials). Categories in 测评体系 order, the others from
    the least approved."""
    if by not in BY:
        raise ValueError(by)
    groups: dict = {}
    for r in checklist(db, edition_id):
        key = _group_of(r, by)
        g = groups.setdefault(key, {"name": key[1], "materials": 0, "approved": 0, "_std": {}})
        g["materials"] += 1
        approved = r["status"] in APPROVED
        g["approved"] += approved
        s = g["_std"].setdefault(r["node_id"], {"points": r["points"] or 0, "all": True})
        s["all"] = s["all"] and approved
    out = []
    for g in groups.values():
        std = g.pop("_std")
        g["points"] = sum(s["points"] for s in std.values())
        g["covered_points"] = sum(s["points"] for s in std.values() if s["all"])
        g["standards"] = len(std)
        g["covered_standards"] = sum(1 for s in std.values() if s["all"])
        g["approved_share"] = g["approved"] / g["materials"] if g["materials"] else 0.0
        g["points_share"] = g["covered_points"] / g["points"] if g["points"] else 0.0
        out.append(g)
    if by != "category":
        out.sort(key=lambda g: (g["approved_share"], g["name"]))
    return out
