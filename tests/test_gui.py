"""The main window driven with qtbot on a real temporary database."""

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from core import framework, settings, units  # noqa: E402




def test_models_pass_qtmodeltester(qtmodeltester, demo_db):
    from gui.models.framework_tree import FrameworkTreeModel
    from gui.models.table import RowsTableModel
    from gui.views.units.page import UNIT_COLUMNS

    tree = FrameworkTreeModel()
    tree.set_nodes(framework.tree_rows(demo_db, framework.current_edition_id(demo_db)))
    qtmodeltester.check(tree)
    table = RowsTableModel(UNIT_COLUMNS)
    table.set_rows(units.list_units(demo_db))
    qtmodeltester.check(table)
    from gui.views.framework.assignments import SUMMARY_COLUMNS, TASK_COLUMNS
    summary = RowsTableModel(SUMMARY_COLUMNS)
    summary.set_rows(framework.unit_summary(demo_db, framework.current_edition_id(demo_db)))
    qtmodeltester.check(summary)
    tasks = RowsTableModel(TASK_COLUMNS)
    tasks.set_rows(framework.unit_standards(demo_db, units.resolve_one(demo_db, "区城管局"),
                                            framework.current_edition_id(demo_db)))
    qtmodeltester.check(tasks)


def test_navigation_has_every_page_and_shortcuts(qtbot, window):
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert titles[:4] == ["首页", "测评体系", "责任分解", "责任单位"] and titles[-1] == "设置"
    assert {"数据安全", "操作日志"} <= set(titles)
    qtbot.keyClick(window, Qt.Key_4, Qt.ControlModifier)
    assert window.current_page().key == "units"
    assert "当前版本：2026年度" in window._status.text()


def test_framework_tree_filter_and_edit(qtbot, window, demo_db):
    page = window.show_page("framework")
    assert page.model.rowCount() == 8  # 测评项目
    page.text.setText("斑马线")  # QTest cannot type non-ASCII keys
    cat = page.model.index(0, 0)
    assert page.model.rowCount() == 1
    ind = page.model.index(0, 0, cat)
    std = page.model.index(0, 0, ind)
    assert page.model.data(std).startswith("5.2.1")
    page.tree.setCurrentIndex(std)
    assert page.detail.code.text() == "5.2.1"
    page.detail.points.setText("2.5")
    page.detail.support.set_names(["区交通运输局", "各街道"])
    qtbot.keyClick(page, Qt.Key_S, Qt.ControlModifier)
    saved = next(s for s in framework.standards(demo_db, framework.current_edition_id(demo_db)) if s["code"] == "5.2.1")
    assert saved["points"] == 2.5 and saved["support"] == ["区交通运输局", "各街道"]


def test_framework_unknown_unit_in_detail_shows_message_and_writes_nothing(qtbot, window, demo_db, monkeypatch):
    shown = []
    monkeypatch.setattr("gui.dialogs.QMessageBox.exec", lambda self: shown.append(self.text()) or 0)
    page = window.show_page("framework")
    page.text.setText("斑马线")  # QTest cannot type non-ASCII keys
    std = page.model.index(0, 0, page.model.index(0, 0, page.model.index(0, 0)))
    page.tree.setCurrentIndex(std)
    page.detail.lead.set_names(["不存在的局"])
    page.detail.save()
    assert shown and "不存在的局" in shown[0]
    saved = next(s for s in framework.standards(demo_db, framework.current_edition_id(demo_db)) if s["code"] == "5.2.1")
    assert saved["lead"] == ["区公安分局交警大队"]


def test_no_lead_filter(qtbot, window, demo_db):
    std = next(s for s in framework.standards(demo_db, framework.current_edition_id(demo_db)) if s["code"] == "6.1.2")
    framework.save_standard(demo_db, std["id"], {}, [], [])
    page = window.show_page("assignments")
    assert "1 条" in page.no_lead_button.text()
    page.no_lead_button.click()
    fw = window.current_page()
    assert fw.key == "framework" and fw.no_lead.isChecked()
    assert "6.1.2" in fw.model.data(fw.model.index(0, 0, fw.model.index(0, 0, fw.model.index(0, 0))))


def test_assignments_page_shows_a_units_tasks(qtbot, window):
    page = window.show_page("assignments")
    page.filter.setText("区水务局")
    page.summary.selectRow(0)
    assert page.task_model.rowCount() == 1
    assert page.task_model.row_at(0)["code"] == "6.1.2"
    assert "牵头 1 项" in page.unit_heading.text()


def test_units_page_filter_retire_and_groups(qtbot, window, demo_db, monkeypatch):
    page = window.show_page("units")
    assert page.model.rowCount() == 42
    page.filter.setText("交警")
    assert page.table.model().rowCount() == 1
    page.table.selectRow(0)
    monkeypatch.setattr("gui.dialogs.confirm", lambda *a, **k: True)
    page.toggle_retired()
    assert units.get_unit(demo_db, units.resolve_one(demo_db, "区公安分局交警大队"))["retired"] == 1
    assert page.table.model().rowCount() == 0  # the retired unit left the filtered list
    page.filter.clear()
    assert page.model.rowCount() == 41
    assert {r["name"] for r in page.group_model.rows()} >= {"各街道办事处", "各乡镇", "各窗口单位"}


def test_units_page_add_unit_through_dialog(qtbot, window, demo_db, monkeypatch):
    from gui.views.units import dialogs as view

    def fake_exec(dialog):
        dialog.edits["name"].setText("区档案馆")
        dialog.edits["kind"].setCurrentText("事业单位")
        dialog.edits["liaison"].setText("周敏")
        return True

    monkeypatch.setattr(view.UnitDialog, "exec", fake_exec)
    page = window.show_page("units")
    page.add_unit()
    u = units.get_unit(demo_db, units.resolve_one(demo_db, "区档案馆"))
    assert (u["kind"], u["liaison"]) == ("事业单位", "周敏")
    assert any(r["name"] == "区档案馆" for r in page.model.rows())


def test_settings_page_saves(qtbot, window, demo_db):
    page = window.show_page("settings")
    assert page.office_name.text() == "XX区创建全国文明城市工作指挥部办公室"
    page.office_name.setText("甲区创城办")
    page.doc_code.setText("甲创城督")
    page.save()
    assert settings.get(demo_db, "office_name") == "甲区创城办"
    assert settings.get(demo_db, "doc_code") == "甲创城督"


def test_import_framework_from_the_gui_runs_in_the_background(qtbot, window, demo_db, samples, monkeypatch, tmp_path):
    infos = []
    monkeypatch.setattr("gui.dialogs.show_info", lambda parent, title, text: infos.append(text))
    monkeypatch.setattr("gui.dialogs.open_file", lambda *a, **k: str(samples / "测评体系责任分解表_示例.xlsx"))
    page = window.show_page("framework")
    page.import_framework()
    qtbot.waitUntil(lambda: bool(infos), timeout=20000)
    # the demo edition has 43 standards; the sample holds 41 of them, so two are retired
    assert "停用 2 条" in infos[0]
    assert framework.edition_totals(demo_db, framework.current_edition_id(demo_db))["standards"] == 41


def test_first_start_offers_the_demo(qtbot, tmp_path, monkeypatch):
    from core.paths import DataDir
    from gui import app

    monkeypatch.setattr(app, "first_start_choice", lambda parent=None: "demo")
    w = app.open_main_window(DataDir(tmp_path / "fresh"), "测试员")
    qtbot.addWidget(w)
    assert len(units.list_units(w.ctx.db)) == 42
    monkeypatch.setattr(app, "first_start_choice", lambda parent=None: "empty")
    monkeypatch.setattr("gui.dialogs.ask_office", lambda parent, db: False)  # 以后再填
    w2 = app.open_main_window(DataDir(tmp_path / "fresh2"), "测试员")
    qtbot.addWidget(w2)
    assert units.list_units(w2.ctx.db) == []
    w2.show_page("framework")
    assert "还没有测评体系" in w2.page_by_key("framework").summary.text()


def test_audit_log_page_filters_and_record_history(qtbot, window, demo_db):
    from gui.dialogs.history import HistoryDialog

    uid = units.resolve_one(demo_db, "区水务局")
    units.update_unit(demo_db, uid, {"phone": "0931-9999999"})
    page = window.show_page("audit")
    page.text.setText("9999999")
    assert page.model.rowCount() == 1
    row = page.model.row_at(0)
    assert (row["action"], row["area"], row["operator"]) == ("修改单位", "责任单位", "测试员")
    dialog = HistoryDialog(window, demo_db, "units", uid, "区水务局")
    qtbot.addWidget(dialog)
    assert [r["action"] for r in dialog.model.rows()] == ["修改单位", "新增单位"]


def test_safety_page_check_and_backup_state(qtbot, window, data_dir, monkeypatch):
    infos = []
    monkeypatch.setattr("gui.dialogs.show_info", lambda parent, title, text: infos.append(text))
    page = window.show_page("safety")
    assert "还没有备份" in page.state.text()
    page.check()  # runs as a background job
    qtbot.waitUntil(lambda: bool(infos), timeout=20000)
    assert infos and "体检通过" in infos[0]
    from core import safety
    safety.make_backup(data_dir, window.ctx.db)
    page.refresh()
    assert page.backup_model.rowCount() == 1 and "上次成功备份" in page.state.text()


def test_restore_from_the_window_reopens_on_restored_data(qtbot, window, data_dir, monkeypatch):
    from core import safety

    monkeypatch.setattr("gui.dialogs.show_info", lambda *a: None)

    path = safety.make_backup(data_dir, window.ctx.db)
    units.create_unit(window.ctx.db, {"name": "恢复后不应存在"})
    old = window.ctx.db
    window.restore_from(str(path))
    qtbot.waitUntil(lambda: window.ctx.db is not old, timeout=20000)
    assert units.resolver(window.ctx.db).lookup("恢复后不应存在") is None
    assert len(units.list_units(window.ctx.db)) == 42


def test_history_is_one_click_from_the_record(qtbot, window, demo_db, monkeypatch):
    from gui.dialogs.history import HistoryDialog

    opened = []
    monkeypatch.setattr(HistoryDialog, "exec", lambda self: opened.append(self.model.rows()) or 0)
    page = window.show_page("framework")
    page.text.setText("斑马线")
    std = page.model.index(0, 0, page.model.index(0, 0, page.model.index(0, 0)))
    page.tree.setCurrentIndex(std)
    page.detail.points.setText("2.5")
    page.detail.save()
    page.detail.history_button.click()
    assert [r["action"] for r in opened[-1]][:1] == ["修改测评标准"]
    units_page = window.show_page("units")
    units_page.filter.setText("区水务局")
    units_page.table.selectRow(0)
    units_page.buttons["history"].click()
    assert [r["action"] for r in opened[-1]] == ["新增单位"]


def test_font_choice_in_settings_applies_to_every_pdf(qtbot, window, demo_db):
    import core.pdf
    from core.pdf.fonts import bundled_font_path

    page = window.show_page("settings")
    combo = page.font_combos["fangsong"]
    index = combo.findData(bundled_font_path())
    assert index > 0
    combo.setCurrentIndex(index)
    page.save_fonts()
    assert settings.get(demo_db, "pdf_fonts") == {"fangsong": bundled_font_path()}
    assert core.pdf.office_font_preferences == {"fangsong": bundled_font_path()}
    settings.set(demo_db, "pdf_fonts", {})
    assert core.pdf.office_font_preferences == {}
