"""What every page has: a title, a key, and refreshing when its data changed elsewhere."""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QTableView, QWidget

from core.errors import AppError


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

    def mark_stale(self, area: str) -> None:
        if area in self.areas or area == "*":
            self._stale = True

    def refresh_if_stale(self) -> None:
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        self._stale = False

    def run_change(self, title: str, func, *args, area: str | None = None, **kwargs):
        """Run a core change; show a user's error; broadcast the change. Returns the result or None."""
        from gui.dialogs import show_error

        try:
            result = func(self.db, *args, **kwargs)
        except AppError as exc:
            show_error(self, title, exc)
            return None
        self.ctx.notify(area or (self.areas[0] if self.areas else "*"))
        return True if result is None else result


def make_table(model, *, stretch_last=True, sortable=True) -> QTableView:
    from PySide6.QtCore import QSortFilterProxyModel, Qt

    from gui.models.table import RowsTableModel

    view = QTableView()
    proxy = QSortFilterProxyModel(view)
    proxy.setSourceModel(model)
    proxy.setSortRole(RowsTableModel.SORT_ROLE)
    proxy.setFilterCaseSensitivity(proxy.filterCaseSensitivity().CaseInsensitive)
    proxy.setFilterKeyColumn(-1)
    view.setModel(proxy)
    view.setSortingEnabled(sortable)
    view.sortByColumn(-1, Qt.AscendingOrder)  # keep core's order until the user clicks a header
    view.setSelectionBehavior(QTableView.SelectRows)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setDefaultSectionSize(26)
    view.verticalHeader().setVisible(False)
    header = view.horizontalHeader()
    header.setStretchLastSection(stretch_last)
    header.setSectionResizeMode(QHeaderView.Interactive)
    for i, col in enumerate(model.columns):
        if col.width:
            view.setColumnWidth(i, col.width)
    return view


def selected_rows(view) -> list[dict]:
    from gui.models.table import RowsTableModel

    return [view.model().data(ix, RowsTableModel.ROW_ROLE)
            for ix in view.selectionModel().selectedRows()]
