"""责任单位: the units, their former names, retiring and merging, groups, Excel import and export, and
each unit's 工作包 out and its return back in (packages.py)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QCheckBox, QInputDialog, QLabel, QLineEdit, QPushButton, QSplitter,
                               QVBoxLayout, QWidget)

from core import units
from core.errors import AppError
from gui import dialogs
from gui.jobs import run_job
from gui.models.table import Col, RowsTableModel
from gui.ui_state import remember
from gui.views.base import Page
from gui.views.units import packages
from gui.views.units.dialogs import GroupDialog, UnitDialog
from gui.widgets.flow import FlowLayout
from gui.widgets.tables import filter_as_you_type, make_table, selected_rows

UNIT_COLUMNS = [  # 状态 early: in sight at a large 界面字号
    Col("name", "单位名称", width=200), Col("short_name", "简称", width=110),
    Col("retired", "状态", fmt=lambda v: "已停用" if v else "在用", width=60), Col("kind", "单位类别", width=90),
    Col("head", "主要负责人", width=90), Col("leader", "分管领导", width=90), Col("liaison", "联络员", width=80),
    Col("phone", "联系电话", width=120), Col("aliases", "曾用名", width=160),
]


class UnitsPage(Page):
    key = "units"
    title = "责任单位"
    areas = ("units", "framework")

    def __init__(self, ctx, window):
        super().__init__(ctx, window)
        layout = QVBoxLayout(self)
        bar = FlowLayout()
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("筛选：单位名称、简称、曾用名、联系人（Ctrl+F）")
        self.filter.setClearButtonEnabled(True)
        self.show_retired = QCheckBox("显示已停用")
        remember(self.filter, "units/text")
        remember(self.show_retired, "units/show_retired")
        bar.addWidget(self.filter, 1)
        bar.addWidget(self.show_retired)
        self.buttons = {}
        for key, text, slot in [("add", "新增", self.add_unit), ("edit", "编辑", self.edit_unit),
                                ("retire", "停用/恢复", self.toggle_retired), ("merge", "合并到…", self.merge),
                                ("delete", "删除", self.delete_unit), ("import", "从 Excel 导入…", self.import_units),
                                ("export", "导出 Excel…", self.export_units),
                                ("package", "导出工作包…", lambda: packages.export_packages(self)),
                                ("package_return", "导入工作包回执…", lambda: packages.import_return(self)),
                                ("history", "历史…", self.show_history)]:
            b = QPushButton(text)
            b.clicked.connect(slot)
            self.buttons[key] = b
            bar.addWidget(b)
        layout.addLayout(bar)
        splitter = QSplitter(Qt.Vertical)
        self.model = RowsTableModel(UNIT_COLUMNS, self, muted=lambda r: bool(r["retired"]))
        self.table = make_table(self.model, state_key="units/list")
        self.table.doubleClicked.connect(lambda _: self.edit_unit())
        splitter.addWidget(self.table)
        groups = QWidget()
        g_layout = QVBoxLayout(groups)
        g_layout.setContentsMargins(0, 0, 0, 0)
        g_bar = FlowLayout()
        g_bar.addWidget(QLabel("单位分组（分解表中可直接使用分组名称，如“各街道办事处”）"))
        g_bar.addStretch()
        for text, slot in [("新增分组", self.add_group), ("编辑分组", self.edit_group), ("删除分组", self.delete_group)]:
            b = QPushButton(text)
            b.clicked.connect(slot)
            g_bar.addWidget(b)
        g_layout.addLayout(g_bar)
        self.group_model = RowsTableModel([Col("name", "分组名称", width=160), Col("rule", "成员规则", width=140),
                                           Col("members", "成员")], self)
        self.group_table = make_table(self.group_model, state_key="units/groups")
        self.group_table.doubleClicked.connect(lambda _: self.edit_group())
        g_layout.addWidget(self.group_table)
        splitter.addWidget(groups)
        splitter.setSizes([520, 200])
        layout.addWidget(splitter)
        filter_as_you_type(self.filter, self.table)
        self.show_retired.toggled.connect(lambda _: self.refresh())
        QShortcut(QKeySequence.Find, self, activated=self.filter.setFocus)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.add_unit)

    def refresh(self) -> None:
        super().refresh()
        self.model.set_rows(units.list_units(self.db, include_retired=self.show_retired.isChecked()))
        names = {u["id"]: u["short_name"] or u["name"] for u in units.list_units(self.db)}
        groups = []
        for g in units.list_groups(self.db):
            rule = f"全部{g['unit_kind']}（内置）" if g["builtin"] else (f"全部{g['unit_kind']}" if g["unit_kind"] else "指定单位")
            groups.append({**g, "rule": rule, "members": "、".join(names.get(i, "") for i in g["member_ids"])})
        self.group_model.set_rows(groups)

    def _selected(self) -> dict | None:
        rows = selected_rows(self.table)
        if not rows:
            dialogs.show_info(self, self.title, "请先在列表中选中一个单位。")
            return None
        return rows[0]

    def add_unit(self):
        dialog = UnitDialog(self, self.db)
        if dialog.exec():
            self.run_change("新增单位", units.create_unit, dialog.values())

    def edit_unit(self, unit: dict | None = None):
        """Edit the selected unit (or `unit`, read again after someone else saved it first)."""
        unit = unit or self._selected()
        if not unit:
            return
        dialog = UnitDialog(self, self.db, unit)
        if dialog.exec():
            self.run_change("编辑单位", units.update_unit, unit["id"], dialog.values(), expected_version=unit["version"],
                            on_conflict=lambda: self.edit_unit(units.get_unit(self.db, unit["id"])))

    def toggle_retired(self):
        unit = self._selected()
        if not unit:
            return
        if not unit["retired"] and not dialogs.confirm(
                self, "停用单位", f"停用“{unit['name']}”？\n停用后它不再出现在选择列表中，但历史记录会完整保留，可随时恢复。",
                "停用"):
            return
        self.run_change("停用单位", units.retire_unit, unit["id"], not unit["retired"])

    def merge(self):
        unit = self._selected()
        if not unit:
            return
        others = [u for u in units.list_units(self.db) if u["id"] != unit["id"]]
        names = [u["name"] for u in others]
        target, ok = QInputDialog.getItem(self, "合并单位", f"把“{unit['name']}”合并到：", names, 0, False)
        if not ok:
            return
        target_id = others[names.index(target)]["id"]
        if dialogs.confirm(self, "合并单位", f"“{unit['name']}”的全部责任分工将转给“{target}”，原名称保留为曾用名，"
                                            "原单位停用。确定合并吗？", "合并"):
            self.run_change("合并单位", units.merge_units, [unit["id"]], target_id)

    def delete_unit(self):
        unit = self._selected()
        if unit and dialogs.confirm(self, "删除单位", f"删除“{unit['name']}”？只有从未被引用的单位可以删除。", "删除"):
            self.run_change("删除单位", units.delete_unit, unit["id"])

    def import_units(self):
        path = dialogs.open_file(self, "导入责任单位", "Excel 工作簿 (*.xlsx)")
        if not path:
            return

        def done(counts):
            dialogs.show_info(self, "导入责任单位", f"导入完成：新增 {counts['created']} 个，更新 {counts['updated']} 个，"
                                                 f"未变 {counts['unchanged']} 个。")

        run_job(self, "导入责任单位", lambda db, progress, cancel: units.import_units(db, path, progress),
                self.ctx.open_worker_db, done)

    def export_units(self):
        path = dialogs.save_file(self, "导出责任单位", "责任单位.xlsx", "Excel 工作簿 (*.xlsx)")
        if path:
            try:
                units.export_units(self.db, path)
            except AppError as exc:
                dialogs.show_error(self, "导出责任单位", exc)
                return
            dialogs.show_info(self, "导出责任单位", f"已导出到：\n{path}")

    def show_history(self):
        from gui.dialogs.history import HistoryDialog

        unit = self._selected()
        if unit:
            HistoryDialog(self, self.db, "units", unit["id"], unit["name"]).exec()

    def _selected_group(self) -> dict | None:
        rows = selected_rows(self.group_table)
        return rows[0] if rows else None

    def add_group(self):
        dialog = GroupDialog(self, self.db)
        if dialog.exec():
            self.run_change("新增分组", units.save_group, dialog.name.text(), dialog.member_ids(),
                            dialog.kind.currentData() or None)

    def edit_group(self):
        group = self._selected_group()
        if not group:
            return
        if group["builtin"]:
            dialogs.show_info(self, "编辑分组", f"“{group['name']}”是内置分组，自动包含全部{group['unit_kind']}。")
            return
        dialog = GroupDialog(self, self.db, group)
        if dialog.exec():
            self.run_change("编辑分组", units.save_group, dialog.name.text(), dialog.member_ids(),
                            dialog.kind.currentData() or None, group["id"])

    def delete_group(self):
        group = self._selected_group()
        if group and dialogs.confirm(self, "删除分组", f"删除分组“{group['name']}”？", "删除"):
            self.run_change("删除分组", units.delete_group, group["id"])

    def open_record(self, kind: str, unit_id: int) -> bool:
        from gui.widgets.locate import reset_filters, select_row_by_id

        reset_filters(self.filter)
        if not select_row_by_id(self.table, unit_id):
            self.show_retired.setChecked(True)  # a retired unit is listed only with 显示已停用
            self.refresh()
            return select_row_by_id(self.table, unit_id)
        return True
