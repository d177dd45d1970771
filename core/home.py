"""首页: where the office stands today, in one read of each area's own figures.

Every figure here comes from the same core function the area's page uses (or the same SQL rule),
so a number on 首页 is the number the user finds when they open the list behind it.
"""

from __future__ import annotations

import datetime as dt

from core import clock, framework, letters, materials, remind, safety, scoring, settings, supervision

TOP = 5  # units listed under "owing most" and "losing most"


def days_until(date_text: str, today: dt.date) -> int | None:
    try:
        return (dt.date.fromisoformat(date_text) - today).days
    except (TypeError, ValueError):
        return None


def coverage_by_category(db, edition_id: int) -> list[dict]:
    """Per 测评项目 (in tree order): materials approved of all, and points covered — a standard's
    points count when every one of its materials is approved (the rule of materials.completeness,
    computed in SQL so that 首页 stays quick at ten times a district's data)."""
    approved = {f"approved_{i}": status for i, status in enumerate(materials.APPROVED)}
    return db.rows(f"""
        WITH per_standard AS (
            SELECT m.node_id, count(*) AS materials,
                   sum(CASE WHEN m.status IN ({", ".join(":" + name for name in approved)}) THEN 1 ELSE 0 END) AS approved
              FROM materials m
             WHERE m.edition_id = :edition AND m.removed = 0
             GROUP BY m.node_id),
        per_category AS (
            SELECT content.parent_id AS category_id, sum(ps.materials) AS materials, sum(ps.approved) AS approved,
                   sum(n.points) AS points,
                   sum(CASE WHEN ps.approved = ps.materials THEN n.points END) AS covered_points
              FROM per_standard ps
              JOIN framework_nodes n ON n.id = ps.node_id
              JOIN framework_nodes content ON content.id = n.parent_id
             GROUP BY content.parent_id)
        SELECT cat.id AS category_id, cat.title AS name, coalesce(pc.materials, 0) AS materials,
               coalesce(pc.approved, 0) AS approved, coalesce(pc.points, 0) AS points,
               coalesce(pc.covered_points, 0) AS covered_points
          FROM framework_nodes cat LEFT JOIN per_category pc ON pc.category_id = cat.id
         WHERE cat.edition_id = :edition AND cat.level = 1 AND cat.retired = 0
         ORDER BY cat.position, cat.id""", {"edition": edition_id, **approved})


def last_round(db) -> dict | None:
    found = scoring.list_rounds(db)
    if not found:
        return None
    r = found[-1]
    by_unit = scoring.report_by_unit(db, r["id"])
    losing = sorted((u for u in by_unit if u["loss"] > scoring.EPS), key=lambda u: -u["loss"])[:TOP]
    return {"id": r["id"], "name": r["name"], "held_on": r["held_on"], "full": r["full"], "score": r["score"],
            "loss": round(r["full"] - r["score"], 2), "rate": r["score"] / r["full"] if r["full"] else None,
            "losing_most": [{"unit_id": u["unit_id"], "name": u["name"], "loss": u["loss"]} for u in losing]}


def getting_started(db) -> dict | None:
    """The first steps of a new office while the ledger has no units or no 测评体系 (首页 shows
    them instead of figures that would all be zero); None once both are in."""
    has_units = bool(db.value("SELECT count(*) FROM units"))
    has_framework = framework.current_edition_id(db) is not None
    if has_units and has_framework:
        return None
    return {"office": not settings.office_placeholders(db), "units": has_units, "framework": has_framework,
            "demo_possible": not has_units and not db.value("SELECT count(*) FROM editions")}


def slow_figures(db, today: dt.date | None = None) -> dict:
    """The 首页 figures that take a moment at ten times a district's size: the last round's units
    (attributing every line of the round, ~0.5 s) and the units to chase today (~0.2 s)."""
    return {"last_round": last_round(db), "remind_units": remind.count_units(db, today or clock.today())}


def overview(db, data, today: dt.date | None = None, *, with_slow: bool = True) -> dict:
    """Every 首页 figure. The slow ones (slow_figures) can be left out (None) for the caller to
    fetch in the background."""
    today = today or clock.today()
    values = settings.get_all(db)
    edition_id = framework.current_edition_id(db)
    findings = supervision.counts(db, today)
    owing = [u for u in supervision.unit_owes(db, today)][:TOP]
    backups = safety.backup_status(data, db)
    return {
        "today": today.isoformat(),
        "next_assessment": values["next_assessment_date"] or "",
        "days_to_assessment": days_until(values["next_assessment_date"], today),
        "current_year": values["current_year"],
        "edition": framework.get_edition(db, edition_id)["name"] if edition_id else "",
        "coverage": coverage_by_category(db, edition_id) if edition_id else [],
        "findings_open": findings["open"], "findings_overdue": findings["overdue"],
        "findings_flagged": findings["flagged"], "findings_waiting": findings["waiting"],
        "owing_most": [{"unit_id": u["unit_id"], "name": u["unit"], "open": u["open"], "overdue": u["overdue"] or 0}
                       for u in owing],
        "letters_unsigned": letters.unsigned_count(db),
        **(slow_figures(db, today) if with_slow else {"last_round": None, "remind_units": None}),
        "backup_age_days": backups.age_days,
        "backup": backups,
    }
