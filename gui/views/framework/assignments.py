"""责任分解: per unit, its standards as lead and as support and its points at stake."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QSplitter, QVBoxLayout, QWidget

from core import framework
from gui.models.table import Col, RowsTableModel, fmt_points
from gui.ui_state import remember
from gui.views.base import Page
from gui.widgets.flow import FlowLayout
from gui.widgets.tables import filter_as_you_type, make_table, selected_rows

SUMMARY_COLUMNS = [Col("name", "责任单位", width=170), Col("kind", "类别", width=72),
                   Col("lead_count", "牵头", align_right=True, width=55),
                   Col("support_count", "配合", align_right=True, width=55),
                   Col("points", "涉及分值", fmt=fmt_points, align_right=True, width=75)]
TASK_COLUMNS = [Col("code", "标准编号", width=70), Col("role_name", "责任类型", width=70),
                Col("points", "分值", fmt=fmt_points, align_right=True, width=55),
                Col("deadline", "完成时限", width=95), Col("category", "测评项目", width=170),
                Col("title", "测评标准")]


class AssignmentsPage(Page):
    key = "assignments"
    title = "责任分解"
    areas = ("framework", "units")

    def __init__(self, ctx, window):
        super().__init__(ctx, window)
        layout = QVBoxLayout(self)
        top = FlowLayout()
        self.heading = QLabel()
        top.addWidget(self.heading, 1)
        self.no_lead_button = QPushButton()
        self.no_lead_button.clicked.connect(self.show_no_lead)
        top.addWidget(self.no_lead_button)
        layout.addLayout(top)
        splitter = QSplitter()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("筛选单位")
        self.filter.setClearButtonEnabled(True)
        remember(self.filter, "assignments/text")
        left_layout.addWidget(self.filter)
        self.summary_model = RowsTableModel(SUMMARY_COLUMNS, self)
        self.summary = make_table(self.summary_model, state_key="assignments/units", sort=(4, Qt.DescendingOrder))
        filter_as_you_type(self.filter, self.summary)
        left_layout.addWidget(self.summary)
        splitter.addWidget(left)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.unit_heading = QLabel("请在左侧选择一个单位。")
        right_layout.addWidget(self.unit_heading)
        self.task_model = RowsTableModel(TASK_COLUMNS, self)
        self.tasks = make_table(self.task_model, state_key="assignments/tasks")
        right_layout.addWidget(self.tasks)
        splitter.addWidget(right)
        splitter.setSizes([500, 780])
        layout.addWidget(splitter, 1)
        self.summary.selectionModel().selectionChanged.connect(lambda *_: self.show_unit())

    def refresh(self) -> None:
        super().refresh()
        edition_id = framework.current_edition_id(self.db)
        if edition_id is None:
            self.heading.setText("还没有测评体系版本。")
            self.summary_model.set_rows([])
            self.task_model.set_rows([])
            self.no_lead_button.hide()
            return
        edition = framework.get_edition(self.db, edition_id)
        self.heading.setText(f"当前版本“{edition['name']}”的责任分工（各街道等分组已展开到每个单位）")
        self.summary_model.set_rows(framework.unit_summary(self.db, edition_id))
        no_lead = framework.count_without_lead(self.db, edition_id)
        self.no_lead_button.setText(f"无牵头单位的标准：{no_lead} 条")
        self.no_lead_button.setVisible(True)
        self.no_lead_button.setEnabled(bool(no_lead))
        if not self.summary.selectionModel().hasSelection() and self.summary.model().rowCount():
            self.summary.selectRow(0)
        self.show_unit()

    def show_unit(self) -> None:
        rows = selected_rows(self.summary)
        edition_id = framework.current_edition_id(self.db)
        if not rows or edition_id is None:
            self.task_model.set_rows([])
            self.unit_heading.setText("请在左侧选择一个单位。")
            return
        unit = rows[0]
        tasks = framework.unit_standards(self.db, unit["id"], edition_id)
        self.task_model.set_rows(tasks)
        self.unit_heading.setText(f"{unit['name']}：牵头 {unit['lead_count']} 项，配合 {unit['support_count']} 项，"
                                  f"涉及分值 {unit['points']:g}")

    def show_no_lead(self) -> None:
        self.window_.show_page("framework").show_without_lead()
