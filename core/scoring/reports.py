"""A round's losses summed up: per 责任单位 (attributed), per 测评项目, 属地 or 点位类型 (the lines'
own totals), the standards that lost most, a unit's own losses, and the round's totals."""

from __future__ import annotations

from core.errors import AppError
from core.framework.groups import NO_GROUP
from core.scoring.attribution import HOW_NAMES, add_unit_totals, attribute, chosen_rules
from core.scoring.points import EPS, norm_title, rounded
from core.scoring.results import UNNAMED_CATEGORY, lines

# The ways a round's losses are counted (loss-report --by, the 统计方式 list).
BY_UNIT = "unit"
BY_CATEGORY = "category"
BY_LOCALITY = "locality"
BY_SITE_TYPE = "site-type"
BY_STANDARD = "standard"
BY_GROUP = "group"
REPORT_KINDS = {
    BY_UNIT: "按责任单位",
    BY_CATEGORY: "按测评项目",
    BY_GROUP: "按专项推进组",
    BY_LOCALITY: "按属地",
    BY_SITE_TYPE: "按点位类型",
    BY_STANDARD: "失分最多的标准",
}

UNNAMED_LOCALITY = "（未注明属地）"
UNNAMED_SITE_TYPE = "（未注明点位类型）"
# A line counts for the 专项推进组 of its standard (lines without a standard, or of a standard no
# group pushes, under NO_GROUP).
UNNAMED_GROUP = NO_GROUP
# A grouping of lines: what its first column is called, the line's field, the name for a blank one.
GROUPINGS = {
    BY_CATEGORY: ("测评项目", "category_name", UNNAMED_CATEGORY),
    BY_GROUP: ("专项推进组", "working_group", UNNAMED_GROUP),
    BY_LOCALITY: ("属地", "locality", UNNAMED_LOCALITY),
    BY_SITE_TYPE: ("点位类型", "site_type", UNNAMED_SITE_TYPE),
}


def rank_rows(items: list[dict]) -> list[dict]:
    """Rank by 得分率, highest first; ties share a rank and the next rank skips (1, 1, 3). Rows with
    nothing at stake (应得分 0) follow without a rank, most points lost first. Stable otherwise."""
    ranked = [r for r in items if r["full"] > EPS]
    rest = [r for r in items if not r["full"] > EPS]
    for r in items:
        r["full"], r["score"], r["loss"] = rounded(r["full"]), rounded(r["score"]), rounded(r["loss"])
        r["rate"] = r["score"] / r["full"] if r["full"] > EPS else None
    ranked.sort(key=lambda r: -round(r["rate"], 9))
    previous = None
    for i, r in enumerate(ranked):
        key = round(r["rate"], 9)
        r["rank"] = i + 1 if key != previous else ranked[i - 1]["rank"]
        previous = key
    rest.sort(key=lambda r: -r["loss"])
    for r in rest:
        r["rank"] = None
    return ranked + rest


def _totals_row(**fields) -> dict:
    return {**fields, "full": 0.0, "score": 0.0, "loss": 0.0, "lines": 0, "loss_lines": 0}


def report_by_unit(db, round_id: int, split: bool | None = None, locality: bool | None = None,
                   shares=None) -> list[dict]:
    """Per 责任单位: 应得分, 实得分, 失分, 得分率, 排名, lines counted and lines with a loss. Every
    active unit is listed; those with nothing at stake come last without a rank."""
    units = {u["id"]: u for u in db.rows("SELECT id, name, short_name, kind, retired, position FROM units"
                                         " ORDER BY position, id")}

    def new_row(unit_id: int) -> dict:
        u = units[unit_id]
        return _totals_row(unit_id=u["id"], name=u["name"], short_name=u["short_name"], kind=u["kind"])

    totals = {uid: new_row(uid) for uid, u in units.items() if u["retired"] == 0}
    if shares is None:
        add_unit_totals(db, round_id, *chosen_rules(db, split, locality), new_row, totals)
        return rank_rows(list(totals.values()))
    for share in shares:
        t = totals.get(share["unit_id"]) or totals.setdefault(share["unit_id"], new_row(share["unit_id"]))
        t["full"] += share["full"]
        t["score"] += share["score"]
        t["loss"] += share["loss"]
        t["lines"] += 1
        if share["loss"] > EPS:
            t["loss_lines"] += 1
    return rank_rows(list(totals.values()))


def report_by(db, round_id: int, by: str, round_lines: list[dict] | None = None) -> list[dict]:
    """Per 测评项目, 专项推进组, 属地 or 点位类型 (by = category | group | locality | site-type): the lines' own totals,
    not attributed, so a line naming several units counts once. Ranked like units."""
    if by not in GROUPINGS:
        raise AppError(f"未知的统计方式“{by}”。可选：unit、{'、'.join(GROUPINGS)}。")
    _label, key, blank = GROUPINGS[by]
    round_lines = lines(db, round_id) if round_lines is None else round_lines
    totals: dict[str, dict] = {}
    for line in round_lines:
        name = line[key] or blank
        t = totals.setdefault(norm_title(name) or name, _totals_row(name=name))
        t["full"] += line["full_points"]
        t["score"] += line["score"]
        t["loss"] += line["loss"]
        t["lines"] += 1
        t["loss_lines"] += line["loss"] > EPS
    return rank_rows(list(totals.values()))


def top_standards(db, round_id: int, limit: int | None = 20, round_lines: list[dict] | None = None) -> list[dict]:
    """The standards (or, for lines without a 标准编号, the 测评项目 and 子项) that lost most."""
    round_lines = lines(db, round_id) if round_lines is None else round_lines
    totals: dict[tuple, dict] = {}
    for line in round_lines:
        key = (line["code"],) if line["code"] else ("", line["category_name"], line["item"])
        t = totals.setdefault(key, _totals_row(code=line["code"], category=line["category_name"],
                                               title=line["standard_title"] or line["item"], reasons=[]))
        t["full"] += line["full_points"]
        t["score"] += line["score"]
        t["loss"] += line["loss"]
        t["lines"] += 1
        if line["loss"] > EPS:
            t["loss_lines"] += 1
            if line["reason"] and line["reason"] not in t["reasons"]:
                t["reasons"].append(line["reason"])
    found = [t for t in totals.values() if t["loss"] > EPS]
    for t in found:
        t["full"], t["score"], t["loss"] = rounded(t["full"]), rounded(t["score"]), rounded(t["loss"])
        t["reasons"] = "；".join(t["reasons"][:3])
    found.sort(key=lambda t: (-t["loss"], t["code"]))
    return found[:limit] if limit else found


def unit_losses(db, round_id: int, unit_id: int, split: bool | None = None, locality: bool | None = None,
                shares=None) -> list[dict]:
    """A unit's own page: every line it is accountable for that lost points, with its share."""
    if shares is None:
        shares, _ = attribute(db, round_id, split, locality)
    out = []
    for share in shares:
        if share["unit_id"] == unit_id and share["loss"] > EPS:
            line = share["line"]
            out.append({**line, "share_full": rounded(share["full"]), "share_loss": rounded(share["loss"]),
                        "how": HOW_NAMES[share["how"]]})
    return out


def unattributed_losses(db, round_id: int, split: bool | None = None, locality: bool | None = None) -> list[dict]:
    _shares, unattributed = attribute(db, round_id, split, locality)
    return [line for line in unattributed if line["loss"] > EPS]


def round_summary(db, round_id: int, round_lines: list[dict] | None = None) -> dict:
    """A round's totals: lines, lines with a loss, 应得分, 实得分, 失分 and 得分率."""
    round_lines = lines(db, round_id) if round_lines is None else round_lines
    full = rounded(sum(line["full_points"] for line in round_lines))
    score = rounded(sum(line["score"] for line in round_lines))
    return {"lines": len(round_lines), "loss_lines": sum(line["loss"] > EPS for line in round_lines),
            "full": full, "score": score, "loss": rounded(full - score), "rate": score / full if full > EPS else None}
