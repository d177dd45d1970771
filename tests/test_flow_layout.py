"""The wrapping button rows: they wrap when narrow, and a row whose buttons change (a longer text, a
hidden button) is measured again rather than answered from what it measured before."""

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QPushButton, QWidget  # noqa: E402

from gui.widgets.flow import FlowLayout  # noqa: E402


@pytest.fixture
def row(qtbot):
    holder = QWidget()
    qtbot.addWidget(holder)
    layout = FlowLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    buttons = [QPushButton(f"按钮{i}") for i in range(4)]
    for b in buttons:
        layout.addWidget(b)
    return holder, layout, buttons


def test_a_row_wraps_when_narrow_and_stays_one_line_when_wide(row):
    holder, layout, buttons = row
    one_line = max(b.sizeHint().height() for b in buttons)
    assert layout.heightForWidth(layout.sizeHint().width()) == one_line
    assert layout.heightForWidth(buttons[0].sizeHint().width()) > 3 * one_line


def test_a_longer_text_or_a_hidden_button_is_measured_again(row, qtbot):
    holder, layout, buttons = row
    width = layout.sizeHint().width()
    holder.resize(width, 200)
    holder.show()
    qtbot.waitExposed(holder)
    one_line = layout.heightForWidth(width)
    buttons[0].setText("一段长得多的按钮文字，放不进原来的一行")
    assert layout.heightForWidth(width) > one_line  # wraps now; the earlier answer was not kept
    buttons[0].hide()
    assert layout.heightForWidth(width) == one_line
    holder.resize(width, 200)
    layout.setGeometry(holder.rect())
    assert buttons[3].geometry().right() <= width  # placed again for the buttons still shown
