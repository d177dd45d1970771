"""轮次对比: two rounds side by side — per unit, per 测评项目, the losses that are new and those fixed."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from core import scoring
from gui import dialogs
from gui.jobs import run_job
from gui.models.table import RowsTableModel
from gui.views.scoring.report_tab import show_table
from gui.widgets.flow import FlowLayout
from gui.widgets.tables import make_table

PARTS = (("by_unit", "按责任单位"), ("by_category", "按测评项目"), ("new", "新增失分"), ("fixed", "已整改"))


class CompareTab(QWidget):
    def __init__(self, page):
        super().__init__()
        self.page = page
        layout = QVBoxLayout(self)
        bar = FlowLayout()
        self.compare_from, self.compare_to = QComboBox(), QComboBox()
        bar.addWidget(QLabel("较早轮次："))
        bar.addWidget(self.compare_from)
        bar.addWidget(QLabel("较晚轮次："))
        bar.addWidget(self.compare_to)
        compare = QPushButton("对比")
        compare.clicked.connect(self.show_round)
        bar.addWidget(compare)
        bar.addStretch()
        export = QPushButton("导出 Excel…")
        export.clicked.connect(self.export_compare)
        bar.addWidget(export)
        layout.addLayout(bar)
        self.parts = QTabWidget()
        self.models = []
        for key, title in PARTS:
            model = RowsTableModel([], self)
            self.models.append(model)
            self.parts.addTab(make_table(model, state_key=f"scoring/compare_{key}"), title)
        layout.addWidget(self.parts)

    def fill_rounds(self, rounds: list[dict]) -> None:
        """The rounds to choose from; by default the last two, a choice still there is kept."""
        for combo, default in ((self.compare_from, max(0, len(rounds) - 2)), (self.compare_to, len(rounds) - 1)):
            previous = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for r in rounds:
                combo.addItem(r["name"], r["id"])
            index = combo.findData(previous)
            combo.setCurrentIndex(index if index >= 0 else default)
            combo.blockSignals(False)

    def _chosen(self) -> tuple[int, int] | None:
        from_id, to_id = self.compare_from.currentData(), self.compare_to.currentData()
        if from_id is None or to_id is None or from_id == to_id:
            return None
        return from_id, to_id

    def show_round(self) -> None:
        chosen = self._chosen()
        if chosen is None:
            for model in self.models:
                model.set_rows([])
            return
        for model, table in zip(self.models, scoring.compare_tables(self.page.db, *chosen)):
            show_table(model, table)
        for i, (_key, title) in enumerate(PARTS):
            self.parts.setTabText(i, f"{title}（{self.models[i].rowCount()}）")

    def export_compare(self) -> None:
        chosen = self._chosen()
        if chosen is None:
            dialogs.show_info(self, "导出轮次对比", "请选择两个不同的测评轮次。")
            return
        path = dialogs.save_file(self, "导出轮次对比",
                                 f"{self.compare_from.currentText()}与{self.compare_to.currentText()}对比.xlsx",
                                 "Excel 工作簿 (*.xlsx)")
        if path:
            run_job(self, "导出轮次对比",
                    lambda db, progress, cancel: scoring.export_compare(db, *chosen, path, progress, cancel),
                    self.page.ctx.open_worker_db, lambda _: dialogs.show_info(self, "导出轮次对比", f"已导出到：\n{path}"))
