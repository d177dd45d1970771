"""档案材料 page and 档案审查 driven with qtbot on the demo district."""

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDropEvent  # noqa: E402

from core import framework, materials  # noqa: E402


@pytest.fixture
def page(window):
    return window.show_page("materials")


def _select(page, code, kind):
    row = next(r for r in page.all_rows if r["code"] == code and r["kind"] == kind)
    assert page.select_material(row["id"])
    return row["id"]


def test_checklist_filters_sort_and_models(page, qtbot, qtmodeltester):
    assert page.model.rowCount() == 76
    assert "76 / 76" in page.count_label.text()
    page.kind_box.setCurrentIndex(page.kind_box.findData("实景图片"))
    assert page.model.rowCount() == 19
    page.status_box.setCurrentIndex(page.status_box.findData("已提交"))
    assert {r["code"] for r in page.model.rows()} == {"4.2.1"}
    page.kind_box.setCurrentIndex(0)
    page.status_box.setCurrentIndex(0)
    page.search.setText("征求意见稿")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    page.search.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == 76)
    page.unit_box.setCurrentIndex(page.unit_box.findText("区文明办"))
    assert page.model.rowCount() == 20 and all(r["unit_name"] == "区文明办" for r in page.model.rows())
    page.unit_box.setCurrentIndex(0)
    page.group_box.setCurrentIndex(1)
    assert 0 < page.model.rowCount() < 76
    page.group_box.setCurrentIndex(0)
    category = next(i for i in range(page.category_box.count()) if page.category_box.itemText(i).startswith("七"))
    page.category_box.setCurrentIndex(category)
    assert page.model.rowCount() == 16
    page.category_box.setCurrentIndex(0)
    page.overdue_box.setChecked(True)
    assert all(r["overdue"] for r in page.model.rows())
    page.overdue_box.setChecked(False)
    status_col = [c.key for c in page.model.columns].index("status")
    page.table.sortByColumn(status_col, Qt.DescendingOrder)
    proxy = page.table.model()
    first = proxy.data(proxy.index(0, status_col))
    last = proxy.data(proxy.index(proxy.rowCount() - 1, status_col))
    assert first >= last
    qtmodeltester.check(page.model)
    page.tabs.setCurrentIndex(1)
    assert page.completeness_model.rowCount() == 7  # categories that have materials
    qtmodeltester.check(page.completeness_model)
    page.by_box.setCurrentIndex(page.by_box.findData("unit"))
    assert page.chart.data and page.chart.grab().width() > 0


def test_drop_files_on_a_material_submits_it(page, tmp_path, demo_db):
    material_id = _select(page, "6.1.1", "实景图片")
    assert page.current["status"] == "待提交"
    from PIL import Image

    photo = tmp_path / "扬尘治理现场.jpg"
    Image.new("RGB", (200, 150), "green").save(photo)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photo))])
    page.files.dropEvent(QDropEvent(QPointF(5, 5), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier))
    got = materials.get_material(demo_db, material_id)
    assert got["file_count"] == 1 and got["status"] == "已提交"
    assert page.current["id"] == material_id and page.current["status"] == "已提交"
    assert page.files.model.rowCount() == 1
    assert page.action_buttons["approve"].isEnabled() and not page.action_buttons["archive"].isEnabled()


def test_status_actions_from_the_page(page, monkeypatch, demo_db):
    material_id = _select(page, "4.2.2", "统计表格")  # 审核通过 in the demo
    monkeypatch.setattr("gui.views.materials.ask_placement", lambda parent, m: {"box": 3, "item": None, "pages": 2})
    page.do_action("archive")
    got = materials.get_material(demo_db, material_id)
    assert (got["status"], got["box"], got["item"]) == ("已归档", 3, 1)
    page.do_action("unarchive")
    monkeypatch.setattr("gui.views.materials.ask_comment", lambda parent, title, text="": "数据口径不清")
    page.do_action("request")
    assert materials.get_material(demo_db, material_id)["comment"] == "数据口径不清"
    page.title_edit.setText("志愿者统计表（2026年6月）")
    page.save_button.click()
    assert materials.get_material(demo_db, material_id)["title"] == "志愿者统计表（2026年6月）"


def test_review_mode_by_keyboard_saves_progress(page, qtbot, monkeypatch, demo_db):
    from gui.views.review import ReviewWindow

    edition = framework.current_edition_id(demo_db)
    review = ReviewWindow(page.ctx, edition, page)
    qtbot.addWidget(review)
    review.show()
    assert review.index == 0 and "1.1.1" in review.header.text()
    qtbot.keyClick(review, Qt.Key_Right)
    qtbot.keyClick(review, Qt.Key_Right)
    assert review.index == 2 and review.item["kind"] == "实景图片"
    assert review.scroll.widget().findChildren(type(review.header))  # previews shown
    qtbot.keyClick(review, Qt.Key_Left)
    assert review.index == 1
    item_1 = review.item["id"]  # 1.1.1 说明报告: 已提交, with a file
    qtbot.keyClick(review, Qt.Key_1)
    assert materials.get_material(demo_db, item_1)["status"] == "审核通过" and review.index == 2
    qtbot.keyClick(review, Qt.Key_S)
    item_3 = review.item["id"]  # 1.1.1 统计表格: no file → cannot pass
    qtbot.keyClick(review, Qt.Key_Y)
    assert "还没有附件" in review.message.text() and review.index == 3
    monkeypatch.setattr("gui.views.review.ask_comment", lambda parent, title, text="": "请上传统计表")
    qtbot.keyClick(review, Qt.Key_N)
    got = materials.get_material(demo_db, item_3)
    assert (got["status"], got["comment"]) == ("需补充", "请上传统计表")
    assert review.index == 4
    review.close()
    again = ReviewWindow(page.ctx, edition, page)
    qtbot.addWidget(again)
    assert again.index == 4  # resumes where it stopped


def test_health_dialog_lists_gaps_and_jumps(page, qtbot, qtmodeltester, demo_db):
    from gui.views.materials import HealthDialog

    found = materials.health_check(demo_db, framework.current_edition_id(demo_db))
    dialog = HealthDialog(page, found)
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == len(found) > 0
    qtmodeltester.check(dialog.model)
    index = dialog.table.model().index(0, 0)
    dialog._jump(index)
    assert page.current["id"] == found[0]["material_id"]
