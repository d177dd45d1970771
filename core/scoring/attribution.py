"""谁丢分、谁负责: who is accountable for each lost point of a round.

A line's loss goes to the units it names; a line naming none goes to its standard's lead units
(narrowed to the line's 属地 when that street is one of the leads, as "各街道" makes each street the
lead for its own territory). A line naming several units counts in full for each of them, as
published third-party reports compute unit scores; the office setting `loss_split_equally` splits
应得分 and 实得分 equally instead, and `loss_locality_accountable` adds the line's 属地 unit to those
accountable. Lines with nothing to attribute to are listed, not dropped.
"""

from __future__ import annotations

from collections import defaultdict

from core import framework, settings
from core.scoring.points import EPS
from core.scoring.results import lines

SPLIT_SETTING = "loss_split_equally"
LOCALITY_SETTING = "loss_locality_accountable"

# How a unit came to answer for a line.
NAMED = "named"
LEAD = "lead"
LOCALITY = "locality"
HOW_NAMES = {NAMED: "点名", LEAD: "牵头单位", LOCALITY: "属地"}


def attribution_settings(db) -> dict:
    return {"split": bool(settings.get(db, SPLIT_SETTING)), "locality": bool(settings.get(db, LOCALITY_SETTING))}


def set_attribution(db, split: bool, locality: bool) -> None:
    """The office's choice of how shared losses count (see the module's docstring)."""
    settings.set_many(db, {SPLIT_SETTING: bool(split), LOCALITY_SETTING: bool(locality)})


def chosen_rules(db, split: bool | None, locality: bool | None) -> tuple[bool, bool]:
    """The rules asked for, the office's settings where not given."""
    chosen = attribution_settings(db)
    return (chosen["split"] if split is None else split), (chosen["locality"] if locality is None else locality)


def accountable(named: list[int], node_id, locality_unit_id, leads: dict, locality: bool) -> list[tuple[int, str]]:
    """Who answers for one line's loss, and how (the rule in the module's docstring)."""
    found = [(u, NAMED) for u in dict.fromkeys(named)]
    if not found and node_id in leads:
        lead, lead_set = leads[node_id]
        # "各街道" leads every street: a 点位 in one street is that street's.
        if locality_unit_id in lead_set:
            lead = [locality_unit_id]
        found = [(u, LEAD) for u in lead]
    if locality and locality_unit_id and all(u != locality_unit_id for u, _ in found):
        found.append((locality_unit_id, LOCALITY))
    return found


def attribute(db, round_id: int, split: bool | None = None, locality: bool | None = None,
              round_lines: list[dict] | None = None) -> tuple[list[dict], list[dict]]:
    """(shares, unattributed): one share per (line, accountable unit) with its part of 满分, 得分 and
    失分 and how the unit came to be accountable; and the lines with nobody to hold accountable."""
    split, locality = chosen_rules(db, split, locality)
    round_lines = lines(db, round_id) if round_lines is None else round_lines
    leads = lead_units(db, round_id)
    shares, unattributed = [], []
    for line in round_lines:
        found = accountable(line["unit_ids"], line["node_id"], line["locality_unit_id"], leads, locality)
        if not found:
            unattributed.append(line)
            continue
        part = 1 / len(found) if split else 1.0
        for unit_id, how in found:
            shares.append({"line": line, "unit_id": unit_id, "how": how, "part": part,
                           "full": line["full_points"] * part, "score": line["score"] * part,
                           "loss": line["loss"] * part})
    return shares, unattributed


# The lead assignments of a round's standards as written (a unit, or a group to expand), and who
# is in each group (framework.GROUP_MEMBERS_SQL): the expanded view would give 73,000 rows at 10x.
LEADS_SQL = """
SELECT a.node_id, a.unit_id, a.group_id FROM assignments a
 WHERE a.role = 'lead' AND a.node_id IN (SELECT node_id FROM score_results WHERE round_id = :round)
 ORDER BY a.node_id, a.position, a.id"""


def lead_units(db, round_id: int) -> dict[int, tuple[list[int], set[int]]]:
    """standard → (its lead units in order, the same as a set); standards led the same way share
    one list (every standard "各街道" leads shares the list of streets)."""
    members: dict[int, list[int]] = defaultdict(list)
    for r in db.rows(framework.GROUP_MEMBERS_SQL + " ORDER BY 1, 2"):
        members[r["group_id"]].append(r["unit_id"])
    written: dict[int, list[tuple]] = defaultdict(list)
    for r in db.rows(LEADS_SQL, {"round": round_id}):
        written[r["node_id"]].append(("unit", r["unit_id"]) if r["unit_id"] is not None else ("group", r["group_id"]))
    shared: dict[tuple, tuple[list[int], set[int]]] = {}
    leads = {}
    for node_id, refs in written.items():
        key = tuple(refs)
        if key not in shared:
            units_in_order = dict.fromkeys(u for kind, i in refs for u in ([i] if kind == "unit" else members[i]))
            shared[key] = (list(units_in_order), set(units_in_order))
        if shared[key][0]:
            leads[node_id] = shared[key]
    return leads


# What attribution reads of a round's lines, in the order of `lines`, and the units each names.
ATTRIBUTION_SQL = ("SELECT id, node_id, locality_unit_id, full_points, score FROM score_results"
                   " WHERE round_id = :round ORDER BY position, id")
NAMED_IDS_SQL = """
SELECT x.result_id, x.unit_id FROM score_results s JOIN score_result_units x ON x.result_id = s.id
 WHERE s.round_id = :round ORDER BY x.result_id, x.position"""


def add_unit_totals(db, round_id: int, split: bool, locality: bool, new_row, totals: dict) -> None:
    """Each unit's 应得分, 实得分, 失分, lines and lines with a loss added into totals (unit id →
    row, made with new_row(unit id) when missing): the sums `attribute` gives, without a dict per
    line and share."""
    named: dict[int, list[int]] = defaultdict(list)
    for result_id, unit_id in db.tuples(NAMED_IDS_SQL, {"round": round_id}):
        named[result_id].append(unit_id)
    leads = lead_units(db, round_id)
    for line_id, node_id, locality_unit_id, full, score in db.tuples(ATTRIBUTION_SQL, {"round": round_id}):
        found = accountable(named.get(line_id, ()), node_id, locality_unit_id, leads, locality)
        if not found:
            continue
        part = 1 / len(found) if split else 1.0
        loss = round(full - score, 6)
        for unit_id, _how in found:
            t = totals.get(unit_id) or totals.setdefault(unit_id, new_row(unit_id))
            t["full"] += full * part
            t["score"] += score * part
            t["loss"] += loss * part
            t["lines"] += 1
            if loss * part > EPS:
                t["loss_lines"] += 1
