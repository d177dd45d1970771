"""The command line contract: exit codes, Chinese messages on stderr, nothing written on refusal."""

import os
import sqlite3
import subprocess
import sys

import openpyxl

from conftest import ROOT


def run(*args, data=None, env=None):
    cmd = [sys.executable, str(ROOT / "main.py")]
    if data is not None:
        cmd += ["--data", str(data)]
    full_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})}
    return subprocess.run(cmd + list(args), capture_output=True, text=True, encoding="utf-8",
                          env=full_env, timeout=120, stdin=subprocess.DEVNULL)


def count(data, sql):
    conn = sqlite3.connect(data / "chuangcheng.db")
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def test_version_and_help():
    r = run("--version")
    assert r.returncode == 0 and "创城工作台" in r.stdout
    r = run("--help")
    assert r.returncode == 0
    for command in ("demo", "import-units", "import-framework", "export-framework", "screenshots"):
        assert command in r.stdout


def test_demo_import_export_cycle(tmp_path, samples):
    data = tmp_path / "d"
    r = run("demo", data=data)
    assert r.returncode == 0, r.stderr
    assert count(data, "SELECT count(*) FROM units") == 42
    r = run("demo", data=data)
    assert r.returncode == 2 and "空的数据文件夹" in r.stderr
    out = tmp_path / "fw.xlsx"
    r = run("export-framework", str(out), data=data)
    assert r.returncode == 0, r.stderr
    ws = openpyxl.load_workbook(out).active
    assert [c.value for c in ws[1]] == ["标准编号", "测评项目", "测评内容", "测评标准", "测评方法", "分值",
                                       "牵头单位", "配合单位", "专项推进组", "完成时限", "负面清单"]
    assert ws.max_row == 44
    r = run("export-framework", str(out), "--edition", "不存在", data=data)
    assert r.returncode == 2 and "找不到测评体系版本" in r.stderr


def test_import_units_and_framework(tmp_path, samples):
    data = tmp_path / "d"
    r = run("--operator", "王小明", "import-units", str(samples / "责任单位_示例.xlsx"), data=data)
    assert r.returncode == 0, r.stderr
    assert "新增 37 个" in r.stdout
    r = run("import-framework", str(samples / "测评体系责任分解表_示例.xlsx"), "--edition", "2026年度", data=data)
    assert r.returncode == 0, r.stderr
    assert "新增 41 条" in r.stdout
    assert count(data, "SELECT count(*) FROM framework_nodes WHERE level = 3") == 41
    assert count(data, "SELECT count(*) FROM audit_log WHERE operator = '王小明'") == 37
    assert count(data, "SELECT count(*) FROM audit_log WHERE operator = '命令行' AND action = '导入责任分解表'") == 1


def test_unknown_units_exit_2_then_create_units(tmp_path, samples):
    data = tmp_path / "d"
    r = run("import-framework", str(samples / "测评体系责任分解表_示例.xlsx"), data=data,
            env={"CHUANGCHENG_OPERATOR": "李四"})
    assert r.returncode == 2
    assert "未知单位：区委宣传部" in r.stderr
    assert count(data, "SELECT count(*) FROM framework_nodes") == 0
    r = run("import-framework", str(samples / "测评体系责任分解表_示例.xlsx"), "--create-units", data=data,
            env={"CHUANGCHENG_OPERATOR": "李四"})
    assert r.returncode == 0, r.stderr
    assert "新建单位" in r.stdout
    assert count(data, "SELECT count(*) FROM audit_log WHERE operator = '李四'") > 0


def test_problems_are_listed_and_saved_as_report(tmp_path):
    data = tmp_path / "d"
    bad = tmp_path / "bad.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["测评项目", "标准编号", "测评标准", "分值", "牵头单位"])
    wb.active.append(["甲", "1", "一", "很多", ""])
    wb.save(bad)
    report = tmp_path / "problems.xlsx"
    r = run("import-framework", str(bad), "--report", str(report), data=data)
    assert r.returncode == 2
    assert "第 2 行" in r.stderr and "分值" in r.stderr
    ws = openpyxl.load_workbook(report).active
    assert [c.value for c in ws[1]][:3] == ["行号", "列", "问题"]
    assert ws.cell(2, 1).value == 2


def test_missing_file_is_refused_in_chinese(tmp_path):
    r = run("import-units", str(tmp_path / "nope.xlsx"), data=tmp_path / "d")
    assert r.returncode == 2
    assert r.stderr.strip() and "Traceback" not in r.stderr


def test_screenshots_render_every_page(tmp_path):
    data = tmp_path / "d"
    assert run("demo", data=data).returncode == 0
    out = tmp_path / "shots"
    r = run("screenshots", str(out), data=data)
    assert r.returncode == 0, r.stderr
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert len(pngs) >= 4 and any("framework" in p for p in pngs)
    assert all((out / p).stat().st_size > 10_000 for p in pngs)


def test_import_units_refuses_an_excel_error_cell_and_lists_its_row_and_column(tmp_path):
    data = tmp_path / "d"
    assert run("demo", data=data).returncode == 0
    units_before = count(data, "SELECT count(*) FROM units")
    wb = openpyxl.Workbook()
    wb.active.append(["单位名称", "简称"])
    wb.active.append(["区新设局", "新设局"])
    wb.active.append(["#REF!", "失效引用"])  # an error cell, as Excel saves a broken reference
    wb.save(tmp_path / "units.xlsx")
    r = run("import-units", str(tmp_path / "units.xlsx"), data=data)
    assert r.returncode == 2, r.stderr
    assert "第 3 行\t单位名称\t单元格是 Excel 错误值 #REF!" in r.stderr
    assert count(data, "SELECT count(*) FROM units") == units_before
