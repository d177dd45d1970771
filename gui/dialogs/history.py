"""One record's history (“历史”), opened from the record on any page; the columns are those of
the 操作日志 page."""

from __future__ import annotations

from operator import itemgetter

from PySide6.QtWidgets import QDialog, QPushButton, QVBoxLayout

from core import audit
from gui.models.table import Col, RowsTableModel
from gui.widgets.tables import make_table

AUDIT_COLUMNS = [Col("at", "时间", fmt=lambda v: (v or "").replace("T", " "), width=150), Col("operator", "操作人", width=80),
           Col("action", "动作", width=110), Col("area", "范围", width=90), Col("record_id", "记录", width=60),
           Col("summary", "摘要", width=260), Col("before_text", "修改前", width=220, read=itemgetter("before_text")),
           Col("after_text", "修改后", read=itemgetter("after_text"))]


class HistoryDialog(QDialog):
    """One record's history, opened from the record (“历史”)."""

    def __init__(self, parent, db, table: str, record_id, title: str):
        super().__init__(parent)
        self.setWindowTitle(f"修改历史：{title}")
        layout = QVBoxLayout(self)
        self.model = RowsTableModel(AUDIT_COLUMNS, self)
        self.model.set_rows(list(reversed(audit.history(db, table, record_id))))
        view = make_table(self.model, state_key="audit/history")
        layout.addWidget(view)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        layout.addWidget(close)
        self.resize(1000, 420)
