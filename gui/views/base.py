"""What every page has: a title, a key, and refreshing when its data changed elsewhere."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from core.errors import AppError, EditConflict


class Page(QWidget):
    key = ""
    title = ""
    areas: tuple[str, ...] = ()  # areas whose changes this page shows

    def __init__(self, ctx, window):
        super().__init__()
        self.ctx = ctx
        self.window_ = window
        self._stale = True

    @property
    def db(self):
        return self.ctx.db

    def mark_stale(self, areas: frozenset) -> None:
        if "*" in areas or "*" in self.areas or areas.intersection(self.areas):
            self._stale = True

    def refresh_if_stale(self) -> None:
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        self._stale = False

    def run_change(self, title: str, func, *args, on_conflict=None, **kwargs):
        """Run a core change and show a user's error. Returns the result (True for None) or None.
        The change announces itself when it commits. on_conflict: how the form saved here shows the
        record's current values, offered when someone else saved it first (EditConflict)."""
        from gui import dialogs

        try:
            result = func(self.db, *args, **kwargs)
        except EditConflict as exc:
            if on_conflict is None:
                dialogs.show_error(self, title, exc)
            elif dialogs.offer_reload(self, title, exc):
                on_conflict()
            return None
        except AppError as exc:
            dialogs.show_error(self, title, exc)
            return None
        return True if result is None else result
