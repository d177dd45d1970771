"""丢分分析 reports as tables for the screen, Excel and PDF: the same table feeds all three, so what
the office sees is what it prints and sends.

A table's columns carry a key (the row dict's field) and a kind (text, points, rate …), so the page,
the workbook and the PDF format a column by what it holds, never by its header text or position.
"""

from __future__ import annotations

from dataclasses import dataclass

from core import units
from core.errors import AppError
from core.scoring.attribution import attribute
from core.scoring.compare import compare_rounds
from core.scoring.points import EPS
from core.scoring.reports import (BY_STANDARD, BY_UNIT, GROUPINGS, REPORT_KINDS, report_by, report_by_unit,
                                  top_standards, unit_losses)
from core.scoring.results import get_line
from core.scoring.rounds import get_round

# What a column holds.
TEXT = "text"
POINTS = "points"
RATE = "rate"  # a fraction shown as a percentage
COUNT = "count"  # lines, ranks, a change of rank
RATE_CHANGE = "rate_change"  # a signed difference of rates
POINTS_CHANGE = "points_change"  # a signed difference of points
DATE = "date"
NUMERIC_KINDS = (POINTS, RATE, COUNT, RATE_CHANGE, POINTS_CHANGE)

UNATTRIBUTED_UNIT = "（待明确责任单位）"


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: str = TEXT
    align: str = ""  # on paper: left, right or centre; by kind when empty
    width: int | None = None  # in Excel, in characters, where the estimate from the content is not right

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    @property
    def paper_align(self) -> str:
        return self.align or ("right" if self.numeric else "left")


@dataclass
class ReportTable:
    title: str
    columns: list[Column]
    rows: list[dict]
    id_key: str | None = None  # the field naming what a row is about (a unit's id), for the screen
    total_loss: float | None = None  # a unit's page: the points it lost in all

    @property
    def subject(self) -> Column:
        """The column naming what each row is about (a unit, a 测评项目, a standard): the first."""
        return self.columns[0]

    @property
    def headers(self) -> list[str]:
        return [c.title for c in self.columns]

    def values(self) -> list[list]:
        """The rows as lists in column order."""
        keys = [c.key for c in self.columns]
        return [[row.get(k) for k in keys] for row in self.rows]

    def top_losses(self, limit: int) -> list[dict]:
        """The rows that lost most, most first, as {"name", "loss"} for a bar chart."""
        label = self.subject.key
        lost = [{"name": str(row[label] or "（无编号）"), "loss": row["loss"]} for row in self.rows
                if (row.get("loss") or 0) > 0]
        lost.sort(key=lambda bar: -bar["loss"])
        return lost[:limit]


def points(value):
    """Points as a number Excel shows plainly (2 rather than 2.0)."""
    if value is None:
        return None
    value = round(value, 6)
    return int(value) if float(value).is_integer() else value


def _with_points(row: dict, columns: list[Column]) -> dict:
    return {**row, **{c.key: points(row.get(c.key)) for c in columns if c.kind in (POINTS, POINTS_CHANGE)}}


RANKED_COLUMNS = [Column("full", "应得分", POINTS), Column("score", "实得分", POINTS), Column("loss", "失分", POINTS),
                  Column("rate", "得分率", RATE), Column("rank", "排名", COUNT)]
GROUP_EXTRA_COLUMNS = [Column("lines", "测评条数", COUNT), Column("loss_lines", "失分条数", COUNT)]
STANDARD_COLUMNS = [Column("code", "标准编号"), Column("category", "测评项目"), Column("title", "测评标准 / 子项"),
                    Column("full", "应得分", POINTS), Column("loss", "失分", POINTS),
                    Column("loss_lines", "失分点位数", COUNT), Column("reasons", "主要失分原因")]
LINE_COLUMNS = [Column("category_name", "测评项目"), Column("code", "标准编号"), Column("item", "子项"),
                Column("site", "点位"), Column("site_type", "点位类型"), Column("locality", "属地"),
                Column("full_points", "满分", POINTS), Column("score", "得分", POINTS), Column("loss", "失分", POINTS),
                Column("unit_names", "责任单位"), Column("reason", "问题描述")]
UNIT_PAGE_COLUMNS = [Column("category_name", "测评项目"), Column("code", "标准编号"), Column("place", "点位"),
                     Column("locality", "属地"), Column("share_loss", "失分", POINTS), Column("reason", "问题描述"),
                     Column("how", "责任方式", align="centre")]
TASK_COLUMNS = [Column("seq", "序号", COUNT), Column("unit", "责任单位"), Column("round", "测评轮次"),
                Column("category", "测评项目"), Column("code", "标准编号"), Column("place", "点位"),
                Column("locality", "属地"), Column("loss", "失分", POINTS), Column("reason", "问题描述", width=40),
                Column("requirement", "整改要求", width=30), Column("deadline", "完成时限", DATE),
                Column("progress", "整改情况")]


def _ranked_table(title: str, first: Column, items: list[dict], extra=(), id_key=None) -> ReportTable:
    columns = [first, *RANKED_COLUMNS, *extra]
    return ReportTable(title, columns, [_with_points(r, columns) for r in items], id_key)


def report_table(db, round_id: int, by: str) -> ReportTable:
    rnd = get_round(db, round_id)
    label = REPORT_KINDS.get(by)
    if label is None:
        raise AppError(f"未知的统计方式“{by}”。可选：{'、'.join(REPORT_KINDS)}。")
    title = f"{rnd['name']}失分统计（{label}）"
    if by == BY_UNIT:
        return _ranked_table(title, Column("name", "责任单位"), report_by_unit(db, round_id), id_key="unit_id")
    if by == BY_STANDARD:
        items = top_standards(db, round_id, limit=None)
        return ReportTable(title, STANDARD_COLUMNS, [_with_points(t, STANDARD_COLUMNS) for t in items])
    return _ranked_table(title, Column("name", GROUPINGS[by][0]), report_by(db, round_id, by),
                         extra=GROUP_EXTRA_COLUMNS)


def line_table(title: str, found: list[dict]) -> ReportTable:
    """Scored lines as they were written, with the units they name."""
    return ReportTable(title, LINE_COLUMNS, [_with_points(line, LINE_COLUMNS) for line in found])


def unit_page_table(db, round_id: int, unit_id: int) -> ReportTable:
    """A unit's own page: every loss it is accountable for, with its 点位 and reason."""
    unit = units.get_unit(db, unit_id)
    rnd = get_round(db, round_id)
    losses = unit_losses(db, round_id, unit_id)
    body = [{**x, "place": x["site"] or x["item"], "share_loss": points(x["share_loss"])} for x in losses]
    return ReportTable(f"{unit['name']}失分明细（{rnd['name']}）", UNIT_PAGE_COLUMNS, body,
                       total_loss=sum(r["share_loss"] or 0 for r in body))


def _change_columns(first: str, a: str, b: str) -> list[Column]:
    return [Column("name", first), Column("from_rate", f"{a}得分率", RATE), Column("to_rate", f"{b}得分率", RATE),
            Column("rate_change", "得分率变化", RATE_CHANGE), Column("from_loss", f"{a}失分", POINTS),
            Column("to_loss", f"{b}失分", POINTS), Column("loss_change", "失分变化", POINTS_CHANGE),
            Column("from_rank", f"{a}排名", COUNT), Column("to_rank", f"{b}排名", COUNT),
            Column("rank_change", "名次变化", COUNT)]


def compare_tables(db, from_id: int, to_id: int) -> list[ReportTable]:
    """The comparison of two rounds: per unit, per 测评项目, new losses and fixed losses."""
    result = compare_rounds(db, from_id, to_id)
    a, b = result["from"]["name"], result["to"]["name"]
    unit_columns, category_columns = _change_columns("责任单位", a, b), _change_columns("测评项目", a, b)
    return [
        ReportTable("按责任单位", unit_columns, [_with_points(r, unit_columns) for r in result["units"]], "unit_id"),
        ReportTable("按测评项目", category_columns, [_with_points(r, category_columns) for r in result["categories"]]),
        line_table(f"新增失分（{b}）", result["new_losses"]),
        line_table(f"已整改（{a}失分）", result["fixed_losses"]),
    ]


def task_table(db, line_ids: list[int]) -> ReportTable:
    """Selected loss lines as 整改 tasks, one per accountable unit, ordered by unit."""
    wanted = set(line_ids)
    unit_names = {u["id"]: u["name"] for u in db.rows("SELECT id, name FROM units")}
    out = []
    by_round: dict[int, list[int]] = {}
    for line_id in line_ids:
        by_round.setdefault(get_line(db, line_id)["round_id"], []).append(line_id)

    def task(unit: str, round_name: str, line: dict, loss: float) -> dict:
        return {"unit": unit, "round": round_name, "category": line["category_name"], "code": line["code"],
                "place": line["site"] or line["item"], "locality": line["locality"], "loss": points(loss),
                "reason": line["reason"], "requirement": "", "deadline": None, "progress": ""}

    for round_id in by_round:
        rnd = get_round(db, round_id)
        shares, unattributed = attribute(db, round_id)
        for share in shares:
            line = share["line"]
            if line["id"] in wanted and line["loss"] > EPS:
                out.append(task(unit_names[share["unit_id"]], rnd["name"], line, share["loss"]))
        for line in unattributed:
            if line["id"] in wanted and line["loss"] > EPS:
                out.append(task(UNATTRIBUTED_UNIT, rnd["name"], line, line["loss"]))
    out.sort(key=lambda t: t["unit"])
    for i, t in enumerate(out):
        t["seq"] = i + 1
    return ReportTable("整改任务清单", TASK_COLUMNS, out)
