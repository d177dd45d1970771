"""The 推进组 page's dialog: a group's name, 组长, 组长单位 and member units."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDialog, QFormLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QVBoxLayout)

from core import units
from gui.dialogs import accept_buttons
from gui.theme import scaled


class GroupDialog(QDialog):
    def __init__(self, parent, db, group: dict | None = None):
        super().__init__(parent)
        self.setWindowTitle("编辑专项推进组" if group else "新增专项推进组")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit(group["name"] if group else "")
        self.name.setMinimumWidth(scaled(260))
        self.leader = QLineEdit(group["leader"] if group else "")
        self.leader.setPlaceholderText("组长姓名及职务，如：张三（副区长）")
        self.lead_unit = QComboBox()
        self.lead_unit.addItem("（不指定）", None)
        active = units.list_units(db)
        for u in active:
            self.lead_unit.addItem(u["name"], u["id"])
        if group and group["lead_unit_id"] is not None:
            self.lead_unit.setCurrentIndex(max(0, self.lead_unit.findData(group["lead_unit_id"])))
        form.addRow("推进组名称：", self.name)
        form.addRow("组长：", self.leader)
        form.addRow("组长单位：", self.lead_unit)
        layout.addLayout(form)
        layout.addWidget(QLabel("成员单位（勾选）："))
        self.members = QListWidget()
        chosen = set(group["member_ids"]) if group else set()
        for u in active:
            item = QListWidgetItem(u["name"])
            item.setData(Qt.UserRole, u["id"])
            item.setCheckState(Qt.Checked if u["id"] in chosen else Qt.Unchecked)
            self.members.addItem(item)
        layout.addWidget(self.members)
        layout.addWidget(accept_buttons(self, save=True))
        self.resize(scaled(420), scaled(520))

    def values(self) -> dict:
        return {"name": self.name.text(), "leader": self.leader.text(), "lead_unit_id": self.lead_unit.currentData()}

    def member_ids(self) -> list[int]:
        return [self.members.item(i).data(Qt.UserRole) for i in range(self.members.count())
                if self.members.item(i).checkState() == Qt.Checked]
