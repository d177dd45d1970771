"""录入问题: the keyboard-fast form beside the problem list."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QCheckBox, QComboBox, QCompleter, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout,
                               QLabel, QLineEdit, QPlainTextEdit, QPushButton, QSpinBox)

from core import settings, supervision, units
from core.errors import AppError
from core.supervision import sites
from core.text import split_multi
from gui import dialogs
from gui.theme import scaled
from gui.views.supervision.fields import completing_combo, date_edit, pydate

UNIT_BY_DEFAULT = "（按点位或标准默认）"


class EntryForm(QGroupBox):
    """Every field reachable by Tab, Ctrl+Enter saves and keeps date, source and 点位 for the next
    problem at the same place. `owner` is the list the new finding is selected in."""

    def __init__(self, owner):
        super().__init__("录入问题（Tab 切换，Ctrl+Enter 保存）")
        self.owner = owner
        form = QFormLayout(self)
        self.found_on = date_edit()
        self.source = QComboBox()
        self.source.addItems(supervision.SOURCES)
        self.site = completing_combo([])
        self.site.lineEdit().setPlaceholderText("选择或输入点位（新点位将加入点位库）")
        self.site_type = QComboBox()
        self.standard = QLineEdit()
        self.standard.setPlaceholderText("标准编号或关键词（可不填）")
        self.description = QPlainTextEdit()
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(scaled(64))
        self.unit = completing_combo([], UNIT_BY_DEFAULT)
        self.support = QLineEdit()
        self.support.setPlaceholderText("多个单位用“、”分隔")
        self.severity = QComboBox()
        self.severity.addItems(supervision.SEVERITIES)
        self.limit_days = QSpinBox()
        self.limit_days.setRange(0, 365)
        self.limit_days.setSpecialValueText("按严重程度默认")
        self.limit_days.setSuffix(" 个工作日")
        self.on_spot = QCheckBox("现场整改（附整改后照片，无需交办）")
        photos = QHBoxLayout()
        self.photo_buttons = {}
        self.photo_paths: dict[str, list[str]] = {"before": [], "after": []}
        for role, text in (("before", "整改前照片…"), ("after", "整改后照片…")):
            b = QPushButton(text)
            b.setAutoDefault(False)
            b.clicked.connect(lambda _=False, r=role: self.pick_photos(r))
            self.photo_buttons[role] = b
            photos.addWidget(b)
        self.photo_label = QLabel("")
        photos.addWidget(self.photo_label, 1)
        self.save_button = QPushButton("保存问题")
        self.save_button.clicked.connect(self.save)
        for label, widget in [("发现日期：", self.found_on), ("来源：", self.source), ("点位：", self.site),
                              ("新点位类型：", self.site_type), ("测评标准：", self.standard),
                              ("问题描述：", self.description), ("责任单位：", self.unit), ("配合单位：", self.support),
                              ("严重程度：", self.severity), ("整改时限：", self.limit_days)]:
            form.addRow(label, widget)
        form.addRow(self.on_spot)
        form.addRow(photos)
        form.addRow(self.save_button)
        self.site.currentTextChanged.connect(self._site_changed)
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(key), self, activated=self.save, context=Qt.WidgetWithChildrenShortcut)

    @property
    def db(self):
        return self.owner.db

    def reload(self) -> None:
        db = self.db
        site_names = [s["name"] for s in sites.list_sites(db)]
        current = self.site.currentText()
        self.site.clear()
        self.site.addItems(site_names)
        self.site.completer().model().setStringList(site_names)
        self.site.setEditText(current)
        self.site_type.clear()
        self.site_type.addItems(settings.vocab(db, "site_type"))
        self.standards = {f"{s['code']} {s['title']}": s["id"] for s in supervision.standard_choices(db)}
        completer = QCompleter(list(self.standards), self.standard)
        completer.setFilterMode(Qt.MatchContains)
        self.standard.setCompleter(completer)
        unit_names = [u["name"] for u in units.list_units(db)]
        self.unit.clear()
        self.unit.addItem(UNIT_BY_DEFAULT)
        self.unit.addItems(unit_names)
        self.unit.completer().model().setStringList(unit_names)
        self._site_changed(self.site.currentText())

    def _site_changed(self, text: str) -> None:
        known = bool(text.strip()) and sites.find_site(self.db, text) is not None
        self.site_type.setEnabled(not known)

    def pick_photos(self, role: str) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "选择照片", "", "图片 (*.jpg *.jpeg *.png *.bmp *.gif *.tif *.tiff *.webp)")
        if paths:
            self.photo_paths[role] = paths
            self._show_photo_count()

    def _show_photo_count(self) -> None:
        b, a = len(self.photo_paths["before"]), len(self.photo_paths["after"])
        self.photo_label.setText(f"整改前 {b} 张，整改后 {a} 张" if a or b else "")

    def values(self) -> dict:
        db = self.db
        name = self.site.currentText().strip()
        if not name:
            raise AppError("请选择点位，或输入新点位的名称。")
        standard_text = self.standard.text().strip()
        node_id = None
        if standard_text:
            node_id = self.standards.get(standard_text) or supervision.find_standard(db, standard_text.split()[0])
            if node_id is None:
                raise AppError(f"找不到测评标准“{standard_text}”，请从下拉提示中选择，或清空此栏。")
        unit_text = self.unit.currentText().strip()
        unit_id = None if not unit_text or unit_text == UNIT_BY_DEFAULT else units.resolve_one(db, unit_text)
        support_ids = [units.resolve_one(db, n) for n in split_multi(self.support.text())]
        return {"found_on": pydate(self.found_on), "source": self.source.currentText(),
                "site_id": sites.find_site(db, name), "site_name": name, "node_id": node_id,
                "description": self.description.toPlainText(), "unit_id": unit_id, "support_ids": support_ids,
                "severity": self.severity.currentText(), "limit_days": self.limit_days.value() or None,
                "fixed_on_spot": self.on_spot.isChecked()}

    def save(self) -> int | None:
        db = self.db
        try:
            data = self.values()
            if data["site_id"] is None:
                data["site_id"] = supervision.site_for_entry(db, data["site_name"], self.site_type.currentText())
            data.pop("site_name")
            finding_id = supervision.create_finding(db, data, self.photo_paths["before"], self.photo_paths["after"])
        except AppError as exc:
            dialogs.show_error(self, "录入问题", exc)
            return None
        self.description.clear()
        self.standard.clear()
        self.support.clear()
        self.on_spot.setChecked(False)
        self.limit_days.setValue(0)
        self.photo_paths = {"before": [], "after": []}
        self._show_photo_count()
        self.owner.select_finding(finding_id)
        self.description.setFocus()
        return finding_id
