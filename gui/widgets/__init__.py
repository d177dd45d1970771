"""Small widgets shared by pages."""

from __future__ import annotations

import re

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import (QCompleter, QDialog, QHBoxLayout, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QVBoxLayout, QWidget)

from gui.dialogs import accept_buttons

SEPARATORS = r"[、，,；;／/\n]+"


class UnitRefsEdit(QWidget):
    """Names of units or groups separated by “、”, with completion and a pick-list dialog."""

    def __init__(self, names_provider, parent=None):
        super().__init__(parent)
        self._names_provider = names_provider
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("单位或分组名称，多个用“、”分隔")
        pick = QPushButton("选择…")
        pick.setAutoDefault(False)
        pick.clicked.connect(self._pick)
        layout.addWidget(self.edit, 1)
        layout.addWidget(pick)

    def refresh_names(self, names: list[str] | None = None):
        """Update the completion list (one completer for the widget's life, its list replaced)."""
        names = self._names_provider() if names is None else names
        if self.edit.completer() is None:
            completer = QCompleter(self)
            completer.setModel(QStringListModel(self))
            completer.setFilterMode(Qt.MatchContains)
            completer.setCaseSensitivity(Qt.CaseInsensitive)
            self.edit.setCompleter(completer)
        self.edit.completer().model().setStringList(names)

    def names(self) -> list[str]:
        return [p.strip() for p in re.split(SEPARATORS, self.edit.text()) if p.strip()]

    def set_names(self, names: list[str]) -> None:
        self.edit.setText("、".join(names))

    def _pick(self):
        dialog = QDialog(self)
        dialog.setWindowTitle("选择单位")
        layout = QVBoxLayout(dialog)
        search = QLineEdit()
        search.setPlaceholderText("筛选")
        layout.addWidget(search)
        chosen = set(self.names())
        listing = QListWidget()
        for name in self._names_provider():
            item = QListWidgetItem(name)
            item.setCheckState(Qt.Checked if name in chosen else Qt.Unchecked)
            listing.addItem(item)
        layout.addWidget(listing)
        search.textChanged.connect(lambda t: [listing.item(i).setHidden(t not in listing.item(i).text())
                                              for i in range(listing.count())])
        buttons = accept_buttons(dialog)
        layout.addWidget(buttons)
        dialog.resize(360, 480)
        if dialog.exec():
            picked = [listing.item(i).text() for i in range(listing.count())
                      if listing.item(i).checkState() == Qt.Checked]
            kept = [n for n in self.names() if n in picked]  # keep the order the user had
            self.set_names(kept + [n for n in picked if n not in kept])
