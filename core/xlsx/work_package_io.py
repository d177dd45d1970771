"""A unit's 工作包 return workbook (回执) — the file only (core.units.work_package decides what goes in
and what a return means for the ledger).

Sheets, in this order:
  说明      项目 | 内容: the unit, the 工作包编号 the import reads, and what to fill and how to return it
  督查问题  the unit's open findings; it fills 整改情况, 完成日期 and 整改后照片 (file names)
  档案材料  the materials it submits: the 报送模板 columns of core.xlsx.materials_io
  责任书    its 目标责任书 of the year; it fills 签字人, 签订日期 and 扫描件 (file name)
  任务清单  its 责任分工 (lead and supporting standards), to check, not to fill

Accepted column names when reading back (each sheet found by its name):
  说明      项目, 内容
  督查问题  问题编号|编号 (required), 整改情况|整改措施, 完成日期|整改完成日期, 整改后照片|照片
  责任书    年度 (required), 签字人, 签订日期, 扫描件|签订扫描件
"""

from __future__ import annotations

import datetime as dt

from core.xlsx import materials_io
from core.xlsx.reader import Column, read_table
from core.xlsx.writer import Sheet, write_workbook

NOTES_SHEET, FINDINGS_SHEET, MATERIALS_SHEET, LETTER_SHEET, TASKS_SHEET = "说明", "督查问题", "档案材料", "责任书", "任务清单"
UNIT_ITEM, PACKAGE_ITEM, YEAR_ITEM, EDITION_ITEM = "责任单位", "工作包编号", "年度", "测评体系版本"

NOTE_COLUMNS = [Column("item", ("项目",), required=True), Column("value", ("内容",), free_text=True)]
FINDING_COLUMNS = [
    Column("finding_id", ("问题编号", "编号"), required=True),
    Column("feedback", ("整改情况", "整改措施"), free_text=True),
    Column("done_on", ("完成日期", "整改完成日期")),
    Column("photos", ("整改后照片", "照片")),
]
LETTER_COLUMNS = [
    Column("year", ("年度",), required=True),
    Column("signer", ("签字人",)),
    Column("signed_on", ("签订日期",)),
    Column("scan", ("扫描件", "签订扫描件")),
]
FINDING_LABELS = {c.key: c.names[0] for c in FINDING_COLUMNS}
LETTER_LABELS = {c.key: c.names[0] for c in LETTER_COLUMNS}

# What the written sheets hold: (key of the row given, header). The unit fills the last three.
FINDING_LAYOUT = (("id", "问题编号"), ("found_on", "发现日期"), ("site", "点位"), ("description", "问题描述"),
                 ("standard", "测评标准"), ("notice_number", "督办通知单"), ("assigned_on", "交办日期"),
                 ("due_on", "整改期限"), ("status", "状态"), ("feedback", "整改情况"), ("done_on", "完成日期"),
                 ("photos", "整改后照片"))
LETTER_LAYOUT = (("year", "年度"), ("unit_name", "责任单位"), ("state", "签订状态"), ("task_count", "任务数"),
                ("signed_by", "签字人"), ("signed_on", "签订日期"), ("scan", "扫描件"))
TASK_LAYOUT = (("number", "序号"), ("code", "标准编号"), ("title", "测评标准"), ("role_name", "责任类型"),
              ("points", "分值"), ("deadline", "完成时限"))
_DATE_KEYS = {"found_on", "assigned_on", "due_on", "signed_on", "done_on"}


def _cell(key: str, value):
    if key in _DATE_KEYS:
        return dt.date.fromisoformat(value) if value else None
    return value


def _rows(columns, rows):
    return [[_cell(key, r.get(key)) for key, _ in columns] for r in rows]


def _headers(columns) -> list[str]:
    return [label for _, label in columns]


def write_return_workbook(path, notes: list[tuple[str, str]], findings: list[dict], materials: list[dict],
                          letter: dict | None, tasks: list[dict], progress=None, cancel=None) -> None:
    """The 回执 with its five sheets. notes: (项目, 内容) rows of 说明."""
    template = materials_io.TEMPLATE_SHEET
    sheets = [
        Sheet(NOTES_SHEET, ["项目", "内容"], [list(n) for n in notes], widths={"项目": 16, "内容": 90},
              print_title="工作包填写说明"),
        Sheet(FINDINGS_SHEET, _headers(FINDING_LAYOUT), _rows(FINDING_LAYOUT, findings),
              number_formats={"问题编号": "0"},
              widths={"点位": 18, "问题描述": 40, "测评标准": 24, "督办通知单": 22, "整改情况": 40, "整改后照片": 24},
              landscape=True),
        Sheet(MATERIALS_SHEET, _headers(template), materials_io.template_rows(materials),
              number_formats={"材料编号": "@"},
              widths={"测评标准": 36, "材料名称": 28, "材料要求": 36, "文件名": 30, "题名": 36, "说明": 24,
                      "照片地点": 18, "照片人物": 18, "照片事由": 24}, landscape=True),
        Sheet(LETTER_SHEET, _headers(LETTER_LAYOUT), _rows(LETTER_LAYOUT, [letter] if letter else []),
              widths={"责任单位": 28, "扫描件": 30}),
        Sheet(TASKS_SHEET, _headers(TASK_LAYOUT), _rows(TASK_LAYOUT, tasks), widths={"测评标准": 60}),
    ]
    write_workbook(path, sheets, progress=progress, cancel=cancel)


def read_notes(path) -> dict[str, tuple[int, str]]:
    """说明: 项目 → (row number, 内容 as text)."""
    table = read_table(path, NOTE_COLUMNS, sheet_names=[NOTES_SHEET])
    out = {}
    for row in table.rows:
        item = "".join(str(row.values.get("item") or "").split())
        value = row.values.get("value")
        out.setdefault(item, (row.number, "" if value is None else str(value).strip()))
    return out


def read_findings(path):
    return read_table(path, FINDING_COLUMNS, sheet_names=[FINDINGS_SHEET])


def read_materials(path):
    return materials_io.read_sheet(path, sheet_names=[MATERIALS_SHEET])


def read_letter(path):
    return read_table(path, LETTER_COLUMNS, sheet_names=[LETTER_SHEET])
