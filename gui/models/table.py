"""A table model over rows (dicts) that core returns; views sort and filter through a proxy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor


@dataclass
class Col:
    key: str
    title: str
    fmt: Callable[[Any], str] | None = None
    align_right: bool = False
    width: int | None = None


def fmt_points(value) -> str:
    if value is None or value == "":
        return ""
    return f"{value:g}"


class RowsTableModel(QAbstractTableModel):
    SORT_ROLE = Qt.UserRole + 1
    ROW_ROLE = Qt.UserRole + 2

    def __init__(self, columns: list[Col], parent=None, muted: Callable[[dict], bool] | None = None):
        super().__init__(parent)
        self.columns = columns
        self._rows: list[dict] = []
        self._muted = muted  # rows shown greyed out (retired units …)

    def set_rows(self, rows: list[dict]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def update_rows(self, fresh: dict, key: str = "id") -> list[int]:
        """Replace in place the rows whose `key` is in fresh (key → new row): the view keeps its
        selection, scroll position and order. Returns the model rows replaced."""
        changed = [i for i, r in enumerate(self._rows) if r.get(key) in fresh]
        for i in changed:
            self._rows[i] = fresh[self._rows[i][key]]
            self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.columns) - 1))
        return changed

    def remove_rows(self, keys, key: str = "id") -> None:
        """Take out the rows whose `key` is in keys, one block at a time (no reset)."""
        keys = set(keys)
        for i in reversed([i for i, r in enumerate(self._rows) if r.get(key) in keys]):
            self.beginRemoveRows(QModelIndex(), i, i)
            del self._rows[i]
            self.endRemoveRows()

    def row_at(self, row: int) -> dict:
        return self._rows[row]

    def rows(self) -> list[dict]:
        return self._rows

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)) or not (0 <= index.column() < len(self.columns)):
            return None
        row = self._rows[index.row()]
        col = self.columns[index.column()]
        value = row.get(col.key)
        if role in (Qt.DisplayRole, Qt.ToolTipRole):
            if col.fmt:
                return col.fmt(value)
            return "" if value is None else str(value)
        if role == self.SORT_ROLE:
            return value if isinstance(value, (int, float)) else ("" if value is None else str(value))
        if role == self.ROW_ROLE:
            return row
        if role == Qt.TextAlignmentRole and col.align_right:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.ForegroundRole and self._muted and self._muted(row):
            return QBrush(QColor("#8a8a8a"))
        return None

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if role == Qt.DisplayRole and orientation == Qt.Horizontal and 0 <= section < len(self.columns):
            return self.columns[section].title
        if role == Qt.DisplayRole and orientation == Qt.Vertical:
            return str(section + 1)
        return None
