"""丢分分析: 测评轮次, their scored lines, who is accountable for each lost point, and the reports.

A line (score_results) is one standard (form a) or one 点位 (form b). Its loss is 满分 − 得分; a
负面清单 line has 满分 0 and 得分 = −扣分, so the same arithmetic holds everywhere.

Attribution ("谁丢分、谁负责"): a line's loss goes to the units it names; a line naming none goes to
its standard's lead units (narrowed to the line's 属地 when that street is one of the leads, as
"各街道" makes each street the lead for its own territory). A line naming several units counts in
full for each of them, as published third-party reports compute unit scores; the office setting
`loss_split_equally` splits 应得分 and 实得分 equally instead, and `loss_locality_accountable` adds
the line's 属地 unit to those accountable. Lines with nothing to attribute to are listed, not dropped.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime
from functools import lru_cache

from core import audit, framework, settings
from core.db import rows, scalar, write
from core.errors import AppError

KINDS = ["自查", "模拟测评", "市测", "省测", "国测"]
EPS = 1e-6
UNNAMED_LOCALITY = "（未注明属地）"
UNNAMED_SITE_TYPE = "（未注明点位类型）"
UNNAMED_CATEGORY = "（未注明测评项目）"
HOW_NAMES = {"named": "点名", "lead": "牵头单位", "locality": "属地"}
_NUMBERING = re.compile(r"^\s*(?:[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+(?:\.\d+)*[、.．\s])\s*")


@lru_cache(maxsize=65536)  # a round repeats a few hundred names over tens of thousands of lines
def norm_title(text: str) -> str:
    """A category or site name reduced for matching: no numbering ("一、"), spaces or bracket widths."""
    text = _NUMBERING.sub("", str(text or ""))
    return "".join(text.split()).replace("（", "(").replace("）", ")")


def infer_kind(name: str) -> str:
    for kind in ("国测", "省测", "市测", "模拟测评", "自查"):
        if kind in name:
            return kind
    if "模拟" in name:
        return "模拟测评"
    return "自查"


def _r(value: float) -> float:
    """Points rounded to 6 decimals, so 0.1 + 0.2 compares equal to 0.3."""
    return round(value + 0.0, 6)


# --- scores of one line ----------------------------------------------------------------------------

class ScoreError(ValueError):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column, self.message = column, message


def settle_scores(full, score, loss, *, negative: bool, default_full=None) -> tuple[float, float, float]:
    """(满分, 得分, 失分) from any two of them, checked. Raises ScoreError naming the column at fault.

    A 负面清单 line records a deduction: 满分 0, 失分 the deduction, 得分 its negative.
    """
    if negative:
        if full not in (None, 0, 0.0):
            raise ScoreError("满分", f"负面清单标准没有满分，只记扣分：满分应为 0 或不填（现为 {full:g}）")
        if loss is None and score is None:
            raise ScoreError("失分", "负面清单行要填写扣分（失分）")
        if loss is None:
            loss = -score
        if loss < 0:
            raise ScoreError("失分", f"扣分不能为负数：{loss:g}")
        if score is not None and abs(score + loss) > EPS:
            raise ScoreError("得分", f"负面清单行得分应为扣分的相反数（−{loss:g}），现为 {score:g}")
        return 0.0, _r(-loss), _r(loss)
    if full is None and not (score is not None and loss is not None):
        full = default_full
    given = sum(v is not None for v in (full, score, loss))
    if given < 2:
        raise ScoreError("得分", "满分、得分、失分至少要填两项")
    for column, value in (("满分", full), ("得分", score), ("失分", loss)):
        if value is not None and value < 0:
            raise ScoreError(column, f"{column}不能为负数：{value:g}")
    if full is None:
        full = score + loss
    elif score is None:
        score = full - loss
    elif loss is None:
        loss = full - score
    elif abs(full - score - loss) > EPS:
        raise ScoreError("失分", f"满分 {full:g} − 得分 {score:g} ≠ 失分 {loss:g}，三者不一致")
    if score < -EPS:
        raise ScoreError("失分", f"失分 {loss:g} 大于满分 {full:g}")
    if score > full + EPS:
        raise ScoreError("得分", f"得分 {score:g} 大于满分 {full:g}")
    return _r(full), _r(score), _r(full - score)


# --- rounds -------------------------------------------------------------------------------------

def list_rounds(db) -> list[dict]:
    """Every round, oldest first, with its totals (one pass over the results, not three per round)."""
    return rows(db, """
        SELECT r.*, e.name AS edition_name, coalesce(t.line_count, 0) AS line_count,
               coalesce(t.full, 0) AS full, coalesce(t.score, 0) AS score
          FROM score_rounds r LEFT JOIN editions e ON e.id = r.edition_id
          LEFT JOIN (SELECT round_id, count(*) AS line_count, sum(full_points) AS full, sum(score) AS score
                       FROM score_results GROUP BY round_id) t ON t.round_id = r.id
         ORDER BY r.held_on, r.id""")


def get_round(db, round_id: int) -> dict:
    found = rows(db, "SELECT r.*, e.name AS edition_name FROM score_rounds r"
                     " LEFT JOIN editions e ON e.id = r.edition_id WHERE r.id = ?", (round_id,))
    if not found:
        raise AppError(f"找不到编号为 {round_id} 的测评轮次，它可能已被删除。")
    return found[0]


def find_round(db, name: str) -> int | None:
    return scalar(db, "SELECT id FROM score_rounds WHERE name = ?", (" ".join(str(name).split()),))


def resolve_round(db, name: str) -> int:
    found = find_round(db, name)
    if found is None:
        names = "、".join(r["name"] for r in list_rounds(db)) or "（暂无）"
        raise AppError(f"找不到测评轮次“{name}”。现有轮次：{names}。")
    return found


def clean_round(db, name, kind, held_on, edition_id) -> dict:
    name = " ".join(str(name or "").split())
    if not name:
        raise AppError("测评轮次名称不能为空，例如“2026年市测”。")
    kind = kind or infer_kind(name)
    if kind not in KINDS:
        raise AppError(f"未知的测评类型“{kind}”。可选：{'、'.join(KINDS)}。")
    if isinstance(held_on, date):
        held_on = held_on.isoformat()
    held_on = str(held_on or "").strip()
    if held_on:
        from core.text import parse_date
        try:
            held_on = parse_date(held_on).isoformat()
        except ValueError:
            raise AppError(f"测评日期“{held_on}”无法识别，请写成 2026-09-15 的形式。") from None
    if edition_id is not None:
        framework.get_edition(db, edition_id)
    return {"name": name, "kind": kind, "held_on": held_on, "edition_id": edition_id}


def create_round(db, name: str, kind: str | None = None, held_on=None, edition_id: int | None = None,
                 note: str = "") -> int:
    with write(db):
        data = clean_round(db, name, kind, held_on or date.today(), edition_id)
        if find_round(db, data["name"]):
            raise AppError(f"已有名为“{data['name']}”的测评轮次。请换一个名称，或在导入时选择替换该轮次的成绩。")
        data.update(note=note, created_at=datetime.now().isoformat(timespec="seconds"))
        round_id = db["score_rounds"].insert(data).last_pk
        audit.log(db, "新建测评轮次", "score_rounds", round_id, None, data, data["name"])
    return round_id


def update_round(db, round_id: int, name: str, kind: str, held_on, edition_id: int | None) -> None:
    with write(db):
        before = get_round(db, round_id)
        data = clean_round(db, name, kind, held_on, edition_id)
        other = find_round(db, data["name"])
        if other and other != round_id:
            raise AppError(f"已有名为“{data['name']}”的测评轮次，请换一个名称。")
        changed = {k: v for k, v in data.items() if before[k] != v}
        if changed:
            db["score_rounds"].update(round_id, changed)
            audit.log(db, "修改测评轮次", "score_rounds", round_id, {k: before[k] for k in changed}, changed,
                      before["name"])


def delete_round(db, round_id: int) -> None:
    with write(db):
        before = get_round(db, round_id)
        lines = scalar(db, "SELECT count(*) FROM score_results WHERE round_id = ?", (round_id,))
        db.execute("DELETE FROM score_results WHERE round_id = ?", (round_id,))  # units cascade
        db.execute("DELETE FROM score_rounds WHERE id = ?", (round_id,))
        audit.log(db, "删除测评轮次", "score_rounds", round_id, {**before, "lines": lines}, None, before["name"])


# --- lines --------------------------------------------------------------------------------------

LINE_FIELDS = ("node_id", "category_id", "category", "item", "code", "site", "site_type", "locality",
               "locality_unit_id", "full_points", "score", "negative", "reason", "source_row")
_TEXT_FIELDS = {"category", "item", "code", "site", "site_type", "locality", "reason"}


def _line_values(line: dict) -> list:
    return [(line.get(k) or "") if k in _TEXT_FIELDS else line.get(k) for k in LINE_FIELDS]


def insert_lines(db, round_id: int, lines: list[dict], progress=None, cancel=None) -> int:
    """Append prepared lines (each with LINE_FIELDS and `unit_ids`) to a round. Call inside write()."""
    from core.errors import Cancelled

    next_id = (scalar(db, "SELECT max(id) FROM score_results") or 0) + 1
    position = (scalar(db, "SELECT max(position) FROM score_results WHERE round_id = ?", (round_id,)) or 0) + 1
    batch, unit_rows = [], []
    for i, line in enumerate(lines):
        line_id = next_id + i
        batch.append((line_id, round_id, position + i, *_line_values(line)))
        unit_rows += [(line_id, unit_id, j) for j, unit_id in enumerate(dict.fromkeys(line.get("unit_ids") or []))]
        if (i + 1) % 5000 == 0:
            if cancel and cancel():
                raise Cancelled()
            if progress:
                progress(i + 1, len(lines), "正在写入成绩")
    columns = ", ".join(("id", "round_id", "position") + LINE_FIELDS)
    marks = ", ".join("?" * (3 + len(LINE_FIELDS)))
    db.conn.executemany(f"INSERT INTO score_results ({columns}) VALUES ({marks})", batch)
    db.conn.executemany("INSERT INTO score_result_units (result_id, unit_id, position) VALUES (?, ?, ?)",
                        unit_rows)
    return len(batch)


class LineMatcher:
    """Matches what a file or a form says (标准编号, 测评项目, 责任单位, 属地) to the round's edition
    and the unit list; shared by the importer and hand entry so both check the same way."""

    def __init__(self, db, edition_id: int | None):
        from core import units

        self.edition_id = edition_id
        self.edition_name = framework.get_edition(db, edition_id)["name"] if edition_id else ""
        self.standards: dict[str, dict] = {}
        self.categories: dict[str, dict] = {}
        if edition_id:
            for s in framework.standards(db, edition_id):
                self.standards[s["code"]] = s
            for n in rows(db, "SELECT id, title FROM framework_nodes WHERE edition_id = ? AND level = 1"
                              " AND retired = 0", (edition_id,)):
                self.categories.setdefault(norm_title(n["title"]), n)
        self.units = units.resolver(db)
        self._members: dict[int, list[int]] = {}
        self._db = db

    def standard(self, code: str) -> dict | None:
        return self.standards.get("".join(str(code or "").split()))

    def category(self, title: str) -> dict | None:
        return self.categories.get(norm_title(title))

    def unit_ids(self, name: str) -> list[int] | None:
        """The units a name stands for (a group: its members), or None when unknown."""
        from core import units

        hit = self.units.lookup(name)
        if hit is None:
            return None
        if hit[0] == "unit":
            return [hit[1]]
        if hit[1] not in self._members:
            self._members[hit[1]] = units.group_member_ids(self._db, hit[1])
        return self._members[hit[1]]

    def unknown_unit_message(self, name: str) -> str:
        hint = "、".join(self.units.suggestions(name))
        return f"未知的责任单位“{name}”" + (f"，是否是：{hint}？" if hint else "，请写单位全称或简称")

    def locality_unit(self, name: str) -> int | None:
        if not name:
            return None
        ids = self.unit_ids(name)
        return ids[0] if ids and len(ids) == 1 else None


def prepare_line(matcher: LineMatcher, data: dict) -> tuple[dict, list[tuple[str, str]]]:
    """A line ready to store from entered values, and the problems found as (列, 问题).

    data: code, category, item, site, site_type, locality, full_points, score, loss (numbers or None),
    reason, units (names).
    """
    problems: list[tuple[str, str]] = []
    code = "".join(str(data.get("code") or "").split())
    category = str(data.get("category") or "").strip()
    line = {k: str(data.get(k) or "").strip() for k in ("item", "site", "site_type", "locality", "reason")}
    line.update(code=code, category=category, node_id=None, category_id=None, source_row=data.get("source_row"))
    standard = matcher.standard(code) if code else None
    if code and standard is None:
        where = f"测评体系“{matcher.edition_name}”" if matcher.edition_name else "测评体系"
        problems.append(("标准编号", f"标准编号“{code}”不在{where}中"))
    if standard:
        line.update(node_id=standard["id"], category_id=standard["category_id"])
        line["category"] = category or standard["category"]
    elif category:
        found = matcher.category(category)
        if found:
            line["category_id"] = found["id"]
    elif not code:
        problems.append(("测评项目", "测评项目和标准编号至少要填一项"))
    negative = bool(standard and standard["negative"])
    try:
        full, score, _loss = settle_scores(data.get("full_points"), data.get("score"), data.get("loss"),
                                           negative=negative, default_full=standard["points"] if standard else None)
        line.update(full_points=full, score=score, negative=int(negative))
    except ScoreError as exc:
        problems.append((exc.column, exc.message))
    unit_ids: list[int] = []
    for name in data.get("units") or []:
        ids = matcher.unit_ids(name)
        if ids is None:
            problems.append(("责任单位", matcher.unknown_unit_message(name)))
        else:
            unit_ids += ids
    line["unit_ids"] = list(dict.fromkeys(unit_ids))
    line["locality_unit_id"] = matcher.locality_unit(line["locality"])
    return line, problems


def _edition_of(db, round_id: int) -> int | None:
    return get_round(db, round_id)["edition_id"]


def add_line(db, round_id: int, data: dict) -> int:
    """Enter one line by hand."""
    with write(db):
        line = _checked_line(db, round_id, data)
        insert_lines(db, round_id, [line])
        line_id = scalar(db, "SELECT max(id) FROM score_results WHERE round_id = ?", (round_id,))
        audit.log(db, "录入测评成绩", "score_results", line_id, None, _audit_view(line),
                  f"{get_round(db, round_id)['name']}：{line['code'] or line['category']} {line['site']}")
    return line_id


def update_line(db, line_id: int, data: dict) -> None:
    """Correct a line by hand: every field is replaced by `data`."""
    with write(db):
        before = get_line(db, line_id)
        line = _checked_line(db, before["round_id"], data)
        db.execute(f"UPDATE score_results SET {', '.join(k + ' = ?' for k in LINE_FIELDS)} WHERE id = ?",
                   (*_line_values({**line, "source_row": before["source_row"]}), line_id))
        db.execute("DELETE FROM score_result_units WHERE result_id = ?", (line_id,))
        db.conn.executemany("INSERT INTO score_result_units (result_id, unit_id, position) VALUES (?, ?, ?)",
                            [(line_id, u, i) for i, u in enumerate(line["unit_ids"])])
        audit.log(db, "修改测评成绩", "score_results", line_id, _audit_view(before), _audit_view(line),
                  f"{before['code'] or before['category']} {before['site']}")


def delete_lines(db, line_ids: list[int]) -> None:
    with write(db):
        for line_id in line_ids:
            before = get_line(db, line_id)
            db.execute("DELETE FROM score_results WHERE id = ?", (line_id,))
            audit.log(db, "删除测评成绩", "score_results", line_id, _audit_view(before), None,
                      f"{before['code'] or before['category']} {before['site']}")


def _checked_line(db, round_id: int, data: dict) -> dict:
    line, problems = prepare_line(LineMatcher(db, _edition_of(db, round_id)), data)
    if problems:
        raise AppError("；".join(f"{column}：{message}" for column, message in problems) + "。请修改后再保存。")
    return line


def _audit_view(line: dict) -> dict:
    return {k: line.get(k) for k in ("code", "category", "site", "locality", "full_points", "score", "reason",
                                     "unit_ids")}


def get_line(db, line_id: int) -> dict:
    found = rows(db, "SELECT * FROM score_results WHERE id = ?", (line_id,))
    if not found:
        raise AppError(f"找不到编号为 {line_id} 的成绩记录，它可能已被删除。")
    line = found[0]
    line["unit_ids"] = [r["unit_id"] for r in rows(
        db, "SELECT unit_id FROM score_result_units WHERE result_id = ? ORDER BY position", (line_id,))]
    line["loss"] = _r(line["full_points"] - line["score"])
    return line


# A round's lines in file order, and the units each names in order: two queries over the round
# instead of a unit-name subquery per line.
LINES_SQL = """
SELECT r.*, coalesce(nullif(c.title, ''), nullif(r.category, ''), :unnamed) AS category_name,
       n.title AS standard_title
  FROM score_results r
  LEFT JOIN framework_nodes c ON c.id = r.category_id
  LEFT JOIN framework_nodes n ON n.id = r.node_id
 WHERE r.round_id = :round ORDER BY r.position, r.id"""
NAMED_UNITS_SQL = """
SELECT x.result_id, x.unit_id, u.name FROM score_results s
  JOIN score_result_units x ON x.result_id = s.id JOIN units u ON u.id = x.unit_id
 WHERE s.round_id = :round ORDER BY x.result_id, x.position"""


def lines(db, round_id: int) -> list[dict]:
    """Every line of a round in file order, with its category as the tree names it, its loss, and
    the units it names (unit_ids, and their names joined as unit_names)."""
    found = rows(db, LINES_SQL, {"unnamed": UNNAMED_CATEGORY, "round": round_id})
    named: dict[int, tuple[list[int], list[str]]] = {}
    for result_id, unit_id, name in db.execute(NAMED_UNITS_SQL, {"round": round_id}).fetchall():
        ids, names = named.setdefault(result_id, ([], []))
        ids.append(unit_id)
        names.append(name)
    for line in found:
        line["loss"] = _r(line["full_points"] - line["score"])
        ids, names = named.get(line["id"], ((), ()))
        line["unit_ids"] = list(ids)
        line["unit_names"] = "、".join(names)
    return found


# --- attribution ----------------------------------------------------------------------------------

def attribution_settings(db) -> dict:
    return {"split": bool(settings.get(db, "loss_split_equally")),
            "locality": bool(settings.get(db, "loss_locality_accountable"))}


def _settings(db, split: bool | None, locality: bool | None) -> tuple[bool, bool]:
    chosen = attribution_settings(db)
    return (chosen["split"] if split is None else split), (chosen["locality"] if locality is None else locality)


def _accountable(named: list[int], node_id, locality_unit_id, leads: dict, locality: bool) -> list[tuple[int, str]]:
    """Who answers for one line's loss, and how (the rule in the module's docstring)."""
    accountable = [(u, "named") for u in dict.fromkeys(named)]
    if not accountable and node_id in leads:
        lead, lead_set = leads[node_id]
        # "各街道" leads every street: a 点位 in one street is that street's.
        if locality_unit_id in lead_set:
            lead = [locality_unit_id]
        accountable = [(u, "lead") for u in lead]
    if locality and locality_unit_id and all(u != locality_unit_id for u, _ in accountable):
        accountable.append((locality_unit_id, "locality"))
    return accountable


def attribute(db, round_id: int, split: bool | None = None, locality: bool | None = None,
              round_lines: list[dict] | None = None) -> tuple[list[dict], list[dict]]:
    """(shares, unattributed): one share per (line, accountable unit) with its part of 满分, 得分 and
    失分 and how the unit came to be accountable; and the lines with nobody to hold accountable."""
    split, locality = _settings(db, split, locality)
    round_lines = lines(db, round_id) if round_lines is None else round_lines
    leads = _lead_units(db, round_id)
    shares, unattributed = [], []
    for line in round_lines:
        accountable = _accountable(line["unit_ids"], line["node_id"], line["locality_unit_id"], leads, locality)
        if not accountable:
            unattributed.append(line)
            continue
        part = 1 / len(accountable) if split else 1.0
        for unit_id, how in accountable:
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


def _lead_units(db, round_id: int) -> dict[int, tuple[list[int], set[int]]]:
    """standard → (its lead units in order, the same as a set); standards led the same way share
    one list (every standard "各街道" leads shares the list of streets)."""
    members: dict[int, list[int]] = defaultdict(list)
    for group_id, unit_id in db.execute(framework.GROUP_MEMBERS_SQL + " ORDER BY 1, 2").fetchall():
        members[group_id].append(unit_id)
    written: dict[int, list[tuple]] = defaultdict(list)
    for node_id, unit_id, group_id in db.execute(LEADS_SQL, {"round": round_id}).fetchall():
        written[node_id].append(("unit", unit_id) if unit_id is not None else ("group", group_id))
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


def rank_rows(items: list[dict]) -> list[dict]:
    """Rank by 得分率, highest first; ties share a rank and the next rank skips (1, 1, 3). Rows with
    nothing at stake (应得分 0) follow without a rank, most points lost first. Stable otherwise."""
    ranked = [r for r in items if r["full"] > EPS]
    rest = [r for r in items if not r["full"] > EPS]
    for r in items:
        r["full"], r["score"], r["loss"] = _r(r["full"]), _r(r["score"]), _r(r["loss"])
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


def report_by_unit(db, round_id: int, split: bool | None = None, locality: bool | None = None,
                   shares=None) -> list[dict]:
    """Per 责任单位: 应得分, 实得分, 失分, 得分率, 排名, lines counted and lines with a loss. Every
    active unit is listed; those with nothing at stake come last without a rank."""
    units = {u["id"]: u for u in rows(db, "SELECT id, name, short_name, kind, retired, position FROM units"
                                          " ORDER BY position, id")}
    totals: dict[int, dict] = {}
    for uid, u in units.items():
        if not u["retired"]:
            totals[uid] = _unit_row(u)
    if shares is None:  # the same sums as over attribute's shares, without a dict per line and share
        _add_unit_totals(db, round_id, *_settings(db, split, locality), units, totals)
        return rank_rows(list(totals.values()))
    for share in shares:
        t = totals.get(share["unit_id"]) or totals.setdefault(share["unit_id"], _unit_row(units[share["unit_id"]]))
        t["full"] += share["full"]
        t["score"] += share["score"]
        t["loss"] += share["loss"]
        t["lines"] += 1
        if share["loss"] > EPS:
            t["loss_lines"] += 1
    return rank_rows(list(totals.values()))


# What attribution reads of a round's lines, in the order of `lines`.
ATTRIBUTION_SQL = ("SELECT id, node_id, locality_unit_id, full_points, score FROM score_results"
                   " WHERE round_id = :round ORDER BY position, id")


def _add_unit_totals(db, round_id: int, split: bool, locality: bool, units: dict, totals: dict) -> None:
    named: dict[int, list[int]] = defaultdict(list)
    for result_id, unit_id, _name in db.execute(NAMED_UNITS_SQL, {"round": round_id}).fetchall():
        named[result_id].append(unit_id)
    leads = _lead_units(db, round_id)
    for line_id, node_id, locality_unit_id, full, score in db.execute(ATTRIBUTION_SQL, {"round": round_id}).fetchall():
        accountable = _accountable(named.get(line_id, ()), node_id, locality_unit_id, leads, locality)
        if not accountable:
            continue
        part = 1 / len(accountable) if split else 1.0
        loss = _r(full - score)
        for unit_id, _how in accountable:
            t = totals.get(unit_id) or totals.setdefault(unit_id, _unit_row(units[unit_id]))
            t["full"] += full * part
            t["score"] += score * part
            t["loss"] += loss * part
            t["lines"] += 1
            if loss * part > EPS:
                t["loss_lines"] += 1


def _unit_row(u: dict) -> dict:
    return {"unit_id": u["id"], "name": u["name"], "short_name": u["short_name"], "kind": u["kind"],
            "full": 0.0, "score": 0.0, "loss": 0.0, "lines": 0, "loss_lines": 0}


GROUPINGS = {
    "category": ("测评项目", "category_name", UNNAMED_CATEGORY),
    "locality": ("属地", "locality", UNNAMED_LOCALITY),
    "site-type": ("点位类型", "site_type", UNNAMED_SITE_TYPE),
}


def report_by(db, round_id: int, by: str, round_lines: list[dict] | None = None) -> list[dict]:
    """Per 测评项目, 属地 or 点位类型 (by = category | locality | site-type): the lines' own totals,
    not attributed, so a line naming several units counts once. Ranked like units."""
    if by not in GROUPINGS:
        raise AppError(f"未知的统计方式“{by}”。可选：unit、{'、'.join(GROUPINGS)}。")
    _label, key, blank = GROUPINGS[by]
    round_lines = lines(db, round_id) if round_lines is None else round_lines
    totals: dict[str, dict] = {}
    for line in round_lines:
        name = line[key] or blank
        t = totals.setdefault(norm_title(name) or name, {"name": name, "full": 0.0, "score": 0.0, "loss": 0.0,
                                                         "lines": 0, "loss_lines": 0})
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
        t = totals.setdefault(key, {"code": line["code"], "category": line["category_name"],
                                    "title": line["standard_title"] or line["item"], "full": 0.0, "score": 0.0,
                                    "loss": 0.0, "lines": 0, "loss_lines": 0, "reasons": []})
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
        t["full"], t["score"], t["loss"] = _r(t["full"]), _r(t["score"]), _r(t["loss"])
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
            out.append({**line, "share_full": _r(share["full"]), "share_loss": _r(share["loss"]),
                        "how": HOW_NAMES[share["how"]]})
    return out


def unattributed_losses(db, round_id: int, split: bool | None = None, locality: bool | None = None) -> list[dict]:
    _shares, unattributed = attribute(db, round_id, split, locality)
    return [line for line in unattributed if line["loss"] > EPS]


def round_summary(db, round_id: int, round_lines: list[dict] | None = None) -> dict:
    round_lines = lines(db, round_id) if round_lines is None else round_lines
    full = _r(sum(line["full_points"] for line in round_lines))
    score = _r(sum(line["score"] for line in round_lines))
    return {"lines": len(round_lines), "loss_lines": sum(line["loss"] > EPS for line in round_lines),
            "full": full, "score": score, "loss": _r(full - score), "rate": score / full if full > EPS else None}


# --- comparing rounds and trends ------------------------------------------------------------------

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
    old_cats = {norm_title(r["name"]): r for r in report_by(db, from_id, "category", old_lines)}
    new_cats = {norm_title(r["name"]): r for r in report_by(db, to_id, "category", new_lines)}
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
    row["loss_change"] = _r((row["to_loss"] or 0) - (row["from_loss"] or 0))
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
            found = next((r for r in report_by(db, rnd["id"], "category")
                          if norm_title(r["name"]) == norm_title(category)), None)
        point = {"round_id": rnd["id"], "round": rnd["name"], "kind": rnd["kind"], "held_on": rnd["held_on"],
                 "full": 0.0, "score": 0.0, "loss": 0.0, "rate": None, "rank": None}
        if found:
            point.update({k: found[k] for k in ("full", "score", "loss", "rate", "rank")})
        points.append(point)
    return points


def category_names(db) -> list[str]:
    """Every 测评项目 that appears in any round, for the trend picker."""
    names: dict[str, str] = {}
    for r in rows(db, "SELECT DISTINCT coalesce(nullif(c.title, ''), nullif(s.category, '')) AS name"
                      " FROM score_results s LEFT JOIN framework_nodes c ON c.id = s.category_id"):
        if r["name"]:
            names.setdefault(norm_title(r["name"]), r["name"])
    return list(names.values())


# --- the demo district ----------------------------------------------------------------------------

def load_demo_part(db, demo: dict) -> None:
    """The demo district's rounds (demo.json key "scoring"), inside load_demo's transaction."""
    part = demo.get("scoring")
    if not part:
        return
    edition_id = framework.current_edition_id(db)
    matcher = LineMatcher(db, edition_id)
    for rnd in part["rounds"]:
        round_id = create_round(db, rnd["name"], rnd["kind"], rnd["held_on"], edition_id)
        prepared = []
        for entry in rnd["lines"]:
            data = {**entry, "full_points": entry.get("full"), "loss": None,
                    "units": [n for n in (entry.get("units") or "").split("、") if n]}
            line, problems = prepare_line(matcher, data)
            if problems:
                raise AppError(f"示例数据有误（{rnd['name']}）：{problems}")
            prepared.append(line)
        insert_lines(db, round_id, prepared)
