"""丢分分析 reports as tables (headers + rows) for the screen, Excel and PDF, and their .xlsx exports.

The same table feeds all three, so what the office sees is what it prints and sends.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core import scoring
from core.db import rows
from core.errors import AppError
from core.xlsx.writer import Sheet, write_workbook

REPORT_KINDS = {
    "unit": "按责任单位",
    "category": "按测评项目",
    "locality": "按属地",
    "site-type": "按点位类型",
    "standard": "失分最多的标准",
}
RATE_FORMAT = "0.00%"
POINTS_FORMAT = "0.##"
UNIT_HEADERS = ["责任单位", "应得分", "实得分", "失分", "得分率", "排名"]


@dataclass
class ReportTable:
    title: str
    headers: list[str]
    rows: list[list]
    number_formats: dict = field(default_factory=dict)
    aligns: list[str] = field(default_factory=list)  # for the PDF: left / right / centre per column
    row_ids: list = field(default_factory=list)  # what each row is about (a unit id), for the screen


def _points(value):
    """Points as a number Excel shows plainly (2 rather than 2.0)."""
    if value is None:
        return None
    value = round(value, 6)
    return int(value) if float(value).is_integer() else value


def _ranked_table(title: str, first: str, items: list[dict], extra=()) -> ReportTable:
    headers = [first, "应得分", "实得分", "失分", "得分率", "排名", *[h for h, _ in extra]]
    body = [[r["name"], _points(r["full"]), _points(r["score"]), _points(r["loss"]), r["rate"], r["rank"],
             *[get(r) for _, get in extra]] for r in items]
    formats = {"应得分": POINTS_FORMAT, "实得分": POINTS_FORMAT, "失分": POINTS_FORMAT, "得分率": RATE_FORMAT}
    return ReportTable(title, headers, body, formats, ["left"] + ["right"] * (len(headers) - 1),
                       [r.get("unit_id") for r in items])


def report_table(db, round_id: int, by: str) -> ReportTable:
    rnd = scoring.get_round(db, round_id)
    label = REPORT_KINDS.get(by)
    if label is None:
        raise AppError(f"未知的统计方式“{by}”。可选：{'、'.join(REPORT_KINDS)}。")
    title = f"{rnd['name']}失分统计（{label}）"
    if by == "unit":
        return _ranked_table(title, "责任单位", scoring.report_by_unit(db, round_id))
    if by == "standard":
        items = scoring.top_standards(db, round_id, limit=None)
        headers = ["标准编号", "测评项目", "测评标准 / 子项", "应得分", "失分", "失分点位数", "主要失分原因"]
        body = [[t["code"], t["category"], t["title"], _points(t["full"]), _points(t["loss"]), t["loss_lines"],
                 t["reasons"]] for t in items]
        return ReportTable(title, headers, body, {"应得分": POINTS_FORMAT, "失分": POINTS_FORMAT},
                           ["left", "left", "left", "right", "right", "right", "left"])
    first = scoring.GROUPINGS[by][0]
    return _ranked_table(title, first, scoring.report_by(db, round_id, by),
                         extra=[("测评条数", lambda r: r["lines"]), ("失分条数", lambda r: r["loss_lines"])])


LINE_HEADERS = ["测评项目", "标准编号", "子项", "点位", "点位类型", "属地", "满分", "得分", "失分", "责任单位", "问题描述"]


def _line_row(line: dict) -> list:
    return [line["category_name"], line["code"], line["item"], line["site"], line["site_type"], line["locality"],
            _points(line["full_points"]), _points(line["score"]), _points(line["loss"]), line["unit_names"],
            line["reason"]]


def unit_page_table(db, round_id: int, unit_id: int) -> ReportTable:
    """A unit's own page: every loss it is accountable for, with its 点位 and reason."""
    from core import units

    unit = units.get_unit(db, unit_id)
    rnd = scoring.get_round(db, round_id)
    losses = scoring.unit_losses(db, round_id, unit_id)
    headers = ["测评项目", "标准编号", "点位", "属地", "失分", "问题描述", "责任方式"]
    body = [[x["category_name"], x["code"], x["site"] or x["item"], x["locality"], _points(x["share_loss"]),
             x["reason"], x["how"]] for x in losses]
    return ReportTable(f"{unit['name']}失分明细（{rnd['name']}）", headers, body, {"失分": POINTS_FORMAT},
                       ["left", "left", "left", "left", "right", "left", "centre"])


def export_report(db, round_id: int, by: str, path, progress=None, cancel=None) -> int:
    table = report_table(db, round_id, by)
    sheets = [Sheet(REPORT_KINDS[by], table.headers, table.rows, table.number_formats)]
    if by == "unit":
        missing = scoring.unattributed_losses(db, round_id)
        if missing:
            sheets.append(Sheet("无责任单位的失分", LINE_HEADERS, [_line_row(x) for x in missing],
                                {"满分": POINTS_FORMAT, "得分": POINTS_FORMAT, "失分": POINTS_FORMAT}))
    write_workbook(path, sheets, progress=progress, cancel=cancel)
    return len(table.rows)


def export_unit_page(db, round_id: int, unit_id: int, path) -> int:
    table = unit_page_table(db, round_id, unit_id)
    write_workbook(path, [Sheet("失分明细", table.headers, table.rows, table.number_formats)])
    return len(table.rows)


def compare_tables(db, from_id: int, to_id: int) -> list[ReportTable]:
    """The comparison of two rounds: per unit, per 测评项目, new losses and fixed losses."""
    result = scoring.compare_rounds(db, from_id, to_id)
    a, b = result["from"]["name"], result["to"]["name"]
    change_headers = [f"{a}得分率", f"{b}得分率", "得分率变化", f"{a}失分", f"{b}失分", "失分变化",
                      f"{a}排名", f"{b}排名", "名次变化"]

    def change(rows, first):
        body = [[r["name"], r["from_rate"], r["to_rate"], r["rate_change"], _points(r["from_loss"]),
                 _points(r["to_loss"]), _points(r["loss_change"]), r["from_rank"], r["to_rank"], r["rank_change"]]
                for r in rows]
        formats = {1: RATE_FORMAT, 2: RATE_FORMAT, 3: "+0.00%;-0.00%;0.00%", 4: POINTS_FORMAT, 5: POINTS_FORMAT,
                   6: "+0.##;-0.##;0"}
        return [first, *change_headers], body, formats

    unit_headers, unit_rows, formats = change(result["units"], "责任单位")
    cat_headers, cat_rows, _ = change(result["categories"], "测评项目")
    line_formats = {"满分": POINTS_FORMAT, "得分": POINTS_FORMAT, "失分": POINTS_FORMAT}
    return [
        ReportTable("按责任单位", unit_headers, unit_rows, formats),
        ReportTable("按测评项目", cat_headers, cat_rows, formats),
        ReportTable(f"新增失分（{b}）", LINE_HEADERS, [_line_row(x) for x in result["new_losses"]], line_formats),
        ReportTable(f"已整改（{a}失分）", LINE_HEADERS, [_line_row(x) for x in result["fixed_losses"]], line_formats),
    ]


def export_compare(db, from_id: int, to_id: int, path, progress=None, cancel=None) -> list[ReportTable]:
    tables = compare_tables(db, from_id, to_id)
    write_workbook(path, [Sheet(t.title, t.headers, t.rows, t.number_formats) for t in tables],
                   progress=progress, cancel=cancel)
    return tables


TASK_HEADERS = ["序号", "责任单位", "测评轮次", "测评项目", "标准编号", "点位", "属地", "失分", "问题描述",
                "整改要求", "完成时限", "整改情况"]


def task_rows(db, line_ids: list[int]) -> list[list]:
    """Selected loss lines as 整改 tasks, one per accountable unit (the 督查 area will take these over)."""
    wanted = set(line_ids)
    unit_names = {u["id"]: u["name"] for u in rows(db, "SELECT id, name FROM units")}
    out = []
    by_round: dict[int, list[int]] = {}
    for line_id in line_ids:
        by_round.setdefault(scoring.get_line(db, line_id)["round_id"], []).append(line_id)
    for round_id in by_round:
        rnd = scoring.get_round(db, round_id)
        shares, unattributed = scoring.attribute(db, round_id)
        for share in shares:
            line = share["line"]
            if line["id"] in wanted and line["loss"] > scoring.EPS:
                out.append([unit_names[share["unit_id"]], rnd["name"], line["category_name"], line["code"], line["site"] or line["item"],
                            line["locality"], _points(share["loss"]), line["reason"], "", None, ""])
        for line in unattributed:
            if line["id"] in wanted and line["loss"] > scoring.EPS:
                out.append(["（待明确责任单位）", rnd["name"], line["category_name"], line["code"],
                            line["site"] or line["item"], line["locality"], _points(line["loss"]), line["reason"],
                            "", None, ""])
    out.sort(key=lambda r: r[0])
    return [[i + 1, *r] for i, r in enumerate(out)]


def export_tasks(db, line_ids: list[int], path) -> int:
    if not line_ids:
        raise AppError("请先在成绩明细中选择要整改的失分记录。")
    body = task_rows(db, line_ids)
    if not body:
        raise AppError("所选记录都没有失分，无需生成整改任务。")
    write_workbook(path, [Sheet("整改任务清单", TASK_HEADERS, body, {"失分": POINTS_FORMAT, "完成时限": "yyyy-mm-dd"},
                                widths={"问题描述": 40, "整改要求": 30})])
    return len(body)
