"""目标责任书: the letter template, generating and printing letters, and tracking who has signed."""

from __future__ import annotations

import os
import tempfile

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, QTimer
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QLabel, QLineEdit, QPushButton,
                               QScrollArea, QSpinBox, QSplitter, QTabWidget, QVBoxLayout, QWidget)

from core import framework, letters, settings, units
from gui import dialogs
from gui.jobs import run_job
from gui.models.table import Col, RowsTableModel, fmt_points
from gui.printing import page_pixmaps, print_pdf
from gui.theme import scaled, set_scaled_style
from gui.ui_state import remember
from gui.views.base import Page
from gui.views.letters.dialogs import MarkDialog, TemplateDialog
from gui.widgets.attachments_panel import AttachmentsPanel
from gui.widgets.flow import FlowLayout
from gui.widgets.tables import filter_as_you_type, make_table, selected_rows

STATUS_COLUMNS = [
    Col("name", "责任单位", width=190), Col("task_count", "任务数", align_right=True, width=55),
    Col("lead_count", "牵头", align_right=True, width=45), Col("support_count", "配合", align_right=True, width=45),
    Col("points", "分值", fmt=fmt_points, align_right=True, width=50), Col("state", "签订状态", width=70),
    Col("issued_on", "印发日期", width=90), Col("signed_on", "签订日期", width=90),
    Col("signed_by", "签字人", width=70), Col("scan_count", "扫描件", fmt=lambda v: f"{v} 份" if v else "", width=55),
    Col("changed", "分解表变化"),
]
PREVIEW_DPI = 62  # an A4 page about as wide as the preview pane


class LettersPage(Page):
    key = "letters"
    title = "目标责任书"
    areas = ("letters", "framework", "units", "settings")
    wait_for_jobs = False  # tests and screenshots wait for background work to end

    def __init__(self, ctx, window):
        super().__init__(ctx, window)
        self._rows: list[dict] = []
        self._changes_for: list[dict] | None = None  # the rows whose 分解表变化 column is filled
        self._preview_dir = tempfile.TemporaryDirectory(prefix="letters-preview-")
        self._preview_pdf: str | None = None
        layout = QVBoxLayout(self)
        top = FlowLayout()
        top.addWidget(QLabel("年度："))
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self._office_year = settings.get(self.db, "current_year")
        self._current_seen = None  # the current edition when the page last refreshed
        self.year.setValue(self._office_year)
        self.year.valueChanged.connect(lambda _: self.refresh())
        top.addWidget(self.year)
        top.addWidget(QLabel("测评体系版本："))
        self.edition = QComboBox()
        self.edition.setMinimumWidth(scaled(120))
        self.edition.activated.connect(lambda _: self.refresh())
        top.addWidget(self.edition)
        self.summary = QLabel()
        top.addWidget(self.summary, 1)
        for text, slot in [("编辑模板…", self.edit_template), ("导出未签订名单…", self.export_unsigned)]:
            b = QPushButton(text)
            b.clicked.connect(slot)
            top.addWidget(b)
        layout.addLayout(top)

        batch = FlowLayout()
        self.only_selected = QCheckBox("仅所选单位")
        self.duplex = QCheckBox("双面打印（每份从奇数页开始）")
        self.one_pdf_button = QPushButton("生成责任书（一个 PDF）…")
        self.one_pdf_button.clicked.connect(self.generate_one_pdf)
        self.separate_button = QPushButton("每个单位一个文件…")
        self.separate_button.clicked.connect(self.generate_separate)
        for w in (self.one_pdf_button, self.separate_button, self.only_selected, self.duplex):
            batch.addWidget(w)
        batch.addStretch()
        layout.addLayout(batch)

        splitter = QSplitter()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        filters = FlowLayout()
        self.text = QLineEdit()
        self.text.setPlaceholderText("筛选单位")
        self.text.setClearButtonEnabled(True)
        filters.addWidget(self.text, 1)
        self.state_filter = QComboBox()
        for choice in letters.STATE_FILTERS:
            self.state_filter.addItem(choice.label, choice.key)
        remember(self.text, "letters/text")
        remember(self.state_filter, "letters/state")
        self.state_filter.currentIndexChanged.connect(lambda _: self.apply_filter())
        filters.addWidget(self.state_filter)
        left_layout.addLayout(filters)
        self.model = RowsTableModel(STATUS_COLUMNS, self, muted=lambda r: r["state"] == letters.NO_TASKS)
        self.table = make_table(self.model, state_key="letters/units")
        filter_as_you_type(self.text, self.table)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.show_unit())
        left_layout.addWidget(self.table)
        splitter.addWidget(left)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.unit_heading = QLabel("请在左侧选择一个单位。")
        self.unit_heading.setWordWrap(True)
        set_scaled_style(self.unit_heading, "font-size: 11pt; font-weight: bold;")
        right_layout.addWidget(self.unit_heading)
        self.change_label = QLabel()
        self.change_label.setWordWrap(True)
        self.change_label.setStyleSheet("color: #b3261e;")
        right_layout.addWidget(self.change_label)
        actions = FlowLayout()
        self.buttons = {}
        for key, text, slot in [("preview", "预览", self.preview), ("print", "打印…", self.print_letter),
                                ("issued", "标记已印发…", lambda: self.mark(letters.ISSUED)),
                                ("signed", "标记已签订…", lambda: self.mark(letters.SIGNED)),
                                ("reset", "改回未印发", lambda: self.mark(letters.NOT_ISSUED))]:
            b = QPushButton(text)
            b.clicked.connect(slot)
            self.buttons[key] = b
            actions.addWidget(b)
        actions.addStretch()
        right_layout.addLayout(actions)
        tabs = QTabWidget()
        self.preview_area = QScrollArea()
        self.preview_area.setWidgetResizable(True)
        self.preview_area.setAlignment(Qt.AlignHCenter)
        self._set_preview_widget(QLabel("点击“预览”查看所选单位的责任书。"))
        tabs.addTab(self.preview_area, "预览")
        self.scans = AttachmentsPanel(ctx, letters.OWNER_TABLE, role=letters.SCAN_ROLE, title="签订扫描件（签字盖章后的责任书）")
        tabs.addTab(self.scans, "签订扫描件")
        self.tabs = tabs
        right_layout.addWidget(tabs, 1)
        splitter.addWidget(right)
        splitter.setSizes([720, 560])
        layout.addWidget(splitter, 1)

    # --- data ---------------------------------------------------------------------------------
    def edition_id(self) -> int | None:
        return self.edition.currentData()

    def refresh(self) -> None:
        super().refresh()
        office_year = settings.get(self.db, "current_year")
        if office_year != self._office_year:  # a new 年度 was set (新年度): follow it, unless the user chose another
            if self.year.value() == self._office_year:
                self._office_year = office_year
                self.year.setValue(office_year)  # refreshes again
                return
            self._office_year = office_year
        # Keep the edition the user chose, unless the current edition changed meanwhile (新年度):
        # then the new year's letters are made from the new current edition.
        current_id = framework.current_edition_id(self.db)
        chosen = (self.edition_id() if current_id == self._current_seen else None) or current_id
        self._current_seen = current_id
        self.edition.clear()
        for e in framework.list_editions(self.db):
            self.edition.addItem(e["name"] + ("（当前）" if e["current"] else ""), e["id"])
        index = self.edition.findData(chosen)
        self.edition.setCurrentIndex(max(index, 0))
        selected = {r["unit_id"] for r in selected_rows(self.table)}
        edition_id = self.edition_id()
        # The 分解表变化 column comes a moment later (fill_changes): comparing every unit's tasks with
        # its last letter costs a few hundred ms at 10x data and the list is usable without it.
        self._rows = letters.status_rows(self.db, self.year.value(), edition_id, with_changes=False) \
            if edition_id else []
        self._changes_for = None
        with_tasks = letters.with_letters(self._rows)
        signed = letters.signed_of(with_tasks)
        self.summary.setText(f"　{len(with_tasks)} 个单位有任务：已签订 {signed}，未签订 {len(with_tasks) - signed}"
                             if edition_id else "　还没有测评体系版本。")
        self.apply_filter(selected)
        rows_now = self._rows
        QTimer.singleShot(0, lambda: self.fill_changes() if self._rows is rows_now else None)

    def fill_changes(self, *, refilter: bool = True) -> None:
        """Fill the 分解表变化 column of the rows shown (once per refresh)."""
        if self._changes_for is self._rows or not self.edition_id():
            return
        self._changes_for = self._rows
        texts = letters.change_texts(self.db, self.year.value(), self.edition_id())
        updated = {}
        for r in self._rows:
            text = texts.get(r["unit_id"], "")
            if text != r["change_text"]:
                r["change_text"], r["changed"] = text, "有变化" if text else ""
                updated[r["unit_id"]] = r
        if not updated:
            return
        if refilter and self.chosen_filter().needs_changes:
            self.apply_filter()
        else:
            self.model.update_rows(updated, key="unit_id")
            if any(r["unit_id"] in updated for r in self.selected_units()):
                self.show_unit()

    def apply_filter(self, keep_selected: set[int] | None = None) -> None:
        keep = keep_selected if keep_selected is not None else {r["unit_id"] for r in selected_rows(self.table)}
        wanted = self.chosen_filter()
        if wanted.needs_changes:
            self.fill_changes(refilter=False)
        self.model.set_rows([r for r in self._rows if wanted.keeps(r)])
        proxy = self.table.model()
        rows = [row for row in range(proxy.rowCount())
                if proxy.data(proxy.index(row, 0), RowsTableModel.ROW_ROLE)["unit_id"] in keep]
        self.select_rows(rows or ([0] if proxy.rowCount() else []))

    def chosen_filter(self) -> letters.StateFilter:
        return letters.state_filter(self.state_filter.currentData() or "all")

    def select_rows(self, rows: list[int]) -> None:
        """Select these rows of the view, whatever keys are held (selectRow follows Ctrl/Shift)."""
        proxy, selection = self.table.model(), self.table.selectionModel()
        chosen = QItemSelection()
        for row in rows:
            chosen.select(proxy.index(row, 0), proxy.index(row, proxy.columnCount() - 1))
        selection.select(chosen, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)
        self.show_unit()

    def selected_units(self) -> list[dict]:
        return selected_rows(self.table)

    def show_unit(self) -> None:
        chosen = self.selected_units()
        for b in self.buttons.values():
            b.setEnabled(bool(chosen))
        if not chosen:
            self.unit_heading.setText("请在左侧选择一个单位。")
            self.change_label.clear()
            self.scans.set_owner(None)
            return
        if len(chosen) > 1:
            self.unit_heading.setText(f"已选 {len(chosen)} 个单位（可一起标记印发或签订）")
            self.change_label.clear()
            self.scans.set_owner(None)
            for key in ("preview", "print"):
                self.buttons[key].setEnabled(False)
            return
        r = chosen[0]
        has_tasks = r["state"] != letters.NO_TASKS
        state = (f"{r['state']}" + (f"（{r['signed_on']}，{r['signed_by']}）" if r["signed_on"] else
                                    f"（{r['issued_on']}）" if r["issued_on"] else "")) if has_tasks else "本版本中没有任务，不生成责任书"
        self.unit_heading.setText(f"{r['name']}：牵头 {r['lead_count']} 项，配合 {r['support_count']} 项，"
                                  f"分值 {r['points']:g}　{state}")
        change_text = r["change_text"]
        if self._changes_for is not self._rows and r["generated_at"] and has_tasks:  # column not filled yet
            change_text = letters.describe_changes(
                letters.unit_changes(self.db, self.year.value(), r["unit_id"], self.edition_id()))
        if change_text:
            self.change_label.setText(f"上次生成（{r['generated_at'].replace('T', ' ')}）以来分解表的变化：{change_text}")
        else:
            self.change_label.setText("")
        for b in self.buttons.values():
            b.setEnabled(has_tasks)
        self.scans.set_owner(letters.status_id(self.db, self.year.value(), r["unit_id"]) if has_tasks else None)

    # --- actions ------------------------------------------------------------------------------
    def edit_template(self) -> None:
        TemplateDialog(self, self.db).exec()

    def mark(self, state: str) -> None:
        chosen = [r for r in self.selected_units() if r["state"] != letters.NO_TASKS]
        if not chosen:
            return
        on, signer = None, ""
        if state != letters.NOT_ISSUED:
            names = "、".join(r["name"] for r in chosen)
            head = self._unit_head(chosen[0]["unit_id"]) if len(chosen) == 1 else ""
            dialog = MarkDialog(self, state, names, chosen[0]["signed_by"] or head)
            if dialog.exec() != QDialog.Accepted:
                return
            on, signer = dialog.values()
        self.run_change(f"标记{state}", letters.set_states, self.year.value(), [r["unit_id"] for r in chosen],
                        state, on=on, signed_by=signer, expected_versions={r["unit_id"]: r["version"] for r in chosen},
                        on_conflict=self.refresh)

    def _unit_head(self, unit_id: int) -> str:
        return units.get_unit(self.db, unit_id)["head"]

    def _run(self, title: str, func, on_done) -> None:
        run_job(self, title, func, self.ctx.open_worker_db, on_done, block=self.wait_for_jobs)

    def _letter_to(self, path: str, on_done) -> None:
        r = self.selected_units()[0]
        year, edition_id = self.year.value(), self.edition_id()
        self._run("生成责任书", lambda db, progress, cancel: letters.generate_letters(
            db, year, path, unit_ids=[r["unit_id"]], edition_id=edition_id, record=False,
            progress=progress, cancel=cancel), on_done)

    def preview(self) -> None:
        if not self.selected_units():
            return
        path = os.path.join(self._preview_dir.name, "preview.pdf")

        def done(_result):
            self._preview_pdf = path
            pages = QWidget()
            column = QVBoxLayout(pages)
            for pixmap in page_pixmaps(path, dpi=PREVIEW_DPI):
                label = QLabel()
                label.setPixmap(pixmap)
                label.setStyleSheet("border: 1px solid #bbb; background: white;")
                column.addWidget(label, 0, Qt.AlignHCenter)
            self._set_preview_widget(pages)
            self.tabs.setCurrentWidget(self.preview_area)

        self._letter_to(path, done)

    def _set_preview_widget(self, widget: QWidget) -> None:
        if isinstance(widget, QLabel):
            widget.setAlignment(Qt.AlignCenter)
            widget.setWordWrap(True)
        self.preview_area.setWidget(widget)
        self.preview_widget = widget

    def print_letter(self) -> None:
        if not self.selected_units():
            return
        path = os.path.join(self._preview_dir.name,
                            letters.safe_file_name(self.selected_units()[0]["name"]) + ".pdf")
        self._letter_to(path, lambda _r: print_pdf(self, path))

    def _chosen_unit_ids(self) -> list[int] | None:
        if not self.only_selected.isChecked():
            return None
        ids = [r["unit_id"] for r in self.selected_units()]
        return ids or None

    def generate_one_pdf(self) -> None:
        year, edition_id, unit_ids, duplex = self.year.value(), self.edition_id(), self._chosen_unit_ids(), self.duplex.isChecked()
        path = dialogs.save_file(self, "保存责任书", f"{year}年度目标责任书.pdf", "PDF 文件 (*.pdf)")
        if not path:
            return
        self._run("生成责任书", lambda db, progress, cancel: letters.generate_letters(
            db, year, path, unit_ids=unit_ids, edition_id=edition_id, duplex=duplex, progress=progress,
            cancel=cancel), lambda result: self._generated(result, path))

    def generate_separate(self) -> None:
        year, edition_id, unit_ids = self.year.value(), self.edition_id(), self._chosen_unit_ids()
        folder = dialogs.choose_folder(self, "选择保存责任书的文件夹")
        if not folder:
            return
        self._run("生成责任书", lambda db, progress, cancel: letters.generate_separate(
            db, year, folder, unit_ids=unit_ids, edition_id=edition_id, progress=progress, cancel=cancel),
            lambda result: self._generated(result, folder))

    def _generated(self, result, where: str) -> None:
        text = f"已生成 {len(result.letters)} 份责任书，共 {result.pages} 页，保存在：\n{where}"
        if result.changes:
            text += f"\n\n以下 {len(result.changes)} 个单位的任务自上次生成以来有变化：\n" + "\n".join(
                f"{name}：{change}" for name, change in result.changes.items())
        if result.without_tasks:
            text += f"\n\n以下 {len(result.without_tasks)} 个单位没有任务，未生成：\n" + "、".join(result.without_tasks)
        dialogs.show_info(self, "生成责任书", text)

    def export_unsigned(self) -> None:
        year, edition_id = self.year.value(), self.edition_id()
        path = dialogs.save_file(self, "导出未签订名单", f"{year}年度未签订责任书单位.xlsx", "Excel 工作簿 (*.xlsx)")
        if not path:
            return
        self._run("导出未签订名单", lambda db, progress, cancel: letters.export_status(
            db, path, year, edition_id, unsigned_only=True, progress=progress, cancel=cancel),
            lambda n: dialogs.show_info(self, "导出未签订名单", f"已导出 {n} 个未签订单位到：\n{path}"))

    def open_record(self, kind: str, unit_id: int, year: int | None = None) -> bool:
        """A unit's letter (its signed scan, from search): that year, the unit selected, scans shown."""
        from gui.widgets.locate import reset_filters, select_row_by_id

        if year is not None:
            self.year.setValue(year)
        reset_filters(self.text, self.state_filter)
        self.refresh()
        found = select_row_by_id(self.table, unit_id, key="unit_id")
        if found:
            self.tabs.setCurrentWidget(self.scans)
        return found

    def open_list(self, which: str) -> None:
        """A list from 首页 ("unsigned": the current year's units whose letter is not signed)."""
        self.year.setValue(settings.get(self.db, "current_year"))
        self.text.clear()
        self.state_filter.setCurrentIndex(self.state_filter.findData(which))
