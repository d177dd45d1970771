"""责任单位 from and to Excel.

Accepted column names (any order, header row found by name):
单位名称|单位全称|名称|责任单位 (required); 简称|单位简称; 单位类别|类别|单位性质|单位类型;
主要负责人|负责人|主要领导; 分管领导|分管负责人|分管负责同志; 联络员|联系人;
联系电话|电话|手机|联系方式|手机号码.
"""

from __future__ import annotations

from core import settings, units
from core.db import write
from core.errors import AppError
from core.xlsx.reader import Column, Problem, read_table
from core.text import clean_text
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


def parse_units(db, path) -> tuple[list[dict], list[Problem]]:
    """Read and validate a unit list; nothing is written."""
    table = read_table(path, COLUMNS)
    kinds = settings.vocab(db, "unit_kind")
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
        if data.get("kind") and data["kind"] not in kinds:
            problems.append(Problem(row.number, LABELS["kind"],
                                    f"未知的单位类别“{data['kind']}”，可选：{'、'.join(kinds)}"))
        parsed.append({"row": row.number, **data})
    if not parsed and not problems:
        raise AppError("文件中没有找到任何单位。请检查工作表中是否有“单位名称”列及其下方的数据。")
    return parsed, problems


def import_units(db, path, progress=None) -> dict:
    """Add new units and update changed ones, in one transaction; returns counts."""
    parsed, problems = parse_units(db, path)
    if problems:
        raise AppError(f"单位名单中有 {len(problems)} 处问题，未导入任何数据。请按问题清单修改后重新导入。",
                       problems=problems)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with write(db):
        resolver = units.resolver(db)
        for i, data in enumerate(parsed):
            data = {k: v for k, v in data.items() if k != "row"}
            hit = resolver.lookup(data["name"])
            if hit and hit[0] == "unit":
                current = units.get_unit(db, hit[1])
                changes = {k: v for k, v in data.items() if k != "name" and v and current.get(k) != v}
                if changes:
                    units.update_unit(db, hit[1], changes)
                    counts["updated"] += 1
                else:
                    counts["unchanged"] += 1
            elif hit:
                raise AppError(f"“{data['name']}”是单位分组的名称，不能作为单位导入。")
            else:
                data["kind"] = data.get("kind") or units.infer_kind(data["name"])
                units.create_unit(db, data, resolver)
                counts["created"] += 1
            if progress:
                progress(i + 1, len(parsed), data["name"])
    return counts


def export_units(db, path) -> None:
    headers = [units.FIELDS[k] for k in ("name", "short_name", "kind", "head", "leader", "liaison", "phone")]
    data = [[u["name"], u["short_name"], u["kind"], u["head"], u["leader"], u["liaison"], u["phone"]]
            for u in units.list_units(db)]
    write_workbook(path, [Sheet("责任单位", headers, data)])
