"""责任单位 from and to Excel: the file only (the units area checks names and writes).

Accepted column names (any order, header row found by name):
单位名称|单位全称|名称|责任单位 (required); 简称|单位简称; 单位类别|类别|单位性质|单位类型;
主要负责人|负责人|主要领导; 分管领导|分管负责人|分管负责同志; 联络员|联系人;
联系电话|电话|手机|联系方式|手机号码.
"""

from __future__ import annotations

from core.errors import AppError
from core.text import clean_text
from core.xlsx.reader import Column, Problem, read_table
from core.xlsx.writer import Sheet, write_workbook

COLUMNS = [
    Column("name", ("单位名称", "单位全称", "名称", "责任单位"), required=True),
    Column("short_name", ("简称", "单位简称")),
    Column("kind", ("单位类别", "类别", "单位性质", "单位类型")),
    Column("head", ("主要负责人", "负责人", "主要领导")),
    Column("leader", ("分管领导", "分管负责人", "分管负责同志")),
    Column("liaison", ("联络员", "联系人")),
    Column("phone", ("联系电话", "电话", "手机", "联系方式", "手机号码")),
]
LABELS = {c.key: c.names[0] for c in COLUMNS}
EXPORT_KEYS = [c.key for c in COLUMNS]


def read_units(path, known_kinds: list[str]) -> tuple[list[dict], list[Problem]]:
    """The units of a list ({'row', and the columns found}) and every problem in it; a kind must
    be one of known_kinds (the office's word list)."""
    table = read_table(path, COLUMNS)
    parsed, problems, seen = [], [], {}
    for row in table.rows:
        data = {key: clean_text(row.values.get(key)) for key in table.columns_found}
        name = data.get("name", "")
        if not name:
            if any(data.values()):
                problems.append(Problem(row.number, LABELS["name"], "单位名称为空"))
            continue
        if name in seen:
            problems.append(Problem(row.number, LABELS["name"], f"单位“{name}”与第 {seen[name]} 行重复"))
            continue
        seen[name] = row.number
        if data.get("kind") and data["kind"] not in known_kinds:
            problems.append(Problem(row.number, LABELS["kind"],
                                    f"未知的单位类别“{data['kind']}”，可选：{'、'.join(known_kinds)}"))
        parsed.append({"row": row.number, **data})
    if not parsed and not problems:
        raise AppError("文件中没有找到任何单位。请检查工作表中是否有“单位名称”列及其下方的数据。")
    return parsed, problems


def write_units(path, units: list[dict]) -> None:
    """The units as a list that imports back unchanged."""
    data = [[u[key] for key in EXPORT_KEYS] for u in units]
    write_workbook(path, [Sheet("责任单位", [LABELS[key] for key in EXPORT_KEYS], data)])
