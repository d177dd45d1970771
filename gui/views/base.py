"""What every page has: a title, a key, and refreshing when its data changed elsewhere."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QTabWidget, QWidget

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

    # --- the width the window gives -------------------------------------------------------------
    def showEvent(self, event):
        super().showEvent(event)
        viewport = self.parentWidget()  # the page scrolls inside it (gui.main_window.page_scroller)
        if viewport is not None and not getattr(self, "_watching_viewport", False):
            viewport.installEventFilter(self)
            for tabs in self.findChildren(QTabWidget):  # a tab shown later is laid out for the width then
                tabs.currentChanged.connect(lambda _=0: self.fit_width(self._available_width()))
            self._watching_viewport = True
        self.fit_width(self._available_width())

    def eventFilter(self, watched, event):
        if watched is self.parentWidget() and event.type() == QEvent.Resize:
            self.fit_width(watched.width())
        return super().eventFilter(watched, event)

    def _available_width(self) -> int:
        viewport = self.parentWidget()
        return viewport.width() if viewport is not None else self.width()

    def fit_width(self, width: int) -> None:
        """Lay the page out for the width the window gives it (not the page's own width, which is
        never below its minimum): side-by-side parts are stacked when they do not fit."""
        from gui.widgets.flow import stack_when_narrow

        stack_when_narrow(self, width)

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
