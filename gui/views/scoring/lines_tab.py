"""成绩明细: the selected round's lines, filtered as you type; entering, correcting and deleting
lines; the selected losses as a 整改任务清单 or as 督查 findings."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from core import scoring
from core.errors import AppError
from gui import dialogs
from gui.models.table import RowsTableModel
from gui.ui_state import remember
from gui.views.scoring.columns import LINE_COLUMNS, fmt_rate
from gui.views.scoring.dialogs import LineDialog
from gui.widgets.flow import FlowLayout
from gui.widgets.tables import filter_as_you_type, make_table, selected_rows


class LinesTab(QWidget):
    def __init__(self, page):
        super().__init__()
        self.page = page
        self._lines_of = None  # (round id, lines, summary text) of the round shown
        layout = QVBoxLayout(self)
        bar = FlowLayout()
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("筛选：测评项目、点位、属地、责任单位、问题")
        self.filter.setClearButtonEnabled(True)
        self.only_losses = QCheckBox("只看失分")
        remember(self.filter, "scoring/lines_text")
        remember(self.only_losses, "scoring/only_losses")
        bar.addWidget(self.filter, 1)
        bar.addWidget(self.only_losses)
        for text, slot in [("录入…", self.add_line), ("修改…", self.edit_line), ("删除", self.delete_lines),
                           ("生成整改任务清单…", self.export_tasks), ("转为督查问题", self.to_findings)]:
            b = QPushButton(text)
            b.clicked.connect(slot)
            bar.addWidget(b)
        layout.addLayout(bar)
        self.model = RowsTableModel(LINE_COLUMNS, self)
        self.table = make_table(self.model, state_key="scoring/lines")
        self.table.setSelectionMode(self.table.SelectionMode.ExtendedSelection)
        self.table.doubleClicked.connect(lambda _: self.edit_line())
        filter_as_you_type(self.filter, self.table)
        self.only_losses.toggled.connect(lambda _: self.show_round())
        layout.addWidget(self.table)
        self.summary = QLabel()
        layout.addWidget(self.summary)

    @property
    def db(self):
        return self.page.db

    def forget(self) -> None:
        """The lines in hand are read again when next shown (after any change)."""
        self._lines_of = None

    def show_round(self) -> None:
        round_id = self.page.current_round_id()
        if round_id is None:
            self.model.set_rows([])
            self.summary.setText("还没有测评轮次。点击“导入成绩…”导入第三方测评报告或自查得分表。")
            return
        if self._lines_of is None or self._lines_of[0] != round_id:
            self._lines_of = (round_id, *self._read_lines(round_id))
        _, lines, summary_text = self._lines_of
        if self.only_losses.isChecked():  # from the lines in hand: ticking it re-reads nothing
            lines = [ln for ln in lines if ln["loss"] > scoring.EPS]
        self.model.set_rows(lines)
        self.summary.setText(summary_text)

    def _read_lines(self, round_id: int) -> tuple[list[dict], str]:
        lines = scoring.lines(self.db, round_id)
        summary = scoring.round_summary(self.db, round_id, lines)
        missing = len(scoring.unattributed_losses(self.db, round_id))
        text = (f"共 {summary['lines']} 条，{summary['loss_lines']} 条失分；应得分 {summary['full']:g}，"
                f"实得分 {summary['score']:g}，失分 {summary['loss']:g}，得分率 {fmt_rate(summary['rate']) or '—'}")
        if missing:
            text += f"；其中 {missing} 条失分没有责任单位，请补充"
        return lines, text + "。"

    # --- changes ----------------------------------------------------------------------------------

    def add_line(self) -> None:
        round_id = self.page.current_round_id()
        if round_id is None:
            return
        dialog = LineDialog(self, self.db)
        while dialog.exec():
            try:
                scoring.add_line(self.db, round_id, dialog.values())
            except AppError as exc:
                dialogs.show_error(self, "录入成绩", exc)
                continue
            return

    def edit_line(self) -> None:
        rows = selected_rows(self.table)
        if not rows:
            return
        line = scoring.get_line(self.db, rows[0]["id"])
        dialog = LineDialog(self, self.db, {**line})
        while dialog.exec():
            try:
                scoring.update_line(self.db, line["id"], dialog.values())
            except AppError as exc:
                dialogs.show_error(self, "修改成绩", exc)
                continue
            return

    def delete_lines(self) -> None:
        rows = selected_rows(self.table)
        if rows and dialogs.confirm(self, "删除成绩", f"删除选中的 {len(rows)} 条成绩？", "删除"):
            self.page.run_change("删除成绩", scoring.delete_lines, [r["id"] for r in rows])

    def export_tasks(self) -> None:
        rows = selected_rows(self.table)
        if not rows:
            dialogs.show_info(self, "生成整改任务清单", "请先在成绩明细中选择失分记录（可按住 Ctrl 或 Shift 多选）。")
            return
        path = dialogs.save_file(self, "生成整改任务清单", f"{self.page.round_name()}整改任务清单.xlsx",
                                 "Excel 工作簿 (*.xlsx)")
        if path:
            self.page.export_now("生成整改任务清单",
                                 lambda: scoring.export_tasks(self.db, [r["id"] for r in rows], path), path)

    def to_findings(self) -> None:
        rows = selected_rows(self.table)
        lossy = [r for r in rows if r["loss"] > scoring.EPS]
        if not lossy:
            dialogs.show_info(self, "转为督查问题", "请先在成绩明细中选择有失分的记录（可按住 Ctrl 或 Shift 多选）。")
            return
        if not dialogs.confirm(self, "转为督查问题", f"把所选 {len(lossy)} 条失分记录转为督查问题，按责任单位各生成一条"
                                                   "（来源“测评反馈”，状态“待交办”）？", "生成"):
            return
        result = self.page.run_change("转为督查问题", scoring.findings_from_losses, [r["id"] for r in lossy])
        if result:
            text = f"已生成 {len(result['created'])} 条督查问题，可在“督查督办”中开具督办通知单。"
            if result["skipped"]:
                text += "\n未生成：\n" + "\n".join(result["skipped"][:20])
            dialogs.show_info(self, "转为督查问题", text)
