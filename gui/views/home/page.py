"""首页: days to the next 测评, archive coverage, findings owed, letters unsigned, units to chase
today (今日催办), the last round and the last backup — each figure a button that opens the list behind it. On a ledger without units or
测评体系 it shows how to start instead (figures would all be zero)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QScrollArea, QStackedWidget,
                               QVBoxLayout, QWidget)

from core import demo, home
from gui import dialogs
from gui.charts import coverage_chart
from gui.theme import set_scaled_style
from gui.views.base import Page

CARD_STYLE = ("QFrame#card { background: white; border: 1px solid #d8dde6; border-radius: 6px; }"
              "QPushButton[figure=\"true\"] { text-align: left; border: none; padding: 2px 4px; }"
              "QPushButton[figure=\"true\"]:hover { background: #eef3fb; }"
              "QPushButton[figure=\"true\"]:focus { background: #dde8f8; }")
WARN = "#c00000"


def _card(title: str) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName("card")
    layout = QVBoxLayout(frame)
    heading = QLabel(title)
    heading.setStyleSheet("font-weight: bold; color: #345;")
    layout.addWidget(heading)
    return frame, layout


def _figure_button(name: str, slot) -> QPushButton:
    button = QPushButton()
    button.setObjectName(name)
    button.setProperty("figure", True)
    button.setCursor(Qt.PointingHandCursor)
    button.clicked.connect(slot)
    _colour(button, "")
    return button


def _colour(button: QPushButton, colour: str) -> None:
    """Figures are large (following 界面字号) and red when they need attention."""
    set_scaled_style(button, "font-size: 14pt;" + (f" color: {colour};" if colour else ""))


class HomePage(Page):
    key = "home"
    title = "首页"
    areas = ("*", "framework", "materials", "supervision", "letters", "scoring", "safety", "settings", "units",
             "remind")

    def __init__(self, ctx, window):
        super().__init__(ctx, window)
        self.figures: dict = {}
        self.setStyleSheet(CARD_STYLE)
        outer = QVBoxLayout(self)
        self.heading = QLabel()
        set_scaled_style(self.heading, "font-size: 13pt; font-weight: bold;")
        outer.addWidget(self.heading)
        self.views = QStackedWidget()
        outer.addWidget(self.views, 1)
        self.start = self._build_start()
        self.views.addWidget(self.start)
        self.dashboard = QWidget()
        self.views.addWidget(self.dashboard)
        self.grid = grid = QGridLayout(self.dashboard)
        grid.setContentsMargins(0, 0, 0, 0)
        self.cards: dict[str, QFrame] = {}

        card, lay = _card("距下次测评")
        self.assessment = _figure_button("assessment", lambda: self.window_.show_page("settings"))
        lay.addWidget(self.assessment)
        lay.addStretch()
        self.cards["assessment"] = card

        card, lay = _card("督查问题")
        row = QHBoxLayout()
        self.findings_open = _figure_button("findings_open", lambda: self._open_findings("open"))
        self.findings_overdue = _figure_button("findings_overdue", lambda: self._open_findings("overdue"))
        self.findings_flagged = _figure_button("findings_flagged", lambda: self._open_findings("flagged"))
        for b in (self.findings_open, self.findings_overdue, self.findings_flagged):
            row.addWidget(b)
        row.addStretch()
        lay.addLayout(row)
        lay.addWidget(QLabel("欠账最多的单位（未销号 / 逾期）："))
        self.owing = QVBoxLayout()
        lay.addLayout(self.owing)
        lay.addStretch()
        self.cards["findings"] = card

        card, lay = _card("目标责任书")
        self.letters = _figure_button("letters_unsigned", self._open_unsigned_letters)
        lay.addWidget(self.letters)
        lay.addStretch()
        self.cards["letters"] = card

        card, lay = _card("今日催办")
        self.remind = _figure_button("remind_units", lambda: self.window_.show_page("remind"))
        lay.addWidget(self.remind)
        lay.addStretch()
        self.cards["remind"] = card

        card, lay = _card("最近一轮测评")
        self.round = _figure_button("last_round", self._open_last_round)
        lay.addWidget(self.round)
        lay.addWidget(QLabel("失分最多的单位："))
        self.losing = QVBoxLayout()
        lay.addLayout(self.losing)
        lay.addStretch()
        self.cards["round"] = card

        card, lay = _card("数据备份")
        self.backup = _figure_button("backup_age", lambda: self.window_.show_page("safety"))
        lay.addWidget(self.backup)
        self.new_year = QPushButton("年度结转：新年度…")
        self.new_year.setObjectName("new_year")
        self.new_year.clicked.connect(self._open_new_year)
        lay.addWidget(self.new_year)
        lay.addStretch()
        self.cards["backup"] = card

        card, lay = _card("档案材料完成情况（按测评项目，点击条形查看清单）")
        self.chart = coverage_chart()  # clicking a bar opens that 测评项目's checklist
        self.chart.row_clicked.connect(lambda row: self._open_category(self.chart.data[row]["category_id"]))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setWidget(self.chart)
        lay.addWidget(scroll, 1)
        self.cards["chart"] = card
        self.columns = 0
        self._arrange(3)

    # --- three columns, or two when the window is narrow ---------------------------------------
    PLACES = {3: {"assessment": (0, 0, 1, 1), "findings": (0, 1, 1, 1), "letters": (0, 2, 1, 1),
                  "remind": (1, 0, 1, 1), "round": (1, 1, 1, 1), "backup": (1, 2, 1, 1), "chart": (2, 0, 1, 3)},
              2: {"assessment": (0, 0, 1, 1), "letters": (0, 1, 1, 1), "findings": (1, 0, 1, 1),
                  "round": (1, 1, 1, 1), "remind": (2, 0, 1, 1), "backup": (2, 1, 1, 1), "chart": (3, 0, 1, 2)}}

    def _arrange(self, columns: int) -> None:
        if columns == self.columns:
            return
        self.columns = columns
        for card in self.cards.values():
            self.grid.removeWidget(card)
        for key, place in self.PLACES[columns].items():
            self.grid.addWidget(self.cards[key], *place)
        chart_row = self.PLACES[columns]["chart"][0]
        for row in range(4):
            self.grid.setRowStretch(row, 1 if row == chart_row else 0)
        for column in range(3):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)

    def _columns_for(self, width: int) -> int:
        widest = max(card.minimumSizeHint().width() for key, card in self.cards.items() if key != "chart")
        return 3 if width >= 3 * widest + 2 * self.grid.horizontalSpacing() + 24 else 2

    def fit_width(self, width: int) -> None:
        super().fit_width(width)
        self._arrange(self._columns_for(width))

    # --- how to start -------------------------------------------------------------------------
    def _build_start(self) -> QFrame:
        frame, lay = _card("开始使用：按下面的步骤建立本单位的台账")
        self.start_steps: dict[str, tuple[QLabel, QPushButton, str]] = {}
        steps = [("office", "1. 填写本单位信息（区名称、办公室名称、发文机关、机关代字、下次测评日期）",
                  "填写本单位信息…", self._ask_office),
                 ("units", "2. 导入责任单位名单（Excel，每行一个单位）", "导入单位…",
                  lambda: self.window_.show_page("units").import_units()),
                 ("framework", "3. 导入测评体系责任分解表（Excel）", "导入分解表…",
                  lambda: self.window_.show_page("framework").import_framework()),
                 ("demo", "或者：先加载示例区县的数据，熟悉程序后再换用新的数据文件夹", "加载示例数据",
                  self._load_demo)]
        for key, text, button_text, slot in steps:
            row = QHBoxLayout()
            label = QLabel(text)
            label.setWordWrap(True)
            row.addWidget(label, 1)
            button = QPushButton(button_text)
            button.setObjectName(f"start_{key}")
            button.clicked.connect(slot)
            row.addWidget(button)
            lay.addLayout(row)
            self.start_steps[key] = (label, button, text)
        lay.addStretch()
        return frame

    def _show_start(self, steps: dict) -> None:
        for key in ("office", "units", "framework"):
            label, button, text = self.start_steps[key]
            label.setText(text + ("　✔ 已完成" if steps[key] else ""))
        self.start_steps["demo"][1].setEnabled(steps["demo_possible"])
        self.start_steps["units"][1].setEnabled(not steps["units"])
        self.start_steps["framework"][1].setEnabled(not steps["framework"])

    def _ask_office(self) -> None:
        if dialogs.ask_office(self, self.db):
            self.refresh()

    def _load_demo(self) -> None:
        if dialogs.confirm(self, "加载示例数据", "把示例区县的责任单位、测评体系和台账加载到当前数据文件夹？", "加载"):
            self.run_change("加载示例数据", demo.load_demo)

    # --- figures ------------------------------------------------------------------------------
    def refresh(self) -> None:
        super().refresh()
        steps = home.getting_started(self.db)
        self.views.setCurrentWidget(self.start if steps else self.dashboard)
        if steps:
            self._show_start(steps)
        f = self.figures = home.overview(self.db, self.ctx.data, with_slow=False)
        self.heading.setText(f"{f['current_year']}年度　当前测评体系：{f['edition'] or '（尚未建立）'}　今天 {f['today']}")
        days = f["days_to_assessment"]
        if days is None:
            self.assessment.setText("尚未设定下次测评日期\n（点此到“设置”填写）")
        elif days >= 0:
            self.assessment.setText(f"{days} 天\n{f['next_assessment']}")
        else:
            self.assessment.setText(f"已过 {-days} 天\n{f['next_assessment']}（请在“设置”更新）")
        self.findings_open.setText(f"{f['findings_open']}\n未销号")
        self.findings_overdue.setText(f"{f['findings_overdue']}\n逾期")
        self.findings_flagged.setText(f"{f['findings_flagged']}\n挂牌督办")
        _colour(self.findings_overdue, WARN if f["findings_overdue"] else "")
        self._fill_units(self.owing, [(u["unit_id"], f"{u['name']}　{u['open']} / {u['overdue']}")
                                      for u in f["owing_most"]], self._open_unit_findings, "没有未销号的问题。")
        self.letters.setText(f"{f['letters_unsigned']} 个单位\n尚未签订" if f["letters_unsigned"]
                             else "全部已签订")
        self.remind.setText("正在整理今天的催办……")
        self.round.setText("正在统计最近一轮测评……")
        self._fill_units(self.losing, [], self._open_unit_losses, "")
        self._fetch_slow_figures()
        backups = f["backup"]
        if backups.never:
            self.backup.setText("还没有备份\n（点此备份）")
        else:
            age = backups.age_days
            self.backup.setText(("上次备份：今天" if age < 1 else f"上次备份：{int(age)} 天前")
                                + ("\n请尽快备份" if backups.stale else ""))
        _colour(self.backup, WARN if backups.stale else "")
        self.chart.set_data([{**c, "approved_share": c["approved"] / c["materials"] if c["materials"] else 0.0,
                              "points_share": c["covered_points"] / c["points"] if c["points"] else 0.0}
                             for c in f["coverage"]])

    def _fetch_slow_figures(self) -> None:
        """Attributing a whole round and finding today's 催办 take a moment at a large district's
        size: they come in the background so that the window is usable at once."""
        from gui.jobs import run_job

        generation = self._generation = getattr(self, "_generation", 0) + 1

        def done(figures):
            if generation == self._generation:  # not overtaken by a newer refresh
                self.show_remind_units(figures["remind_units"])
                self.show_last_round(figures["last_round"])

        def failed(exc) -> bool:
            if generation == self._generation:  # say so on the cards, then the standard message
                for button in (self.remind, self.round):
                    button.setText("未能统计\n（点此打开查看）")
                    _colour(button, "")
            return False

        run_job(self, "统计最近一轮测评和今日催办", lambda db, progress, cancel: home.slow_figures(db),
                self.ctx.open_worker_db, done, failed, quiet=True)

    def show_remind_units(self, n: int) -> None:
        self.figures["remind_units"] = n
        self.remind.setText(f"{n} 个单位\n今天需要催办" if n else "今天没有需要催办的单位")
        _colour(self.remind, WARN if n else "")

    def show_last_round(self, r: dict | None) -> None:
        self.figures["last_round"] = r
        if r:
            rate = f"{r['rate'] * 100:.2f}%" if r["rate"] is not None else "—"
            self.round.setText(f"{r['name']}（{r['held_on']}）\n得分率 {rate}，失分 {r['loss']:g}")
            self._fill_units(self.losing, [(u["unit_id"], f"{u['name']}　失分 {u['loss']:g}")
                                           for u in r["losing_most"]], self._open_unit_losses, "没有失分。")
        else:
            self.round.setText("还没有测评成绩\n（点此到“丢分分析”导入）")
            self._fill_units(self.losing, [], self._open_unit_losses, "")

    def _fill_units(self, layout, items, slot, empty: str) -> None:
        while layout.count():
            widget = layout.takeAt(0).widget()
            if widget:
                widget.deleteLater()
        if not items:
            layout.addWidget(QLabel(empty))
        for unit_id, text in items:
            b = QPushButton(text)
            b.setProperty("figure", True)
            b.setCursor(Qt.PointingHandCursor)
            b.clicked.connect(lambda _=False, u=unit_id: slot(u))
            layout.addWidget(b)

    # --- opening the lists behind the figures -------------------------------------------------
    def _open_findings(self, which: str) -> None:
        self.window_.show_page("supervision").open_list(which)

    def _open_unit_findings(self, unit_id: int) -> None:
        self.window_.show_page("supervision").open_list("unit", unit_id)

    def _open_unsigned_letters(self) -> None:
        self.window_.show_page("letters").open_list("unsigned")

    def _open_last_round(self) -> None:
        r = self.figures.get("last_round")
        page = self.window_.show_page("scoring")
        if r:
            page.open_list("round", r["id"])

    def _open_unit_losses(self, unit_id: int) -> None:
        self.window_.show_page("scoring").open_list("unit", self.figures["last_round"]["id"], unit_id)

    def _open_category(self, category_id: int) -> None:
        self.window_.show_page("materials").open_list("category", category_id)

    def _open_new_year(self) -> None:
        self.window_.show_page("framework").open_new_year()
