"""操作日志: every change by every operator, searchable and exportable; a record's own history."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (QComboBox, QDateEdit, QLabel, QLineEdit, QPushButton,
                               QVBoxLayout)

from core import audit, clock
from core.errors import AppError
from gui import dialogs
from gui.dialogs.history import AUDIT_COLUMNS
from gui.models.table import RowsTableModel
from gui.ui_state import remember
from gui.views.base import Page
from gui.widgets.flow import FlowLayout
from gui.widgets.tables import make_table

SHOWN = 1000  # rows the page lists; a longer list is for the export, not for reading on screen


class AuditLogPage(Page):
    key = "audit"
    title = "操作日志"
    areas = ("*",)

    def __init__(self, ctx, window):
        super().__init__(ctx, window)
        layout = QVBoxLayout(self)
        bar = FlowLayout()
        self.text = QLineEdit()
        self.text.setPlaceholderText("搜索：摘要、动作或修改内容")
        self.text.setClearButtonEnabled(True)
        self.operator = QComboBox()
        self.area = QComboBox()
        today = QDate(clock.today())
        self.date_from = QDateEdit(today.addMonths(-3))
        self.date_to = QDateEdit(today)
        for d in (self.date_from, self.date_to):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
        for w, name in ((self.text, "text"), (self.operator, "operator"), (self.area, "area"),
                        (self.date_from, "from"), (self.date_to, "to")):
            remember(w, f"audit/{name}")
        bar.addWidget(self.text, 2)
        for label, w in (("操作人：", self.operator), ("范围：", self.area), ("从", self.date_from), ("到", self.date_to)):
            bar.addWidget(QLabel(label))
            bar.addWidget(w)
        export = QPushButton("导出 Excel…")
        export.clicked.connect(self.export)
        bar.addWidget(export)
        layout.addLayout(bar)
        self.count = QLabel()
        layout.addWidget(self.count)
        self.model = RowsTableModel(AUDIT_COLUMNS, self)
        self.table = make_table(self.model, state_key="audit/list")
        layout.addWidget(self.table)
        self.text.textChanged.connect(lambda _: self.reload())
        for w in (self.operator, self.area):
            w.activated.connect(lambda _: self.reload())
        for d in (self.date_from, self.date_to):
            d.dateChanged.connect(lambda _: self.reload())

    def refresh(self) -> None:
        super().refresh()
        for combo, values, all_text, name in ((self.operator, audit.operators(self.db), "全部", None),
                                              (self.area, audit.tables(self.db), "全部", audit.area_name)):
            keep = combo.currentData()
            combo.clear()
            combo.addItem(all_text, "")
            for v in values:
                combo.addItem(name(v) if name else v, v)
            combo.setCurrentIndex(max(combo.findData(keep), 0) if keep else 0)
        self.reload()

    def entries(self, limit: int | None = SHOWN) -> list[dict]:
        return audit.search(self.db, self.text.text().strip(), self.operator.currentData() or "",
                            self.area.currentData() or "", self.date_from.date().toString("yyyy-MM-dd"),
                            self.date_to.date().toString("yyyy-MM-dd"), limit=limit)

    def reload(self) -> None:
        found = self.entries()
        self.model.set_rows(found)
        self.count.setText(f"共 {len(found)} 条" if len(found) < SHOWN else
                           f"显示最近 {SHOWN} 条（导出 Excel 包含全部符合条件的记录；可按人、范围、日期或文字缩小范围）")

    def export(self) -> None:
        path = dialogs.save_file(self, "导出操作日志", "操作日志.xlsx", "Excel 工作簿 (*.xlsx)")
        if not path:
            return
        try:
            audit.export(self.db, path, self.entries(limit=None))
        except AppError as exc:
            dialogs.show_error(self, "导出操作日志", exc)
            return
        dialogs.show_info(self, "导出操作日志", f"已导出到：\n{path}")
