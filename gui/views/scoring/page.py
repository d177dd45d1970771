"""The 丢分分析 page: the rounds and the attribution rules on the left, the tabs on the right."""

from __future__ import annotations

from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QLabel, QPushButton, QSplitter, QTabWidget, QVBoxLayout,
                               QWidget)

from core import scoring, settings
from core.errors import AppError
from gui import dialogs
from gui.jobs import run_job
from gui.models.table import RowsTableModel
from gui.views.base import Page
from gui.views.scoring.columns import ROUND_COLUMNS
from gui.views.scoring.compare_tab import CompareTab
from gui.views.scoring.dialogs import RoundDialog
from gui.views.scoring.lines_tab import LinesTab
from gui.views.scoring.report_tab import ReportTab
from gui.views.scoring.surveys_tab import SurveysTab
from gui.views.scoring.trend_tab import TrendTab
from gui.widgets.flow import FlowLayout, side_by_side_or_stacked
from gui.widgets.locate import reset_filters, select_row_by_id
from gui.widgets.tables import make_table, selected_rows


class ScoringPage(Page):
    key = "scoring"
    title = "丢分分析"
    areas = ("scoring", "units", "framework", "settings")

    def __init__(self, ctx, window):
        super().__init__(ctx, window)
        self._refreshing = False
        layout = QHBoxLayout(self)
        splitter = QSplitter()
        layout.addWidget(splitter)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("测评轮次"))
        self.round_model = RowsTableModel(ROUND_COLUMNS, self)
        self.rounds = make_table(self.round_model, state_key="scoring/rounds", sortable=False)
        left_layout.addWidget(self.rounds, 1)
        buttons = FlowLayout()
        for text, slot in [("新建", self.new_round), ("导入成绩…", self.import_results), ("修改", self.edit_round),
                           ("删除", self.delete_round)]:
            b = QPushButton(text)
            b.clicked.connect(slot)
            buttons.addWidget(b)
        left_layout.addLayout(buttons)
        self.split = QCheckBox("多个责任单位平分失分")
        self.split.setToolTip("不勾选时，一条失分点名几个单位就计入每一个单位（第三方测评报告的算法）")
        self.locality = QCheckBox("属地街道同时承担失分（属地管理）")
        for box in (self.split, self.locality):
            box.toggled.connect(self.save_attribution)
            left_layout.addWidget(box)
        splitter.addWidget(left)

        self.tabs = QTabWidget()
        self.lines_tab = LinesTab(self)
        self.report_tab = ReportTab(self)
        self.compare_tab = CompareTab(self)
        self.trend_tab = TrendTab(self)
        self.surveys = SurveysTab(self)
        for tab, title in ((self.lines_tab, "成绩明细"), (self.report_tab, "失分统计"), (self.compare_tab, "轮次对比"),
                           (self.trend_tab, "趋势"), (self.surveys, "问卷调查")):
            self.tabs.addTab(tab, title)
        splitter.addWidget(self.tabs)
        side_by_side_or_stacked(splitter)
        splitter.setSizes([330, 1030])
        self.rounds.selectionModel().selectionChanged.connect(lambda *_: self.show_round())
        self.tabs.currentChanged.connect(lambda *_: self.show_round())

    # The lists and filters that search's 定位, remembered layouts and the bench reach by name.
    @property
    def lines_table(self):
        return self.lines_tab.table

    @property
    def lines_filter(self):
        return self.lines_tab.filter

    @property
    def only_losses(self):
        return self.lines_tab.only_losses

    @property
    def report_table(self):
        return self.report_tab.table

    @property
    def report_kind(self):
        return self.report_tab.kind

    # --- showing ----------------------------------------------------------------------------------

    def refresh(self) -> None:
        super().refresh()
        self.lines_tab.forget()
        self._refreshing = True  # selecting the round below would show it once before the end
        try:
            self._refresh_rounds()
        finally:
            self._refreshing = False
        self.show_round()

    def _refresh_rounds(self) -> None:
        chosen = self.current_round_id()
        rounds = scoring.list_rounds(self.db)
        self.round_model.set_rows(rounds)
        rules = scoring.attribution_settings(self.db)
        for box, rule in ((self.split, "split"), (self.locality, "locality")):
            box.blockSignals(True)
            box.setChecked(rules[rule])
            box.blockSignals(False)
        ids = [r["id"] for r in rounds]
        if ids:
            # by id, not selectRow: a Ctrl still held (Ctrl+S) would make selectRow toggle the row off
            select_row_by_id(self.rounds, chosen if chosen in ids else ids[-1])
        self.compare_tab.fill_rounds(rounds)
        self.trend_tab.fill_subjects()

    def current_round_id(self) -> int | None:
        rows = selected_rows(self.rounds) if self.rounds.selectionModel() else []
        return rows[0]["id"] if rows else None

    def round_name(self) -> str:
        round_id = self.current_round_id()
        return scoring.get_round(self.db, round_id)["name"] if round_id else ""

    def show_round(self) -> None:
        """Show the current round in the tab in view."""
        if not self._refreshing:
            self.tabs.currentWidget().show_round()

    # --- changes ----------------------------------------------------------------------------------

    def save_attribution(self) -> None:
        self.run_change("计分方式", scoring.set_attribution, self.split.isChecked(), self.locality.isChecked())

    def new_round(self) -> None:
        dialog = RoundDialog(self, self.db, "新建测评轮次")
        if dialog.exec():
            v = dialog.values()
            self.run_change("新建测评轮次", scoring.create_round, v["name"], v["kind"], v["held_on"], v["edition_id"])

    def edit_round(self) -> None:
        round_id = self.current_round_id()
        if round_id is None:
            return
        dialog = RoundDialog(self, self.db, "修改测评轮次", scoring.get_round(self.db, round_id))
        if dialog.exec():
            v = dialog.values()
            self.run_change("修改测评轮次", scoring.update_round, round_id, v["name"], v["kind"], v["held_on"],
                            v["edition_id"])

    def delete_round(self) -> None:
        round_id = self.current_round_id()
        if round_id is None:
            return
        rnd = scoring.get_round(self.db, round_id)
        if dialogs.confirm(self, "删除测评轮次", f"删除“{rnd['name']}”及其全部成绩？此操作记入操作日志。", "删除"):
            self.run_change("删除测评轮次", scoring.delete_round, round_id)

    def import_results(self) -> None:
        path = dialogs.open_file(self, "导入测评成绩", "Excel 工作簿 (*.xlsx)")
        if not path:
            return
        dialog = RoundDialog(self, self.db, "导入到测评轮次")
        if not dialog.exec():
            return
        v = dialog.values()
        replace = False
        if scoring.find_round(self.db, v["name"]):
            if not dialogs.confirm(self, "导入测评成绩", f"已有测评轮次“{v['name']}”。要用这个文件替换它的全部成绩吗？",
                                   "替换"):
                return
            replace = True
        self._import(path, v, replace)

    def _import(self, path: str, v: dict, replace: bool) -> None:
        def work(db, progress, cancel):
            return scoring.import_results(db, path, v["name"], v["kind"], v["held_on"], v["edition_id"], replace,
                                          progress, cancel)

        def done(result):
            notes = "".join(f"\n注意：{w}" for w in result["warnings"])
            dialogs.show_info(self, "导入测评成绩", f"已导入“{v['name']}”：{result['lines']} 条，失分 {result['loss']:g}。{notes}")

        def failed(exc):
            if isinstance(exc, settings.UnknownWords) and dialogs.offer_new_words(self, "导入测评成绩", exc):
                if self.run_change("导入测评成绩", settings.add_vocab, exc.kind, exc.words):
                    self._import(path, v, replace)
                return True
            return False

        run_job(self, "导入测评成绩", work, self.ctx.open_worker_db, done, failed)

    def export_now(self, title: str, func, path: str) -> None:
        """Write a small file at once (no background job), telling where it went or what failed."""
        try:
            func()
        except AppError as exc:
            dialogs.show_error(self, title, exc)
            return
        dialogs.show_info(self, title, f"已导出到：\n{path}")

    # --- opened from elsewhere --------------------------------------------------------------------

    def open_record(self, kind: str, line_id: int) -> bool:
        """A result line: select its round, then the line in 成绩明细."""
        round_id = scoring.get_line(self.db, line_id)["round_id"]
        self.tabs.setCurrentWidget(self.lines_tab)
        reset_filters(self.lines_tab.filter, self.lines_tab.only_losses)
        if not select_row_by_id(self.rounds, round_id):
            return False
        self.lines_tab.show_round()
        return select_row_by_id(self.lines_tab.table, line_id)

    def open_list(self, which: str, round_id: int, unit_id: int | None = None) -> None:
        """A round from 首页 (its 失分统计), or one unit's losses in it."""
        select_row_by_id(self.rounds, round_id)
        self.report_tab.show_by_unit()
        self.tabs.setCurrentWidget(self.report_tab)
        self.show_round()
        if which == "unit" and unit_id is not None:
            select_row_by_id(self.report_tab.table, unit_id, key="unit_id")
