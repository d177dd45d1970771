"""趋势: one unit's or 测评项目's 得分率 over every round, as a line and a table."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QVBoxLayout, QWidget

from core import scoring, units
from gui.charts import TrendChart
from gui.models.table import RowsTableModel
from gui.theme import scaled
from gui.ui_state import remember
from gui.views.scoring.columns import TREND_COLUMNS
from gui.widgets.flow import FlowLayout
from gui.widgets.tables import make_table

BY_UNIT, BY_CATEGORY = "unit", "category"


class TrendTab(QWidget):
    def __init__(self, page):
        super().__init__()
        self.page = page
        layout = QVBoxLayout(self)
        bar = FlowLayout()
        self.kind = QComboBox()
        self.kind.addItem("责任单位", BY_UNIT)
        self.kind.addItem("测评项目", BY_CATEGORY)
        remember(self.kind, "scoring/trend_kind")
        self.subject = QComboBox()
        self.subject.setMinimumWidth(scaled(260))
        remember(self.subject, "scoring/trend_subject")
        bar.addWidget(QLabel("趋势："))
        bar.addWidget(self.kind)
        bar.addWidget(self.subject)
        bar.addStretch()
        layout.addLayout(bar)
        self.chart = TrendChart()
        layout.addWidget(self.chart, 2)
        self.model = RowsTableModel(TREND_COLUMNS, self)
        layout.addWidget(make_table(self.model, state_key="scoring/trend", sortable=False), 1)
        self.kind.currentIndexChanged.connect(lambda _: self.fill_subjects())
        self.subject.currentIndexChanged.connect(lambda _: self.show_round())

    def fill_subjects(self) -> None:
        """The units or 测评项目 to follow; the one chosen is kept."""
        db = self.page.db
        previous = self.subject.currentText()
        self.subject.blockSignals(True)
        self.subject.clear()
        if self.kind.currentData() == BY_UNIT:
            for u in units.list_units(db):
                self.subject.addItem(u["name"], u["id"])
        else:
            for name in scoring.category_names(db):
                self.subject.addItem(name, name)
        self.subject.setCurrentIndex(max(0, self.subject.findText(previous)))
        self.subject.blockSignals(False)
        if self.page.tabs.currentWidget() is self:  # a unit's trend reads every round: only when it is shown
            self.show_round()

    def show_round(self) -> None:
        subject = self.subject.currentData()
        if subject is None:
            self.model.set_rows([])
            self.chart.set_data("", [])
            return
        if self.kind.currentData() == BY_UNIT:
            points = scoring.trend(self.page.db, unit_id=subject)
        else:
            points = scoring.trend(self.page.db, category=subject)
        self.model.set_rows(points)
        self.chart.set_data(f"{self.subject.currentText()}：历次测评得分率", [(p["round"], p["rate"]) for p in points])
