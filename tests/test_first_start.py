"""A new office's first start: the office's names asked once, 首页 saying how to start on an empty
ledger, and the command line that keeps working (with one warning) while the names are not set."""

import pytest

from core import framework, settings, units
from test_cli import run

pytest.importorskip("PySide6")

from PySide6.QtGui import QInputMethodEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog, QLabel  # noqa: E402


def _make_modal_dialogs_answer(monkeypatch, office_values=None):
    """The first-run dialog filled as a user would, then 保存 (or put off with 以后再填)."""
    from gui.dialogs.office import OfficeDialog

    def ask(parent, db):
        dialog = OfficeDialog(db, parent)
        if office_values is None:
            dialog.reject()
            return False
        typed = QInputMethodEvent()  # Chinese arrives through the input method, as typed
        typed.setCommitString("城关区")
        QApplication.sendEvent(dialog.edits["district_name"], typed)
        for key, value in office_values.items():
            dialog.edits[key].setText(value)
        dialog.next_date.setDate(dialog.next_date.date().fromString("2027-04-20", "yyyy-MM-dd"))
        dialog.accept()
        return dialog.result() == QDialog.Accepted

    monkeypatch.setattr("gui.dialogs.ask_office", ask)


def test_first_start_of_a_real_office_asks_for_its_names(qtbot, tmp_path, monkeypatch):
    from core.paths import DataDir
    from gui import app

    monkeypatch.setattr(app, "first_start_choice", lambda parent=None: "empty")
    _make_modal_dialogs_answer(monkeypatch, {"doc_code": "城创督"})
    w = app.open_main_window(DataDir(tmp_path / "fresh"), "测试员")
    qtbot.addWidget(w)
    db = w.ctx.db
    assert settings.get(db, "district_name") == "城关区"
    assert settings.get(db, "office_name") == "城关区创建全国文明城市工作指挥部办公室"  # suggested from the 区
    assert settings.get(db, "issuing_body") == "城关区创建全国文明城市工作指挥部"
    assert settings.get(db, "doc_code") == "城创督"  # the user's own, not the suggestion
    assert settings.get(db, "next_assessment_date") == "2027-04-20"
    assert settings.office_placeholders(db) == []


def test_the_first_run_step_can_be_put_off(qtbot, tmp_path, monkeypatch):
    from core.paths import DataDir
    from gui import app

    monkeypatch.setattr(app, "first_start_choice", lambda parent=None: "empty")
    _make_modal_dialogs_answer(monkeypatch, None)
    w = app.open_main_window(DataDir(tmp_path / "fresh"), "测试员")
    qtbot.addWidget(w)
    assert settings.office_placeholders(w.ctx.db) == ["区名称", "办公室名称", "发文机关", "机关代字"]


def test_home_on_an_empty_ledger_shows_how_to_start(qtbot, db, data_dir, monkeypatch):
    from gui.main_window import MainWindow

    w = MainWindow(db, data_dir, "测试员")
    qtbot.addWidget(w)
    w.show()
    page = w.current_page()
    assert page.key == "home" and page.views.currentWidget() is page.start
    assert not page.findings_open.isVisible()  # no zero-filled cards
    shown = " ".join(label.text() for label in page.start.findChildren(QLabel) if label.isVisible())
    assert "开始使用" in shown and "导入责任单位" in shown and "责任分解表" in shown
    buttons = {b.text(): b for b in (page.start_steps[k][1] for k in page.start_steps) if b.isVisible()}
    assert {"填写本单位信息…", "导入单位…", "导入分解表…", "加载示例数据"} <= buttons.keys()

    _make_modal_dialogs_answer(monkeypatch, {})
    buttons["填写本单位信息…"].click()
    assert page.start_steps["office"][0].text().endswith("✔ 已完成")

    opened = []
    monkeypatch.setattr("gui.dialogs.open_file", lambda *a, **k: opened.append(a[1]) or "")
    buttons["导入单位…"].click()
    assert w.current_page().key == "units" and opened == ["导入责任单位"]

    w.show_page("home")
    monkeypatch.setattr("gui.dialogs.confirm", lambda *a, **k: True)
    buttons["加载示例数据"].click()
    assert len(units.list_units(db)) == 42 and framework.current_edition_id(db)
    qtbot.waitUntil(lambda: page.views.currentWidget() is page.dashboard)
    assert page.findings_open.isVisible() and page.findings_open.text().endswith("未销号")


def test_the_command_line_warns_once_about_placeholders_and_never_refuses(tmp_path):
    data = tmp_path / "data"
    assert run("demo", data=data).returncode == 0
    out = tmp_path / "目录.xlsx"
    r = run("catalogue", str(out), data=data)
    assert r.returncode == 0 and out.exists()
    assert r.stderr.count("提示：尚未填写") == 1 and "XX区创建全国文明城市工作指挥部办公室" in r.stderr
    r = run("export-framework", str(tmp_path / "分解表.xlsx"), data=data)
    assert r.returncode == 0 and "尚未填写" not in r.stderr  # no office name on it

    from core.paths import DataDir
    from core.store import open_store

    db = open_store(DataDir(data), "测试员")
    settings.set_many(db, {"district_name": "城关区", "office_name": "城关区创建全国文明城市工作指挥部办公室",
                           "issuing_body": "城关区创建全国文明城市工作指挥部", "doc_code": "城创城督"})
    db.close()
    r = run("catalogue", str(out), data=data)
    assert r.returncode == 0 and r.stderr == ""

