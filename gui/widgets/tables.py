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
    keep_selection_by_id(view, model)
    return view


def keep_selection_by_id(view, model) -> None:
    """The rows a user selected stay selected when the list is read again (another client's change,
    a refresh), found by their id, wherever they now stand."""
    from PySide6.QtCore import QItemSelection, QItemSelectionModel, QSignalBlocker

    from gui.models.table import RowsTableModel

    kept = {"ids": [], "current": None}

    def remember():
        selection = view.selectionModel()
        if selection is None:
            return
        rows = [view.model().data(ix, RowsTableModel.ROW_ROLE) for ix in selection.selectedRows()]
        kept["ids"] = [r.get("id") for r in rows if r and r.get("id") is not None]
        current = view.model().data(view.currentIndex(), RowsTableModel.ROW_ROLE)
        kept["current"] = current.get("id") if current else None

    def restore():
        if not kept["ids"] and kept["current"] is None:
            return
        proxy = view.model()
        wanted = set(kept["ids"])
        targets = wanted | ({kept["current"]} if kept["current"] is not None else set())
        chosen = QItemSelection()
        current = None
        # One look per row, stopping at the last one sought: a list is re-read on every filter
        # change, and a selected row usually stands near the top.
        for row, r in enumerate(model.rows()):
            row_id = r.get("id")
            if row_id not in targets:
                continue
            index = proxy.mapFromSource(model.index(row, 0))
            if row_id in wanted:
                chosen.select(index, index)
            if row_id == kept["current"]:
                current = index
            targets.discard(row_id)
            if not targets:
                break
        selection = view.selectionModel()
        # Typing in the filter box leaves the same record current: the page's detail already shows
        # it, so it is not told again (that re-read the record on every keystroke).
        quiet = QSignalBlocker(selection) if getattr(model, "refiltering", False) and current is not None else None
        if current is not None:
            selection.setCurrentIndex(current, QItemSelectionModel.NoUpdate)
        selection.select(chosen, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)
        if quiet is not None:
            quiet.unblock()
            view.viewport().update()

    model.modelAboutToBeReset.connect(remember)
    model.modelReset.connect(restore)


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
