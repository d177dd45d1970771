"""What every page shares: the open store, the data folder, the operator, and the broadcast of
what changed so that other pages refresh (the pattern of Anki's operations: a change announces
itself, no page tells the others).

Every write transaction that commits — on the window's own store or on a background job's store
— reports the tables it touched (Store.on_commit); they become areas (core.changes) and one signal
carries them to every page. On the shared ledger, other clients' commits arrive the same way: a
LISTEN connection in a background thread hears their announcements, and a check every half minute
of the audit trail catches what no announcement brought (a listener reconnecting).
"""

from __future__ import annotations

import logging
import weakref
from contextlib import contextmanager

from PySide6.QtCore import QObject, QTimer, Signal

from core import audit
from core.changes import EVERYTHING, areas_of
from core.errors import AppError
from core.paths import DataDir

# How often the shared ledger's audit trail is checked for changes no announcement brought.
FALLBACK_CHECK_MS = 30_000


class AppContext(QObject):
    # areas changed (a frozenset of "units", "framework", … or "*"), and the page that shows the
    # change by itself (it updated its rows in place), or None
    changed = Signal(object, object)
    _job_committed = Signal(object)  # tables, from a background job's thread (queued to this one)
    _heard = Signal(object, object)  # (pid, tables) announced by a client, from the listener's thread

    def __init__(self, db, data: DataDir, operator: str, password: str | None = None):
        super().__init__()
        self._db = None
        self.password = password  # the shared ledger's, typed or remembered (None: libpq's rules)
        self.db = db
        self.data = data
        self.operator = operator
        self._shown_by = []
        self._job_committed.connect(self._committed)
        self._heard.connect(self._on_heard)
        self._workers = weakref.WeakSet()
        self._listener = None
        self._mark = 0  # the audit row up to which changes have been shown (shared ledger)
        self._fallback = QTimer(self)
        self._fallback.timeout.connect(self.check_for_changes)

    @property
    def db(self):
        return self._db

    @db.setter
    def db(self, store) -> None:
        self._db = store
        if store is not None:
            store.on_commit = self._committed
            if store.shared:  # announcements missed while the connection was away: show everything again
                store.on_reconnect = lambda: QTimer.singleShot(0, self.replaced)

    @property
    def shared(self) -> bool:
        return bool(self._db is not None and self._db.shared)

    def open_worker_db(self):
        """A separate connection for a background job (connections are not shared across threads);
        its commits are broadcast like the window's own."""
        from core.store import open_store

        if self.shared:
            store = open_store(self.data, self.operator, server=self._db.url, password=self.password)
            self._workers.add(store)
        else:
            store = open_store(self.data, self.operator)
        store.on_commit = self._job_committed.emit
        return store

    def _committed(self, tables) -> None:
        self.broadcast(areas_of(tables))
        self._note_shown()

    # --- other clients' changes (shared ledger) ----------------------------------------------------

    def start_listening(self) -> None:
        """Hear other clients' commits (LISTEN/NOTIFY), with the periodic check as a fallback."""
        if not self.shared or self._listener is not None:
            return
        from core.store.postgres import ChangeListener

        self._note_shown()
        self._listener = ChangeListener(self._db.url, self.password, self._heard.emit).start()
        self._fallback.start(FALLBACK_CHECK_MS)

    def stop_listening(self) -> None:
        self._fallback.stop()
        if self._listener is not None:
            self._listener.stop()
            self._listener = None

    def _own_pids(self) -> set:
        return {self._db.backend_pid, *(w.backend_pid for w in self._workers)}

    def _on_heard(self, pid, tables) -> None:
        if self._db is None or (pid is not None and pid in self._own_pids()):
            return  # our own commit, broadcast when it was made
        self.broadcast(areas_of(tables) if tables is not None else {EVERYTHING})
        self._note_shown()

    def check_for_changes(self) -> None:
        """The fallback: changes in the audit trail after the last shown, broadcast by area."""
        if not self.shared:
            return
        try:
            self._mark, tables = audit.tables_changed_since(self._db, self._mark)
        except AppError as exc:  # the server is away: the next action says so, not a timer
            logging.getLogger("changes").info("检查共享台账的变化失败：%s", exc)
            return
        if tables:
            self.broadcast(areas_of(tables))

    def _note_shown(self) -> None:
        if self.shared:
            try:
                self._mark = audit.last_entry_id(self._db)
            except AppError:
                pass  # the fallback check finds the changes later

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
