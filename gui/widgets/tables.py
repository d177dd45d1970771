"""Lists: a table view over a sort/filter proxy that remembers its columns, filtering as you type,
and the rows the user selected."""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QTableView


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
