"""Two rounds side by side, and one unit's or 测评项目's course over every round."""

from __future__ import annotations

from collections import defaultdict

from core.scoring.points import EPS, norm_title, rounded
from core.scoring.reports import BY_CATEGORY, report_by, report_by_unit, round_summary
from core.scoring.results import lines
from core.scoring.rounds import get_round, list_rounds


def _loss_key(line: dict) -> tuple:
    """What makes two rounds' lines "the same place": the standard (or 测评项目 and 子项) and the 点位."""
    what = line["code"] or f"{norm_title(line['category_name'])}/{norm_title(line['item'])}"
    return what, norm_title(line["site"])


def compare_rounds(db, from_id: int, to_id: int) -> dict:
    """this year's round against an earlier one: change per unit and per 测评项目, and the losses that
    are new (lost now, where the earlier round lost nothing or did not look) and fixed (lost then,
    assessed again now without loss). A place the later round did not assess is neither."""
    old_lines, new_lines = lines(db, from_id), lines(db, to_id)  # read once for the tables below
    old_units = {r["unit_id"]: r for r in report_by_unit(db, from_id)}
    new_units = {r["unit_id"]: r for r in report_by_unit(db, to_id)}
    unit_rows = []
    for unit_id in list(new_units) + [u for u in old_units if u not in new_units]:
        unit_rows.append(_change_row(new_units.get(unit_id) or old_units[unit_id],
                                     old_units.get(unit_id), new_units.get(unit_id)))
    old_cats = {norm_title(r["name"]): r for r in report_by(db, from_id, BY_CATEGORY, old_lines)}
    new_cats = {norm_title(r["name"]): r for r in report_by(db, to_id, BY_CATEGORY, new_lines)}
    category_rows = [_change_row(new_cats.get(k) or old_cats[k], old_cats.get(k), new_cats.get(k))
                     for k in list(new_cats) + [k for k in old_cats if k not in new_cats]]
    old_keys, new_keys = [_loss_key(line) for line in old_lines], [_loss_key(line) for line in new_lines]
    old_by_key: dict[tuple, float] = defaultdict(float)
    for line, key in zip(old_lines, old_keys):
        old_by_key[key] += line["loss"]
    new_by_key: dict[tuple, float] = defaultdict(float)
    for line, key in zip(new_lines, new_keys):
        new_by_key[key] += line["loss"]
    new_losses = [line for line, key in zip(new_lines, new_keys)
                  if line["loss"] > EPS and old_by_key.get(key, 0) <= EPS]
    fixed = [line for line, key in zip(old_lines, old_keys)
             if line["loss"] > EPS and key in new_by_key and new_by_key[key] <= EPS]
    return {"from": get_round(db, from_id), "to": get_round(db, to_id), "units": unit_rows,
            "categories": category_rows, "new_losses": new_losses, "fixed_losses": fixed,
            "summary_from": round_summary(db, from_id, old_lines), "summary_to": round_summary(db, to_id, new_lines)}


def _change_row(base: dict, old: dict | None, new: dict | None) -> dict:
    row = {"name": base["name"], "unit_id": base.get("unit_id")}
    for side, r in (("from", old), ("to", new)):
        for key in ("full", "score", "loss", "rate", "rank"):
            row[f"{side}_{key}"] = r[key] if r else None
    row["loss_change"] = rounded((row["to_loss"] or 0) - (row["from_loss"] or 0))
    row["rate_change"] = (row["to_rate"] - row["from_rate"]
                          if row["to_rate"] is not None and row["from_rate"] is not None else None)
    row["rank_change"] = (row["from_rank"] - row["to_rank"]  # positive: moved up
                          if row["to_rank"] is not None and row["from_rank"] is not None else None)
    return row


def trend(db, unit_id: int | None = None, category: str | None = None) -> list[dict]:
    """One point per round, oldest first: a unit's (attributed) or a 测评项目's 应得分, 实得分, 失分,
    得分率 and 排名. Rounds where it had nothing at stake have rate None."""
    if (unit_id is None) == (category is None):
        raise ValueError("trend needs a unit or a category")
    points = []
    for rnd in list_rounds(db):
        if unit_id is not None:
            found = next((r for r in report_by_unit(db, rnd["id"]) if r["unit_id"] == unit_id), None)
        else:
            found = next((r for r in report_by(db, rnd["id"], BY_CATEGORY)
                          if norm_title(r["name"]) == norm_title(category)), None)
        point = {"round_id": rnd["id"], "round": rnd["name"], "kind": rnd["kind"], "held_on": rnd["held_on"],
                 "full": 0.0, "score": 0.0, "loss": 0.0, "rate": None, "rank": None}
        if found:
            point.update({k: found[k] for k in ("full", "score", "loss", "rate", "rank")})
        points.append(point)
    return points


def category_names(db) -> list[str]:
    """Every 测评项目 that appears in any round, in the order first scored, for the trend picker."""
    names: dict[str, str] = {}
    for name in db.column("""
            SELECT coalesce(nullif(c.title, ''), nullif(s.category, '')) AS name
              FROM score_results s LEFT JOIN framework_nodes c ON c.id = s.category_id
             GROUP BY coalesce(nullif(c.title, ''), nullif(s.category, ''))
             ORDER BY min(s.id)"""):
        if name:
            names.setdefault(norm_title(name), name)
    return list(names.values())
