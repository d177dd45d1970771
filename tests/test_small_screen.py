"""A 1366×768 laptop at 1×, 1.25× and 2× 界面字号: every page and tab of the main window fits
(pages scroll down, never sideways), no control is cut off or smaller than it asks for, and every
list shows its 状态 and 责任单位 without scrolling sideways (at 1× and 1.25×)."""

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QDeadlineTimer, QThreadPool  # noqa: E402
from PySide6.QtWidgets import QApplication, QCheckBox, QStyle  # noqa: E402

from screen_fit import columns_out_of_sight, every_tab, problems  # noqa: E402

LAPTOP = (1366, 768)


@pytest.fixture
def font_scale():
    """Set the 界面字号 for one test; the application font and style outlive it, so put them back."""
    from gui import theme

    font = QApplication.font()
    yield theme.set_font_scale
    theme.set_font_scale(1.0)
    QApplication.setFont(font)


def _settle(app) -> None:
    QThreadPool.globalInstance().waitForDone(QDeadlineTimer(20000))  # figures filled in the background
    for _ in range(4):  # a page that reflows is laid out again on the next turn of the event loop
        app.processEvents()


def _laptop_window(qtbot, demo_db, data_dir):
    from gui.main_window import MainWindow

    w = MainWindow(demo_db, data_dir, "测试员")
    qtbot.addWidget(w)
    w.resize(*LAPTOP)
    w.show()
    return w


def _look_at_every_page(w, check_columns: bool) -> list[str]:
    app = QApplication.instance()
    seen = []
    for i, page in enumerate(w.pages):
        w.nav.setCurrentRow(i)
        _settle(app)
        for tab in every_tab(page):
            _settle(app)
            where = page.title + (f"/{tab}" if tab else "")
            given = w.stack.width()  # what the window gives the page beside the navigation
            if page.width() > given:
                seen.append(f"{where}：要左右滚动才能看全（页面宽 {page.width()}，窗口给 {given}）")
            found = problems(w, page) + (columns_out_of_sight(page) if check_columns else [])
            seen += [f"{where}：{p}" for p in found]
    return seen


@pytest.mark.parametrize("scale", [1.0, 1.25, 2.0])
def test_every_page_fits_a_laptop_screen(qtbot, demo_db, data_dir, font_scale, scale):
    font_scale(scale)
    w = _laptop_window(qtbot, demo_db, data_dir)
    hint = w.minimumSizeHint()
    assert hint.width() <= LAPTOP[0] and hint.height() <= LAPTOP[1], f"窗口最小 {hint.width()}×{hint.height()}"
    assert (w.width(), w.height()) == LAPTOP
    assert _look_at_every_page(w, check_columns=scale <= 1.25) == []
    assert problems(w, w.nav) == [] and problems(w, w.search_box) == []


def test_check_boxes_and_tree_arrows_grow_with_the_font(qtbot, demo_db, data_dir, font_scale):
    style = QApplication.style
    box = QCheckBox("仅逾期")
    qtbot.addWidget(box)
    font_scale(1.0)
    small = (style().pixelMetric(QStyle.PM_IndicatorWidth, None, box),
             style().pixelMetric(QStyle.PM_TreeViewIndentation, None, None))
    font_scale(2.0)
    large = (style().pixelMetric(QStyle.PM_IndicatorWidth, None, box),
             style().pixelMetric(QStyle.PM_TreeViewIndentation, None, None))
    assert large[0] >= 2 * small[0] - 1 and large[1] >= 2 * small[1] - 1
    w = _laptop_window(qtbot, demo_db, data_dir)
    tree = w.show_page("framework").tree
    assert tree.indentation() >= 2 * small[1] - 1
    font_scale(1.0)  # back to the platform's own style, which paints without a Python proxy in between
    from gui.theme import ScalingStyle

    assert not isinstance(style(), ScalingStyle)
    assert style().pixelMetric(QStyle.PM_IndicatorWidth, None, box) == small[0]
