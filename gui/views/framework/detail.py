"""The 测评体系 page's detail panel: the selected node's fields, and for a standard its methods,
points, deadline and the units that lead and help."""

from __future__ import annotations

from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QPushButton, QVBoxLayout)

from core import framework, settings
from gui.theme import scaled
from gui.widgets import UnitRefsEdit
from gui.widgets.flow import FlowLayout


class DetailPanel(QGroupBox):
    """The selected node's fields; a standard also has its methods, points and units."""

    def __init__(self, page):
        super().__init__("详细信息")
        self.page = page
        self.node = None
        outer = QVBoxLayout(self)
        form = QFormLayout()
        outer.addLayout(form)
        outer.addStretch()
        self.level = QLabel()
        self.code = QLineEdit()
        self.title_edit = QPlainTextEdit()
        self.title_edit.setFixedHeight(scaled(90))
        self.methods = {}
        methods_row = QHBoxLayout()
        for m in settings.vocab(page.db, "method"):
            box = QCheckBox(m)
            self.methods[m] = box
            methods_row.addWidget(box)
        methods_row.addStretch()
        self.points = QLineEdit()
        self.points.setPlaceholderText("例如 1.5")
        self.working_group = QComboBox()
        self.working_group.setEditable(True)
        self.deadline = QLineEdit()
        self.deadline.setPlaceholderText("例如 2026-06-30，或“6月底前”")
        self.negative = QCheckBox("属于负面清单（扣分项）")
        self.lead = UnitRefsEdit(page.unit_and_group_names)
        self.support = UnitRefsEdit(page.unit_and_group_names)
        self.totals = QLabel()
        self.save_button = QPushButton("保存（Ctrl+S）")
        self.save_button.clicked.connect(self.save)
        form.addRow("层级：", self.level)
        form.addRow("标准编号：", self.code)
        form.addRow("内容：", self.title_edit)
        form.addRow("测评方法：", methods_row)
        form.addRow("分值：", self.points)
        form.addRow("专项推进组：", self.working_group)
        form.addRow("完成时限：", self.deadline)
        form.addRow("", self.negative)
        form.addRow("牵头单位：", self.lead)
        form.addRow("配合单位：", self.support)
        form.addRow("合计：", self.totals)
        self.history_button = QPushButton("修改历史…")
        self.history_button.clicked.connect(self.show_history)
        buttons = FlowLayout()
        buttons.addWidget(self.save_button, 1)
        buttons.addWidget(self.history_button)
        form.addRow("", buttons)
        self._standard_rows = [self.code, methods_row, self.points, self.working_group, self.deadline, self.negative,
                               self.lead, self.support]
        self.form = form
        self._loaded = None  # (id, version, fields as shown) of the node the fields were filled from
        self._saving = False
        self.show_node(None)

    def edited(self) -> dict:
        """The fields as the user left them."""
        return {"title": self.title_edit.toPlainText(), "code": self.code.text(),
                "methods": [m for m, b in self.methods.items() if b.isChecked()],
                "points": self.points.text().strip() or None, "working_group": self.working_group.currentText(),
                "deadline": self.deadline.text(), "negative": self.negative.isChecked(),
                "lead": self.lead.names(), "support": self.support.names()}

    @property
    def version(self) -> int | None:
        """The version of the node the fields were filled from (a save is checked against it)."""
        return self._loaded[1] if self._loaded else None

    def is_editing(self, node_id) -> bool:
        """The user changed the fields of this node and has not saved them."""
        return bool(self._loaded and self._loaded[0] == node_id and self.edited() != self._loaded[2])

    def drop_edits(self) -> None:
        """The next show fills the fields from the stored node (reload, or the save went through)."""
        self._loaded = None

    def show_node(self, node: dict | None, *, reload: bool = False) -> None:
        """Show a node; the same node shown again (a refresh after someone's change) keeps the fields
        the user is typing in, unless reload asks for the stored values."""
        keep_fields = node is not None and not reload and not self._saving and self.is_editing(node["id"])
        self.node = node
        self.setEnabled(node is not None)
        is_std = bool(node and node["level"] == framework.STANDARD)
        for w in self._standard_rows:
            self.form.setRowVisible(w, is_std)
        if node is None:
            self._loaded = None
            self.level.setText("（请在左侧选择一项）")
            return
        self.level.setText(framework.LEVEL_NAMES[node["level"]] + ("（已停用）" if node["retired"] else ""))
        self.totals.setText(f"{node['standard_count']} 条标准，分值 {node['total_points']:g}")
        if keep_fields:
            return
        self.title_edit.setPlainText(node["title"])
        if is_std:
            self.code.setText(node["code"])
            chosen = set(framework.split_methods(node["methods"]))
            for m, box in self.methods.items():
                box.setChecked(m in chosen)
            self.points.setText("" if node["points"] is None else f"{node['points']:g}")
            self.working_group.clear()
            self.working_group.addItems(framework.group_suggestions(self.page.db))
            self.working_group.setCurrentText(node["working_group"])
            self.deadline.setText(node["deadline"])
            self.negative.setChecked(bool(node["negative"]))
            names = self.page.unit_and_group_names()
            self.lead.refresh_names(names)
            self.support.refresh_names(names)
            self.lead.set_names(node["lead"])
            self.support.set_names(node["support"])
        self._loaded = (node["id"], node["version"], self.edited())

    def show_history(self) -> None:
        from gui.dialogs.history import HistoryDialog

        if self.node is not None:
            HistoryDialog(self, self.page.db, "framework_nodes", self.node["id"],
                          self.node["code"] or self.node["title"]).exec()

    def save(self) -> None:
        if self.node is None:
            return
        node_id = self.node["id"]
        data = self.edited()
        lead, support = data.pop("lead"), data.pop("support")
        reload = lambda: self.page.reload_node(node_id)  # noqa: E731 - the form's values as stored now
        version = self.version
        self._saving = True  # the page's refresh on commit fills the fields with what was saved, new version
        try:
            if self.node["level"] != framework.STANDARD:
                ok = self.page.run_change("保存", framework.update_node, node_id, {"title": data["title"]},
                                          expected_version=version, on_conflict=reload)
            else:
                ok = self.page.run_change("保存测评标准", framework.save_standard, node_id, data, lead, support,
                                          expected_version=version, on_conflict=reload)
        finally:
            self._saving = False
        if ok:
            self.page.window_.statusBar().showMessage("已保存。", 3000)
