"""档案材料: the page shell — its tool bar, the checklist beside one material's details, the
完成情况 tab — and what its buttons and menus do."""

from __future__ import annotations

from PySide6.QtWidgets import QMenu, QPushButton, QTabWidget, QVBoxLayout, QWidget

from core import framework, materials, units
from core.errors import AppError
from gui import dialogs
from gui.jobs import run_job
from gui.views.base import Page
from gui.views.materials import dialogs as material_dialogs
from gui.views.materials.checklist import ChecklistView
from gui.views.materials.completeness import CompletenessView
from gui.views.materials.detail import DetailPane
from gui.views.materials.review import ReviewWindow
from gui.widgets.flow import FlowLayout


class MaterialsPage(Page):
    key = "materials"
    title = "档案材料"
    areas = ("materials", "framework", "units")

    def __init__(self, ctx, window):
        super().__init__(ctx, window)
        self.edition_id: int | None = None
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs)
        self.detail = DetailPane(ctx, self)
        self.checklist = ChecklistView(self.detail)
        self.completeness = CompletenessView()
        self.tabs.addTab(self._checklist_tab(), "材料清单")
        self.tabs.addTab(self.completeness, "完成情况")
        self.tabs.currentChanged.connect(lambda _: self._refresh_completeness())
        self.checklist.current_changed.connect(self.detail.show_material)
        self.detail.save_requested.connect(self.save_current)
        self.detail.action_requested.connect(self.do_action)
        self.detail.files.changed.connect(self._files_changed)

    def _checklist_tab(self) -> QWidget:
        tab = QWidget()
        v = QVBoxLayout(tab)
        bar = FlowLayout()
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
        bar.addWidget(self._menu_button("清单与交换", [
            ("生成默认清单", self.init_checklist), ("结转上年清单…", self.carry_forward), None,
            ("导出清单（Excel）…", self.export_checklist), ("导出所选单位的报送模板…", self.export_template),
            ("导入清单或单位报送表…", self.import_file)]))
        bar.addWidget(self._menu_button("归档输出", [
            ("归档文件目录（PDF）…", lambda: self.export_catalogue(".pdf")),
            ("归档文件目录（Excel）…", lambda: self.export_catalogue(".xlsx")),
            ("档案盒盒脊和封面标签（PDF）…", lambda: self.export_catalogue("labels")),
            ("迎检资料包（.zip）…", self.export_package)]))
        bar.addStretch()
        v.addLayout(bar)
        v.addWidget(self.checklist, 1)
        return tab

    def _menu_button(self, text: str, entries) -> QPushButton:
        """A button opening a menu of (text, slot) entries; None draws a separator. A push button
        like its neighbours, whose style leaves room for the menu arrow beside the text (a tool
        button draws it over the text's last character)."""
        button = QPushButton(text)
        menu = QMenu(button)
        for entry in entries:
            if entry is None:
                menu.addSeparator()
            else:
                menu.addAction(*entry)
        button.setMenu(menu)
        return button

    # --- data -------------------------------------------------------------------------------------
    @property
    def current(self) -> dict | None:
        """The material shown in the details."""
        return self.checklist.current

    def refresh(self) -> None:
        super().refresh()
        self.edition_id = framework.current_edition_id(self.db)
        self.checklist.set_choices(materials.filter_choices(self.db, self.edition_id) if self.edition_id else {
            "categories": [], "units": [], "working_groups": []})
        self.detail.set_units(units.list_units(self.db))
        self.checklist.set_rows(materials.checklist(self.db, self.edition_id) if self.edition_id else [])
        self._refresh_completeness()

    def _refresh_completeness(self) -> None:
        if self.tabs.currentWidget() is self.completeness:
            self.completeness.show_edition(self.db, self.edition_id)

    def select_material(self, material_id: int) -> bool:
        return self.checklist.select_material(material_id)

    def show_material(self, material_id: int) -> bool:
        """Show one material in the checklist, whatever the filters hid."""
        self.tabs.setCurrentIndex(0)
        self.checklist.reset_filters()
        self.checklist.apply_filter()
        return self.select_material(material_id)

    def open_record(self, kind: str, material_id: int) -> bool:
        return self.show_material(material_id)

    def open_list(self, which: str, category_id: int) -> None:
        """One 测评项目's checklist (a bar of the 首页 chart)."""
        self.tabs.setCurrentIndex(0)
        self.checklist.reset_filters(keep_category=True)
        box = self.checklist.category_box
        box.setCurrentIndex(max(box.findData(category_id), 0))
        self.checklist.apply_filter()

    # --- changes ----------------------------------------------------------------------------------
    # A change made here updates only the rows it touched; the change still reaches the other pages.
    # A change made elsewhere (the review window, imports, other pages) marks this page stale and it
    # reloads.
    def _run_own(self, title: str, func, *args, **kwargs):
        """run_change for a change this page then shows by updating its rows."""
        with self.ctx.shown_by(self):
            return self.run_change(title, func, *args, **kwargs)

    def update_rows(self, material_ids) -> None:
        """Read these materials again and show them in place (a removed one leaves the list)."""
        if self.edition_id:
            ids = set(material_ids)
            fresh = {r["id"]: r for r in materials.checklist(self.db, self.edition_id, ids=ids)}
            self.checklist.update_rows(fresh, ids)

    def save_current(self) -> None:
        if not self.current:
            return
        data = self.detail.edited()
        material_id = self.current["id"]
        if self._run_own("保存档案材料", materials.update_material, material_id, data,
                         expected_version=self.detail.version, on_conflict=lambda: self.reload_material(material_id)):
            if data["unit_id"] is not None and self.checklist.unit_box.findData(data["unit_id"]) < 0:
                # a unit new to the checklist joins the unit filter
                self.checklist.set_choices(materials.filter_choices(self.db, self.edition_id))
            self.reload_material(material_id)  # the fields now hold the saved values at their new version

    def reload_material(self, material_id: int) -> None:
        """Show the material as stored now (saved here, or by someone else first): the fields drop what
        was typed and take the stored values and version."""
        self.update_rows([material_id])
        if self.current and self.current["id"] == material_id:
            self.detail.show_material(self.current, reload=True)

    def do_action(self, action: str) -> None:
        if not self.current:
            return
        kwargs = {}
        if action == "request":
            comment = material_dialogs.ask_comment(self, materials.TRANSITIONS[action].label,
                                                   self.current.get("comment", ""))
            if comment is None:
                return
            kwargs["comment"] = comment
        if action == "archive":
            placement = material_dialogs.ask_placement(self, self.current)
            if placement is None:
                return
            kwargs.update(placement)
        if action == "reopen" and not dialogs.confirm(self, "退回待提交", "把这项材料退回“待提交”？审核结论将作废（文件保留）。",
                                                      "退回"):
            return
        material_id = self.current["id"]
        if self._run_own(materials.TRANSITIONS[action].label, materials.change_status, material_id, action,
                         **kwargs):
            self.update_rows([material_id])

    def _files_changed(self) -> None:
        if self.current:
            material_id = self.current["id"]
            if materials.files_of(self.db, material_id):
                with self.ctx.shown_by(self):
                    try:
                        materials.submit_if_pending(self.db, material_id)
                    except AppError as exc:
                        dialogs.show_error(self, "提交材料", exc)
            self.update_rows([material_id])

    def add_material(self) -> None:
        if not self.current:
            dialogs.show_info(self, "新增材料", "请先在清单中选中同一条测评标准下的任意一项材料，新材料将加到这条标准下。")
            return
        title = material_dialogs.ask_material_title(self, self.current["code"])
        if title:
            new_id = self._run_own("新增材料", materials.add_material, self.current["node_id"], {"title": title})
            if new_id:
                new = materials.checklist(self.db, self.edition_id, ids=[new_id])
                if new:
                    self.checklist.insert_row(new[0])

    def remove_material(self) -> None:
        if self.current and dialogs.confirm(self, "删除材料", f"从清单中删除“{self.current['title']}”？\n"
                                                          "已上传的文件仍保留在数据文件夹中，操作日志中可查。", "删除"):
            material_id = self.current["id"]
            if self._run_own("删除材料", materials.remove_material, material_id):
                self.update_rows([material_id])

    def init_checklist(self) -> None:
        if self.edition_id is None:
            return
        added = self.run_change("生成默认清单", materials.init_checklist, self.edition_id)
        if added is not None:
            dialogs.show_info(self, "生成默认清单", f"已新增 {0 if added is True else added} 项材料。已有的材料未作改动。")

    def carry_forward(self) -> None:
        editions = [e for e in framework.list_editions(self.db) if e["id"] != self.edition_id]
        if not editions or self.edition_id is None:
            dialogs.show_info(self, "结转上年清单", "没有其他版本可供结转。请先在“测评体系”中复制出新年度的版本。")
            return
        names = [e["name"] for e in editions]
        name = material_dialogs.ask_source_edition(self, names)
        if name:
            source = editions[names.index(name)]["id"]
            added = self.run_change("结转上年清单", materials.carry_forward, source, self.edition_id)
            if added is not None:
                dialogs.show_info(self, "结转上年清单", f"已结转 {0 if added is True else added} 项材料要求（不含审核结论），"
                                                      "上年未通过的已标记。")

    # --- long work --------------------------------------------------------------------------------
    def _job(self, title: str, func, done_text) -> None:
        run_job(self, title, func, self.ctx.open_worker_db,
                lambda result: dialogs.show_info(self, title, done_text(result)))

    def export_checklist(self) -> None:
        path = dialogs.save_file(self, "导出档案材料清单", "档案材料清单.xlsx", "Excel 工作簿 (*.xlsx)")
        if path and self.edition_id:
            edition_id = self.edition_id
            self._job("导出档案材料清单", lambda db, p, c: materials.export_checklist(db, path, edition_id, p, c),
                      lambda n: f"已导出 {n} 项材料到：\n{path}")

    def export_template(self) -> None:
        unit_id = self.checklist.unit_box.currentData() or (self.current or {}).get("unit_id")
        if not unit_id or not self.edition_id:
            dialogs.show_info(self, "导出报送模板", "请先在“单位”筛选框中选择一个责任单位（或选中该单位的一项材料）。")
            return
        name = units.get_unit(self.db, unit_id)["name"]
        path = dialogs.save_file(self, "导出报送模板", f"{name}档案材料报送模板.xlsx", "Excel 工作簿 (*.xlsx)")
        if path:
            edition_id = self.edition_id
            self._job("导出报送模板",
                      lambda db, p, c: materials.export_unit_template(db, path, edition_id, unit_id, p, c),
                      lambda n: f"已导出“{name}”的报送模板（{n} 项材料）到：\n{path}\n\n"
                                "请单位在“文件名”等列填写后，连同文件夹（或压缩包）一起交回。")

    def import_file(self) -> None:
        path = dialogs.open_file(self, "导入清单或单位报送表", "Excel 工作簿 (*.xlsx)")
        if not path or not self.edition_id:
            return
        files = ""
        if dialogs.confirm(self, "导入", "这是单位交回的报送表吗？如是，请接着选择它所附文件的文件夹（或压缩包）。",
                           "选择文件夹"):
            files = material_dialogs.ask_return_folder(self)
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
                self.ctx.open_worker_db, lambda found: material_dialogs.HealthDialog(self, found).exec())

    def export_catalogue(self, kind: str) -> None:
        name = {"labels": "档案盒标签.pdf", ".pdf": "归档文件目录.pdf", ".xlsx": "归档文件目录.xlsx"}[kind]
        filters = "Excel 工作簿 (*.xlsx)" if kind == ".xlsx" else "PDF 文件 (*.pdf)"
        path = dialogs.save_file(self, "归档输出", name, filters)
        if not path or not self.edition_id:
            return
        edition_id = self.edition_id
        func = {"labels": materials.write_box_labels, ".pdf": materials.write_catalogue_pdf,
                ".xlsx": materials.write_catalogue_xlsx}[kind]
        self._job("归档输出", lambda db, p, c: func(db, path, edition_id, None, p, c), lambda _: f"已保存到：\n{path}")

    def export_package(self) -> None:
        path = dialogs.save_file(self, "迎检资料包", "迎检资料包.zip", "压缩包 (*.zip)")
        if path and self.edition_id:
            edition_id = self.edition_id
            self._job("生成迎检资料包", lambda db, p, c: materials.build_package(db, path, edition_id, p, c),
                      lambda r: f"迎检资料包已生成（{r.materials} 项材料，{r.files} 个文件，{r.missing} 项尚无文件）：\n"
                                f"{r.path}\n\n解压后用浏览器打开 index.html 即可离线查看。")

    def open_review(self) -> None:
        if not self.edition_id or not self.checklist.all_rows:
            dialogs.show_info(self, "档案审查", "当前版本还没有档案材料。请先生成默认清单。")
            return
        self.review = ReviewWindow(self.ctx, self.edition_id, self)
        self.review.showMaximized()
