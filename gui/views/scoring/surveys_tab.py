"""问卷调查: the round's survey results (知晓率, 满意率, 支持率) against their targets, met or not,
with each standard's trend over the rounds; a result typed in, or a file of them imported."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from core import scoring
from core.errors import AppError
from gui import dialogs
from gui.models.table import Col, RowsTableModel
from gui.theme import scaled
from gui.widgets.flow import FlowLayout
from gui.widgets.tables import make_table, selected_rows

SURVEY_COLUMNS = [Col("code", "标准编号", width=70), Col("indicator", "指标", width=70),
                  Col("target", "目标值", fmt=scoring.rate_text, align_right=True, width=70),
                  Col("actual", "实际值", fmt=scoring.rate_text, align_right=True, width=70),
                  Col("state", "达标", width=60), Col("trend", "历轮实际值", width=200),
                  Col("title", "测评标准")]


class SurveysTab(QWidget):
    def __init__(self, page):
        super().__init__()
        self.page = page
        layout = QVBoxLayout(self)
        form = FlowLayout()
        self.code = QLineEdit()
        self.code.setPlaceholderText("标准编号，如 7.2.2")
        self.code.setMaximumWidth(scaled(140))
        self.indicator = QComboBox()
        self.indicator.addItems(scoring.SURVEY_INDICATORS)
        self.target = QLineEdit()
        self.target.setPlaceholderText("目标值，如 85%")
        self.target.setToolTip("85%、0.85 或 85 都表示 85%；空着沿用该标准已有的目标值")
        self.actual = QLineEdit()
        self.actual.setPlaceholderText("实际值，如 88%")
        for edit in (self.target, self.actual):
            edit.setMaximumWidth(scaled(120))
        for label, widget in (("标准：", self.code), ("指标：", self.indicator), ("目标：", self.target),
                              ("实际：", self.actual)):
            form.addWidget(QLabel(label))
            form.addWidget(widget)
        for text, slot in (("保存结果", self.save_result), ("删除所选", self.delete_result),
                           ("导入问卷结果…", self.import_file)):
            b = QPushButton(text)
            b.clicked.connect(slot)
            form.addWidget(b)
        form.addStretch()
        layout.addLayout(form)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.model = RowsTableModel(SURVEY_COLUMNS, self, muted=None)
        self.table = make_table(self.model, state_key="scoring/surveys", sortable=False)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._fill_form())
        layout.addWidget(self.table, 1)

    def show_round(self) -> None:
        round_id = self.page.current_round_id()
        rows = scoring.round_surveys(self.page.db, round_id) if round_id is not None else []
        self.model.set_rows(rows)
        met = sum(1 for r in rows if r["met"])
        self.summary.setText(f"本轮问卷调查结果 {len(rows)} 条：达标 {met} 条，未达标 {len(rows) - met} 条。" if rows
                             else "本轮还没有问卷调查结果。在上方录入，或导入问卷结果表（标准编号、指标、目标值、实际值）。")

    def _fill_form(self) -> None:
        rows = selected_rows(self.table)
        if rows:
            r = rows[0]
            self.code.setText(r["code"])
            self.indicator.setCurrentText(r["indicator"])
            self.target.setText(scoring.rate_text(r["target"]))
            self.actual.setText(scoring.rate_text(r["actual"]))

    def save_result(self) -> None:
        round_id = self.page.current_round_id()
        if round_id is None:
            dialogs.show_info(self, "问卷调查", "请先在左侧选择一个测评轮次。")
            return
        if self.page.run_change("录入问卷调查结果", scoring.record_survey_result, round_id, self.code.text(),
                                self.indicator.currentText(), self.target.text(), self.actual.text()):
            self.show_round()

    def delete_result(self) -> None:
        rows = selected_rows(self.table)
        if rows and dialogs.confirm(self, "删除问卷调查结果", f"删除 {rows[0]['code']} 的{rows[0]['indicator']}结果？",
                                    "删除"):
            if self.page.run_change("删除问卷调查结果", scoring.delete_survey_result, rows[0]["id"]):
                self.show_round()

    def import_file(self) -> None:
        round_id = self.page.current_round_id()
        if round_id is None:
            dialogs.show_info(self, "问卷调查", "请先在左侧选择一个测评轮次。")
            return
        path = dialogs.open_file(self, "导入问卷调查结果", "Excel 工作簿 (*.xlsx)")
        if not path:
            return
        name = scoring.get_round(self.page.db, round_id)["name"]
        try:
            result = scoring.import_survey(self.page.db, path, name)
        except AppError as exc:
            dialogs.show_error(self, "导入问卷调查结果", exc)
            return
        met = sum(1 for r in result["results"] if r["met"])
        dialogs.show_info(self, "导入问卷调查结果", f"已导入“{name}”的问卷调查结果 {len(result['results'])} 条："
                                                    f"达标 {met} 条，未达标 {len(result['results']) - met} 条。")
        self.show_round()
