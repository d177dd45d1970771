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

    def mark_stale(self, areas: frozenset) -> None:
        if "*" in areas or "*" in self.areas or areas.intersection(self.areas):
            self._stale = True

    def refresh_if_stale(self) -> None:
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        self._stale = False

    def run_change(self, title: str, func, *args, **kwargs):
        """Run a core change and show a user's error. Returns the result (True for None) or None.
        The change announces itself when it commits."""
        from gui.dialogs import show_error

        try:
            result = func(self.db, *args, **kwargs)
        except AppError as exc:
            show_error(self, title, exc)
            return None
        return True if result is None else result


def make_table(model, *, state_key: str, stretch_last=True, sortable=True, sort: tuple | None = None) -> QTableView:
    """A list over a sort/filter proxy. state_key ("units/list") names where its column widths,
    order and sort are remembered; sort (column, order) is the default until the user sorts."""
    from PySide6.QtCore import Qt

    from gui.models.table import RowsFilterProxy
    from gui.theme import rows_follow_font, scaled
    from gui.ui_state import remember_header

    view = QTableView()
    proxy = RowsFilterProxy(view)
    proxy.setSourceModel(model)
    view.setModel(proxy)
    view.setSortingEnabled(sortable)
    view.sortByColumn(*(sort or (-1, Qt.AscendingOrder)))  # -1 keeps core's order until the user clicks a header
    view.setSelectionBehavior(QTableView.SelectRows)
    view.setAlternatingRowColors(True)
    rows_follow_font(view)
    view.verticalHeader().setVisible(False)
    header = view.horizontalHeader()
    header.setStretchLastSection(stretch_last)
    header.setSectionResizeMode(QHeaderView.Interactive)

    def default_widths():
        for i, col in enumerate(model.columns):
            if col.width:
                view.setColumnWidth(i, scaled(col.width))

    remember_header(view, state_key, default_widths)
    return view


def filter_as_you_type(edit, view) -> None:
    """Filter the view's rows by the edit's text, starting with the text it already holds (a
    remembered filter)."""
    proxy = view.model()
    edit.textChanged.connect(proxy.set_text)
    proxy.set_text(edit.text())


def selected_rows(view) -> list[dict]:
    from gui.models.table import RowsTableModel

    return [view.model().data(ix, RowsTableModel.ROW_ROLE)
            for ix in view.selectionModel().selectedRows()]
