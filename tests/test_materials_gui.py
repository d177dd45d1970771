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
    row = next(r for r in page.checklist.all_rows if r["code"] == code and r["kind"] == kind)
    assert page.select_material(row["id"])
    return row["id"]


def test_checklist_filters_sort_and_models(page, qtbot, qtmodeltester):
    view = page.checklist
    assert view.model.rowCount() == 76
    assert "76 / 76" in view.count_label.text()
    view.kind_box.setCurrentIndex(view.kind_box.findData("实景图片"))
    assert view.model.rowCount() == 19
    view.status_box.setCurrentIndex(view.status_box.findData("已提交"))
    assert {r["code"] for r in view.model.rows()} == {"4.2.1"}
    view.kind_box.setCurrentIndex(0)
    view.status_box.setCurrentIndex(0)
    view.search.setText("征求意见稿")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    view.search.clear()
    qtbot.waitUntil(lambda: view.model.rowCount() == 76)
    view.unit_box.setCurrentIndex(view.unit_box.findText("区文明办"))
    assert view.model.rowCount() == 20 and all(r["unit_name"] == "区文明办" for r in view.model.rows())
    view.unit_box.setCurrentIndex(0)
    view.group_box.setCurrentIndex(1)
    assert 0 < view.model.rowCount() < 76
    view.group_box.setCurrentIndex(0)
    category = next(i for i in range(view.category_box.count()) if view.category_box.itemText(i).startswith("七"))
    view.category_box.setCurrentIndex(category)
    assert view.model.rowCount() == 16
    view.category_box.setCurrentIndex(0)
    view.overdue_box.setChecked(True)
    assert all(r["overdue"] for r in view.model.rows())
    view.overdue_box.setChecked(False)
    status_col = [c.key for c in view.model.columns].index("status")
    view.table.sortByColumn(status_col, Qt.DescendingOrder)
    proxy = view.table.model()
    first = proxy.data(proxy.index(0, status_col))
    last = proxy.data(proxy.index(proxy.rowCount() - 1, status_col))
    assert first >= last
    qtmodeltester.check(view.model)
    page.tabs.setCurrentIndex(1)
    assert page.completeness.model.rowCount() == 7  # categories that have materials
    qtmodeltester.check(page.completeness.model)
    page.completeness.by_box.setCurrentIndex(page.completeness.by_box.findData("unit"))
    assert page.completeness.chart.data and page.completeness.chart.grab().width() > 0


def test_drop_files_on_a_material_submits_it(page, tmp_path, demo_db):
    material_id = _select(page, "6.1.1", "实景图片")
    assert page.current["status"] == "待提交"
    from PIL import Image

    photo = tmp_path / "扬尘治理现场.jpg"
    Image.new("RGB", (200, 150), "green").save(photo)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photo))])
    page.detail.files.dropEvent(QDropEvent(QPointF(5, 5), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier))
    got = materials.get_material(demo_db, material_id)
    assert got["file_count"] == 1 and got["status"] == "已提交"
    assert page.current["id"] == material_id and page.current["status"] == "已提交"
    assert page.detail.files.model.rowCount() == 1
    assert page.detail.action_buttons["approve"].isEnabled() and not page.detail.action_buttons["archive"].isEnabled()


def test_status_actions_from_the_page(page, monkeypatch, demo_db):
    material_id = _select(page, "4.2.2", "统计表格")  # 审核通过 in the demo
    monkeypatch.setattr("gui.views.materials.dialogs.ask_placement",
                        lambda parent, m: {"box": 3, "item": None, "pages": 2})
    page.do_action("archive")
    got = materials.get_material(demo_db, material_id)
    assert (got["status"], got["box"], got["item"]) == ("已归档", 3, 1)
    page.do_action("unarchive")
    monkeypatch.setattr("gui.views.materials.dialogs.ask_comment", lambda parent, title, text="": "数据口径不清")
    page.do_action("request")
    assert materials.get_material(demo_db, material_id)["comment"] == "数据口径不清"
    page.detail.title_edit.setText("志愿者统计表（2026年6月）")
    page.detail.save_button.click()
    assert materials.get_material(demo_db, material_id)["title"] == "志愿者统计表（2026年6月）"


def test_review_mode_by_keyboard_saves_progress(page, qtbot, monkeypatch, demo_db):
    from gui.views.materials.review import ReviewWindow

    edition = framework.current_edition_id(demo_db)
    review = ReviewWindow(page.ctx, edition, page)
    qtbot.addWidget(review)
    review.show()
    review.show_all.setChecked(True)  # the walk through every item, from its start
    qtbot.keyClick(review, Qt.Key_Left)
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
    monkeypatch.setattr("gui.views.materials.dialogs.ask_comment", lambda parent, title, text="": "请上传统计表")
    qtbot.keyClick(review, Qt.Key_N)
    got = materials.get_material(demo_db, item_3)
    assert (got["status"], got["comment"]) == ("需补充", "请上传统计表")
    assert review.index == 4
    review.close()
    again = ReviewWindow(page.ctx, edition, page)
    qtbot.addWidget(again)
    again.show_all.setChecked(True)
    assert again.index == 4  # resumes where it stopped


def test_review_mode_opens_on_what_waits_for_a_verdict(page, qtbot, demo_db):
    """待提交 items with no file are not in the way: the walk is 已提交/需补充 with files, until
    显示全部材料 is ticked."""
    from gui.views.materials.review import ReviewWindow

    edition = framework.current_edition_id(demo_db)
    review = ReviewWindow(page.ctx, edition, page)
    qtbot.addWidget(review)
    review.show()
    room = review.screen().availableGeometry()
    assert review.width() <= room.width() and review.height() <= room.height()  # its keys stay on screen
    assert not review.show_all.isChecked()
    seen = []
    for _ in range(10):
        seen.append((review.item["status"], len(review.item["files"])))
        qtbot.keyClick(review, Qt.Key_Right)
    walked = len(review.order)
    assert review.position_label.text() == f"第 {walked} / {walked} 项"
    assert {status for status, _ in seen[:walked]} <= {"已提交", "需补充"} and all(files for _, files in seen)
    assert "已是最后一项" in review.message.text()
    every = sum(1 for m in materials.checklist(demo_db, edition))
    assert 0 < walked < every
    review.show_all.setChecked(True)
    assert review.position_label.text().endswith(f"/ {every} 项")
    review.show_all.setChecked(False)
    for material_id in review.order:  # every verdict given: nothing waits any more
        materials.change_status(demo_db, material_id, "approve")
    review.show_all.setChecked(True)
    review.show_all.setChecked(False)
    assert "没有等待审查的材料" in review.header.text() and review.item is None


def test_health_dialog_lists_gaps_and_jumps(page, qtbot, qtmodeltester, demo_db):
    from gui.views.materials.dialogs import HealthDialog

    found = materials.health_check(demo_db, framework.current_edition_id(demo_db))
    dialog = HealthDialog(page, found)
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == len(found) > 0
    qtmodeltester.check(dialog.model)
    index = dialog.table.model().index(0, 0)
    dialog._jump(index)
    assert page.current["id"] == found[0]["material_id"]
