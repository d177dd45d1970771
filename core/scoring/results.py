"""A round's scored lines: one standard (form a) or one 点位 (form b) each, with the units it names.

What a file or a form says is matched to the round's edition and the unit list by LineMatcher, so
the importer and hand entry check the same way; prepare_line turns entered values into a line ready
to store; insert_lines writes prepared lines in one batch.
"""

from __future__ import annotations

from core import audit, framework, units
from core.errors import AppError, Cancelled
from core.scoring.points import ScoreError, rounded, settle_scores, norm_title
from core.scoring.rounds import get_round

UNNAMED_CATEGORY = "（未注明测评项目）"
LINE_FIELDS = ("node_id", "category_id", "category", "item", "code", "site", "site_type", "locality",
               "locality_unit_id", "full_points", "score", "negative", "reason", "source_row")
_TEXT_FIELDS = {"category", "item", "code", "site", "site_type", "locality", "reason"}
_INSERT_LINE = (f"INSERT INTO score_results (round_id, position, {', '.join(LINE_FIELDS)})"
                f" VALUES (:round_id, :position, {', '.join(':' + k for k in LINE_FIELDS)})")
_INSERT_UNIT = ("INSERT INTO score_result_units (result_id, unit_id, position)"
                " VALUES (:result_id, :unit_id, :position)")
_PROGRESS_EVERY = 5000


def _line_values(line: dict) -> dict:
    return {k: (line.get(k) or "") if k in _TEXT_FIELDS else line.get(k) for k in LINE_FIELDS}


def _unit_rows(line_id: int, unit_ids) -> list[dict]:
    return [{"result_id": line_id, "unit_id": unit_id, "position": i}
            for i, unit_id in enumerate(dict.fromkeys(unit_ids or []))]


def insert_lines(db, round_id: int, lines: list[dict], progress=None, cancel=None) -> list[int]:
    """Append prepared lines (each with LINE_FIELDS and `unit_ids`) to a round, in one batch; the
    new lines' ids in order. Call inside db.write()."""
    first = (db.value("SELECT max(position) FROM score_results WHERE round_id = :round", {"round": round_id})
             or 0) + 1
    batch = []
    for i, line in enumerate(lines):
        batch.append({"round_id": round_id, "position": first + i, **_line_values(line)})
        if (i + 1) % _PROGRESS_EVERY == 0:
            if cancel and cancel():
                raise Cancelled()
            if progress:
                progress(i + 1, len(lines), "正在写入成绩")
    db.executemany(_INSERT_LINE, batch)
    # The ids the ledger gave, found by position: a batch insert returns none on either engine.
    ids = db.column("SELECT id FROM score_results WHERE round_id = :round AND position >= :first"
                    " ORDER BY position, id", {"round": round_id, "first": first})
    if len(ids) != len(lines):  # a colleague wrote to the same round at the same moment
        raise AppError("另一位同事正在同时向这一测评轮次写入成绩，本次没有保存。请稍后重试。")
    db.executemany(_INSERT_UNIT, [r for line_id, line in zip(ids, lines)
                                  for r in _unit_rows(line_id, line.get("unit_ids"))])
    return ids


class LineMatcher:
    """Matches what a file or a form says (标准编号, 测评项目, 责任单位, 属地) to the round's edition
    and the unit list; shared by the importer and hand entry so both check the same way."""

    def __init__(self, db, edition_id: int | None):
        self.edition_id = edition_id
        self.edition_name = framework.get_edition(db, edition_id)["name"] if edition_id else ""
        self.standards: dict[str, dict] = {}
        self.categories: dict[str, dict] = {}
        if edition_id:
            for s in framework.standards(db, edition_id):
                self.standards[s["code"]] = s
            for n in db.rows("SELECT id, title FROM framework_nodes WHERE edition_id = :edition AND level = 1"
                             " AND retired = 0 ORDER BY position, id", {"edition": edition_id}):
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


# --- entering and correcting lines by hand ------------------------------------------------------------

def add_line(db, round_id: int, data: dict) -> int:
    """Enter one line by hand."""
    with db.write():
        line = _checked_line(db, round_id, data)
        line_id = insert_lines(db, round_id, [line])[0]
        audit.log(db, "录入测评成绩", "score_results", line_id, None, _audit_view(line),
                  f"{get_round(db, round_id)['name']}：{line['code'] or line['category']} {line['site']}")
    return line_id


def update_line(db, line_id: int, data: dict) -> None:
    """Correct a line by hand: every field is replaced by `data`."""
    with db.write():
        before = get_line(db, line_id)
        line = _checked_line(db, before["round_id"], data)
        db.update("score_results", line_id, _line_values({**line, "source_row": before["source_row"]}))
        db.execute("DELETE FROM score_result_units WHERE result_id = :id", {"id": line_id})
        db.executemany(_INSERT_UNIT, _unit_rows(line_id, line["unit_ids"]))
        audit.log(db, "修改测评成绩", "score_results", line_id, _audit_view(before), _audit_view(line),
                  f"{before['code'] or before['category']} {before['site']}")


def delete_lines(db, line_ids: list[int]) -> None:
    with db.write():
        for line_id in line_ids:
            before = get_line(db, line_id)
            db.execute("DELETE FROM score_results WHERE id = :id", {"id": line_id})
            audit.log(db, "删除测评成绩", "score_results", line_id, _audit_view(before), None,
                      f"{before['code'] or before['category']} {before['site']}")


def _checked_line(db, round_id: int, data: dict) -> dict:
    line, problems = prepare_line(LineMatcher(db, get_round(db, round_id)["edition_id"]), data)
    if problems:
        raise AppError("；".join(f"{column}：{message}" for column, message in problems) + "。请修改后再保存。")
    return line


def _audit_view(line: dict) -> dict:
    return {k: line.get(k) for k in ("code", "category", "site", "locality", "full_points", "score", "reason",
                                     "unit_ids")}


# --- reading lines ----------------------------------------------------------------------------------

def get_line(db, line_id: int) -> dict:
    line = db.one("SELECT * FROM score_results WHERE id = :id", {"id": line_id})
    if line is None:
        raise AppError(f"找不到编号为 {line_id} 的成绩记录，它可能已被删除。")
    line["unit_ids"] = db.column("SELECT unit_id FROM score_result_units WHERE result_id = :id ORDER BY position",
                                 {"id": line_id})
    line["loss"] = rounded(line["full_points"] - line["score"])
    return line


# A round's lines in file order, and the units each names in order: two queries over the round
# instead of a unit-name subquery per line.
LINES_SQL = """
SELECT r.*, coalesce(nullif(c.title, ''), nullif(r.category, ''), CAST(:unnamed AS TEXT)) AS category_name,
       n.title AS standard_title, COALESCE(g.name, '') AS working_group
  FROM score_results r
  LEFT JOIN framework_nodes c ON c.id = r.category_id
  LEFT JOIN framework_nodes n ON n.id = r.node_id
  LEFT JOIN working_groups g ON g.id = n.working_group_id
 WHERE r.round_id = :round ORDER BY r.position, r.id"""
NAMED_UNITS_SQL = """
SELECT x.result_id, x.unit_id, u.name FROM score_results s
  JOIN score_result_units x ON x.result_id = s.id JOIN units u ON u.id = x.unit_id
 WHERE s.round_id = :round ORDER BY x.result_id, x.position"""


def named_units(db, round_id: int) -> dict[int, tuple[list[int], list[str]]]:
    """line → (the units it names, their names), in the order written."""
    named: dict[int, tuple[list[int], list[str]]] = {}
    for result_id, unit_id, name in db.tuples(NAMED_UNITS_SQL, {"round": round_id}):
        ids, names = named.setdefault(result_id, ([], []))
        ids.append(unit_id)
        names.append(name)
    return named


def findings_of_lines(db, round_id: int) -> dict[int, list[int]]:
    """line → the 督查 findings its loss became (转为督查问题), in the order made."""
    found: dict[int, list[int]] = {}
    for line_id, finding_id in db.tuples(
            "SELECT x.result_id, x.finding_id FROM loss_findings x JOIN score_results r ON r.id = x.result_id"
            " WHERE r.round_id = :round ORDER BY x.result_id, x.finding_id", {"round": round_id}):
        found.setdefault(line_id, []).append(finding_id)
    return found


def findings_text(finding_ids: list[int]) -> str:
    """How a line shows the findings it became: 已转 12、13 号问题."""
    return f"已转 {'、'.join(str(f) for f in finding_ids)} 号问题" if finding_ids else ""


def lines(db, round_id: int) -> list[dict]:
    """Every line of a round in file order, with its category as the tree names it, its loss, the
    units it names (unit_ids, and their names joined as unit_names) and the findings it became
    (finding_ids, and findings as a user reads them)."""
    found = db.rows(LINES_SQL, {"unnamed": UNNAMED_CATEGORY, "round": round_id})
    named = named_units(db, round_id)
    converted = findings_of_lines(db, round_id)
    for line in found:
        line["loss"] = rounded(line["full_points"] - line["score"])
        ids, names = named.get(line["id"], ((), ()))
        line["unit_ids"] = list(ids)
        line["unit_names"] = "、".join(names)
        line["finding_ids"] = converted.get(line["id"], [])
        line["findings"] = findings_text(line["finding_ids"])
    return found
