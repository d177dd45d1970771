"""Exports read back with openpyxl (headers, frozen pane, filter, types); written whole or not at all."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.errors import AppError, Cancelled
from core.xlsx import writer
from core.xlsx.reader import Column, Problem, read_table
from core.xlsx.writer import Sheet, write_problems, write_workbook

HEADERS = ["标准编号", "测评标准", "分值", "得分率", "完成时限", "牵头单位"]
ROWS = [
    ["1.1.1", "党委理论学习中心组学习制度健全", 1.5, 0.875, dt.date(2026, 3, 15), "区委宣传部"],
    ["1.1.2", "政府信息公开目录完整\n依申请公开答复率100%", 2, 1, dt.datetime(2026, 4, 1, 9, 30), "区政府办公室"],
    ["1.1.3", "=HYPERLINK(\"http://x\")", None, float("nan"), None, "#N/A"],
]


def export(tmp_path, rows=ROWS, **options):
    path = tmp_path / "导出.xlsx"
    write_workbook(path, [Sheet("责任分解表", HEADERS, rows, number_formats={"得分率": "0.0%", 2: "0.0"}, **options)])
    return path


def leftovers(folder, keep):
    return sorted(name for name in os.listdir(folder) if name != keep)


def test_header_pane_filter_and_widths(tmp_path):
    path = export(tmp_path)
    ws = load_workbook(path).active
    assert ws.title == "责任分解表"
    assert [cell.value for cell in ws[1]] == HEADERS
    assert all(cell.font.b for cell in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:F4"
    widths = {letter: ws.column_dimensions[letter].width for letter in "ABCDEF"}
    assert widths["B"] > widths["A"]  # 15 CJK characters need more room than "1.1.1"
    assert all(writer.MIN_WIDTH <= width <= writer.MAX_WIDTH for width in widths.values())


def test_values_types_and_formats(tmp_path):
    ws = load_workbook(export(tmp_path)).active
    first, second, third = ws[2], ws[3], ws[4]
    assert first[4].is_date and first[4].number_format == "yyyy-mm-dd"
    assert first[4].value == dt.datetime(2026, 3, 15)
    assert second[4].is_date and second[4].value == dt.datetime(2026, 4, 1, 9, 30)
    assert first[3].value == 0.875 and first[3].number_format == "0.0%"
    assert first[2].value == 1.5 and first[2].number_format == "0.0"
    assert second[1].value == "政府信息公开目录完整\n依申请公开答复率100%"
    assert third[1].value == '=HYPERLINK("http://x")' and third[1].data_type == "s"  # text, never a formula
    assert third[5].value == "#N/A" and third[5].data_type == "s"
    assert third[2].value is None and third[3].value is None  # NaN has no Excel form


def test_template_reimports_unchanged(tmp_path):
    # "#N/A" as text is written as text, but an import takes it for the Excel error it looks like
    path = export(tmp_path, rows=[*ROWS[:2], [*ROWS[2][:5], "区委办"]])
    columns = [Column("code", ("标准编号",), required=True), Column("title", ("测评标准",)),
               Column("points", ("分值",)), Column("deadline", ("完成时限",)), Column("lead", ("牵头单位",))]
    table = read_table(path, columns)
    assert [row.values["code"] for row in table.rows] == ["1.1.1", "1.1.2", "1.1.3"]
    assert table.rows[0].values["deadline"] == dt.date(2026, 3, 15)
    assert table.rows[1].values["title"] == ROWS[1][1]
    assert table.rows[0].values["points"] == 1.5


def test_other_value_kinds_and_dirty_text(tmp_path):
    rows = [["a\x00b\x1fc", Decimal("2.50"), True, dt.time(8, 30), ["区委办"], "长" * 40_000]]
    path = tmp_path / "kinds.xlsx"
    write_workbook(path, [Sheet("其他", ["文本", "小数", "是否", "时间", "列表", "长文本"], rows)])
    row = load_workbook(path).active[2]
    assert row[0].value == "abc"
    assert row[1].value == 2.5
    assert row[2].value is True
    assert row[3].value == dt.time(8, 30) and row[3].number_format == "hh:mm"
    assert row[4].value == "['区委办']"
    assert len(row[5].value) == writer.MAX_CELL_CHARS


def test_several_sheets_with_awkward_titles(tmp_path):
    path = tmp_path / "multi.xlsx"
    sheets = [Sheet("问题/清单", ["列"], [[1]]), Sheet("问题:清单", ["列"], [[2]]),
              Sheet("一个非常非常非常非常非常非常非常非常非常非常长的工作表名称超过三十一个字", ["列"], [])]
    write_workbook(path, sheets)
    wb = load_workbook(path)
    assert wb.sheetnames[:2] == ["问题_清单", "问题_清单(2)"]
    assert len(wb.sheetnames[2]) == 31
    assert wb.worksheets[2].auto_filter.ref == "A1:A1"


def test_progress_with_generator_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(writer, "PROGRESS_EVERY_ROWS", 10)
    calls = []
    rows = ([f"1.1.{n}", "标准", n, 0.5, dt.date(2026, 1, 1), "区委办"] for n in range(35))
    write_workbook(tmp_path / "p.xlsx", [Sheet("表", HEADERS, rows, row_count=35)],
                   progress=lambda done, total, text: calls.append((done, total, text)))
    assert [done for done, _, _ in calls] == [10, 20, 30, 35]
    assert all(total == 35 for _, total, _ in calls)
    assert calls[-1][2] == "正在保存文件…"
    assert load_workbook(tmp_path / "p.xlsx").active.max_row == 36


def test_cancel_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(writer, "PROGRESS_EVERY_ROWS", 10)
    temp = writer.tempfile.gettempdir()
    previous = set(os.listdir(temp))
    rows = ([n] for n in range(1000))
    with pytest.raises(Cancelled):
        write_workbook(tmp_path / "c.xlsx", [Sheet("表", ["序号"], rows)], cancel=lambda: True)
    assert os.listdir(tmp_path) == []
    assert not [name for name in set(os.listdir(temp)) - previous if name.startswith("openpyxl")]


def test_unwritable_path(tmp_path):
    for target in (tmp_path / "没有这个文件夹" / "导出.xlsx", tmp_path):
        with pytest.raises(AppError) as raised:
            write_workbook(target, [Sheet("表", ["列"], [[1]])])
        assert raised.value.message_zh.startswith("无法写入文件：")
        assert "请关闭正在打开该文件的程序，或换一个保存位置。" in raised.value.message_zh
    assert os.listdir(tmp_path) == []


def test_target_locked_by_another_program_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "导出.xlsx"
    path.write_bytes(b"old")

    def locked(source, target):
        raise PermissionError(13, "The process cannot access the file: it is being used by another process")

    monkeypatch.setattr(writer.os, "replace", locked)
    with pytest.raises(AppError, match="无法写入文件"):
        write_workbook(path, [Sheet("表", ["列"], [[1]])])
    assert path.read_bytes() == b"old"
    assert leftovers(tmp_path, "导出.xlsx") == []


def test_disk_full_message(tmp_path, monkeypatch):
    def full(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer.os, "replace", full)
    with pytest.raises(AppError, match="磁盘空间不足"):
        write_workbook(tmp_path / "x.xlsx", [Sheet("表", ["列"], [[1]])])
    assert os.listdir(tmp_path) == []


def test_failure_while_writing_rows_keeps_the_old_file(tmp_path):
    path = tmp_path / "导出.xlsx"
    write_workbook(path, [Sheet("表", ["列"], [[1]])])
    before = path.read_bytes()

    def rows():
        yield [1]
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        write_workbook(path, [Sheet("表", ["列"], rows())])
    assert path.read_bytes() == before
    assert leftovers(tmp_path, "导出.xlsx") == []


def test_existing_file_is_replaced(tmp_path):
    path = tmp_path / "导出.xlsx"
    write_workbook(path, [Sheet("表", ["列"], [[1]])])
    write_workbook(path, [Sheet("表", ["列"], [[2], [3]])])
    assert [row[0] for row in load_workbook(path).active.iter_rows(values_only=True)] == ["列", 2, 3]
    assert leftovers(tmp_path, "导出.xlsx") == []


def test_write_problems(tmp_path):
    path = tmp_path / "问题.xlsx"
    write_problems(path, [Problem(5, "牵头单位", "未知的单位“宣传部”，是否是：区委宣传部？"), Problem(None, None, "缺少必需的列")])
    ws = load_workbook(path).active
    assert ws.title == "导入问题"
    assert list(ws.iter_rows(values_only=True)) == [
        ("行号", "列", "问题"),
        (5, "牵头单位", "未知的单位“宣传部”，是否是：区委宣传部？"),
        (None, None, "缺少必需的列"),
    ]
    assert ws.freeze_panes == "A2" and ws.column_dimensions["C"].width == 80
