"""丢分分析: 测评轮次, their scored lines, the loss reports by unit / 测评项目 / 属地 / 点位类型, a unit's
own page, comparing two rounds, trends, and turning losses into a task list."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QDialog, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QPushButton, QSplitter, QTabWidget, QVBoxLayout, QWidget)

from core import framework, scoring, settings, units
from core.errors import AppError
from core.scoring_reports import REPORT_KINDS, ReportTable, compare_tables, export_compare, export_report, \
    export_tasks, export_unit_page, report_table, unit_page_table
from core.xlsx import results_io
from core.text import parse_number
from gui.dialogs import accept_buttons, confirm, open_file, save_file, show_error, show_info
from gui.jobs import run_job
from gui.models.table import Col, RowsTableModel, fmt_points
from gui.ui_state import remember
from gui.views.base import Page
from gui.widgets.tables import filter_as_you_type, make_table, selected_rows
from gui.charts import BarChart, Series, TrendChart
from gui.widgets import UnitRefsEdit


def fmt_rate(value) -> str:
    return "" if value is None else f"{value * 100:.2f}%"


ROUND_COLUMNS = [Col("name", "测评轮次", width=130), Col("kind", "类型", width=70), Col("held_on", "日期", width=88),
                 Col("line_count", "条数", align_right=True, width=48)]
LINE_COLUMNS = [Col("category_name", "测评项目", width=150), Col("code", "标准编号", width=62),
                Col("site", "点位", width=130), Col("site_type", "点位类型", width=80), Col("locality", "属地", width=80),
                Col("full_points", "满分", fmt=fmt_points, align_right=True, width=48),
                Col("score", "得分", fmt=fmt_points, align_right=True, width=48),
                Col("loss", "失分", fmt=fmt_points, align_right=True, width=48),
                Col("unit_names", "责任单位", width=170), Col("reason", "问题描述")]


def table_columns(table: ReportTable) -> list[Col]:
    """Columns for a report table, formatted as on paper (rates as percentages)."""
    cols = []
    for i, header in enumerate(table.headers):
        fmt = fmt_rate if "得分率" in header else (fmt_points if i and header not in ("标准编号",) else None)
        numeric = any(isinstance(r[i], (int, float)) for r in table.rows[:20])
        cols.append(Col(f"c{i}", header, fmt=fmt if numeric else None, align_right=numeric,
                        width=160 if i == 0 else (66 if numeric else 140)))
    return cols


def table_rows(table: ReportTable) -> list[dict]:
    ids = table.row_ids or [None] * len(table.rows)
    return [{"row_id": row_id, **{f"c{i}": v for i, v in enumerate(row)}} for row, row_id in zip(table.rows, ids)]


class RoundDialog(QDialog):
    """Name, kind, date and edition of a round (new, or for an import)."""

    def __init__(self, parent, db, title: str, rnd: dict | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        form = QFormLayout(self)
        self.name = QLineEdit(rnd["name"] if rnd else "")
        self.name.setPlaceholderText("例如：2026年市测")
        self.name.setMinimumWidth(260)
        self.kind = QComboBox()
        self.kind.addItems(scoring.KINDS)
        self.name.textChanged.connect(lambda t: self.kind.setCurrentText(scoring.infer_kind(t)))
        self.held_on = QDateEdit(QDate.currentDate())
        self.held_on.setCalendarPopup(True)
        self.held_on.setDisplayFormat("yyyy-MM-dd")
        self.edition = QComboBox()
        for e in framework.list_editions(db):
            self.edition.addItem(e["name"], e["id"])
        current = framework.current_edition_id(db)
        if rnd:
            self.kind.setCurrentText(rnd["kind"])
            if rnd["held_on"]:
                self.held_on.setDate(QDate.fromString(rnd["held_on"], "yyyy-MM-dd"))
            current = rnd["edition_id"] or current
        if current is not None:
            self.edition.setCurrentIndex(max(0, self.edition.findData(current)))
        form.addRow("轮次名称：", self.name)
        form.addRow("测评类型：", self.kind)
        form.addRow("测评日期：", self.held_on)
        form.addRow("测评体系版本：", self.edition)
        buttons = accept_buttons(self)
        form.addRow(buttons)

    def values(self) -> dict:
        return {"name": self.name.text().strip(), "kind": self.kind.currentText(),
                "held_on": self.held_on.date().toString("yyyy-MM-dd"), "edition_id": self.edition.currentData()}


class LineDialog(QDialog):
    """Enter or correct one scored line by hand; any two of 满分/得分/失分 are enough."""

    TEXT_FIELDS = [("code", "标准编号"), ("category", "测评项目"), ("item", "子项"), ("site", "点位"),
                   ("site_type", "点位类型"), ("locality", "属地（街道）")]
    NUMBER_FIELDS = [("full_points", "满分"), ("score", "得分"), ("loss", "失分")]

    def __init__(self, parent, db, line: dict | None = None):
        super().__init__(parent)
        self.setWindowTitle("修改成绩" if line else "录入成绩")
        form = QFormLayout(self)
        self.edits = {}
        for key, label in self.TEXT_FIELDS + self.NUMBER_FIELDS:
            self.edits[key] = QLineEdit()
            form.addRow(label + "：", self.edits[key])
        self.units = UnitRefsEdit(lambda: [u["name"] for u in units.list_units(db)])
        self.units.refresh_names()
        form.addRow("责任单位：", self.units)
        self.reason = QLineEdit()
        form.addRow("问题描述：", self.reason)
        hint = QLabel("满分、得分、失分填两项即可；不填责任单位时由该标准的牵头单位负责。")
        hint.setStyleSheet("color: #666;")
        form.addRow(hint)
        if line:
            for key, _label in self.TEXT_FIELDS:
                self.edits[key].setText(line.get(key) or "")
            for key in ("full_points", "score"):
                self.edits[key].setText(f"{line[key]:g}")
            self.reason.setText(line["reason"])
            self.units.set_names(units.unit_names(db, line["unit_ids"]))
        buttons = accept_buttons(self, save=True)
        form.addRow(buttons)
        self.resize(460, 0)

    def values(self) -> dict:
        data = {key: self.edits[key].text().strip() for key, _ in self.TEXT_FIELDS}
        for key, label in self.NUMBER_FIELDS:
            try:
                data[key] = parse_number(self.edits[key].text())
            except ValueError as exc:
                raise AppError(f"{label}：{exc}") from None
        data["units"] = self.units.names()
        data["reason"] = self.reason.text().strip()
        return data


class ScoringPage(Page):
    key = "scoring"
    title = "丢分分析"
    areas = ("scoring", "units", "framework", "settings")

    def __init__(self, ctx, window):
        super().__init__(ctx, window)
        self._refreshing = False
        self._lines_of = None
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
        buttons = QHBoxLayout()
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
        self.tabs.addTab(self._lines_tab(), "成绩明细")
        self.tabs.addTab(self._report_tab(), "失分统计")
        self.tabs.addTab(self._compare_tab(), "轮次对比")
        self.tabs.addTab(self._trend_tab(), "趋势")
        splitter.addWidget(self.tabs)
        splitter.setSizes([330, 1030])
        self.rounds.selectionModel().selectionChanged.connect(lambda *_: self.show_round())
        self.tabs.currentChanged.connect(lambda *_: self.show_round())

    # --- building the tabs ------------------------------------------------------------------------

    def _lines_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        bar = QHBoxLayout()
        self.lines_filter = QLineEdit()
        self.lines_filter.setPlaceholderText("筛选：测评项目、点位、属地、责任单位、问题")
        self.lines_filter.setClearButtonEnabled(True)
        self.only_losses = QCheckBox("只看失分")
        remember(self.lines_filter, "scoring/lines_text")
        remember(self.only_losses, "scoring/only_losses")
        bar.addWidget(self.lines_filter, 1)
        bar.addWidget(self.only_losses)
        for text, slot in [("录入…", self.add_line), ("修改…", self.edit_line), ("删除", self.delete_lines),
                           ("生成整改任务清单…", self.export_tasks), ("转为督查问题", self.to_findings)]:
            b = QPushButton(text)
            b.clicked.connect(slot)
            bar.addWidget(b)
        layout.addLayout(bar)
        self.line_model = RowsTableModel(LINE_COLUMNS, self)
        self.lines_table = make_table(self.line_model, state_key="scoring/lines")
        self.lines_table.setSelectionMode(self.lines_table.SelectionMode.ExtendedSelection)
        self.lines_table.doubleClicked.connect(lambda _: self.edit_line())
        filter_as_you_type(self.lines_filter, self.lines_table)
        self.only_losses.toggled.connect(lambda _: self.show_lines())
        layout.addWidget(self.lines_table)
        self.lines_summary = QLabel()
        layout.addWidget(self.lines_summary)
        return tab

    def _report_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("统计方式："))
        self.report_kind = QComboBox()
        for key, label in REPORT_KINDS.items():
            self.report_kind.addItem(label, key)
        remember(self.report_kind, "scoring/report_kind")
        self.report_kind.currentIndexChanged.connect(lambda _: self.show_report())
        bar.addWidget(self.report_kind)
        bar.addStretch()
        for text, slot in [("导出 Excel…", lambda: self.export_report("xlsx")),
                           ("导出 PDF…", lambda: self.export_report("pdf"))]:
            b = QPushButton(text)
            b.clicked.connect(slot)
            bar.addWidget(b)
        layout.addLayout(bar)
        splitter = QSplitter(Qt.Vertical)
        top = QSplitter()
        self.report_model = RowsTableModel([], self)
        self.report_table = make_table(self.report_model, state_key="scoring/report")
        self.report_table.selectionModel().selectionChanged.connect(lambda *_: self.show_unit_page())
        top.addWidget(self.report_table)
        self.bar_chart = BarChart((Series("loss", "#c0504d"),), empty_text="没有失分")
        top.addWidget(self.bar_chart)
        top.setSizes([620, 380])
        splitter.addWidget(top)
        unit_box = QWidget()
        unit_layout = QVBoxLayout(unit_box)
        unit_layout.setContentsMargins(0, 0, 0, 0)
        unit_bar = QHBoxLayout()
        self.unit_heading = QLabel("在上表选择一个责任单位，查看它的每一项失分。")
        unit_bar.addWidget(self.unit_heading, 1)
        for text, slot in [("导出单位明细 Excel…", lambda: self.export_unit_page("xlsx")),
                           ("导出单位明细 PDF…", lambda: self.export_unit_page("pdf"))]:
            b = QPushButton(text)
            b.clicked.connect(slot)
            unit_bar.addWidget(b)
        unit_layout.addLayout(unit_bar)
        self.unit_model = RowsTableModel([], self)
        self.unit_table = make_table(self.unit_model, state_key="scoring/unit_losses")
        unit_layout.addWidget(self.unit_table)
        splitter.addWidget(unit_box)
        splitter.setSizes([460, 260])
        layout.addWidget(splitter)
        return tab

    def _compare_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        bar = QHBoxLayout()
        self.compare_from, self.compare_to = QComboBox(), QComboBox()
        bar.addWidget(QLabel("较早轮次："))
        bar.addWidget(self.compare_from)
        bar.addWidget(QLabel("较晚轮次："))
        bar.addWidget(self.compare_to)
        compare = QPushButton("对比")
        compare.clicked.connect(self.show_compare)
        bar.addWidget(compare)
        bar.addStretch()
        export = QPushButton("导出 Excel…")
        export.clicked.connect(self.export_compare)
        bar.addWidget(export)
        layout.addLayout(bar)
        self.compare_tabs = QTabWidget()
        self.compare_models = []
        for key, title in (("by_unit", "按责任单位"), ("by_category", "按测评项目"), ("new", "新增失分"),
                           ("fixed", "已整改")):
            model = RowsTableModel([], self)
            self.compare_models.append(model)
            self.compare_tabs.addTab(make_table(model, state_key=f"scoring/compare_{key}"), title)
        layout.addWidget(self.compare_tabs)
        return tab

    def _trend_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        bar = QHBoxLayout()
        self.trend_kind = QComboBox()
        self.trend_kind.addItem("责任单位", "unit")
        self.trend_kind.addItem("测评项目", "category")
        remember(self.trend_kind, "scoring/trend_kind")
        self.trend_subject = QComboBox()
        self.trend_subject.setMinimumWidth(260)
        remember(self.trend_subject, "scoring/trend_subject")
        bar.addWidget(QLabel("趋势："))
        bar.addWidget(self.trend_kind)
        bar.addWidget(self.trend_subject)
        bar.addStretch()
        layout.addLayout(bar)
        self.trend_chart = TrendChart()
        layout.addWidget(self.trend_chart, 2)
        self.trend_model = RowsTableModel([
            Col("round", "测评轮次", width=150), Col("kind", "类型", width=80), Col("held_on", "日期", width=95),
            Col("full", "应得分", fmt=fmt_points, align_right=True, width=70),
            Col("score", "实得分", fmt=fmt_points, align_right=True, width=70),
            Col("loss", "失分", fmt=fmt_points, align_right=True, width=70),
            Col("rate", "得分率", fmt=fmt_rate, align_right=True, width=80),
            Col("rank", "排名", align_right=True)], self)
        layout.addWidget(make_table(self.trend_model, state_key="scoring/trend", sortable=False), 1)
        self.trend_kind.currentIndexChanged.connect(lambda _: self.fill_trend_subjects())
        self.trend_subject.currentIndexChanged.connect(lambda _: self.show_trend())
        return tab

    # --- showing ----------------------------------------------------------------------------------

    def refresh(self) -> None:
        super().refresh()
        self._lines_of = None  # (round id, lines, summary): read again after any change
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
        for box, key in ((self.split, "loss_split_equally"), (self.locality, "loss_locality_accountable")):
            box.blockSignals(True)
            box.setChecked(bool(settings.get(self.db, key)))
            box.blockSignals(False)
        ids = [r["id"] for r in rounds]
        if ids:
            self.rounds.selectRow(ids.index(chosen) if chosen in ids else len(ids) - 1)
        for combo, default in ((self.compare_from, max(0, len(rounds) - 2)), (self.compare_to, len(rounds) - 1)):
            previous = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for r in rounds:
                combo.addItem(r["name"], r["id"])
            index = combo.findData(previous)
            combo.setCurrentIndex(index if index >= 0 else default)
            combo.blockSignals(False)
        self.fill_trend_subjects()

    def current_round_id(self) -> int | None:
        rows = selected_rows(self.rounds) if self.rounds.selectionModel() else []
        return rows[0]["id"] if rows else None

    def show_round(self) -> None:
        if self._refreshing:
            return
        tab = self.tabs.currentIndex()
        if tab == 0:
            self.show_lines()
        elif tab == 1:
            self.show_report()
        elif tab == 2:
            self.show_compare()
        else:
            self.show_trend()

    def show_lines(self) -> None:
        round_id = self.current_round_id()
        if round_id is None:
            self.line_model.set_rows([])
            self.lines_summary.setText("还没有测评轮次。点击“导入成绩…”导入第三方测评报告或自查得分表。")
            return
        if self._lines_of is None or self._lines_of[0] != round_id:
            self._lines_of = (round_id, *self._read_lines(round_id))
        _, lines, summary_text = self._lines_of
        if self.only_losses.isChecked():  # from the lines in hand: ticking it re-reads nothing
            lines = [ln for ln in lines if ln["loss"] > scoring.EPS]
        self.line_model.set_rows(lines)
        self.lines_summary.setText(summary_text)

    def _read_lines(self, round_id: int) -> tuple[list[dict], str]:
        lines = scoring.lines(self.db, round_id)
        summary = scoring.round_summary(self.db, round_id, lines)
        missing = len(scoring.unattributed_losses(self.db, round_id))
        text = (f"共 {summary['lines']} 条，{summary['loss_lines']} 条失分；应得分 {summary['full']:g}，"
                f"实得分 {summary['score']:g}，失分 {summary['loss']:g}，得分率 {fmt_rate(summary['rate']) or '—'}")
        if missing:
            text += f"；其中 {missing} 条失分没有责任单位，请补充"
        return lines, text + "。"

    def show_report(self) -> None:
        round_id = self.current_round_id()
        if round_id is None:
            self.report_model.set_rows([])
            self.bar_chart.set_data([], "")
            return
        by = self.report_kind.currentData()
        table = report_table(self.db, round_id, by)
        self.report_model.beginResetModel()
        self.report_model.columns = table_columns(table)
        self.report_model.endResetModel()
        self.report_model.set_rows(table_rows(table))
        loss_at = table.headers.index("失分")
        lost = sorted(((str(row[0] or "（无编号）"), row[loss_at]) for row in table.rows if (row[loss_at] or 0) > 0),
                      key=lambda item: -item[1])[:15]
        self.bar_chart.set_data([{"name": label, "loss": value} for label, value in lost],
                                f"失分最多的{table.headers[0]}（前 {len(lost)} 名）")
        self.show_unit_page()

    def show_unit_page(self) -> None:
        round_id = self.current_round_id()
        unit_id = self._selected_unit_id()
        if round_id is None or unit_id is None:
            self.unit_model.set_rows([])
            self.unit_heading.setText("在上表（按责任单位）选择一个单位，查看它的每一项失分。")
            return
        table = unit_page_table(self.db, round_id, unit_id)
        self.unit_model.beginResetModel()
        self.unit_model.columns = table_columns(table)
        self.unit_model.endResetModel()
        self.unit_model.set_rows(table_rows(table))
        total = sum(row[4] or 0 for row in table.rows)
        self.unit_heading.setText(f"{table.title}：{len(table.rows)} 项，合计失分 {total:g}")

    def _selected_unit_id(self) -> int | None:
        if self.report_kind.currentData() != "unit":
            return None
        rows = selected_rows(self.report_table)
        return rows[0]["row_id"] if rows else None

    def show_compare(self) -> None:
        from_id, to_id = self.compare_from.currentData(), self.compare_to.currentData()
        if from_id is None or to_id is None or from_id == to_id:
            for model in self.compare_models:
                model.set_rows([])
            return
        for model, table in zip(self.compare_models, compare_tables(self.db, from_id, to_id)):
            model.beginResetModel()
            model.columns = table_columns(table)
            model.endResetModel()
            model.set_rows(table_rows(table))
        for i, title in enumerate(("按责任单位", "按测评项目", "新增失分", "已整改")):
            self.compare_tabs.setTabText(i, f"{title}（{self.compare_models[i].rowCount()}）")

    def fill_trend_subjects(self) -> None:
        previous = self.trend_subject.currentText()
        self.trend_subject.blockSignals(True)
        self.trend_subject.clear()
        if self.trend_kind.currentData() == "unit":
            for u in units.list_units(self.db):
                self.trend_subject.addItem(u["name"], u["id"])
        else:
            for name in scoring.category_names(self.db):
                self.trend_subject.addItem(name, name)
        index = self.trend_subject.findText(previous)
        self.trend_subject.setCurrentIndex(max(0, index))
        self.trend_subject.blockSignals(False)
        if self.tabs.currentIndex() == 3:  # a unit's trend reads every round: only when it is shown
            self.show_trend()

    def show_trend(self) -> None:
        subject = self.trend_subject.currentData()
        if subject is None:
            self.trend_model.set_rows([])
            self.trend_chart.set_data("", [])
            return
        if self.trend_kind.currentData() == "unit":
            points = scoring.trend(self.db, unit_id=subject)
        else:
            points = scoring.trend(self.db, category=subject)
        self.trend_model.set_rows(points)
        self.trend_chart.set_data(f"{self.trend_subject.currentText()}：历次测评得分率",
                                  [(p["round"], p["rate"]) for p in points])

    # --- changes ----------------------------------------------------------------------------------

    def save_attribution(self) -> None:
        self.run_change("计分方式", settings.set_many, {"loss_split_equally": self.split.isChecked(),
                                                     "loss_locality_accountable": self.locality.isChecked()})

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
        if confirm(self, "删除测评轮次", f"删除“{rnd['name']}”及其全部成绩？此操作记入操作日志。", "删除"):
            self.run_change("删除测评轮次", scoring.delete_round, round_id)

    def import_results(self) -> None:
        path = open_file(self, "导入测评成绩", "Excel 工作簿 (*.xlsx)")
        if not path:
            return
        dialog = RoundDialog(self, self.db, "导入到测评轮次")
        if not dialog.exec():
            return
        v = dialog.values()
        replace = False
        if scoring.find_round(self.db, v["name"]):
            if not confirm(self, "导入测评成绩", f"已有测评轮次“{v['name']}”。要用这个文件替换它的全部成绩吗？", "替换"):
                return
            replace = True
        edition = self.db_edition_name(v["edition_id"])

        def work(db, progress, cancel):
            return results_io.import_results(db, path, v["name"], v["kind"], v["held_on"], edition, replace,
                                             progress, cancel)

        def done(result):
            show_info(self, "导入测评成绩", f"已导入“{v['name']}”：{result['lines']} 条，失分 {result['loss']:g}。")

        run_job(self, "导入测评成绩", work, self.ctx.open_worker_db, done)

    def db_edition_name(self, edition_id) -> str | None:
        return framework.get_edition(self.db, edition_id)["name"] if edition_id else None

    def add_line(self) -> None:
        round_id = self.current_round_id()
        if round_id is None:
            return
        dialog = LineDialog(self, self.db)
        while dialog.exec():
            try:
                scoring.add_line(self.db, round_id, dialog.values())
            except AppError as exc:
                show_error(self, "录入成绩", exc)
                continue
            return

    def edit_line(self) -> None:
        rows = selected_rows(self.lines_table)
        if not rows:
            return
        line = scoring.get_line(self.db, rows[0]["id"])
        dialog = LineDialog(self, self.db, {**line})
        while dialog.exec():
            try:
                scoring.update_line(self.db, line["id"], dialog.values())
            except AppError as exc:
                show_error(self, "修改成绩", exc)
                continue
            return

    def delete_lines(self) -> None:
        rows = selected_rows(self.lines_table)
        if rows and confirm(self, "删除成绩", f"删除选中的 {len(rows)} 条成绩？", "删除"):
            self.run_change("删除成绩", scoring.delete_lines, [r["id"] for r in rows])

    # --- exports ----------------------------------------------------------------------------------

    def _round_name(self) -> str:
        round_id = self.current_round_id()
        return scoring.get_round(self.db, round_id)["name"] if round_id else ""

    def export_tasks(self) -> None:
        rows = selected_rows(self.lines_table)
        if not rows:
            show_info(self, "生成整改任务清单", "请先在成绩明细中选择失分记录（可按住 Ctrl 或 Shift 多选）。")
            return
        path = save_file(self, "生成整改任务清单", f"{self._round_name()}整改任务清单.xlsx", "Excel 工作簿 (*.xlsx)")
        if path:
            self._export("生成整改任务清单", lambda: export_tasks(self.db, [r["id"] for r in rows], path), path)

    def to_findings(self) -> None:
        from core.loss_findings import findings_from_losses

        rows = selected_rows(self.lines_table)
        lossy = [r for r in rows if r.get("loss", 0) > 0]
        if not lossy:
            show_info(self, "转为督查问题", "请先在成绩明细中选择有失分的记录（可按住 Ctrl 或 Shift 多选）。")
            return
        if not confirm(self, "转为督查问题", f"把所选 {len(lossy)} 条失分记录转为督查问题，按责任单位各生成一条"
                                             "（来源“测评反馈”，状态“待交办”）？", "生成"):
            return
        result = self.run_change("转为督查问题", findings_from_losses, [r["id"] for r in lossy])
        if result:
            text = f"已生成 {len(result['created'])} 条督查问题，可在“督查督办”中开具督办通知单。"
            if result["skipped"]:
                text += "\n未生成：\n" + "\n".join(result["skipped"][:20])
            show_info(self, "转为督查问题", text)

    def export_report(self, kind: str) -> None:
        round_id = self.current_round_id()
        if round_id is None:
            return
        by = self.report_kind.currentData()
        name = f"{self._round_name()}失分统计（{REPORT_KINDS[by]}）.{kind}"
        path = save_file(self, "导出失分统计", name, "Excel 工作簿 (*.xlsx)" if kind == "xlsx" else "PDF 文件 (*.pdf)")
        if not path:
            return
        if kind == "xlsx":
            work = lambda db, progress, cancel: export_report(db, round_id, by, path, progress, cancel)  # noqa: E731
        else:
            from core.pdf import loss_report  # reportlab loads when a PDF is made, not at start

            work = lambda db, progress, cancel: loss_report.write_report_pdf(db, round_id, by, path, progress, cancel)  # noqa: E731
        run_job(self, "导出失分统计", work, self.ctx.open_worker_db,
                lambda _: show_info(self, "导出失分统计", f"已导出到：\n{path}"))

    def export_unit_page(self, kind: str) -> None:
        round_id, unit_id = self.current_round_id(), self._selected_unit_id()
        if round_id is None or unit_id is None:
            show_info(self, "导出单位失分明细", "请先在“按责任单位”统计表中选择一个单位。")
            return
        unit = units.get_unit(self.db, unit_id)["name"]
        path = save_file(self, "导出单位失分明细", f"{unit}失分明细（{self._round_name()}）.{kind}",
                         "Excel 工作簿 (*.xlsx)" if kind == "xlsx" else "PDF 文件 (*.pdf)")
        if path:
            from core.pdf import loss_report

            write = export_unit_page if kind == "xlsx" else loss_report.write_unit_page_pdf
            self._export("导出单位失分明细", lambda: write(self.db, round_id, unit_id, path), path)

    def export_compare(self) -> None:
        from_id, to_id = self.compare_from.currentData(), self.compare_to.currentData()
        if from_id is None or to_id is None or from_id == to_id:
            show_info(self, "导出轮次对比", "请选择两个不同的测评轮次。")
            return
        path = save_file(self, "导出轮次对比", f"{self.compare_from.currentText()}与{self.compare_to.currentText()}对比.xlsx",
                         "Excel 工作簿 (*.xlsx)")
        if path:
            run_job(self, "导出轮次对比", lambda db, progress, cancel: export_compare(db, from_id, to_id, path, progress,
                                                                                 cancel),
                    self.ctx.open_worker_db, lambda _: show_info(self, "导出轮次对比", f"已导出到：\n{path}"))

    def _export(self, title: str, func, path: str) -> None:
        try:
            func()
        except AppError as exc:
            show_error(self, title, exc)
            return
        show_info(self, title, f"已导出到：\n{path}")

    def open_record(self, kind: str, line_id: int) -> bool:
        """A result line: select its round, then the line in 成绩明细."""
        from gui.widgets.locate import reset_filters, select_row_by_id

        round_id = scoring.get_line(self.db, line_id)["round_id"]
        self.tabs.setCurrentIndex(0)
        reset_filters(self.lines_filter, self.only_losses)
        if not select_row_by_id(self.rounds, round_id):
            return False
        self.show_lines()
        return select_row_by_id(self.lines_table, line_id)

    def open_list(self, which: str, round_id: int, unit_id: int | None = None) -> None:
        """A round from 首页 (its 失分统计), or one unit's losses in it."""
        from gui.widgets.locate import select_row_by_id

        select_row_by_id(self.rounds, round_id)
        self.report_kind.setCurrentIndex(0)  # 按责任单位
        self.tabs.setCurrentIndex(1)
        self.show_round()
        if which == "unit" and unit_id is not None:
            select_row_by_id(self.report_table, unit_id, key="row_id")
