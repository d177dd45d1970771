"""档案材料: the checklist with filters, one material's details, files and status, and completeness."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGridLayout,
                               QHBoxLayout, QInputDialog, QLabel, QLineEdit, QMenu, QPlainTextEdit, QPushButton,
                               QSpinBox, QSplitter, QTabWidget, QToolButton, QVBoxLayout, QWidget)

from core import framework, materials
from core.errors import AppError
from gui.widgets.attachments_panel import AttachmentsPanel
from gui.charts import coverage_chart
from gui.dialogs import confirm, open_file, save_file, show_error, show_info
from gui.jobs import run_job
from gui.models.table import Col, RowsTableModel, fmt_points
from gui.ui_state import remember
from gui.views.base import Page
from gui.widgets.tables import make_table

COLUMNS = [
    Col("material_code", "材料编号", width=76), Col("code", "标准编号", width=60),
    Col("standard_title", "测评标准", width=170), Col("kind", "材料类型", width=72),
    Col("title", "材料名称", width=150), Col("status", "状态", width=62),
    Col("file_count", "附件", align_right=True, width=38), Col("unit_name", "责任单位", width=100),
    Col("due_on", "截止日期", width=80), Col("comment", "审核意见"),
]
COMPLETENESS_COLUMNS = [
    Col("name", "名称", width=200), Col("materials", "材料数", align_right=True, width=60),
    Col("approved", "已通过", align_right=True, width=60),
    Col("approved_share", "材料通过率", fmt=lambda v: f"{v * 100:.1f}%", align_right=True, width=80),
    Col("points", "应覆盖分值", fmt=fmt_points, align_right=True, width=80),
    Col("covered_points", "已覆盖分值", fmt=fmt_points, align_right=True, width=80),
    Col("points_share", "分值覆盖率", fmt=lambda v: f"{v * 100:.1f}%", align_right=True, width=80),
]
STATUS_COLOURS = {"待提交": "#8a8a8a", "已提交": "#1f5fa8", "审核通过": "#2e7d32", "需补充": "#c62828",
                  "已归档": "#5d4037"}


def ask_comment(parent, title: str, text: str = "") -> str | None:
    """The 审核意见 for 需补充 (None when cancelled)."""
    value, ok = QInputDialog.getMultiLineText(parent, title, "审核意见（责任单位会看到，请写明需要补充什么）：", text)
    return value if ok else None


class PlacementDialog(QDialog):
    """归档: 盒号, 件号 (next free by default), 页数."""

    def __init__(self, parent, material: dict):
        super().__init__(parent)
        self.setWindowTitle("归档")
        form = QFormLayout(self)
        form.addRow("材料：", QLabel(material["title"]))
        self.box = QSpinBox(minimum=1, maximum=9999, value=material["box"] or 1)
        self.item = QSpinBox(minimum=0, maximum=9999, value=0, specialValueText="自动（下一件）")
        self.pages = QSpinBox(minimum=0, maximum=99999, value=material["pages"] or 0, specialValueText="不填")
        form.addRow("盒号：", self.box)
        form.addRow("件号：", self.item)
        form.addRow("页数：", self.pages)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("归档")
        buttons.button(QDialogButtonBox.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> dict:
        return {"box": self.box.value(), "item": self.item.value() or None, "pages": self.pages.value() or None}


def ask_placement(parent, material: dict) -> dict | None:
    dialog = PlacementDialog(parent, material)
    return dialog.values() if dialog.exec() == QDialog.Accepted else None


class MaterialsPage(Page):
    key = "materials"
    title = "档案材料"
    areas = ("materials", "framework", "units")

    def __init__(self, ctx, window):
        super().__init__(ctx, window)
        self.edition_id: int | None = None
        self.all_rows: list[dict] = []
        self.current: dict | None = None
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs)
        self.tabs.addTab(self._checklist_tab(), "材料清单")
        self.tabs.addTab(self._completeness_tab(), "完成情况")
        self.tabs.currentChanged.connect(lambda _: self._refresh_completeness())

    # --- building ---------------------------------------------------------------------------------
    def _checklist_tab(self) -> QWidget:
        tab = QWidget()
        v = QVBoxLayout(tab)
        bar = QHBoxLayout()
        self.review_button = QPushButton("档案审查（F9）")
        self.review_button.setShortcut("F9")
        self.review_button.setStyleSheet("font-weight: bold;")
        self.review_button.clicked.connect(self.open_review)
        bar.addWidget(self.review_button)
        for text, slot in [("新增材料…", self.add_material), ("删除材料", self.remove_material),
                           ("材料体检", self.run_health_check)]:
            b = QPushButton(text)
            b.clicked.connect(slot)
            bar.addWidget(b)
        more = QToolButton()
        more.setText("清单与交换")
        more.setPopupMode(QToolButton.InstantPopup)
        menu = QMenu(more)
        menu.addAction("生成默认清单", self.init_checklist)
        menu.addAction("结转上年清单…", self.carry_forward)
        menu.addSeparator()
        menu.addAction("导出清单（Excel）…", self.export_checklist)
        menu.addAction("导出所选单位的报送模板…", self.export_template)
        menu.addAction("导入清单或单位报送表…", self.import_file)
        more.setMenu(menu)
        bar.addWidget(more)
        out = QToolButton()
        out.setText("归档输出")
        out.setPopupMode(QToolButton.InstantPopup)
        out_menu = QMenu(out)
        out_menu.addAction("归档文件目录（PDF）…", lambda: self.export_catalogue(".pdf"))
        out_menu.addAction("归档文件目录（Excel）…", lambda: self.export_catalogue(".xlsx"))
        out_menu.addAction("档案盒盒脊和封面标签（PDF）…", lambda: self.export_catalogue("labels"))
        out_menu.addAction("迎检资料包（.zip）…", self.export_package)
        out.setMenu(out_menu)
        bar.addWidget(out)
        bar.addStretch()
        v.addLayout(bar)

        filters = QHBoxLayout()
        self.category_box, self.unit_box, self.group_box = QComboBox(), QComboBox(), QComboBox()
        self.kind_box, self.status_box = QComboBox(), QComboBox()
        self.category_box.setMinimumWidth(150)
        self.unit_box.setMinimumWidth(120)
        self.group_box.setMinimumWidth(110)
        self.kind_box.addItem("全部类型", "")
        for k in materials.KINDS:
            self.kind_box.addItem(k, k)
        self.status_box.addItem("全部状态", "")
        for s in materials.STATUSES:
            self.status_box.addItem(s, s)
        self.overdue_box = QCheckBox("已逾期")
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索编号、标准、材料名称、单位、意见…")
        self.search.setClearButtonEnabled(True)
        for w, name in ((self.category_box, "category"), (self.unit_box, "unit"), (self.group_box, "working_group"),
                        (self.kind_box, "kind"), (self.status_box, "status"), (self.overdue_box, "overdue"),
                        (self.search, "text")):
            remember(w, f"materials/{name}")
        for w in (self.category_box, self.unit_box, self.group_box, self.kind_box, self.status_box):
            w.currentIndexChanged.connect(self.apply_filter)
            filters.addWidget(w)
        self.overdue_box.toggled.connect(self.apply_filter)
        filters.addWidget(self.overdue_box)
        self._search_timer = QTimer(self, singleShot=True, interval=150)
        self._search_timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        filters.addWidget(self.search, 1)
        self.count_label = QLabel()
        filters.addWidget(self.count_label)
        v.addLayout(filters)

        split = QSplitter(Qt.Horizontal)
        self.model = RowsTableModel(COLUMNS, self, muted=lambda r: r["status"] == "已归档")
        self.table = make_table(self.model, state_key="materials/list")
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        split.addWidget(self.table)
        split.addWidget(self._detail())
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([760, 420])
        v.addWidget(split, 1)
        return tab

    def _detail(self) -> QWidget:
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(6, 0, 0, 0)
        self.standard_label = QLabel("请在左侧选择一项材料。")
        self.standard_label.setWordWrap(True)
        self.standard_label.setStyleSheet("color: #333;")
        v.addWidget(self.standard_label)
        form = QGridLayout()
        self.kind_edit = QComboBox()
        self.kind_edit.addItems(materials.KINDS)
        self.title_edit = QLineEdit()
        self.requirement_edit = QPlainTextEdit()
        self.requirement_edit.setFixedHeight(62)
        self.unit_edit = QComboBox()
        self.due_edit = QLineEdit()
        self.due_edit.setPlaceholderText("不限（或写 2026-09-30）")
        self.save_button = QPushButton("保存修改")
        self.save_button.clicked.connect(self.save_current)
        for row, (label, w) in enumerate([("材料类型", self.kind_edit), ("材料名称", self.title_edit),
                                          ("材料要求", self.requirement_edit), ("责任单位", self.unit_edit),
                                          ("截止日期", self.due_edit)]):
            form.addWidget(QLabel(label + "："), row, 0, Qt.AlignTop)
            form.addWidget(w, row, 1)
        form.addWidget(self.save_button, 4, 2)
        v.addLayout(form)
        status_row = QHBoxLayout()
        self.status_label = QLabel()
        status_row.addWidget(self.status_label)
        status_row.addStretch()
        self.action_buttons = {}
        for key, t in materials.TRANSITIONS.items():
            b = QPushButton(t.label)
            b.clicked.connect(lambda _=False, key=key: self.do_action(key))
            self.action_buttons[key] = b
            status_row.addWidget(b)
        v.addLayout(status_row)
        self.comment_label = QLabel()
        self.comment_label.setWordWrap(True)
        v.addWidget(self.comment_label)
        self.files = AttachmentsPanel(self.ctx, materials.OWNER, title="材料文件（可拖入照片、PDF、Word、Excel、扫描件）",
                                      shown_by=self)
        self.files.changed.connect(self._files_changed)
        v.addWidget(self.files, 1)
        self._set_detail_enabled(False)
        return box

    def _completeness_tab(self) -> QWidget:
        tab = QWidget()
        v = QVBoxLayout(tab)
        row = QHBoxLayout()
        row.addWidget(QLabel("统计口径："))
        self.by_box = QComboBox()
        for key, label in materials.BY.items():
            self.by_box.addItem("按" + label, key)
        remember(self.by_box, "materials/completeness_by")
        self.by_box.currentIndexChanged.connect(lambda _: self._refresh_completeness())
        row.addWidget(self.by_box)
        note = QLabel("已归档计为通过；一条标准的全部材料都通过时，其分值计为已覆盖（基数为有材料要求的标准分值）。")
        note.setStyleSheet("color: #666;")
        row.addWidget(note)
        row.addStretch()
        v.addLayout(row)
        split = QSplitter(Qt.Horizontal)
        self.completeness_model = RowsTableModel(COMPLETENESS_COLUMNS, self)
        self.completeness_table = make_table(self.completeness_model, state_key="materials/completeness")
        split.addWidget(self.completeness_table)
        from PySide6.QtWidgets import QScrollArea

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        self.chart = coverage_chart()
        scroll.setWidget(self.chart)
        split.addWidget(scroll)
        split.setSizes([620, 560])
        v.addWidget(split, 1)
        return tab

    # --- data -------------------------------------------------------------------------------------
    def refresh(self) -> None:
        super().refresh()
        self.edition_id = framework.current_edition_id(self.db)
        keep = self.current["id"] if self.current else None
        self.all_rows = materials.checklist(self.db, self.edition_id) if self.edition_id else []
        self._fill_choices()
        self.apply_filter()
        if keep:
            self.select_material(keep)
        self._refresh_completeness()

    def _fill_choices(self) -> None:
        choices = materials.filter_choices(self.db, self.edition_id) if self.edition_id else {
            "categories": [], "units": [], "working_groups": []}
        for box, first, items in [
                (self.category_box, "全部测评项目", [(c["title"], c["id"]) for c in choices["categories"]]),
                (self.unit_box, "全部单位", [(u["name"], u["id"]) for u in choices["units"]]),
                (self.group_box, "全部推进组", [(g, g) for g in choices["working_groups"]])]:
            current = box.currentData()
            box.blockSignals(True)
            box.clear()
            box.addItem(first, None)
            for text, data in items:
                box.addItem(text, data)
            index = box.findData(current)
            box.setCurrentIndex(max(index, 0))
            box.blockSignals(False)
        from core import units

        self.unit_edit.clear()
        self.unit_edit.addItem("（未指定）", None)
        for u in units.list_units(self.db):
            self.unit_edit.addItem(u["name"], u["id"])

    def current_filter(self) -> materials.MaterialFilter:
        return materials.MaterialFilter(
            category_id=self.category_box.currentData(), unit_id=self.unit_box.currentData(),
            working_group=self.group_box.currentData() or "", kind=self.kind_box.currentData() or "",
            status=self.status_box.currentData() or "", overdue=self.overdue_box.isChecked(),
            text=self.search.text())

    def apply_filter(self) -> None:
        shown = materials.filter_rows(self.all_rows, self.current_filter())
        keep = self.current["id"] if self.current else None
        self.model.set_rows(shown)
        self._show_count()
        if keep is None or not self.select_material(keep):
            if shown:  # land on the first item so the details are never an empty form
                self.select_material(self.table.model().index(0, 0).data(RowsTableModel.ROW_ROLE)["id"])
            else:
                self._show(None)

    def _show_count(self) -> None:
        shown = self.model.rows()
        overdue = sum(1 for r in shown if r["overdue"])
        self.count_label.setText(f"{len(shown)} / {len(self.all_rows)} 项" + (f"，逾期 {overdue} 项" if overdue else ""))

    def select_material(self, material_id: int) -> bool:
        proxy = self.table.model()
        for row, r in enumerate(self.model.rows()):
            if r["id"] == material_id:
                index = proxy.mapFromSource(self.model.index(row, 0))
                selection = self.table.selectionModel()
                selection.blockSignals(True)  # shown once below, not again by currentRowChanged
                self.table.setCurrentIndex(index)
                selection.blockSignals(False)
                self.table.viewport().update()
                self.table.scrollTo(index)
                self._show(r)
                return True
        return False

    def _show_current(self) -> None:
        index = self.table.currentIndex()
        self._show(self.table.model().data(index, RowsTableModel.ROW_ROLE) if index.isValid() else None)

    def _set_detail_enabled(self, on: bool) -> None:
        for w in (self.kind_edit, self.title_edit, self.requirement_edit, self.unit_edit, self.due_edit,
                  self.save_button):
            w.setEnabled(on)

    def _show(self, r: dict | None) -> None:
        self.current = r
        self._set_detail_enabled(r is not None)
        self.files.set_owner(r["id"] if r else None)
        if r is None:
            self.standard_label.setText("请在左侧选择一项材料。")
            self.status_label.setText("")
            self.comment_label.setText("")
            for b in self.action_buttons.values():
                b.setEnabled(False)
            return
        origin = "（上年未通过，今年须重点补齐）" if r["missing_last_year"] else ""
        self.standard_label.setText(f"<b>{r['material_code']}　{r['code']}</b>　{r['category']}<br>"
                                    f"{r['standard_title']}<br><span style='color:#888'>测评方法：{r['methods']}　"
                                    f"分值：{fmt_points(r['points'])}　推进组：{r['working_group'] or '—'}</span>"
                                    f"<span style='color:#c62828'>{origin}</span>")
        self.kind_edit.setCurrentText(r["kind"])
        self.title_edit.setText(r["title"])
        self.requirement_edit.setPlainText(r["requirement"])
        self.unit_edit.setCurrentIndex(max(self.unit_edit.findData(r["unit_id"]), 0))
        self.due_edit.setText(r["due_on"])
        colour = STATUS_COLOURS.get(r["status"], "#333")
        place = f"　第 {r['box']} 盒第 {r['item']} 件" + (f"，{r['pages']} 页" if r["pages"] else "") if r["box"] else ""
        overdue = "　<span style='color:#c62828'>已逾期</span>" if r["overdue"] else ""
        self.status_label.setText(f"状态：<b style='color:{colour}'>{r['status']}</b>{place}{overdue}")
        self.comment_label.setText(f"审核意见：{r['comment']}" if r["comment"] else "")
        allowed = materials.allowed_actions(r["status"])
        for key, b in self.action_buttons.items():
            b.setEnabled(key in allowed)  # enabled, not hidden: the buttons keep their places

    # --- changes ----------------------------------------------------------------------------------
    # A change made here updates only the rows it touched (40,000 rows reload in about a second at 10x
    # data); the change still reaches the other pages. A change made elsewhere (review window,
    # imports, other pages) marks this page stale and it reloads as before.
    def _run_own(self, title: str, func, *args, **kwargs):
        """run_change for a change this page then shows by updating its rows."""
        with self.ctx.shown_by(self):
            return self.run_change(title, func, *args, **kwargs)

    def update_rows(self, material_ids) -> None:
        """Read these materials again and show them in place (a removed one leaves the list)."""
        if not self.edition_id:
            return
        ids = set(material_ids)
        fresh = {r["id"]: r for r in materials.checklist(self.db, self.edition_id, ids=ids)}
        gone = ids - set(fresh)
        if gone:
            self.all_rows = [r for r in self.all_rows if r["id"] not in gone]
            self.model.remove_rows(gone)
        for i in (i for i, r in enumerate(self.all_rows) if r["id"] in fresh):
            self.all_rows[i] = fresh[self.all_rows[i]["id"]]
        self.model.update_rows(fresh)
        self._show_count()
        if self.current and self.current["id"] in ids:
            if self.current["id"] in fresh:
                self._show(fresh[self.current["id"]])
            else:
                self._show_current()

    def _insert_row(self, material_id: int) -> None:
        """A material added here: into the rows at its place in the tree order, then the filter again."""
        new = materials.checklist(self.db, self.edition_id, ids=[material_id])
        if not new:
            return
        row = new[0]
        same = [i for i, r in enumerate(self.all_rows) if r["node_id"] == row["node_id"]]
        at = same[-1] + 1 if same else len(self.all_rows)
        self.all_rows.insert(at, row)
        self.current = row
        self.apply_filter()

    def save_current(self) -> None:
        if not self.current:
            return
        data = {"kind": self.kind_edit.currentText(), "title": self.title_edit.text(),
                "requirement": self.requirement_edit.toPlainText(), "unit_id": self.unit_edit.currentData(),
                "due_on": self.due_edit.text()}
        material_id = self.current["id"]
        if self._run_own("保存档案材料", materials.update_material, material_id, data):
            if data["unit_id"] is not None and self.unit_box.findData(data["unit_id"]) < 0:
                self._fill_choices()  # a unit new to the checklist joins the unit filter
            self.update_rows([material_id])

    def do_action(self, action: str) -> None:
        if not self.current:
            return
        kwargs = {}
        if action == "request":
            comment = ask_comment(self, "需补充", self.current.get("comment", ""))
            if comment is None:
                return
            kwargs["comment"] = comment
        if action == "archive":
            placement = ask_placement(self, self.current)
            if placement is None:
                return
            kwargs.update(placement)
        if action == "reopen" and not confirm(self, "退回待提交", "把这项材料退回“待提交”？审核结论将作废（文件保留）。", "退回"):
            return
        material_id = self.current["id"]
        if self._run_own(materials.TRANSITIONS[action].label, materials.change_status, material_id, action,
                         **kwargs):
            self.update_rows([material_id])

    def _files_changed(self) -> None:
        if self.current:
            material_id = self.current["id"]
            has_files = bool(materials.files_of(self.db, material_id))
            if has_files:
                with self.ctx.shown_by(self):
                    try:
                        materials.submit_if_pending(self.db, material_id)
                    except AppError as exc:
                        show_error(self, "提交材料", exc)
            self.update_rows([material_id])

    def add_material(self) -> None:
        if not self.current:
            show_info(self, "新增材料", "请先在清单中选中同一条测评标准下的任意一项材料，新材料将加到这条标准下。")
            return
        title, ok = QInputDialog.getText(self, "新增材料", f"在标准 {self.current['code']} 下新增材料，材料名称：")
        if ok and title.strip():
            node_id = self.current["node_id"]
            new_id = self._run_own("新增材料", materials.add_material, node_id, {"title": title})
            if new_id:
                self._insert_row(new_id)

    def remove_material(self) -> None:
        if self.current and confirm(self, "删除材料", f"从清单中删除“{self.current['title']}”？\n"
                                                  "已上传的文件仍保留在数据文件夹中，操作日志中可查。", "删除"):
            material_id = self.current["id"]
            if self._run_own("删除材料", materials.remove_material, material_id):
                self.update_rows([material_id])

    def init_checklist(self) -> None:
        if self.edition_id is None:
            return
        added = self.run_change("生成默认清单", materials.init_checklist, self.edition_id)
        if added is not None:
            show_info(self, "生成默认清单", f"已新增 {0 if added is True else added} 项材料。已有的材料未作改动。")

    def carry_forward(self) -> None:
        editions = [e for e in framework.list_editions(self.db) if e["id"] != self.edition_id]
        if not editions or self.edition_id is None:
            show_info(self, "结转上年清单", "没有其他版本可供结转。请先在“测评体系”中复制出新年度的版本。")
            return
        names = [e["name"] for e in editions]
        name, ok = QInputDialog.getItem(self, "结转上年清单", "把哪个版本的材料清单结转到当前版本？", names, len(names) - 1, False)
        if ok:
            source = editions[names.index(name)]["id"]
            added = self.run_change("结转上年清单", materials.carry_forward, source, self.edition_id)
            if added is not None:
                show_info(self, "结转上年清单", f"已结转 {0 if added is True else added} 项材料要求（不含审核结论），"
                                               "上年未通过的已标记。")

    # --- long work --------------------------------------------------------------------------------
    def _job(self, title: str, func, done_text) -> None:
        run_job(self, title, func, self.ctx.open_worker_db,
                lambda result: show_info(self, title, done_text(result)))

    def export_checklist(self) -> None:
        path = save_file(self, "导出档案材料清单", "档案材料清单.xlsx", "Excel 工作簿 (*.xlsx)")
        if path and self.edition_id:
            edition_id = self.edition_id
            self._job("导出档案材料清单", lambda db, p, c: materials.export_checklist(db, path, edition_id, p, c),
                      lambda n: f"已导出 {n} 项材料到：\n{path}")

    def export_template(self) -> None:
        unit_id = self.unit_box.currentData() or (self.current or {}).get("unit_id")
        if not unit_id or not self.edition_id:
            show_info(self, "导出报送模板", "请先在“单位”筛选框中选择一个责任单位（或选中该单位的一项材料）。")
            return
        from core import units

        name = units.get_unit(self.db, unit_id)["name"]
        path = save_file(self, "导出报送模板", f"{name}档案材料报送模板.xlsx", "Excel 工作簿 (*.xlsx)")
        if path:
            edition_id = self.edition_id
            self._job("导出报送模板",
                      lambda db, p, c: materials.export_unit_template(db, path, edition_id, unit_id, p, c),
                      lambda n: f"已导出“{name}”的报送模板（{n} 项材料）到：\n{path}\n\n"
                                "请单位在“文件名”等列填写后，连同文件夹（或压缩包）一起交回。")

    def import_file(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path = open_file(self, "导入清单或单位报送表", "Excel 工作簿 (*.xlsx)")
        if not path or not self.edition_id:
            return
        files = ""
        if confirm(self, "导入", "这是单位交回的报送表吗？如是，请接着选择它所附文件的文件夹（或压缩包）。", "选择文件夹"):
            files = QFileDialog.getExistingDirectory(self, "报送文件所在文件夹") or ""
        edition_id = self.edition_id

        def text(r: materials.ImportResult) -> str:
            if r.kind == "checklist":
                return f"清单导入完成：新增 {r.added} 项，修改 {r.updated} 项，删除 {r.removed} 项，未变 {r.unchanged} 项。"
            extra = ("\n\n文件夹中未被报送表引用的文件（未导入）：\n" + "\n".join(r.unmatched_files[:30])
                     if r.unmatched_files else "")
            return (f"报送表导入完成：添加文件 {r.attached} 个，{r.submitted} 项材料变为“已提交”，未变 {r.unchanged} 项。"
                    + extra)

        self._job("导入档案材料", lambda db, p, c: materials.import_file(db, path, edition_id, files or None,
                                                                         progress=p, cancel=c), text)

    def run_health_check(self) -> None:
        if not self.edition_id:
            return
        edition_id = self.edition_id
        run_job(self, "材料体检", lambda db, p, c: materials.health_check(db, edition_id, progress=p, cancel=c),
                self.ctx.open_worker_db, self._show_health)

    def _show_health(self, found: list[dict]) -> None:
        HealthDialog(self, found).exec()

    def export_catalogue(self, kind: str) -> None:
        name = {"labels": "档案盒标签.pdf", ".pdf": "归档文件目录.pdf", ".xlsx": "归档文件目录.xlsx"}[kind]
        filters = "Excel 工作簿 (*.xlsx)" if kind == ".xlsx" else "PDF 文件 (*.pdf)"
        path = save_file(self, "归档输出", name, filters)
        if not path or not self.edition_id:
            return
        edition_id = self.edition_id
        func = {"labels": materials.write_box_labels, ".pdf": materials.write_catalogue_pdf,
                ".xlsx": materials.write_catalogue_xlsx}[kind]
        self._job("归档输出", lambda db, p, c: func(db, path, edition_id, None, p, c), lambda _: f"已保存到：\n{path}")

    def export_package(self) -> None:
        path = save_file(self, "迎检资料包", "迎检资料包.zip", "压缩包 (*.zip)")
        if path and self.edition_id:
            edition_id = self.edition_id
            self._job("生成迎检资料包", lambda db, p, c: materials.build_package(db, path, edition_id, p, c),
                      lambda r: f"迎检资料包已生成（{r.materials} 项材料，{r.files} 个文件，{r.missing} 项尚无文件）：\n"
                                f"{r.path}\n\n解压后用浏览器打开 index.html 即可离线查看。")

    def open_review(self) -> None:
        from gui.views.review import ReviewWindow

        if not self.edition_id or not self.all_rows:
            show_info(self, "档案审查", "当前版本还没有档案材料。请先生成默认清单。")
            return
        self.review = ReviewWindow(self.ctx, self.edition_id, self)
        self.review.showMaximized()

    def _refresh_completeness(self) -> None:
        if self.tabs.currentIndex() != 1 or not self.edition_id:
            return
        data = materials.completeness(self.db, self.edition_id, self.by_box.currentData())
        self.completeness_model.set_rows(data)
        self.chart.set_data(data)

    def open_record(self, kind: str, material_id: int) -> bool:
        from gui.widgets.locate import reset_filters

        self.tabs.setCurrentIndex(0)
        reset_filters(self.category_box, self.unit_box, self.group_box, self.kind_box, self.status_box,
                      self.overdue_box, self.search)
        self.apply_filter()
        return self.select_material(material_id)

    def open_list(self, which: str, category_id: int) -> None:
        """One 测评项目's checklist (a bar of the 首页 chart)."""
        from gui.widgets.locate import reset_filters

        self.tabs.setCurrentIndex(0)
        reset_filters(self.unit_box, self.group_box, self.kind_box, self.status_box, self.overdue_box, self.search)
        self.category_box.setCurrentIndex(max(self.category_box.findData(category_id), 0))
        self.apply_filter()


class HealthDialog(QDialog):
    """材料体检 results: a list to act on (double-click jumps to the material), saveable as .xlsx."""

    def __init__(self, page: MaterialsPage, found: list[dict]):
        super().__init__(page)
        self.page = page
        self.found = found
        self.setWindowTitle("材料体检")
        v = QVBoxLayout(self)
        counts: dict[str, int] = {}
        for f in found:
            counts[f["check"]] = counts.get(f["check"], 0) + 1
        v.addWidget(QLabel("未发现问题。" if not found else
                           "发现：" + "，".join(f"{k} {n} 项" for k, n in counts.items()) + "。双击一行可跳到该材料。"))
        self.model = RowsTableModel([Col("check", "问题类型", width=120), Col("code", "标准编号", width=70),
                                     Col("material_code", "材料编号", width=80), Col("title", "材料名称", width=200),
                                     Col("unit", "责任单位", width=120), Col("detail", "说明")], self)
        self.model.set_rows(found)
        self.table = make_table(self.model, state_key="materials/health")
        self.table.doubleClicked.connect(self._jump)
        v.addWidget(self.table)
        buttons = QDialogButtonBox()
        buttons.addButton("另存为 Excel…", QDialogButtonBox.ActionRole).clicked.connect(self._save)
        buttons.addButton("关闭", QDialogButtonBox.RejectRole)
        buttons.rejected.connect(self.reject)
        v.addWidget(buttons)
        self.resize(900, 520)

    def _jump(self, index) -> None:
        r = self.table.model().data(index, RowsTableModel.ROW_ROLE)
        if r and r["material_id"]:
            self.page.search.clear()
            self.page.select_material(r["material_id"])
            self.accept()

    def _save(self) -> None:
        path = save_file(self, "保存体检结果", "材料体检.xlsx", "Excel 工作簿 (*.xlsx)")
        if path:
            try:
                materials.export_health(path, self.found)
            except AppError as exc:
                show_error(self, "保存体检结果", exc)
                return
            show_info(self, "保存体检结果", f"已保存到：\n{path}")
