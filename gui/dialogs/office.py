"""本单位信息: the first-run step (and 首页's first step) asking for the office's names and the
next 测评 date, so that letters and notices print the office, not "XX区" placeholders."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout

from core import settings
from core.errors import AppError
from gui.theme import scaled


class OfficeDialog(QDialog):
    def __init__(self, db, parent=None):
        super().__init__(parent)
        self.db = db
        self.setWindowTitle("填写本单位信息")
        layout = QVBoxLayout(self)
        intro = QLabel("这些信息印在目标责任书、督办通知单和通报上。填写区名称后，其余各项会自动给出常用写法，"
                       "请按本单位实际修改。以后可在“设置”中更改。")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        values = settings.get_all(db)
        self.edits: dict[str, QLineEdit] = {}
        for key in settings.OFFICE_KEYS:
            edit = QLineEdit("" if settings.PLACEHOLDER_MARK in values[key] or values[key] == settings.SETTINGS[key][1]
                             else values[key])
            edit.setObjectName(key)
            self.edits[key] = edit
            form.addRow(settings.SETTINGS[key][0] + "：", edit)
        self.edits["district_name"].setPlaceholderText("例如 城关区")
        self.edits["doc_code"].setPlaceholderText("例如 城创城督，文号形如 城创城督〔2026〕15号")
        self.edits["district_name"].textEdited.connect(self._suggest)
        self._suggested = {key: self.edits[key].text() for key in self.edits}
        self.next_date = QDateEdit()
        self.next_date.setObjectName("next_assessment_date")
        self.next_date.setCalendarPopup(True)
        self.next_date.setDisplayFormat("yyyy-MM-dd")
        self.next_date.setSpecialValueText("未设定")
        self.next_date.setMinimumDate(QDate(2000, 1, 1))
        self.next_date.setDate(QDate.fromString(values["next_assessment_date"], "yyyy-MM-dd")
                               if values["next_assessment_date"] else self.next_date.minimumDate())
        form.addRow("下次测评日期：", self.next_date)
        layout.addLayout(form)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828;")
        layout.addWidget(self.message)
        from gui.dialogs import accept_buttons

        buttons = accept_buttons(self, save=True)
        buttons.button(QDialogButtonBox.Cancel).setText("以后再填")
        layout.addWidget(buttons)
        self.setMinimumWidth(scaled(520))
        self.adjustSize()  # tall enough for the wrapped introduction at any 界面字号

    def _suggest(self, district: str) -> None:
        """Fill the other names from the 区 while the user has not typed their own."""
        for key, value in settings.office_suggestions(district).items():
            if self.edits[key].text() == self._suggested[key]:
                self.edits[key].setText(value if district.strip() else "")
                self._suggested[key] = self.edits[key].text()

    def values(self) -> dict:
        chosen = self.next_date.date()
        return {**{key: edit.text().strip() for key, edit in self.edits.items()},
                "next_assessment_date": "" if chosen == self.next_date.minimumDate() else chosen.toString("yyyy-MM-dd")}

    def accept(self) -> None:
        try:
            settings.set_many(self.db, self.values())
        except AppError as exc:
            self.message.setText(exc.message_zh)
            return
        super().accept()
