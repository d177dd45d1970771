"""Bringing one record into view in a list: what search and the home page use to open a record."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel

from gui.models.table import RowsTableModel


def select_row_by_id(view, record_id: int, key: str = "id") -> bool:
    """Select and show the row whose record has `key` == record_id; False when the list lacks it."""
    model = view.model()
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        record = model.data(index, RowsTableModel.ROW_ROLE)
        if record and record.get(key) == record_id:
            view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)
            view.scrollTo(index)
            return True
    return False


def reset_filters(*widgets) -> None:
    """Put filter widgets back to “all” (first combo entry, empty text, unticked) before opening a
    record, so a remembered filter cannot hide it."""
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit

    for w in widgets:
        if isinstance(w, QComboBox):
            w.setCurrentIndex(0)
        elif isinstance(w, QLineEdit):
            w.clear()
        elif isinstance(w, QAbstractButton):
            w.setChecked(False)
