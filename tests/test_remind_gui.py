"""今日催办 in the window: the list of units, the selected unit's items and its text copied with one
click, its 催办单 printed, a 催办 recorded and seen in the item's history, the Excel export, the
首页 figure that leads here, and the settings on 设置."""

from __future__ import annotations

import openpyxl
import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from core import remind, settings, units  # noqa: E402

TODAY = "2026-11-04"


@pytest.fixture
def today(monkeypatch):
    """Asked for before the window, so the demo district and the page see the same day."""
    monkeypatch.setenv("CHUANGCHENG_TODAY", TODAY)


@pytest.fixture
def page(qtbot, today, window):
    p = window.show_page("remind")
    p.wait_for_jobs = True
    qtbot.waitUntil(lambda: not p.loading, timeout=10000)  # the first list comes in the background
    return p


def _select(page, unit_name: str) -> dict:
    unit_id = units.resolve_one(page.db, unit_name)
    page.select_unit(unit_id)
    entry = page.selected_unit()
    assert entry["unit_id"] == unit_id
    return entry


def test_the_page_lists_units_by_urgency_and_copies_the_text(page, demo_db):
    expected = remind.collect(demo_db)
    shown = [page.unit_model.row_at(i) for i in range(page.unit_model.rowCount())]
    assert [r["unit_id"] for r in shown] == [e["unit_id"] for e in expected] and shown
    assert f"{len(expected)} 个单位需要催办" in page.summary.text()
    entry = _select(page, "区城管局")
    assert page.item_model.rowCount() == len(entry["items"])
    assert [page.item_model.row_at(i)["matter"] for i in range(page.item_model.rowCount())] == \
        [i["matter"] for i in entry["items"]]
    QApplication.clipboard().clear()
    page.buttons["copy"].click()
    text = QApplication.clipboard().text()
    assert text == remind.message(demo_db, remind.unit_entry(demo_db, entry["unit_id"]))
    assert text.startswith(f"【{settings.get(demo_db, 'district_name')}创城办】")
    assert entry["short_name"] in text and "请" in text


def test_printing_the_units_sheet(page, monkeypatch):
    printed = []
    monkeypatch.setattr("gui.views.remind.page.print_pdf", lambda parent, path: printed.append(path))
    entry = _select(page, "区城管局")
    page.buttons["print"].click()
    assert len(printed) == 1
    reader = PdfReader(printed[0])
    text = "".join(reader.pages[0].extract_text().split())
    assert text.startswith("创城工作催办单") and f"{entry['name']}：" in text
    assert f"你单位尚有{len(entry['items'])}项创城工作" in text


def test_recording_a_chase_and_its_history(page, demo_db, monkeypatch):
    entry = _select(page, "区城管局")
    page.method.setCurrentText("短信")
    page.note.setText("已发政务微信")
    page.buttons["record"].click()
    rows = demo_db.rows("SELECT record_table, record_id, method, note FROM reminders ORDER BY id")
    assert {(r["record_table"], r["record_id"]) for r in rows} == {(i["record_table"], i["record_id"])
                                                                  for i in entry["items"]}
    assert len(rows) == len({(r["record_table"], r["record_id"]) for r in rows})  # each record chased once
    assert {(r["method"], r["note"]) for r in rows} == {("短信", "已发政务微信")}
    assert page.selected_unit()["unit_id"] == entry["unit_id"]  # the list is read again, the unit kept
    first = page.item_model.row_at(0)
    assert first["last_reminded"] == f"{TODAY} 短信"
    opened = []
    monkeypatch.setattr("gui.dialogs.history.HistoryDialog.exec", lambda dialog: opened.append(dialog))
    page.item_table.selectRow(0)
    page.buttons["history"].click()
    history = opened[0].model.rows()
    assert history[0]["action"] == "催办（短信）" and history[0]["operator"] == demo_db.operator
    assert history[0]["at"].startswith(TODAY) and "已发政务微信" in history[0]["after_text"]


def test_export_to_excel(page, demo_db, tmp_path, monkeypatch):
    path = tmp_path / "今日催办.xlsx"
    monkeypatch.setattr("gui.dialogs.save_file", lambda *a, **k: str(path))
    page.buttons["export"].click()
    ws = openpyxl.load_workbook(path).active
    entries = remind.collect(demo_db)
    assert ws.max_row == 1 + sum(len(e["items"]) for e in entries)
    assert [ws.cell(2, c).value for c in (1, 2, 3)] == [entries[0]["name"], entries[0]["liaison"], entries[0]["phone"]]


def test_the_list_is_gathered_in_the_background_and_keeps_the_selected_unit(qtbot, today, window, demo_db):
    page = window.show_page("remind")
    assert page.loading and page.unit_model.rowCount() == 0  # the window answers at once
    assert not page.buttons["copy"].isEnabled() and not page.buttons["export"].isEnabled()
    assert page.summary.text() == "正在整理今天需要催办的单位……"
    qtbot.waitUntil(lambda: not page.loading, timeout=10000)
    assert page.unit_model.rowCount() == len(remind.collect(demo_db)) > 1
    second = page.unit_model.row_at(1)["unit_id"]
    page.select_unit(second)
    page.refresh()
    assert page.unit_model.rowCount() > 1  # the list shown stays while the new one is gathered
    qtbot.waitUntil(lambda: not page.loading, timeout=10000)
    assert page.selected_unit()["unit_id"] == second
    page.refresh()
    third = page.unit_model.row_at(2)["unit_id"]
    page.select_unit(third)  # clicked while the list is gathered: the click is kept
    qtbot.waitUntil(lambda: not page.loading, timeout=10000)
    assert page.selected_unit()["unit_id"] == third


def test_home_shows_todays_count_and_leads_to_the_page(qtbot, today, window, demo_db):
    home_page = window.show_page("home")
    home_page.refresh()
    # counted in the background (0.2 s at ten times a district's size): the window answers at once
    assert home_page.remind.text() == "正在整理今天的催办……"
    n = remind.count_units(demo_db)
    assert n
    qtbot.waitUntil(lambda: home_page.remind.text() == f"{n} 个单位\n今天需要催办", timeout=10000)
    home_page.remind.click()
    assert window.current_page().key == "remind"


def test_the_settings_page_keeps_the_three_settings(today, window, demo_db):
    page = window.show_page("settings")
    page.refresh()
    assert page.remind_spins["remind_lead_workdays"].value() == 3
    page.remind_spins["remind_lead_workdays"].setValue(5)
    page.remind_spins["remind_unsigned_days"].setValue(4)
    page.remind_spins["remind_package_days"].setValue(10)
    page.save_remind()
    assert [settings.get(demo_db, k) for k in ("remind_lead_workdays", "remind_unsigned_days",
                                               "remind_package_days")] == [5, 4, 10]
