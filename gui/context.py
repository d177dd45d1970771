"""What every page shares: the open store, the data folder, the operator, and the broadcast of
what changed so that other pages refresh (the pattern of Anki's operations: a change announces
itself, no page tells the others).

Every write transaction that commits — on the window's own store or on a background job's store
— reports the tables it touched (Store.on_commit); they become areas (core.changes) and one signal
carries them to every page.
"""

from __future__ import annotations

from contextlib import contextmanager

from PySide6.QtCore import QObject, Signal

from core.changes import EVERYTHING, areas_of
from core.paths import DataDir


class AppContext(QObject):
    # areas changed (a frozenset of "units", "framework", … or "*"), and the page that shows the
    # change by itself (it updated its rows in place), or None
    changed = Signal(object, object)
    _job_committed = Signal(object)  # tables, from a background job's thread (queued to this one)

    def __init__(self, db, data: DataDir, operator: str):
        super().__init__()
        self._db = None
        self.db = db
        self.data = data
        self.operator = operator
        self._shown_by = []
        self._job_committed.connect(self._committed)

    @property
    def db(self):
        return self._db

    @db.setter
    def db(self, store) -> None:
        self._db = store
        if store is not None:
            store.on_commit = self._committed

    def open_worker_db(self):
        """A separate connection for a background job (connections are not shared across threads);
        its commits are broadcast like the window's own."""
        from core.store import open_store

        store = open_store(self.data, self.operator)
        store.on_commit = self._job_committed.emit
        return store

    def _committed(self, tables) -> None:
        self.broadcast(areas_of(tables))

    def broadcast(self, areas) -> None:
        self.changed.emit(frozenset(areas), self._shown_by[-1] if self._shown_by else None)

    def replaced(self) -> None:
        """The whole ledger changed under every page (a restore)."""
        self.broadcast({EVERYTHING})

    @contextmanager
    def shown_by(self, page):
        """Changes made inside are shown by `page` itself (it updates the rows it changed), so it is
        not marked for a reload; every other page is."""
        self._shown_by.append(page)
        try:
            yield
        finally:
            self._shown_by.pop()
