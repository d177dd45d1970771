"""问卷调查 results from Excel: 标准编号, 指标 (知晓率/满意率/支持率), 目标值, 实际值 — title rows and
any column order allowed. Files only: core/scoring/surveys.py checks the rows and writes them."""

from __future__ import annotations

from core.xlsx.reader import Column, read_table

COLUMNS = [
    Column("code", ("标准编号", "指标编号", "编号"), required=True),
    Column("indicator", ("指标", "调查指标", "问卷指标"), required=True),
    Column("target", ("目标值", "目标", "目标率")),
    Column("actual", ("实际值", "实际", "调查结果", "实际率"), required=True),
]
LABELS = {c.key: c.names[0] for c in COLUMNS}


def read_survey(path) -> list[tuple[int, dict]]:
    """(the sheet's row number, the row's values by key) for every data row."""
    table = read_table(path, COLUMNS)
    return [(row.number, row.values) for row in table.rows]
