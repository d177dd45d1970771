"""督查督办 workbooks in and out: the sheet of findings (read for core.supervision to check and
write, and the list exported), the holiday schedule, the 通报 as .xlsx and any list of the page.

Accepted column names of the findings sheet (any order; the header row is found by name):
  编号|问题编号 (the finding's number, as findings-export writes it; blank for a new finding)
  发现日期|检查日期|督查日期|日期 (required)      来源|问题来源|督查方式
  点位|点位名称|检查点位|地点 (required)          点位类型|类型
  属地|所属街道|街道                              标准编号|测评标准编号|指标编号
  问题描述|存在问题|问题|问题内容 (required)      责任单位|主责单位|整改单位
  配合单位|协办单位                                严重程度|问题等级|等级
  整改时限|整改期限|时限 (a number of working days, or a date)
The export's other columns (状态, 督办次数 …) are for reading only; an import does not read them.
"""

from __future__ import annotations

import datetime as dt

from core.errors import AppError
from core.text import clean_text, parse_date
from core.xlsx.reader import Column, Problem, TableRead, read_table
from core.xlsx.writer import Sheet, write_workbook

# --- findings ------------------------------------------------------------------------------------

COLUMNS = [
    Column("id", ("编号", "问题编号")),
    Column("found_on", ("发现日期", "检查日期", "督查日期", "日期"), required=True),
    Column("source", ("来源", "问题来源", "督查方式")),
    Column("site", ("点位", "点位名称", "检查点位", "地点"), required=True),
    Column("site_type", ("点位类型", "类型")),
    Column("locality", ("属地", "所属街道", "街道")),
    Column("code", ("标准编号", "测评标准编号", "指标编号")),
    Column("description", ("问题描述", "存在问题", "问题", "问题内容"), required=True, free_text=True),
    Column("unit", ("责任单位", "主责单位", "整改单位")),
    Column("support", ("配合单位", "协办单位")),
    Column("severity", ("严重程度", "问题等级", "等级")),
    Column("limit", ("整改时限", "整改期限", "时限")),
]
LABELS = {c.key: c.names[0] for c in COLUMNS}

EXPORT_HEADERS = ["编号", "发现日期", "来源", "点位", "点位类型", "属地", "标准编号", "问题描述", "责任单位",
                  "配合单位", "严重程度", "整改时限", "状态", "督办次数", "通知单文号", "是否逾期", "挂牌督办"]


def read_findings(path, progress=None, cancel=None) -> TableRead:
    """The rows of a findings sheet, cells as written (core.supervision checks them)."""
    return read_table(path, COLUMNS, progress=progress, cancel=cancel)


def deadline_cell(f: dict):
    """整改时限 as the export writes it and an import reads it back: the deadline once set, else what
    was entered (a date or a number of working days), blank for the default by severity."""
    if f["due_on"] or f["requested_due"]:
        return dt.date.fromisoformat(f["due_on"] or f["requested_due"])
    return f"{f['limit_days']}个工作日" if f["limit_days"] else None


def export_rows(found: list[dict]) -> list[list]:
    return [[f["id"], dt.date.fromisoformat(f["found_on"]), f["source"], f["site"], f["site_type"],
             f["locality"], f["standard_code"], f["description"], f["unit"], f["support"], f["severity"],
             deadline_cell(f), f["status"], f["supervision_count"], f["notice_number"],
             "是" if f["overdue"] else "", f["flag_reasons"]] for f in found]


def write_findings(path, found: list[dict], progress=None, cancel=None) -> int:
    """The finding list as an .xlsx that imports back unchanged."""
    write_workbook(path, [Sheet("督查问题", EXPORT_HEADERS, export_rows(found))], progress=progress, cancel=cancel)
    return len(found)


def export_table(path, title: str, headers: list[str], keys: list[str], data: list[dict]) -> int:
    """Any list of the page as it is shown (units owed, notices, 点位)."""
    write_workbook(path, [Sheet(title, headers, [[r.get(k) for k in keys] for r in data])])
    return len(data)


# --- the holiday schedule --------------------------------------------------------------------------

SCHEDULE_COLUMNS = [
    Column("day", ("日期", "放假日期", "时间"), required=True),
    Column("kind", ("类型", "安排", "放假/上班", "上班/放假"), required=True),
    Column("name", ("名称", "节日", "节假日", "说明"), free_text=True),
]
_HOLIDAY_WORDS = {"放假", "休", "休息", "假", "节假日", "休假"}
_WORK_WORDS = {"上班", "班", "调休上班", "补班", "工作日"}


def read_schedule(path, year: int) -> tuple[list[tuple[dt.date, str]], list[tuple[dt.date, str]]]:
    """The State Council's schedule of one year (日期, 类型 放假/上班, 名称): (holidays, working days),
    each [(date, name)]; AppError listing every problem of the sheet."""
    table = read_table(path, SCHEDULE_COLUMNS)
    problems, holidays, workdays = [], [], []
    for row in table.rows:
        try:
            day = parse_date(row.values.get("day"))
        except ValueError as exc:
            problems.append(Problem(row.number, "日期", str(exc)))
            continue
        kind = clean_text(row.values.get("kind"))
        if day is None:
            continue
        if day.year != year:
            problems.append(Problem(row.number, "日期", f"{day.isoformat()} 不在 {year} 年内"))
        if kind in _HOLIDAY_WORDS:
            holidays.append((day, clean_text(row.values.get("name"))))
        elif kind in _WORK_WORDS:
            workdays.append((day, clean_text(row.values.get("name"))))
        else:
            problems.append(Problem(row.number, "类型", f"无法识别“{kind}”，请填写“放假”或“上班”"))
    if problems:
        raise AppError(f"放假安排中有 {len(problems)} 处问题，未导入。", problems=problems)
    if not holidays:
        raise AppError("文件中没有放假日期。请每个放假日一行，类型写“放假”；调休上班日类型写“上班”。")
    return holidays, workdays


# --- 通报 ----------------------------------------------------------------------------------------

def write_bulletin(path, data: dict, progress=None, cancel=None) -> None:
    """The 通报 of core.supervision.bulletin_data as a workbook: the summary and every list in full."""
    c = data["counts"]
    summary = [["统计期间", data["period"]], ["统计截至", data["as_of"]], ["新发现问题", c["new"]],
               ["其中现场整改", c["on_spot"]], ["销号", c["closed"]], ["未销号", c["open"]],
               ["逾期未整改", c["overdue"]], ["挂牌督办", c["flagged"]]]
    day = dt.date.fromisoformat
    sheets = [
        Sheet("概况", ["项目", "数量"], summary),
        Sheet("新发现问题", ["编号", "发现日期", "点位", "问题描述", "责任单位", "状态"],
              [[f["id"], day(f["found_on"]), f["site"], f["description"], f["unit"], f["status"]] for f in data["new"]]),
        Sheet("销号问题", ["编号", "销号日期", "点位", "问题描述", "责任单位"],
              [[f["id"], day(f["closed_on"]), f["site"], f["description"], f["unit"]] for f in data["closed"]]),
        Sheet("逾期未整改", ["编号", "整改期限", "点位", "问题描述", "责任单位"],
              [[f["id"], day(f["due_on"]), f["site"], f["description"], f["unit"]] for f in data["overdue"]]),
        Sheet("挂牌督办", ["编号", "点位", "问题描述", "责任单位", "挂牌原因"],
              [[f["id"], f["site"], f["description"], f["unit"], f["flag_reasons"]] for f in data["flagged"]]),
        Sheet("单位排名" if data["ranked_by"] == "责任单位" else "推进组排名",
              ["排名", data["ranked_by"], "未销号问题", "逾期问题", "挂牌督办"],
              [[r["rank"], r["name"], r["open"], r["overdue"], r["flagged"]] for r in data["ranking"]]),
    ]
    for sheet in sheets:
        sheet.print_title = f"创城督查通报（{data['period']}）{sheet.title}"
    write_workbook(path, sheets, progress=progress, cancel=cancel)
