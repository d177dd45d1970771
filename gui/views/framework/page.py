"""测评体系: the tree of an edition with a detail panel, filters, editing, import and export."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHeaderView, QInputDialog, QLabel, QLineEdit,
                               QPushButton, QSplitter, QTreeView, QVBoxLayout, QWidget)

from core import audit, framework, settings, units
from gui import dialogs
from gui.jobs import run_job
from gui.models.framework_tree import FrameworkTreeModel
from gui.theme import scaled
from gui.ui_state import remember, remember_header
from gui.views.base import Page
from gui.views.framework.detail import DetailPanel
from gui.widgets.flow import FlowLayout


class FrameworkPage(Page):
    key = "framework"
    title = "测评体系"
    areas = ("framework", "units", "settings")

    def __init__(self, ctx, window):
        super().__init__(ctx, window)
        self._nodes: list[dict] = []
        self._nodes_edition = None
        self._summary = ""  # the edition's totals, read with its rows
        self._current_seen = None  # the current edition when the page last refreshed
        layout = QVBoxLayout(self)
        top = FlowLayout()
        top.addWidget(QLabel("版本："))
        self.edition = QComboBox()
        self.edition.setMinimumWidth(scaled(160))
        self.edition.activated.connect(lambda _: self.refresh_tree(reload=True))
        top.addWidget(self.edition)
        self.summary = QLabel()
        top.addWidget(self.summary, 1)
        for text, slot in [("新年度…", self.open_new_year), ("导入分解表…", self.import_framework),
                           ("导出分解表…", self.export_framework)]:
            b = QPushButton(text)
            b.clicked.connect(slot)
            top.addWidget(b)
        layout.addLayout(top)

        filters = FlowLayout()
        self.text = QLineEdit()
        self.text.setPlaceholderText("筛选：编号或内容（Ctrl+F）")
        self.text.setClearButtonEnabled(True)
        self.unit = QComboBox()
        self.method = QComboBox()
        self.group = QComboBox()
        self.no_lead = QCheckBox("只看无牵头单位")
        for w, name in ((self.text, "text"), (self.unit, "unit"), (self.method, "method"), (self.group, "group"),
                        (self.no_lead, "no_lead")):
            remember(w, f"framework/{name}")
        filters.addWidget(self.text, 2)
        for label, combo in (("单位：", self.unit), ("方法：", self.method), ("推进组：", self.group)):
            filters.addWidget(QLabel(label))
            filters.addWidget(combo, 1)
        filters.addWidget(self.no_lead)
        layout.addLayout(filters)
        self.text.textChanged.connect(lambda _: self.refresh_tree())
        for combo in (self.unit, self.method, self.group):
            combo.activated.connect(lambda _: self.refresh_tree())
        self.no_lead.toggled.connect(lambda _: self.refresh_tree())

        splitter = QSplitter()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        tools = FlowLayout()
        for text, slot in [("+测评项目", lambda: self.add_node(1)), ("+测评内容", lambda: self.add_node(2)),
                           ("+测评标准", lambda: self.add_node(3)), ("上移", lambda: self.shift(-1)),
                           ("下移", lambda: self.shift(1)), ("移动到…", self.move_to),
                           ("停用/恢复", self.toggle_retired), ("删除", self.delete_node)]:
            b = QPushButton(text)
            b.clicked.connect(slot)
            tools.addWidget(b)
        tools.addStretch()
        left_layout.addLayout(tools)
        self.model = FrameworkTreeModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.header().setSectionResizeMode(QHeaderView.Interactive)

        def default_widths():
            for col, width in enumerate((420, 70, 130, 130, 200, 90)):
                self.tree.setColumnWidth(col, scaled(width))

        remember_header(self.tree, "framework/tree", default_widths)
        self.tree.selectionModel().currentChanged.connect(lambda cur, _: self.detail.show_node(self.model.node_data(cur)))
        left_layout.addWidget(self.tree)
        splitter.addWidget(left)
        self.detail = DetailPanel(self)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 1)
        QShortcut(QKeySequence.Find, self, activated=self.text.setFocus)
        QShortcut(QKeySequence.Save, self, activated=self.detail.save)
        QShortcut(QKeySequence.Delete, self.tree, activated=self.delete_node)

    # --- data ---------------------------------------------------------------------------------

    def edition_id(self) -> int | None:
        return self.edition.currentData()

    def unit_and_group_names(self) -> list[str]:
        return [u["name"] for u in units.list_units(self.db)] + [g["name"] for g in units.list_groups(self.db)]

    def refresh(self) -> None:
        super().refresh()
        # Keep the edition the user is looking at, unless the current edition itself changed
        # (新年度, 设置): then show the new current one.
        current_id = framework.current_edition_id(self.db)
        current = (self.edition_id() if current_id == self._current_seen else None) or current_id
        self._current_seen = current_id
        self.edition.clear()
        for e in framework.list_editions(self.db):
            self.edition.addItem(e["name"] + ("（当前）" if e["current"] else ""), e["id"])
        index = self.edition.findData(current)
        self.edition.setCurrentIndex(max(index, 0))
        self._fill(self.unit, "全部单位", [(u["name"], u["id"]) for u in units.list_units(self.db)])
        self._fill(self.method, "全部方法", [(m, m) for m in settings.vocab(self.db, "method")])
        self._fill(self.group, "全部推进组", [(g, g) for g in framework.group_names(self.db)])
        self.refresh_tree(reload=True)

    @staticmethod
    def _fill(combo: QComboBox, all_text: str, items) -> None:
        keep = combo.currentData()
        combo.clear()
        combo.addItem(all_text, None)
        for text, data in items:
            combo.addItem(text, data)
        combo.setCurrentIndex(max(combo.findData(keep), 0) if keep is not None else 0)

    def refresh_tree(self, select_id: int | None = None, reload: bool = False) -> None:
        """Show the tree with the current filters. The edition's rows are read again only when the
        data changed (reload): a filter keystroke only changes which rows are visible."""
        edition_id = self.edition_id()
        if select_id is None and self.detail.node:
            select_id = self.detail.node["id"]
        if edition_id is None:
            self.model.set_nodes([])
            self.summary.setText("还没有测评体系。请导入责任分解表，或在“设置”中加载示例数据。")
            self.detail.show_node(None)
            return
        if reload or self._nodes_edition != edition_id:
            self._nodes = framework.tree_rows(self.db, edition_id)
            self._nodes_edition = edition_id
            totals = framework.edition_totals(self.db, edition_id)
            no_lead = framework.count_without_lead(self.db, edition_id)
            self._summary = f"共 {totals['standards']} 条测评标准，分值合计 {totals['points']:g}"
            if no_lead:
                self._summary += f"，其中 {no_lead} 条没有牵头单位"
        nodes = self._nodes
        visible = framework.filter_node_ids(self.db, edition_id, self.text.text().strip(), self.unit.currentData(),
                                            self.method.currentData() or "", self.group.currentData() or "",
                                            self.no_lead.isChecked())
        self.model.set_nodes(nodes, visible)
        text = self._summary
        if visible is not None:
            text += f"；筛选出 {sum(1 for n in nodes if n['level'] == framework.STANDARD and n['id'] in visible)} 条"
        self.summary.setText(text)
        self.tree.expandAll() if visible is not None or len(nodes) < 400 else self.tree.expandToDepth(0)
        index = self.model.index_of(select_id) if select_id else self.model.index(0, 0)
        if not index.isValid():  # the selected node is not in this edition (another was chosen)
            index = self.model.index(0, 0)
        if index.isValid():
            self.tree.selectionModel().setCurrentIndex(index, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)
            self.tree.scrollTo(index)
            self.detail.show_node(self.model.node_data(index))
        else:
            self.detail.show_node(None)

    def reload_node(self, node_id: int) -> None:
        """Show the node as stored now (someone else saved it first): the detail drops what was typed."""
        self.detail.drop_edits()
        self.refresh_tree(select_id=node_id, reload=True)

    def selected_node(self) -> dict | None:
        return self.model.node_data(self.tree.currentIndex())

    # --- editing ------------------------------------------------------------------------------

    def add_node(self, level: int) -> None:
        edition_id = self.edition_id()
        if edition_id is None:
            dialogs.show_info(self, "新增", "请先新建或导入一个测评体系版本。")
            return
        node = self.selected_node()
        parent_id = None
        if level > 1:
            # The parent is the selected node at the level above, or the selected node's ancestor.
            while node and node["level"] >= level:
                node = framework.get_node(self.db, node["parent_id"]) if node["parent_id"] else None
            if not node or node["level"] != level - 1:
                dialogs.show_info(self, "新增", f"请先选中要添加到的{framework.LEVEL_NAMES[level - 1]}。")
                return
            parent_id = node["id"]
        title, ok = QInputDialog.getMultiLineText(self, f"新增{framework.LEVEL_NAMES[level]}", "内容：")
        if not ok or not title.strip():
            return
        data = {"title": title}
        if level == framework.STANDARD:
            code, ok = QInputDialog.getText(self, "新增测评标准", "标准编号（例如 5.2.4）：")
            if not ok:
                return
            data["code"] = code
        new_id = self.run_change("新增", framework.add_node, edition_id, parent_id, data)
        if new_id:
            self.refresh_tree(new_id, reload=True)

    def shift(self, step: int) -> None:
        node = self.selected_node()
        if node:
            siblings = [n for n in framework.tree_rows(self.db, node["edition_id"]) if n["parent_id"] == node["parent_id"]]
            pos = next(i for i, n in enumerate(siblings) if n["id"] == node["id"]) + step
            if 0 <= pos < len(siblings):
                self.run_change("移动", framework.move_node, node["id"], node["parent_id"], pos)

    def move_to(self) -> None:
        node = self.selected_node()
        if not node or node["level"] == 1:
            dialogs.show_info(self, "移动到", "请选中一条测评内容或测评标准。")
            return
        parents = [n for n in framework.tree_rows(self.db, node["edition_id"]) if n["level"] == node["level"] - 1]
        labels = [n["title"] for n in parents]
        choice, ok = QInputDialog.getItem(self, "移动到", f"移到哪个{framework.LEVEL_NAMES[node['level'] - 1]}之下：",
                                          labels, 0, False)
        if ok:
            self.run_change("移动", framework.move_node, node["id"], parents[labels.index(choice)]["id"])

    def toggle_retired(self) -> None:
        node = self.selected_node()
        if node:
            self.run_change("停用/恢复", framework.retire_node, node["id"], not node["retired"])

    def delete_node(self) -> None:
        node = self.selected_node()
        if not node:
            return
        impact = framework.delete_impact(self.db, node["id"])
        if impact["references"]:
            detail = audit.references_text(impact["references"])
            dialogs.show_info(self, "删除", f"“{node['code'] or node['title']}”已被其他记录引用（{detail}），不能删除。\n"
                                          "如不再使用，请点击“停用/恢复”将其停用，历史记录会保留。")
            return
        text = f"确定删除{framework.LEVEL_NAMES[node['level']]}“{node['code'] or node['title']}”吗？"
        if impact["nodes"]:
            text += f"\n其下的 {impact['nodes']} 个子项（含 {impact['standards']} 条测评标准）将一并删除。"
        if impact["assignments"]:
            text += f"\n相关的 {impact['assignments']} 条责任分工也会删除。"
        if impact["later_editions"]:
            text += f"\n后续版本中有 {impact['later_editions']} 条标准与它关联，关联将解除。"
        if dialogs.confirm(self, "删除", text, "删除"):
            self.detail.node = None
            self.run_change("删除", framework.delete_node, node["id"])

    # --- editions, import and export ------------------------------------------------------------

    def open_new_year(self):
        """The 新年度 wizard (also opened from 首页 through the window); afterwards the page shows the
        new year's edition. Returns what was done, or None."""
        from gui.views.framework.new_year import open_new_year_wizard

        result = open_new_year_wizard(self, self.ctx)
        if result is not None:
            self.edition.setCurrentIndex(max(self.edition.findData(result.edition_id), 0))
            self.refresh_tree(reload=True)
        return result

    def import_framework(self) -> None:
        path = dialogs.open_file(self, "导入责任分解表", "Excel 工作簿 (*.xlsx)")
        if path:
            self._import(path, create_units=False)

    def _import(self, path: str, create_units: bool, parsed=None) -> None:
        edition_id = self.edition_id()  # None: the current edition, or a new one for the year

        def done(report):
            text = (f"已导入：新增 {len(report['added'])} 条，更新 {len(report['updated'])} 条，"
                    f"未变 {report['unchanged']} 条，停用 {len(report['retired'])} 条。")
            if report["created_units"]:
                text += "\n新建单位：" + "、".join(report["created_units"])
            if report["created_groups"]:
                text += "\n新建专项推进组：" + "、".join(report["created_groups"])
            if report["retired"]:
                text += "\n文件中已没有、已停用（历史保留）的标准：" + "、".join(report["retired"][:30])
            text += "".join(f"\n注意：{w}" for w in report["warnings"])
            dialogs.show_info(self, "导入责任分解表", text)

        def failed(exc):
            if isinstance(exc, framework.UnknownUnitsError) and exc.only_units:
                lines = "\n".join(f"· {n}" + (f"（是否是：{'、'.join(s)}？）" if s else "")
                                  for n, s in list(exc.unknown.items())[:30])
                if dialogs.confirm(self, "发现未知单位", f"{exc.message_zh}\n\n{lines}\n\n要自动新建这些单位并继续导入吗？"
                                                      "选择“取消”可先修改文件中的单位名称。", "新建单位并导入"):
                    self._import(path, create_units=True, parsed=exc.parsed)  # the file as read, not read again
                return True
            return False  # other problems too: every one of them in the problem list

        run_job(self, "导入责任分解表",
                lambda db, progress, cancel: framework.import_framework(db, path, edition_id, create_units=create_units,
                                                                        progress=progress, cancel=cancel,
                                                                        parsed=parsed),
                self.ctx.open_worker_db, done, failed)

    def export_framework(self) -> None:
        edition_id = self.edition_id()
        if edition_id is None:
            return
        name = framework.get_edition(self.db, edition_id)["name"]
        path = dialogs.save_file(self, "导出责任分解表", f"测评体系责任分解表（{name}）.xlsx", "Excel 工作簿 (*.xlsx)")
        if not path:
            return
        run_job(self, "导出责任分解表",
                lambda db, progress, cancel: framework.export_framework(db, path, edition_id, progress, cancel),
                self.ctx.open_worker_db, lambda n: dialogs.show_info(self, "导出责任分解表", f"已导出 {n} 条到：\n{path}"))

    def show_without_lead(self) -> None:
        """The standards nobody leads (from 责任分解)."""
        self.no_lead.setChecked(True)

    def open_record(self, kind: str, node_id: int) -> bool:
        """Show one standard (from search or the home page): current edition, filters cleared."""
        from gui.widgets.locate import reset_filters

        index = self.edition.findData(framework.current_edition_id(self.db))
        if index >= 0:
            self.edition.setCurrentIndex(index)
        reset_filters(self.text, self.unit, self.method, self.group, self.no_lead)
        self.refresh_tree(select_id=node_id, reload=True)
        return bool(self.detail.node) and self.detail.node["id"] == node_id
