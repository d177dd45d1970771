"""今日催办: the units to chase today, most urgent first; the selected unit's items, the text to
paste into 政务微信 or SMS (copied with one click), its printed 催办单, recording a 催办 (电话, 短信,
催办单), an item's history, and the whole list as Excel or as every unit's 催办单."""

from __future__ import annotations

import os
import tempfile

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QApplication, QComboBox, QGroupBox, QLabel, QLineEdit, QPlainTextEdit, QPushButton,
                               QSplitter, QVBoxLayout, QWidget)

from core import remind
from gui import dialogs
from gui.jobs import run_job
from gui.models.table import Col, RowsTableModel
from gui.printing import print_pdf
from gui.theme import scaled
from gui.views.base import Page
from gui.widgets.flow import FlowLayout, side_by_side_or_stacked
from gui.widgets.tables import make_table, selected_rows


def _days(value) -> str:
    return str(value) if value else ""


UNIT_COLUMNS = [Col("name", "责任单位", width=170), Col("liaison", "联络员", width=60),
                Col("phone", "联系电话", width=100), Col("item_count", "事项", align_right=True, width=40),
                Col("overdue", "逾期", align_right=True, width=40, fmt=_days),
                Col("most_overdue", "最长逾期天数", align_right=True, width=90, fmt=_days),
                Col("earliest_due", "最早到期", width=90)]
ITEM_COLUMNS = [Col("kind_label", "类别", width=80), Col("due_on", "到期日", width=90),
                Col("overdue_days", "逾期天数", align_right=True, width=70, fmt=_days),
                Col("last_reminded", "上次催办", width=110), Col("matter", "事项")]


OVERDUE_COLOUR = QColor("#c00000")


class RemindModel(RowsTableModel):
    """Units and items overdue in red, as in the finding list."""

    def data(self, index, role=Qt.DisplayRole):
        if role == Qt.ForegroundRole and index.isValid() and 0 <= index.row() < len(self.rows()):
            row = self.row_at(index.row())
            if row.get("overdue_days") or row.get("most_overdue"):
                return QBrush(OVERDUE_COLOUR)
        return super().data(index, role)


class RemindPage(Page):
    key = "remind"
    title = "今日催办"
    areas = ("remind", "supervision", "materials", "letters", "units", "settings", "framework")
    wait_for_jobs = False  # tests and screenshots wait for background work to end

    def __init__(self, ctx, window):
        super().__init__(ctx, window)
        self.entries: list[dict] = []
        self.loading = False  # a refresh is gathering the list in the background
        self._generation = 0
        self._temp = tempfile.TemporaryDirectory(prefix="remind-")
        outer = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        outer.addWidget(self.summary)
        outer.addLayout(self._build_actions())
        splitter = QSplitter(Qt.Horizontal)
        self.unit_model = RemindModel(UNIT_COLUMNS, self)
        self.unit_table = make_table(self.unit_model, state_key="remind/units", sortable=False)
        self.unit_table.selectionModel().selectionChanged.connect(lambda *_: self._unit_selected())
        splitter.addWidget(self.unit_table)
        splitter.addWidget(self._build_detail())
        splitter.setSizes([660, 540])
        side_by_side_or_stacked(splitter)
        outer.addWidget(splitter, 1)
        self._unit_selected()  # nothing chosen yet: the unit's actions wait for the list

    def _build_actions(self) -> FlowLayout:
        bar = FlowLayout()
        self.buttons = {}
        for key, text, slot in [("copy", "复制催办短信", self.copy_message), ("print", "打印催办单…", self.print_sheet)]:
            self.buttons[key] = b = QPushButton(text)
            b.clicked.connect(slot)
            bar.addWidget(b)
        self.method = QComboBox()
        self.method.addItems(remind.METHODS)
        self.method.setToolTip("催办方式")
        bar.addWidget(self.method)
        self.note = QLineEdit()
        self.note.setPlaceholderText("备注（可不填），如 对方答复本周办结")
        self.note.setMinimumWidth(scaled(160))
        bar.addWidget(self.note, 1)
        for key, text, slot in [("record", "记录已催办", self.record),
                                ("history", "事项历史…", self.show_history),
                                ("export", "导出 Excel…", self.export_xlsx),
                                ("pdf", "全部催办单 PDF…", self.export_pdf)]:
            self.buttons[key] = b = QPushButton(text)
            b.clicked.connect(slot)
            bar.addWidget(b)
        return bar

    def _build_detail(self) -> QWidget:
        side = QWidget()
        layout = QVBoxLayout(side)
        layout.setContentsMargins(0, 0, 0, 0)
        self.unit_label = QLabel()
        self.unit_label.setWordWrap(True)
        layout.addWidget(self.unit_label)
        self.item_model = RemindModel(ITEM_COLUMNS, self)
        self.item_table = make_table(self.item_model, state_key="remind/items", sortable=False)
        layout.addWidget(self.item_table, 1)
        box = QGroupBox("催办短信（政务微信或短信）")
        self.message = QPlainTextEdit()
        self.message.setReadOnly(True)
        self.message.setMaximumHeight(scaled(90))
        QVBoxLayout(box).addWidget(self.message)
        layout.addWidget(box)
        return side

    # --- the list -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Gathering every unit's items takes a moment at a large district's size (0.2 s at ten
        times): it runs in the background, the list shown meanwhile stays until it is replaced."""
        super().refresh()
        chosen = self.selected_unit()
        generation = self._generation = self._generation + 1
        self.loading = True
        if not self.entries:
            self.summary.setText("正在整理今天需要催办的单位……")

        def gather(db, progress, cancel):
            return remind.collect(db), remind.day_of(db).today.isoformat()

        def done(result):
            if generation == self._generation:  # not overtaken by a newer refresh
                self.loading = False
                now = self.selected_unit() or chosen  # a unit clicked while the list was gathered wins
                self._show(*result, now["unit_id"] if now else None)

        def failed(exc) -> bool:
            if generation == self._generation:
                self.loading = False
            return False  # the standard message

        run_job(self, "整理今日催办", gather, self.ctx.open_worker_db, done, failed, block=self.wait_for_jobs,
                quiet=True)

    def _show(self, entries: list[dict], today: str, chosen_unit: int | None) -> None:
        self.entries = entries
        self.unit_model.set_rows([{**e, "id": e["unit_id"], "item_count": len(e["items"])} for e in self.entries])
        items = sum(len(e["items"]) for e in self.entries)
        self.summary.setText(f"{today}：{len(self.entries)} 个单位需要催办，共 {items} 项（按逾期天数、到期日排序）。"
                             if self.entries else f"{today}：没有需要催办的单位。")
        self.select_unit(chosen_unit)

    def select_unit(self, unit_id: int | None) -> None:
        """Select the unit (the first of the list when it is not on it)."""
        row = next((i for i, e in enumerate(self.entries) if e["unit_id"] == unit_id), 0)
        if self.entries:
            self.unit_table.selectRow(row)
        self._unit_selected()

    def selected_unit(self) -> dict | None:
        found = selected_rows(self.unit_table)
        return found[0] if found else None

    def _unit_selected(self) -> None:
        entry = self.selected_unit()
        self.item_model.set_rows([{**i, "id": (i["record_table"], i["record_id"], i["kind"])}
                                  for i in entry["items"]] if entry else [])
        self.message.setPlainText(remind.message(self.db, entry) if entry else "")
        if entry:
            contact = "　".join(x for x in (entry["liaison"], entry["phone"]) if x) or "（未登记联络员）"
            self.unit_label.setText(f"{entry['name']}　联络员：{contact}")
        else:
            self.unit_label.setText("")
        for key in ("copy", "print", "record", "history"):
            self.buttons[key].setEnabled(bool(entry))
        self.buttons["export"].setEnabled(bool(self.entries))
        self.buttons["pdf"].setEnabled(bool(self.entries))

    def _chosen(self) -> dict | None:
        entry = self.selected_unit()
        if entry is None:
            dialogs.show_info(self, self.title, "请先在左侧选中一个单位。")
        return entry

    # --- the actions --------------------------------------------------------------------------
    def copy_message(self) -> None:
        if self._chosen():
            QApplication.clipboard().setText(self.message.toPlainText())
            self.window_.statusBar().showMessage("催办短信已复制，可粘贴到政务微信或短信中。", 5000)

    def _run(self, title: str, func, on_done) -> None:
        run_job(self, title, func, self.ctx.open_worker_db, on_done, block=self.wait_for_jobs)

    def print_sheet(self) -> None:
        entry = self._chosen()
        if not entry:
            return
        path = os.path.join(self._temp.name, "催办单.pdf")
        self._run("生成催办单", lambda db, progress, cancel: remind.render_pdf(
            db, path, entries=[entry], progress=progress, cancel=cancel), lambda _r: print_pdf(self, path))

    def record(self) -> None:
        entry = self._chosen()
        if not entry:
            return
        method = self.method.currentText()
        done = self.run_change("记录已催办", remind.record, entry["unit_id"], method, note=self.note.text(),
                               items=entry["items"])
        if done:
            self.note.clear()
            self.window_.statusBar().showMessage(f"已记录{remind.action_of(method)}：{entry['name']}，{done} 项。", 5000)
            self.refresh()

    def show_history(self) -> None:
        from gui.dialogs.history import HistoryDialog

        found = selected_rows(self.item_table)
        if not found:
            dialogs.show_info(self, self.title, "请先在右侧选中一项事项。")
            return
        item = found[0]
        HistoryDialog(self, self.db, item["record_table"], item["record_id"], item["matter"][:40]).exec()

    def export_xlsx(self) -> None:
        path = dialogs.save_file(self, "导出今日催办", f"今日催办{remind.day_of(self.db).today.isoformat()}.xlsx",
                                 "Excel 文件 (*.xlsx)")
        if path:
            self._run("导出今日催办", lambda db, progress, cancel: remind.export_xlsx(
                db, path, progress=progress, cancel=cancel),
                lambda n: self.window_.statusBar().showMessage(f"已导出 {n} 项到：{path}", 5000))

    def export_pdf(self) -> None:
        path = dialogs.save_file(self, "保存全部催办单", f"催办单{remind.day_of(self.db).today.isoformat()}.pdf",
                                 "PDF 文件 (*.pdf)")
        if path:
            self._run("生成催办单", lambda db, progress, cancel: remind.render_pdf(
                db, path, progress=progress, cancel=cancel),
                lambda r: self.window_.statusBar().showMessage(f"已生成催办单 {r.page_count} 页：{path}", 5000))
