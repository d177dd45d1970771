"""新年度: the year-end step in core, on the command line and in the wizard."""

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from conftest import ROOT


def table_counts(db) -> dict:
    return db.table_counts()


def ids(db, sql, params=None) -> list:
    return db.column(sql, params)


def open_findings_of(db, edition_id):
    return ids(db, "SELECT f.id FROM findings f JOIN framework_nodes n ON n.id = f.node_id"
                   " WHERE n.edition_id = :p1 AND f.status <> '已销号' ORDER BY f.id", {"p1": edition_id})


# --- core ---------------------------------------------------------------------------------------

def test_plan_says_what_will_happen_and_writes_nothing(demo_db):
    from core import framework
    from core.framework import new_year

    db = demo_db
    before = table_counts(db)
    source = framework.current_edition_id(db)
    p = new_year.plan(db, 2027)
    assert table_counts(db) == before
    assert (p.year, p.edition_name, p.source_id, p.source_name) == (2027, "2027年度", source, "2026年度")
    assert p.standards == framework.edition_totals(db, source)["standards"] == 43
    assert p.assignments == db.value("SELECT count(*) FROM assignments a JOIN framework_nodes n ON n.id = a.node_id"
                                       " WHERE n.edition_id = :p1", {"p1": source})
    assert p.materials == db.value("SELECT count(*) FROM materials WHERE edition_id = :p1 AND removed = 0",
                                     {"p1": source}) > 0
    assert p.open_findings == len(open_findings_of(db, source)) > 0
    assert p.closed_findings > 0
    assert p.letters > 0 and p.score_rounds > 0
    text = "\n".join(p.carried_lines() + p.staying_lines())
    assert "43 条测评标准" in text and f"{p.open_findings} 个未销号问题" in text
    assert f"已销号的督查问题 {p.closed_findings} 个" in text
    assert new_year.default_year(db) == 2027


def test_run_makes_the_new_year_in_one_step(demo_db):
    from core import audit, framework, settings, supervision
    from core.framework import new_year

    db = demo_db
    source = framework.current_edition_id(db)
    p = new_year.plan(db, 2027)
    open_ids = open_findings_of(db, source)
    closed = dict(db.tuples("SELECT f.id, f.node_id FROM findings f JOIN framework_nodes n ON n.id = f.node_id"
                            " WHERE n.edition_id = :p1 AND f.status = '已销号'", {"p1": source}))
    events_before = {f: len(supervision.history(db, f)) for f in open_ids}
    steps = []

    result = new_year.run(db, p, progress=lambda d, t, text: steps.append((d, t, text)))

    new = framework.resolve_edition(db, "2027年度")
    assert result.edition_id == new
    assert framework.current_edition_id(db) == new
    assert settings.get(db, "current_year") == 2027
    assert framework.get_edition(db, new)["copied_from"] == source
    assert framework.get_edition(db, new)["year"] == 2027
    # the tree and the 分解表
    assert framework.edition_totals(db, new)["standards"] == framework.edition_totals(db, source)["standards"]
    count_assignments = ("SELECT count(*) FROM assignments a JOIN framework_nodes n ON n.id = a.node_id"
                         " WHERE n.edition_id = :e")
    assert db.value(count_assignments, {"e": new}) == db.value(count_assignments, {"e": source})
    source_nodes = set(ids(db, "SELECT id FROM framework_nodes WHERE edition_id = :e", {"e": source}))
    origins = ids(db, "SELECT origin_id FROM framework_nodes WHERE edition_id = :e", {"e": new})
    assert origins and all(o in source_nodes for o in origins)
    # the checklist: as many as planned, each carrying on one of last year's
    carried = db.tuples("SELECT m.origin_id, o.edition_id FROM materials m LEFT JOIN materials o ON o.id = m.origin_id"
                        " WHERE m.edition_id = :p1", {"p1": new})
    assert len(carried) == p.materials == result.materials
    assert all(origin is not None and edition == source for origin, edition in carried)
    # open findings moved to the new year's standards, with a step in their history; closed stayed
    new_nodes = set(ids(db, "SELECT id FROM framework_nodes WHERE edition_id = :e", {"e": new}))
    assert sorted(result.finding_ids) == open_ids and len(open_ids) == p.open_findings
    for f in open_ids:
        finding = supervision.get_finding(db, f)
        assert finding["node_id"] in new_nodes
        history = supervision.history(db, f)
        assert len(history) == events_before[f] + 1 and history[-1]["action"] == "转入新年度"
        assert history[-1]["from_status"] == history[-1]["to_status"] == finding["status"]
    for f, node in closed.items():
        assert supervision.get_finding(db, f)["node_id"] == node
    # one summary row for the step
    rows = [r for r in audit.recent(db, 50) if r["action"] == "建立新年度"]
    assert len(rows) == 1 and rows[0]["record_id"] == str(new) and rows[0]["operator"] == db.operator
    assert "2026年度 → 2027年度" in rows[0]["summary"] and f"材料 {p.materials} 项" in rows[0]["summary"]
    # progress ran from start to end
    assert steps[0][0] == 0 and steps[-1][0] == steps[-1][1]
    assert all(d <= t for d, t, _ in steps)


@pytest.mark.parametrize("year, edition, message", [
    (2026, None, "已有名为“2026年度”的版本"),
    (2024, None, "不晚于来源版本"),
    ("abc", None, "不是四位年份"),
    (3000, None, "2000 到 2100"),
    (2027, 10 ** 6, "找不到编号为 1000000 的测评体系版本"),
])
def test_refusals_say_why_and_write_nothing(demo_db, year, edition, message):
    from core.framework import new_year
    from core.errors import AppError

    db = demo_db
    before = table_counts(db)
    with pytest.raises(AppError, match=message):
        new_year.plan(db, year, edition)
    with pytest.raises(AppError, match=message):
        new_year.run(db, year, from_edition=edition)
    assert table_counts(db) == before


def test_the_same_year_twice_is_refused(demo_db):
    from core.framework import new_year
    from core.errors import AppError

    db = demo_db
    stale = new_year.plan(db, 2027)
    new_year.run(db, stale)
    before = table_counts(db)
    with pytest.raises(AppError, match="不能再建立 2027 年度的新年度"):
        new_year.run(db, stale)  # a plan made before someone else ran it
    with pytest.raises(AppError, match="不能再建立 2027 年度的新年度"):
        new_year.plan(db, 2027)
    assert table_counts(db) == before
    # the year after works from the new current edition
    assert new_year.plan(db, 2028).source_name == "2027年度"


def test_earlier_than_the_current_year_is_refused(demo_db):
    from core import settings
    from core.framework import new_year
    from core.errors import AppError

    db = demo_db
    db.execute("UPDATE editions SET year = 2024, name = '2024年度'")
    settings.set(db, "current_year", 2026)
    with pytest.raises(AppError, match="早于当前年度 2026"):
        new_year.plan(db, 2025)
    assert new_year.default_year(db) == 2026  # the office moved the year on first: make that year
    assert new_year.plan(db, 2026).edition_name == "2026年度"


def test_cancel_leaves_nothing_behind(demo_db):
    from core.framework import new_year
    from core.errors import Cancelled

    db = demo_db
    before = table_counts(db)
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 10  # in the middle of copying the tree

    with pytest.raises(Cancelled):
        new_year.run(db, 2027, progress=lambda *a: None, cancel=cancel)
    assert table_counts(db) == before
    assert not db.in_transaction


def test_a_retired_standard_and_its_open_finding_stay_with_the_old_year(demo_db):
    from core import framework, supervision
    from core.framework import new_year

    db = demo_db
    source = framework.current_edition_id(db)
    node_id, finding_id = db.tuples(
        "SELECT n.id, f.id FROM findings f JOIN framework_nodes n ON n.id = f.node_id"
        " WHERE f.status <> '已销号' ORDER BY f.id LIMIT 1")[0]
    framework.retire_node(db, node_id)
    p = new_year.plan(db, 2027)
    assert p.retired_standards == 1 and p.standards == 42
    assert p.open_findings_on_retired >= 1
    assert any("已停用的测评标准 1 条不复制" in line for line in p.staying_lines())
    result = new_year.run(db, p)
    assert supervision.get_finding(db, finding_id)["node_id"] == node_id
    assert finding_id not in result.finding_ids
    assert framework.edition_totals(db, result.edition_id)["standards"] == 42
    assert source != result.edition_id


def test_from_another_edition(demo_db):
    from core import framework
    from core.framework import new_year

    db = demo_db
    first = framework.current_edition_id(db)
    new_year.run(db, 2027)
    p = new_year.plan(db, 2028, first)
    assert p.source_id == first and p.previous_edition == "2027年度"
    result = new_year.run(db, p)
    assert framework.get_edition(db, result.edition_id)["copied_from"] == first


def test_an_empty_database_is_refused(db):
    from core.framework import new_year
    from core.errors import AppError

    with pytest.raises(AppError, match="还没有测评体系版本"):
        new_year.plan(db, 2027)


# --- command line -------------------------------------------------------------------------------

def cli(*args, data):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "--data", str(data), *args], capture_output=True,
                          text=True, encoding="utf-8", env=env, timeout=120, stdin=subprocess.DEVNULL)


def cli_counts(data) -> dict:
    from core.store.sqlite import inspect_file

    return inspect_file(data / "chuangcheng.db").counts


def test_cli_new_year(tmp_path):
    data = tmp_path / "d"
    assert cli("demo", data=data).returncode == 0
    r = cli("--help", data=data)
    assert "new-year" in r.stdout
    before = cli_counts(data)

    r = cli("new-year", "--year", "2027", "--dry-run", data=data)
    assert r.returncode == 0, r.stderr
    assert "预览，未做任何改动" in r.stdout and "43 条测评标准" in r.stdout and "留在上一年度" in r.stdout
    assert cli_counts(data) == before

    for args, message in [((), "--year"), (("--year", "abc"), "不是四位年份"), (("--year", "2026"), "已有名为"),
                          (("--year", "2027", "--from-edition", "不存在"), "找不到测评体系版本")]:
        r = cli("new-year", *args, data=data)
        assert r.returncode == 2 and message in r.stderr, (args, r.stderr)
        assert r.stdout == ""
    assert cli_counts(data) == before

    r = cli("--operator", "王小明", "new-year", "--year", "2027", data=data)
    assert r.returncode == 0, r.stderr
    assert "已建立“2027年度”" in r.stdout and "测评标准：43 条" in r.stdout and "督查问题：" in r.stdout
    conn = sqlite3.connect(data / "chuangcheng.db")
    try:
        assert conn.execute("SELECT value FROM settings WHERE key = 'current_year'").fetchone()[0] == "2027"
        assert conn.execute("SELECT operator FROM audit_log WHERE action = '建立新年度'").fetchall() == [("王小明",)]
    finally:
        conn.close()

    after = cli_counts(data)
    r = cli("new-year", "--year", "2027", data=data)
    assert r.returncode == 2 and "不能再建立 2027 年度的新年度" in r.stderr
    assert cli_counts(data) == after


# --- the wizard ---------------------------------------------------------------------------------

def _open_framework_page(window):
    return window.show_page("framework")


def _button(widget, text):
    from PySide6.QtWidgets import QPushButton

    return next(b for b in widget.findChildren(QPushButton) if b.text() == text)


def test_wizard_from_the_framework_page(window, qtbot, data_dir):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QWizard

    from core import framework, settings
    from gui.views.framework.new_year import NewYearWizard

    page = _open_framework_page(window)
    db = window.ctx.db
    source = framework.current_edition_id(db)
    open_before = open_findings_of(db, source)
    backups_before = set(data_dir.backups.glob("*.ccbak"))
    seen = {}

    def drive():
        wizard = QApplication.activeModalWidget()
        assert isinstance(wizard, NewYearWizard)
        choose = wizard.choose_page
        assert choose.year.value() == 2027 and choose.source.currentData() == source
        assert choose.backup.isChecked()
        seen["choose"] = choose.name.text()
        wizard.next()
        assert wizard.currentPage() is wizard.plan_page
        seen["carried"] = wizard.plan_page.carried.text()
        seen["staying"] = wizard.plan_page.staying.text()
        assert wizard.button(QWizard.CommitButton).text() == "开始建立新年度"
        wizard.next()
        qtbot.waitUntil(lambda: wizard.run_page.isComplete(), timeout=30000)
        seen["result"] = wizard.run_page.result.text()
        wizard.button(QWizard.FinishButton).click()

    QTimer.singleShot(0, drive)
    _button(page, "新年度…").click()

    assert seen["choose"] == "“2027年度”"
    assert "43 条测评标准" in seen["carried"] and f"{len(open_before)} 个未销号问题" in seen["carried"]
    assert "已销号的督查问题" in seen["staying"]
    assert "测评标准：43 条" in seen["result"] and "已备份到" in seen["result"]
    new = framework.resolve_edition(db, "2027年度")
    assert framework.current_edition_id(db) == new and settings.get(db, "current_year") == 2027
    new_nodes = set(ids(db, "SELECT id FROM framework_nodes WHERE edition_id = :e", {"e": new}))
    assert all(n in new_nodes for n in ids(db, "SELECT node_id FROM findings WHERE id IN (SELECT value FROM json_each(:ids))",
                                            {"ids": json.dumps(open_before)}))
    assert len(set(data_dir.backups.glob("*.ccbak")) - backups_before) == 1
    assert page.edition.currentData() == new  # the page shows the new year
    assert "2027年度" in window._status.text()
    letters_page = window.show_page("letters")
    assert letters_page.year.value() == 2027  # letters to prepare are the new year's,
    assert letters_page.edition_id() == new  # from the new year's 分解表


def test_wizard_refuses_inline_and_runs_without_backup(window, qtbot, data_dir):
    from PySide6.QtWidgets import QWizard

    from core import framework
    from gui.views.framework.new_year import NewYearWizard

    db = window.ctx.db
    before = table_counts(db)
    wizard = NewYearWizard(window, window.ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    choose = wizard.choose_page
    choose.year.setValue(2026)
    wizard.next()
    assert wizard.currentPage() is choose
    assert choose.error.isVisible() and "已有名为“2026年度”的版本" in choose.error.text()
    assert table_counts(db) == before
    choose.year.setValue(2027)
    assert not choose.error.isVisible()
    choose.backup.setChecked(False)
    wizard.next()
    assert "不先备份" in wizard.plan_page.backup_note.text()
    wizard.back()
    assert wizard.currentPage() is choose
    wizard.next()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.run_page.isComplete(), timeout=30000)
    assert wizard.result is not None and wizard.backup_path is None
    assert "已备份" not in wizard.run_page.result.text()
    assert framework.current_edition_id(db) == wizard.result.edition_id
    assert not list(data_dir.backups.glob("*.ccbak"))
    assert wizard.button(QWizard.FinishButton).isEnabled()
