"""The 责任单位 page's dialogs: a unit's fields, and a group of the office's own."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout

from core import settings, units
from gui.dialogs import accept_buttons
from gui.theme import scaled


class UnitDialog(QDialog):
    def __init__(self, parent, db, unit: dict | None = None):
        super().__init__(parent)
        self.setWindowTitle("编辑单位" if unit else "新增单位")
        form = QFormLayout(self)
        self.edits = {}
        for key, label in units.FIELDS.items():
            if key == "kind":
                edit = QComboBox()
                edit.addItems(settings.vocab(db, "unit_kind"))
            else:
                edit = QLineEdit()
            self.edits[key] = edit
            form.addRow(label + "：", edit)
        if unit:
            for key, edit in self.edits.items():
                if isinstance(edit, QComboBox):
                    edit.setCurrentText(unit.get(key) or "其他")
                else:
                    edit.setText(unit.get(key) or "")
        else:
            self.edits["kind"].setCurrentText("政府部门")
        self.edits["name"].setMinimumWidth(scaled(320))
        if unit:
            hint = QLabel("修改单位名称视为更名，原名称会保留为曾用名，旧文件仍可导入。")
            hint.setWordWrap(True)
            hint.setStyleSheet("color: #666;")
            form.addRow(hint)
        buttons = accept_buttons(self, save=True)
        form.addRow(buttons)

    def values(self) -> dict:
        return {k: (e.currentText() if isinstance(e, QComboBox) else e.text()) for k, e in self.edits.items()}


class GroupDialog(QDialog):
    """An office-defined group: a name and its member units (or every unit of one kind)."""

    def __init__(self, parent, db, group: dict | None = None):
        super().__init__(parent)
        self.setWindowTitle("编辑单位分组" if group else "新增单位分组")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit(group["name"] if group else "")
        form.addRow("分组名称：", self.name)
        self.kind = QComboBox()
        self.kind.addItem("（按下方勾选的单位）", "")
        for k in settings.vocab(db, "unit_kind"):
            self.kind.addItem(f"全部{k}", k)
        if group and group.get("unit_kind"):
            self.kind.setCurrentIndex(self.kind.findData(group["unit_kind"]))
        form.addRow("成员：", self.kind)
        layout.addLayout(form)
        self.members = QListWidget()
        chosen = set(group["member_ids"]) if group else set()
        for u in units.list_units(db):
            item = QListWidgetItem(u["name"])
            item.setData(Qt.UserRole, u["id"])
            item.setCheckState(Qt.Checked if u["id"] in chosen else Qt.Unchecked)
            self.members.addItem(item)
        layout.addWidget(self.members)
        self.kind.currentIndexChanged.connect(lambda: self.members.setEnabled(not self.kind.currentData()))
        self.members.setEnabled(not self.kind.currentData())
        buttons = accept_buttons(self, save=True)
        layout.addWidget(buttons)
        self.resize(420, 520)

    def member_ids(self) -> list[int]:
        return [self.members.item(i).data(Qt.UserRole) for i in range(self.members.count())
                if self.members.item(i).checkState() == Qt.Checked]
