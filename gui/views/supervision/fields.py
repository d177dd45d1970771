"""Form fields the page's forms share: a date picked in a calendar, a list that completes as one types."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QDateEdit

from core import clock


def qdate(iso_or_date) -> QDate:
    d = iso_or_date if isinstance(iso_or_date, dt.date) else dt.date.fromisoformat(iso_or_date)
    return QDate(d.year, d.month, d.day)


def pydate(edit: QDateEdit) -> dt.date:
    q = edit.date()
    return dt.date(q.year(), q.month(), q.day())


def date_edit(value: dt.date | None = None) -> QDateEdit:
    edit = QDateEdit(qdate(value or clock.today()))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def completing_combo(items: list[str], first: str | None = None) -> QComboBox:
    combo = QComboBox()
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.NoInsert)
    if first is not None:
        combo.addItem(first)
    combo.addItems(items)
    completer = QCompleter(items, combo)
    completer.setFilterMode(Qt.MatchContains)
    completer.setCaseSensitivity(Qt.CaseInsensitive)
    combo.setCompleter(completer)
    return combo
