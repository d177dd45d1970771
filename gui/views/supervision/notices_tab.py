"""督办通知单: every notice, saved as PDF or as Word to edit, its 回执, voiding it, the list to Excel."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from core import supervision
from gui import dialogs
from gui.jobs import run_job
from gui.models.table import RowsTableModel
from gui.views.supervision import dialogs as supervision_dialogs
from gui.views.supervision.fields import date_edit, pydate
from gui.views.supervision.models import NOTICE_COLUMNS
from gui.widgets.flow import FlowLayout
from gui.widgets.tables import make_table, selected_rows


class NoticesTab(QWidget):
    def __init__(self, page):
        super().__init__()
        self.page = page
        layout = QVBoxLayout(self)
        self.notice_model = RowsTableModel(NOTICE_COLUMNS, self, muted=lambda r: bool(r["voided"]))
        self.notice_table = make_table(self.notice_model, state_key="supervision/notices")
        layout.addWidget(self.notice_table)
        bar = FlowLayout()
        for text, slot in [("保存 PDF / Word…", self.print_notices), ("登记回执…", self.receipt),
                           ("作废…", self.void_notice), ("导出 Excel…", self.export_notices)]:
            b = QPushButton(text)
            b.clicked.connect(slot)
            bar.addWidget(b)
        bar.addStretch()
        bar.addWidget(QLabel("文号按年度连续编号；作废的通知单保留文号并标明“作废”。"))
        layout.addLayout(bar)

    def refresh(self) -> None:
        self.notice_model.set_rows(supervision.list_notices(self.page.db))

    def _selected_notices(self) -> list[dict]:
        chosen = selected_rows(self.notice_table)
        if not chosen:
            dialogs.show_info(self, "督办通知单", "请先在列表中选中通知单（可多选）。")
        return chosen

    def print_notices(self) -> None:
        chosen = self._selected_notices()
        if not chosen:
            return
        name = f"{chosen[0]['number']}.pdf" if len(chosen) == 1 else "督办通知单.pdf"
        path = dialogs.document_path(dialogs.save_file(self, "保存督办通知单", name, dialogs.PDF_OR_WORD))
        if not path:
            return
        ids = [n["id"] for n in chosen]
        run_job(self, "生成督办通知单",
                lambda db, progress, cancel: supervision.write_notices(db, ids, path, progress, cancel),
                self.page.ctx.open_worker_db,
                lambda pages: dialogs.show_info(self, "督办通知单", f"已保存 {len(ids)} 份"
                                                f"（{'Word 文档' if pages is None else f'{pages} 页'}）：\n{path}"))

    def receipt(self) -> None:
        chosen = self._selected_notices()
        if not chosen:
            return
        signer, on, note = QLineEdit(), date_edit(), QPlainTextEdit()
        note.setTabChangesFocus(True)
        if supervision_dialogs.FormDialog(self, f"登记回执：{chosen[0]['number']}", [("签收人：", signer), ("签收时间：", on),
                                                                ("整改情况：", note)]).exec():
            self.page.run_change("登记回执", supervision.record_receipt, chosen[0]["id"], signer.text(), pydate(on),
                                 note.toPlainText())

    def void_notice(self) -> None:
        chosen = self._selected_notices()
        if not chosen:
            return
        reason = QLineEdit()
        if supervision_dialogs.FormDialog(self, f"作废：{chosen[0]['number']}", [("作废原因：", reason)],
                      "作废后文号保留并标明作废，通知单中的问题退回原状态，可重新开具。").exec():
            self.page.run_change("作废督办通知单", supervision.void_notice, chosen[0]["id"], reason.text())

    def export_notices(self) -> None:
        supervision_dialogs.export_model(self, "督办通知单", self.notice_model)
