"""丢分分析 workbooks: a 测评轮次's results read from Excel, and the reports written to it. Files only:
core/scoring matches what is read to the framework and the units, and writes the ledger.

Results come in either of the two forms offices receive:
(a) per standard:  标准编号 (required), 满分, 得分, 失分, 失分原因 — the office's own 自查 sheet.
(b) per 点位, as third-party reports deliver them: 测评项目 (and 子项 or 标准编号 when present), 点位,
    点位类型, 属地 (街道), 满分|应得分, 得分|实得分, 失分|扣分, 责任单位 (one or several), 问题描述.
A file with a 点位 column is form (b). Accepted column names (any order, header found by name):
  标准编号|指标编号|编号            测评项目|项目|一级指标|测评项目名称
  子项|测评子项|测评内容|测评指标|二级指标     点位|点位名称|测评点位|实地点位
  点位类型|点位类别|点位分类        属地|属地街道|所属街道|街道|属地（街道）|所在街道
  满分|应得分|分值|标准分|满分值     得分|实得分|实际得分
  失分|扣分|扣分值|失分值           责任单位|责任部门|整改责任单位|责任主体
  失分原因|问题描述|扣分原因|存在问题|问题
Any two of 满分/得分/失分 give the third (a standard's 分值 stands for a missing 满分); rows of
负面清单 standards record deductions with 满分 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.errors import AppError, Cancelled
from core.scoring.importing import FORM_PER_SITE, FORM_PER_STANDARD
from core.scoring.tables import DATE, POINTS, POINTS_CHANGE, RATE, RATE_CHANGE
from core.text import clean_text, parse_points, split_multi
from core.xlsx.reader import GRAND_TOTALS, Column, Problem, read_table, total_label
from core.xlsx.writer import Sheet, write_workbook

COLUMNS = [
    Column("code", ("标准编号", "指标编号", "编号")),
    Column("category", ("测评项目", "项目", "一级指标", "测评项目名称")),
    Column("item", ("子项", "测评子项", "测评内容", "测评指标", "二级指标")),
    Column("site", ("点位", "点位名称", "测评点位", "实地点位")),
    Column("site_type", ("点位类型", "点位类别", "点位分类")),
    Column("locality", ("属地", "属地街道", "所属街道", "街道", "属地（街道）", "所在街道")),
    Column("full_points", ("满分", "应得分", "分值", "标准分", "满分值")),
    Column("score", ("得分", "实得分", "实际得分")),
    Column("loss", ("失分", "扣分", "扣分值", "失分值")),
    Column("units", ("责任单位", "责任部门", "整改责任单位", "责任主体")),
    Column("reason", ("失分原因", "问题描述", "扣分原因", "存在问题", "问题"), free_text=True),
]
LABELS = {c.key: c.names[0] for c in COLUMNS}
NUMBER_KEYS = ("full_points", "score", "loss")
TEXT_KEYS = ("code", "category", "item", "site", "site_type", "locality", "reason")
# The program's names of the columns a line's check may name, and the file's column each stands for.
_COLUMN_KEYS = {"满分": "full_points", "得分": "score", "失分": "loss", "标准编号": "code", "测评项目": "category",
                "责任单位": "units", "点位类型": "site_type"}
NUMBER_FORMATS = {POINTS: "0.##", RATE: "0.00%", RATE_CHANGE: "+0.00%;-0.00%;0.00%", POINTS_CHANGE: "+0.##;-0.##;0",
                  DATE: "yyyy-mm-dd"}


@dataclass
class ResultsFile:
    """What a results file holds: its form, its rows (values as typed, numbers read; `source_row`
    the sheet's row; `unreadable_number` when a number cell is reported already) and the problems
    found in the cells."""

    form: str
    rows: list[dict]
    problems: list[Problem]
    columns_found: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # read, and imported all the same

    def label(self, column: str) -> str:
        """A column as the file names it (应得分 rather than 满分), so the user finds it."""
        key = _COLUMN_KEYS.get(column)
        return self.columns_found.get(key, column) if key else column


def read_results(path, progress=None, cancel=None) -> ResultsFile:
    """Read the whole file and check its cells. Raises AppError when the file cannot hold results."""
    table = read_table(path, COLUMNS, progress=progress, cancel=cancel)
    found = set(table.columns_found)
    form = FORM_PER_SITE if "site" in found else FORM_PER_STANDARD
    if form == FORM_PER_STANDARD and "code" not in found:
        raise AppError("文件中没有“标准编号”列（按标准导入），也没有“点位”列（按点位导入）。"
                       "请检查表头，列名写法见帮助。")
    if sum(k in found for k in NUMBER_KEYS) < 2 and not (form == FORM_PER_STANDARD and {"score", "loss"} & found):
        raise AppError("文件中至少要有满分、得分、失分中的两列（按标准导入时可只有得分或失分，满分取标准分值）。")
    result = ResultsFile(form, [], [], dict(table.columns_found))
    seen_codes: dict[str, int] = {}
    totals: list[tuple[int, str, dict]] = []
    for i, row in enumerate(table.rows):
        if cancel and i % 1000 == 0 and cancel():
            raise Cancelled()
        v = row.values
        if not any(clean_text(v.get(k)) for k in ("code", "category", "item", "site", *NUMBER_KEYS)):
            continue  # a row holding only a unit or a remark
        total = total_label(v, ("category", "code", "item", "site", "locality"))
        if total:
            totals.append((row.number, total, v))
            continue
        data = {k: clean_text(v.get(k)) for k in TEXT_KEYS}
        data.update(units=split_multi(v.get("units")), source_row=row.number, unreadable_number=False)
        for key in NUMBER_KEYS:
            try:
                data[key] = parse_points(v.get(key))
            except ValueError as exc:
                result.problems.append(Problem(row.number, table.columns_found.get(key, LABELS[key]), str(exc)))
                data[key], data["unreadable_number"] = None, True
        if form == FORM_PER_STANDARD:
            code = "".join(data["code"].split())
            if not code:
                result.problems.append(Problem(row.number, LABELS["code"], "缺少标准编号"))
                continue
            if code in seen_codes:
                result.problems.append(Problem(row.number, LABELS["code"],
                                               f"标准编号“{code}”与第 {seen_codes[code]} 行重复"))
            seen_codes.setdefault(code, row.number)
        result.rows.append(data)
    if not result.rows and not result.problems:
        raise AppError("文件中没有找到任何成绩数据。请检查表头下方是否有数据行。")
    result.warnings = _check_totals(totals, result)
    return result


def _check_totals(totals: list[tuple[int, str, dict]], result: ResultsFile) -> list[str]:
    """A 合计/总计 row's numbers against the sum of the rows read; a 小计 covers an unknown part."""
    warnings = []
    for number, label, values in totals:
        if label not in GRAND_TOTALS:
            warnings.append(f"第 {number} 行是“{label}”行，已跳过。")
            continue
        differences = []
        for key in NUMBER_KEYS:
            try:
                stated = parse_points(values.get(key))
            except ValueError:
                stated = None
            if stated is None or any(r[key] is None for r in result.rows):
                continue  # a column some rows leave to be computed has no sum to check
            summed = sum(r[key] or 0 for r in result.rows)
            if abs(summed - stated) > 1e-6:
                differences.append(f"{result.columns_found.get(key, LABELS[key])} {stated:g}，各行之和为 {summed:g}")
        warnings.append(f"第 {number} 行是“{label}”行，已跳过" + (
            f"；但它与各行之和不符（{'；'.join(differences)}），请核对文件。" if differences else "，与各行之和一致。"))
    return warnings


def write_tables(path, sheets: list[tuple], progress=None, cancel=None) -> None:
    """Report tables (core.scoring.tables.ReportTable) as sheets: (sheet name, table) pairs. Numbers
    are formatted by what each column holds."""
    write_workbook(path, [Sheet(name, table.headers, table.values(),
                                {i: NUMBER_FORMATS[c.kind] for i, c in enumerate(table.columns)
                                 if c.kind in NUMBER_FORMATS},
                                {i: c.width for i, c in enumerate(table.columns) if c.width})
                          for name, table in sheets], progress=progress, cancel=cancel)
