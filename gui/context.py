"""What every page shares: the open store, the data folder, the operator, and a signal that says
which area changed so other pages refresh (Anki-style change broadcast)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from core.paths import DataDir


class AppContext(QObject):
    changed = Signal(str)  # area: "units", "framework", "settings", …

    def __init__(self, db, data: DataDir, operator: str):
        super().__init__()
        self.db = db
        self.data = data
        self.operator = operator

    def open_worker_db(self):
        """A separate connection for a background job (connections are not shared across threads)."""
        from core.store import open_store

        return open_store(self.data, self.operator)

    def notify(self, area: str) -> None:
        self.changed.emit(area)
