"""测评达标责任分解表 from and to Excel: the file only (the framework area checks the units and
methods against the ledger and writes).

Accepted column names (any order; the header row is found by name, also a two-row merged header):
  测评项目|一级指标|项目 (required)        测评内容|二级指标|测评指标
  测评标准|三级指标|标准内容|具体标准 (required)    标准编号|编号|指标编号 (required)
  测评方法|测评方式|考核方式              分值|分值（分）|分数
  牵头单位|主责单位|责任单位 (required)    配合单位|协办单位|协同单位|参与单位
  专项推进组|推进组|工作组                完成时限|时限|完成时间
  负面清单 (是/否, √, Y)
Multi-unit cells are split on 、，,；;／/ and line breaks; group names (各街道办事处 …) stay names
for the area to resolve. Columns missing from a file leave those fields of existing standards as
they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from core.errors import AppError, Cancelled
from core.text import clean_text, parse_date, parse_month_end, parse_points, split_multi
from core.xlsx.reader import GRAND_TOTALS, Column, Problem, read_table, total_label
from core.xlsx.writer import Sheet, write_workbook

COLUMNS = [
    Column("category", ("测评项目", "一级指标", "项目"), required=True),
    Column("indicator", ("测评内容", "二级指标", "测评指标"), free_text=True),
    Column("title", ("测评标准", "三级指标", "标准内容", "具体标准"), required=True, free_text=True),
    Column("code", ("标准编号", "编号", "指标编号"), required=True),
    Column("methods", ("测评方法", "测评方式", "考核方式")),
    Column("points", ("分值", "分值（分）", "分数")),
    Column("lead", ("牵头单位", "主责单位", "责任单位"), required=True),
    Column("support", ("配合单位", "协办单位", "协同单位", "参与单位")),
    Column("working_group", ("专项推进组", "推进组", "工作组")),
    Column("deadline", ("完成时限", "时限", "完成时间")),
    Column("negative", ("负面清单",)),
]
LABELS = {c.key: c.names[0] for c in COLUMNS}
EXPORT_HEADERS = ["标准编号", "测评项目", "测评内容", "测评标准", "测评方法", "分值", "牵头单位", "配合单位",
                  "专项推进组", "完成时限", "负面清单"]
ROLES = ("lead", "support")
_YES = {"是", "√", "✓", "y", "yes", "1", "true", "负面清单", "有"}


@dataclass
class ParsedFramework:
    """The standards of a file in its order, each {'row', 'code', 'title', 'category',
    'indicator', 'lead': [names], 'support': [names]} plus the optional columns found."""

    rows: list[dict]
    columns: set[str]
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # read, and imported all the same


def read_framework(path, known_methods: list[str], cancel=None) -> ParsedFramework:
    """Read and check the whole file; a method must be one of known_methods (the office's words)."""
    table = read_table(path, COLUMNS)
    result = ParsedFramework(rows=[], columns=set(table.columns_found))
    problems = result.problems
    seen_codes: dict[str, int] = {}
    totals: list[tuple[int, str, dict]] = []
    for row in table.rows:
        if cancel and cancel():
            raise Cancelled()
        v = row.values
        n = row.number
        total = total_label(v, ("category", "indicator", "code", "title"))
        if total:
            totals.append((n, total, v))
            continue
        code = "".join(clean_text(v.get("code")).split())
        title = clean_text(v.get("title"))
        category = clean_text(v.get("category"))
        if not (code or title):
            continue  # a row with only category text left over from merged cells
        if not code:
            problems.append(Problem(n, LABELS["code"], "缺少标准编号"))
        elif code in seen_codes:
            problems.append(Problem(n, LABELS["code"], f"标准编号“{code}”与第 {seen_codes[code]} 行重复"))
        else:
            seen_codes[code] = n
        if not title:
            problems.append(Problem(n, LABELS["title"], "测评标准内容为空"))
        if not category:
            problems.append(Problem(n, LABELS["category"], "测评项目为空"))
        item = {"row": n, "code": code, "title": title, "category": category,
                "indicator": clean_text(v.get("indicator")) or category}
        if "methods" in result.columns:
            methods = split_multi(clean_text(v.get("methods")))
            for m in methods:
                if m not in known_methods:
                    problems.append(Problem(n, LABELS["methods"],
                                            f"未知的测评方法“{m}”，可选：{'、'.join(known_methods)}"))
            item["methods"] = "、".join(methods)
        if "points" in result.columns:
            try:
                points = parse_points(v.get("points"))
                if points is not None and points < 0:
                    problems.append(Problem(n, LABELS["points"], f"分值不能为负数：{points:g}"))
                item["points"] = points
            except ValueError as exc:
                problems.append(Problem(n, LABELS["points"], str(exc)))
        if "working_group" in result.columns:
            item["working_group"] = clean_text(v.get("working_group"))
        if "deadline" in result.columns:
            raw = v.get("deadline")
            try:
                d = parse_month_end(raw) or parse_date(raw)
                item["deadline"] = d.isoformat() if d else ""
            except ValueError:
                item["deadline"] = clean_text(raw)  # other free text ("长期坚持") is kept as written
        if "negative" in result.columns:
            item["negative"] = int(clean_text(v.get("negative")).lower() in _YES)
        for role in ROLES:
            item[role] = split_multi(clean_text(v.get(role))) if role in result.columns else []
        result.rows.append(item)
    if not result.rows and not result.problems:
        raise AppError("文件中没有找到任何测评标准。请检查表头下方是否有数据。")
    result.warnings = _check_totals(totals, result)
    return result


def _check_totals(totals: list[tuple[int, str, dict]], result: ParsedFramework) -> list[str]:
    """A 合计/总计 row's 分值 against the sum of the standards read; a 小计 covers an unknown part."""
    warnings = []
    for n, label, values in totals:
        try:
            stated = parse_points(values.get("points"))
        except ValueError:
            stated = None
        if label not in GRAND_TOTALS or stated is None or "points" not in result.columns:
            warnings.append(f"第 {n} 行是“{label}”行，已跳过。")
            continue
        summed = sum(r.get("points") or 0 for r in result.rows)
        warnings.append(f"第 {n} 行是“{label}”行，已跳过" + (
            f"；但它的分值 {stated:g} 与各标准分值之和 {summed:g} 不符，请核对文件。" if abs(summed - stated) > 1e-6
            else "，与各标准分值之和一致。"))
    return warnings


def write_framework(path, rows: list[list], progress=None, cancel=None) -> int:
    """The 分解表 rows (in EXPORT_HEADERS' order) as a workbook that imports back unchanged."""
    rows = [[*row[:9], _deadline_cell(row[9]), "是" if row[10] else ""] for row in rows]
    write_workbook(path, [Sheet("责任分解表", EXPORT_HEADERS, rows, number_formats={"完成时限": "yyyy-mm-dd"})],
                   progress=progress, cancel=cancel)
    return len(rows)


def _deadline_cell(deadline: str):
    """完成时限 as kept: a date becomes a real date cell; words ("长期坚持") stay words."""
    try:
        return dt.date.fromisoformat(deadline) if deadline else None
    except ValueError:
        return deadline
