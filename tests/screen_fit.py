"""What a person at a 1366×768 laptop would see clipped: the checks of the small-screen tests."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import (QAbstractButton, QAbstractScrollArea, QAbstractSpinBox, QComboBox, QLabel, QLineEdit,
                               QSizePolicy, QTabWidget, QWidget)

CONTROLS = (QAbstractButton, QComboBox, QLabel, QLineEdit, QAbstractSpinBox)


def _is_part_of_another_control(widget: QWidget) -> bool:
    """Qt's own insides (a spin box's line edit, a combo's arrow, a table's corner button)."""
    if widget.objectName().startswith("qt_"):
        return True
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, (QAbstractSpinBox, QComboBox)):
            return True
        if isinstance(parent, QAbstractScrollArea) and not parent.viewport().isAncestorOf(widget):
            return True  # a table's header and corner, a scroll bar
        parent = parent.parentWidget()
    return False


def too_small(widget: QWidget) -> str:
    """Why the widget shows less than it asks for ('' when it shows all of it)."""
    hint = widget.sizeHint()
    w, h = widget.width(), widget.height()
    if widget.sizePolicy().horizontalPolicy() == QSizePolicy.Ignored:
        return ""  # made to give way (the status summary, whose tooltip holds it all)
    if isinstance(widget, QLabel) and widget.wordWrap():
        need = widget.heightForWidth(w)
        return f"高度 {h} < 折行后所需 {need}" if need > h else ""
    if isinstance(widget, QLineEdit):
        minimum = widget.minimumSizeHint()
        if w < minimum.width() or h < hint.height():
            return f"{w}×{h} < {minimum.width()}×{hint.height()}"
        return ""
    if isinstance(widget, QComboBox) and widget.count():
        # a combo asks for its longest choice; what must show is the choice it shows
        metrics = widget.fontMetrics()
        longest = max(metrics.horizontalAdvance(widget.itemText(i)) for i in range(widget.count()))
        need = hint.width() - max(longest - metrics.horizontalAdvance(widget.currentText()), 0)
        return f"{w}×{h} < {need}×{hint.height()}" if w < need or h < hint.height() else ""
    if w < hint.width() or h < hint.height():
        return f"{w}×{h} < {hint.width()}×{hint.height()}"
    return ""


def clipped_by(widget: QWidget, top: QWidget) -> str:
    """The first container (up to top) that cuts the widget off ('' when none does). Scrolling
    content is not cut off: it is reached by scrolling."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent.parentWidget(), QAbstractScrollArea) and parent is parent.parentWidget().viewport():
            return ""
        rect = QRect(widget.mapTo(parent, QPoint(0, 0)), widget.size())
        if not parent.rect().contains(rect):
            return f"超出 {type(parent).__name__}{'#' + parent.objectName() if parent.objectName() else ''}"
        if parent is top:
            return ""
        parent = parent.parentWidget()
    return ""


def _describe(widget: QWidget) -> str:
    text = widget.text() if hasattr(widget, "text") and callable(widget.text) else ""
    text = text if isinstance(text, str) else ""
    if isinstance(widget, QComboBox):
        text = widget.currentText()
    return f"{type(widget).__name__}{'#' + widget.objectName() if widget.objectName() else ''}“{text[:30]}”"


def problems(window, top: QWidget | None = None) -> list[str]:
    """Every shown control that is cut off or smaller than it asks for, in top (default: the window)."""
    top = top or window
    found = []
    for widget in [top, *top.findChildren(QWidget)]:
        if not isinstance(widget, CONTROLS) or not widget.isVisible() or _is_part_of_another_control(widget):
            continue
        why = clipped_by(widget, window) or too_small(widget)
        if why:
            found.append(f"{_describe(widget)}：{why}")
    return found


def every_tab(widget: QWidget):
    """Show each tab of each tab widget in turn (tabs inside tabs too), yielding its name."""
    tabs = [t for t in widget.findChildren(QTabWidget) if t.isVisible()]
    if not tabs:
        yield ""
        return
    outer = tabs[0]
    for i in range(outer.count()):
        outer.setCurrentIndex(i)
        for inner in every_tab(outer.widget(i)):
            yield outer.tabText(i) + ("/" + inner if inner else "")


WANTED_COLUMNS = ("状态", "责任单位")


def columns_out_of_sight(top: QWidget) -> list[str]:
    """状态 and 责任单位 of every shown list that cannot be seen without scrolling sideways."""
    from PySide6.QtWidgets import QTableView, QTreeView

    found = []
    for view in [*top.findChildren(QTableView), *top.findChildren(QTreeView)]:
        if not view.isVisible() or view.model() is None:
            continue
        header = view.header() if isinstance(view, QTreeView) else view.horizontalHeader()
        model = view.model()
        for section in range(header.count()):
            title = str(model.headerData(section, Qt.Horizontal) or "")
            if title not in WANTED_COLUMNS:
                continue
            left = header.sectionViewportPosition(section)
            right = left + header.sectionSize(section)
            if header.isSectionHidden(section) or left < 0 or right > view.viewport().width():
                found.append(f"列表“{'、'.join(str(model.headerData(i, Qt.Horizontal)) for i in range(min(3, header.count())))}…”的“{title}”列"
                             f"在 {left}–{right}，可见宽度 {view.viewport().width()}")
    return found
