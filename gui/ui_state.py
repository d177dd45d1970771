"""What the interface remembers between runs (QSettings): every list's column widths, order and sort
(tables/<key>) and every page's filters (filters/<key>)."""

from __future__ import annotations

import hashlib
import json
import weakref
from collections.abc import Callable

from PySide6.QtCore import QDate, QEvent, QObject, QSettings, QSignalBlocker, Qt, QTimer
from PySide6.QtWidgets import (QAbstractButton, QAbstractSpinBox, QComboBox, QDateEdit, QDoubleSpinBox, QLineEdit,
                               QSpinBox, QTreeView)

from gui.theme import font_scale, resize_columns

TODAY = "today"


def remember(widget, key: str) -> None:
    """Give a filter widget the value it was left with (QComboBox, QLineEdit, QCheckBox, QDateEdit,
    QSpinBox) and save every change under filters/<key>. The value is put in with the widget's
    signals blocked, so the page's own refresh must read it from the widget.

    A combo box filled later (from the database) gets a single placeholder item carrying the saved
    choice: fill code that keeps the current choice then selects it, or falls back to the first
    item when it no longer exists. A date equal to today is saved as "today", so a range ending
    today still ends today tomorrow."""
    name = f"filters/{key}"
    saved = QSettings().value(name)
    if saved is not None:
        try:
            value = json.loads(saved)
        except (TypeError, ValueError):
            value = None
        if value is not None:
            with QSignalBlocker(widget):
                _put(widget, value)
    _changed_signal(widget).connect(lambda *_: _save(widget, name))


def _changed_signal(widget):
    if isinstance(widget, QComboBox):
        return widget.currentIndexChanged
    if isinstance(widget, QLineEdit):
        return widget.textChanged
    if isinstance(widget, QAbstractButton):
        return widget.toggled
    if isinstance(widget, QDateEdit):
        return widget.dateChanged
    if isinstance(widget, (QSpinBox, QDoubleSpinBox)):
        return widget.valueChanged
    raise TypeError(f"remember() does not know {type(widget).__name__}")


def _value(widget):
    if isinstance(widget, QComboBox):
        data = widget.currentData()
        return {"text": widget.currentText(), "data": data if isinstance(data, (str, int, float, bool)) else None}
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QAbstractButton):
        return widget.isChecked()
    if isinstance(widget, QDateEdit):
        date = widget.date()
        return TODAY if date == QDate.currentDate() else date.toString(Qt.ISODate)
    return widget.value()


def _save(widget, name: str) -> None:
    if isinstance(widget, QComboBox) and widget.currentIndex() < 0:
        return  # cleared for refilling: the choice comes back with the items
    QSettings().setValue(name, json.dumps(_value(widget), ensure_ascii=False))


def _put(widget, value) -> None:
    if isinstance(widget, QComboBox):
        if not isinstance(value, dict):
            return
        text, data = value.get("text", ""), value.get("data")
        if widget.count() == 0:
            widget.addItem(text, data)
            return
        index = widget.findData(data) if data is not None else -1
        if index < 0:
            index = widget.findText(text)
        widget.setCurrentIndex(max(index, 0))
    elif isinstance(widget, QLineEdit):
        widget.setText(str(value))
    elif isinstance(widget, QAbstractButton):
        widget.setChecked(bool(value))
    elif isinstance(widget, QDateEdit):
        date = QDate.currentDate() if value == TODAY else QDate.fromString(str(value), Qt.ISODate)
        if date.isValid():
            widget.setDate(date)
    elif isinstance(widget, QAbstractSpinBox) and isinstance(value, (int, float)):
        widget.setValue(value)


_HEADERS: weakref.WeakSet = weakref.WeakSet()


def save_pending_headers() -> None:
    """Write every column change still waiting for its delay: the program is quitting, or a
    font-size change resized lists on pages that are not shown."""
    for memory in list(_HEADERS):
        memory.save()


def remember_header(view, key: str, apply_defaults: Callable[[], None]) -> None:
    """Keep a table's or tree's column widths, order and sort under tables/<key>, one state per set
    of columns: a layout from an older version is never applied to different columns, and a
    table whose columns depend on the report shown keeps each report's widths."""
    _HeaderMemory(view, key, apply_defaults)


class _HeaderMemory(QObject):
    """Restores the saved state when the view is built and whenever its columns change. A change
    is captured at once and written shortly after, or when the view is hidden (page switched,
    window or dialog closed), so nothing pending is lost with the widget."""

    SAVE_DELAY_MS = 400

    def __init__(self, view, key: str, apply_defaults: Callable[[], None]):
        super().__init__(view)
        self.header = view.header() if isinstance(view, QTreeView) else view.horizontalHeader()
        self.key = key
        self.apply_defaults = apply_defaults
        self.columns: list = []
        self.pending = None
        self.timer = QTimer(self, singleShot=True, interval=self.SAVE_DELAY_MS)
        self.timer.timeout.connect(self.save)
        self.restore()
        for signal in (self.header.sectionResized, self.header.sectionMoved, self.header.sortIndicatorChanged):
            signal.connect(self.capture)
        view.model().modelReset.connect(self.restore_if_columns_changed)
        view.installEventFilter(self)
        _HEADERS.add(self)

    def current_columns(self) -> list:
        model = self.header.model()
        return [model.headerData(i, Qt.Horizontal) for i in range(model.columnCount())]

    def group(self) -> str:
        digest = hashlib.sha1(json.dumps(self.columns, ensure_ascii=False).encode()).hexdigest()[:8]
        return f"tables/{self.key}/{digest}"

    def restore(self) -> None:
        self.columns = self.current_columns()
        self.pending = None
        self.apply_defaults()
        if not self.columns:
            return
        settings = QSettings()
        state = settings.value(f"{self.group()}/header")
        if state is not None:
            self.header.restoreState(state)  # emits sortIndicatorChanged: a sortable view sorts by it
            saved_at = float(settings.value(f"{self.group()}/font_scale", 1.0))
            if saved_at != font_scale():  # saved at another font size (a dialog closed at the time)
                resize_columns(self.header, font_scale() / saved_at)

    def restore_if_columns_changed(self) -> None:
        if self.current_columns() != self.columns:
            self.save()  # what is pending belongs to the columns shown before
            self.restore()

    def capture(self, *_) -> None:
        if self.columns and self.current_columns() == self.columns:  # not halfway through a change of columns
            self.pending = self.header.saveState()
            self.timer.start()

    def save(self) -> None:
        self.timer.stop()
        if self.pending is not None:
            settings = QSettings()
            settings.setValue(f"{self.group()}/header", self.pending)
            settings.setValue(f"{self.group()}/font_scale", font_scale())
            self.pending = None

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Hide:
            self.save()
        return False
