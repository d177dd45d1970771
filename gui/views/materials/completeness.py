"""完成情况: approval and points coverage per 测评项目, unit or working group, as a table and a chart."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QScrollArea, QSplitter, QVBoxLayout, QWidget

from core import materials
from gui.charts import coverage_chart
from gui.models.table import Col, RowsTableModel, fmt_points
from gui.ui_state import remember
from gui.widgets.flow import FlowLayout
from gui.widgets.tables import make_table


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%"


COLUMNS = [
    Col("name", "名称", width=200), Col("materials", "材料数", align_right=True, width=60),
    Col("approved", "已通过", align_right=True, width=60),
    Col("approved_share", "材料通过率", fmt=_percent, align_right=True, width=80),
    Col("points", "应覆盖分值", fmt=fmt_points, align_right=True, width=80),
    Col("covered_points", "已覆盖分值", fmt=fmt_points, align_right=True, width=80),
    Col("points_share", "分值覆盖率", fmt=_percent, align_right=True, width=80),
]


class CompletenessView(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.db = None
        self.edition_id: int | None = None
        v = QVBoxLayout(self)
        row = FlowLayout()
        row.addWidget(QLabel("统计口径："))
        self.by_box = QComboBox()
        for key, label in materials.BY.items():
            self.by_box.addItem("按" + label, key)
        remember(self.by_box, "materials/completeness_by")
        self.by_box.currentIndexChanged.connect(lambda _: self.refresh())
        row.addWidget(self.by_box)
        note = QLabel("已归档计为通过；一条标准的全部材料都通过时，其分值计为已覆盖（基数为有材料要求的标准分值）。")
        note.setStyleSheet("color: #666;")
        note.setWordWrap(True)
        v.addLayout(row)
        v.addWidget(note)
        split = QSplitter(Qt.Horizontal)
        self.model = RowsTableModel(COLUMNS, self)
        self.table = make_table(self.model, state_key="materials/completeness")
        split.addWidget(self.table)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        self.chart = coverage_chart()
        scroll.setWidget(self.chart)
        split.addWidget(scroll)
        split.setSizes([620, 560])
        v.addWidget(split, 1)

    def show_edition(self, db, edition_id: int | None) -> None:
        """Read and show the figures (the page asks when this tab is in front)."""
        self.db, self.edition_id = db, edition_id
        self.refresh()

    def refresh(self) -> None:
        if self.db is None or not self.edition_id:
            return
        data = materials.completeness(self.db, self.edition_id, self.by_box.currentData())
        self.model.set_rows(data)
        self.chart.set_data(data)
