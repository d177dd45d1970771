"""推进组: every 专项推进组 with its 组长, members and how its standards stand (materials approved,
open findings, the last round's losses); the selected group's standards one by one."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from core import framework, groups
from gui import dialogs
from gui.models.table import Col, RowsTableModel, fmt_points
from gui.views.base import Page
from gui.views.groups.dialogs import GroupDialog
from gui.widgets.flow import FlowLayout
from gui.widgets.locate import select_row_by_id
from gui.widgets.tables import make_table, selected_rows


def _share(value) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _done(row: dict) -> str:
    return f"{row['approved']}/{row['materials']}（{_share(row['approved_share'])}）" if row["materials"] else "无材料"


GROUP_COLUMNS = [
    Col("name", "推进组", width=110), Col("leader", "组长", width=140), Col("lead_unit_name", "组长单位", width=140),
    Col("member_count", "成员单位", align_right=True, width=70), Col("standards", "标准", align_right=True, width=50),
    Col("done", "材料完成", width=110), Col("open", "未销号问题", align_right=True, width=80),
    Col("overdue", "其中逾期", align_right=True, width=70), Col("loss", "最近一轮失分", fmt=fmt_points, align_right=True),
]
STANDARD_COLUMNS = [
    Col("code", "标准编号", width=70), Col("title", "测评标准", width=330), Col("points", "分值", fmt=fmt_points,
                                                                         align_right=True, width=50),
    Col("done", "材料完成", width=110), Col("open", "未销号问题", align_right=True, width=80),
    Col("overdue", "其中逾期", align_right=True, width=70), Col("loss", "失分", fmt=fmt_points, align_right=True),
]


class GroupsPage(Page):
    key = "groups"
    title = "推进组"
    areas = ("groups", "framework", "units", "materials", "supervision", "scoring")

    def __init__(self, ctx, window):
        super().__init__(ctx, window)
        layout = QVBoxLayout(self)
        bar = FlowLayout()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        bar.addWidget(self.summary, 1)
        self.buttons = {}
        for key, text, slot in [("add", "新增推进组", self.add_group), ("edit", "编辑…", self.edit_group),
                                ("delete", "删除", self.delete_group), ("history", "历史…", self.show_history)]:
            b = QPushButton(text)
            b.clicked.connect(slot)
            self.buttons[key] = b
            bar.addWidget(b)
        layout.addLayout(bar)
        splitter = QSplitter(Qt.Vertical)
        self.model = RowsTableModel(GROUP_COLUMNS, self)
        self.table = make_table(self.model, state_key="groups/list")
        self.table.doubleClicked.connect(lambda _: self.edit_group())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.show_standards())
        splitter.addWidget(self.table)
        below = QWidget()
        b_layout = QVBoxLayout(below)
        b_layout.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        b_layout.addWidget(self.heading)
        self.standard_model = RowsTableModel(STANDARD_COLUMNS, self)
        self.standard_table = make_table(self.standard_model, state_key="groups/standards")
        b_layout.addWidget(self.standard_table)
        splitter.addWidget(below)
        splitter.setSizes([300, 300])
        layout.addWidget(splitter)
        self._edition_id = None

    def refresh(self) -> None:
        super().refresh()
        chosen = self._selected_group()
        self._edition_id = framework.current_edition_id(self.db)
        if self._edition_id is None:
            rows, round_name = [{**g, **_EMPTY} for g in groups.list_groups(self.db)], ""
        else:
            found = groups.overview(self.db, self._edition_id)
            rows, round_name = found["groups"], found["round"]
        for r in rows:
            r["done"] = _done(r)
            r["member_count"] = len(r["member_ids"])
        self.model.set_rows(rows)
        edition = framework.get_edition(self.db, self._edition_id)["name"] if self._edition_id else "（无）"
        self.summary.setText(f"专项推进组 {len(rows)} 个。测评体系版本：{edition}；"
                             f"失分按{f'最近一轮“{round_name}”' if round_name else '最近一轮测评（还没有）'}统计。")
        if (chosen is None or not select_row_by_id(self.table, chosen["id"])) and rows:
            select_row_by_id(self.table, rows[0]["id"])  # a group's standards in sight from the start
        self.show_standards()

    def _selected_group(self) -> dict | None:
        rows = selected_rows(self.table)
        return rows[0] if rows else None

    def show_standards(self) -> None:
        group = self._selected_group()
        if group is None or self._edition_id is None:
            self.standard_model.set_rows([])
            self.heading.setText("在上表选择一个推进组，查看它负责的每条标准。")
            return
        rows = groups.group_standards(self.db, group["id"], self._edition_id)
        for r in rows:
            r["done"] = _done(r)
        self.standard_model.set_rows(rows)
        members = "、".join(group["member_names"]) or "无"
        self.heading.setText(f"{group['name']}：负责标准 {len(rows)} 条；成员单位：{members}")

    def _chosen(self) -> dict | None:
        group = self._selected_group()
        if group is None:
            dialogs.show_info(self, self.title, "请先在列表中选中一个推进组。")
        return group

    def add_group(self) -> None:
        dialog = GroupDialog(self, self.db)
        if dialog.exec():
            self.run_change("新增推进组", groups.save_group, None, dialog.values(), dialog.member_ids())

    def edit_group(self) -> None:
        group = self._chosen()
        if group is None:
            return
        dialog = GroupDialog(self, self.db, groups.get_group(self.db, group["id"]))
        if dialog.exec():
            self.run_change("编辑推进组", groups.save_group, group["id"], dialog.values(), dialog.member_ids())

    def delete_group(self) -> None:
        group = self._chosen()
        if group and dialogs.confirm(self, "删除推进组", f"删除专项推进组“{group['name']}”？", "删除"):
            self.run_change("删除推进组", groups.delete_group, group["id"])

    def show_history(self) -> None:
        from gui.dialogs.history import HistoryDialog

        group = self._chosen()
        if group:
            HistoryDialog(self, self.db, "working_groups", group["id"], group["name"]).exec()


# A group's figures before there is an edition to count in.
_EMPTY = {"standards": 0, "materials": 0, "approved": 0, "approved_share": None, "open": 0, "overdue": 0, "loss": 0.0}
