"""One material beside the list: its standard, the fields to edit, its status with the moves it
can make, the review comment, and its files."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QGridLayout, QLabel, QLineEdit, QPlainTextEdit, QPushButton,
                               QVBoxLayout, QWidget)

from core import materials
from gui.models.table import fmt_points
from gui.theme import scaled
from gui.views.materials.common import status_html
from gui.widgets.attachments_panel import AttachmentsPanel
from gui.widgets.flow import FlowLayout


class DetailPane(QWidget):
    save_requested = Signal()
    action_requested = Signal(str)  # a key of core.materials.TRANSITIONS

    def __init__(self, ctx, page):
        super().__init__()
        v = QVBoxLayout(self)
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
        self.requirement_edit.setFixedHeight(scaled(62))
        self.unit_edit = QComboBox()
        self.due_edit = QLineEdit()
        self.due_edit.setPlaceholderText("不限（或写 2026-09-30）")
        self.save_button = QPushButton("保存修改")
        self.save_button.clicked.connect(self.save_requested)
        for row, (label, w) in enumerate([("材料类型", self.kind_edit), ("材料名称", self.title_edit),
                                          ("材料要求", self.requirement_edit), ("责任单位", self.unit_edit),
                                          ("截止日期", self.due_edit)]):
            form.addWidget(QLabel(label + "："), row, 0, Qt.AlignTop)
            form.addWidget(w, row, 1)
        form.addWidget(self.save_button, 4, 2)
        v.addLayout(form)
        status_row = FlowLayout()
        self.status_label = QLabel()
        status_row.addWidget(self.status_label)
        status_row.addStretch()
        self.action_buttons = {}
        for key, t in materials.TRANSITIONS.items():
            b = QPushButton(t.label)
            b.clicked.connect(lambda _=False, key=key: self.action_requested.emit(key))
            self.action_buttons[key] = b
            status_row.addWidget(b)
        v.addLayout(status_row)
        self.comment_label = QLabel()
        self.comment_label.setWordWrap(True)
        v.addWidget(self.comment_label)
        # The page shows the files' changes itself (the material's row and status), not by reloading.
        self._loaded = None  # (id, version, fields as shown) of the material the fields were filled from
        self.files = AttachmentsPanel(ctx, materials.OWNER, title="材料文件（可拖入照片、PDF、Word、Excel、扫描件）",
                                      shown_by=page)
        v.addWidget(self.files, 1)
        self.show_material(None)

    def set_units(self, units: list[dict]) -> None:
        """The units the 责任单位 box offers (the unit chosen stays chosen)."""
        chosen = self.unit_edit.currentData()
        self.unit_edit.clear()
        self.unit_edit.addItem("（未指定）", None)
        for u in units:
            self.unit_edit.addItem(u["name"], u["id"])
        self.unit_edit.setCurrentIndex(max(self.unit_edit.findData(chosen), 0))

    def edited(self) -> dict:
        """The fields as edited, as core.materials.update_material takes them."""
        return {"kind": self.kind_edit.currentText(), "title": self.title_edit.text(),
                "requirement": self.requirement_edit.toPlainText(), "unit_id": self.unit_edit.currentData(),
                "due_on": self.due_edit.text()}

    @property
    def version(self) -> int | None:
        """The version of the material the fields were filled from (a save is checked against it)."""
        return self._loaded[1] if self._loaded else None

    def is_editing(self, material_id) -> bool:
        """The user changed the fields of this material and has not saved them."""
        return bool(self._loaded and self._loaded[0] == material_id and self.edited() != self._loaded[2])

    def show_material(self, r: dict | None, *, reload: bool = False) -> None:
        """Show a material; the same material shown again (a refresh after someone's change) keeps the
        fields the user is typing in, unless reload asks for the stored values."""
        keep_fields = r is not None and not reload and self.is_editing(r["id"])
        for w in (self.kind_edit, self.title_edit, self.requirement_edit, self.unit_edit, self.due_edit,
                  self.save_button):
            w.setEnabled(r is not None)
        self.files.set_owner(r["id"] if r else None)
        if r is None:
            self._loaded = None
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
        if not keep_fields:
            self.kind_edit.setCurrentText(r["kind"])
            self.title_edit.setText(r["title"])
            self.requirement_edit.setPlainText(r["requirement"])
            self.unit_edit.setCurrentIndex(max(self.unit_edit.findData(r["unit_id"]), 0))
            self.due_edit.setText(r["due_on"])
            self._loaded = (r["id"], r["version"], self.edited())
        place = f"　第 {r['box']} 盒第 {r['item']} 件" + (f"，{r['pages']} 页" if r["pages"] else "") if r["box"] else ""
        overdue = "　<span style='color:#c62828'>已逾期</span>" if r["overdue"] else ""
        self.status_label.setText(f"状态：{status_html(r['status'])}{place}{overdue}")
        self.comment_label.setText(f"审核意见：{r['comment']}" if r["comment"] else "")
        allowed = materials.allowed_actions(r["status"])
        for key, b in self.action_buttons.items():
            b.setEnabled(key in allowed)  # enabled, not hidden: the buttons keep their places
