"""丢分分析's forms: a round's name, kind, date and edition; one scored line entered or corrected."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDateEdit, QDialog, QFormLayout, QLabel, QLineEdit

from core import framework, scoring, units
from core.errors import AppError
from core.text import parse_number
from gui import dialogs
from gui.theme import scaled
from gui.widgets import UnitRefsEdit


class RoundDialog(QDialog):
    """Name, kind, date and edition of a round (new, or for an import)."""

    def __init__(self, parent, db, title: str, rnd: dict | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        form = QFormLayout(self)
        self.name = QLineEdit(rnd["name"] if rnd else "")
        self.name.setPlaceholderText("例如：2026年市测")
        self.name.setMinimumWidth(scaled(260))
        self.kind = QComboBox()
        self.kind.addItems(scoring.KINDS)
        self.name.textChanged.connect(lambda t: self.kind.setCurrentText(scoring.infer_kind(t)))
        self.held_on = QDateEdit(QDate.currentDate())
        self.held_on.setCalendarPopup(True)
        self.held_on.setDisplayFormat("yyyy-MM-dd")
        self.edition = QComboBox()
        for e in framework.list_editions(db):
            self.edition.addItem(e["name"], e["id"])
        current = framework.current_edition_id(db)
        if rnd:
            self.kind.setCurrentText(rnd["kind"])
            if rnd["held_on"]:
                self.held_on.setDate(QDate.fromString(rnd["held_on"], "yyyy-MM-dd"))
            current = rnd["edition_id"] or current
        if current is not None:
            self.edition.setCurrentIndex(max(0, self.edition.findData(current)))
        form.addRow("轮次名称：", self.name)
        form.addRow("测评类型：", self.kind)
        form.addRow("测评日期：", self.held_on)
        form.addRow("测评体系版本：", self.edition)
        form.addRow(dialogs.accept_buttons(self))

    def values(self) -> dict:
        return {"name": self.name.text().strip(), "kind": self.kind.currentText(),
                "held_on": self.held_on.date().toString("yyyy-MM-dd"), "edition_id": self.edition.currentData()}


class LineDialog(QDialog):
    """Enter or correct one scored line by hand; any two of 满分/得分/失分 are enough."""

    TEXT_FIELDS = [("code", "标准编号"), ("category", "测评项目"), ("item", "子项"), ("site", "点位"),
                   ("site_type", "点位类型"), ("locality", "属地（街道）")]
    NUMBER_FIELDS = [("full_points", "满分"), ("score", "得分"), ("loss", "失分")]

    def __init__(self, parent, db, line: dict | None = None):
        super().__init__(parent)
        self.setWindowTitle("修改成绩" if line else "录入成绩")
        form = QFormLayout(self)
        self.edits = {}
        for key, label in self.TEXT_FIELDS + self.NUMBER_FIELDS:
            self.edits[key] = QLineEdit()
            form.addRow(label + "：", self.edits[key])
        self.units = UnitRefsEdit(lambda: [u["name"] for u in units.list_units(db)])
        self.units.refresh_names()
        form.addRow("责任单位：", self.units)
        self.reason = QLineEdit()
        form.addRow("问题描述：", self.reason)
        hint = QLabel("满分、得分、失分填两项即可；不填责任单位时由该标准的牵头单位负责。")
        hint.setStyleSheet("color: #666;")
        form.addRow(hint)
        if line:
            for key, _label in self.TEXT_FIELDS:
                self.edits[key].setText(line.get(key) or "")
            for key in ("full_points", "score"):
                self.edits[key].setText(f"{line[key]:g}")
            self.reason.setText(line["reason"])
            self.units.set_names(units.unit_names(db, line["unit_ids"]))
        form.addRow(dialogs.accept_buttons(self, save=True))
        self.resize(460, 0)

    def values(self) -> dict:
        data = {key: self.edits[key].text().strip() for key, _ in self.TEXT_FIELDS}
        for key, label in self.NUMBER_FIELDS:
            try:
                data[key] = parse_number(self.edits[key].text())
            except ValueError as exc:
                raise AppError(f"{label}：{exc}") from None
        data["units"] = self.units.names()
        data["reason"] = self.reason.text().strip()
        return data
