"""The 目标责任书 page's dialogs: the letter template, and the date (and signer) of a mark."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPlainTextEdit,
                               QVBoxLayout)

from core import letters
from core.errors import AppError
from gui import dialogs
from gui.theme import scaled


class TemplateDialog(QDialog):
    """The letter template: each part with its placeholders; saved only when every placeholder is known."""

    def __init__(self, parent, db):
        super().__init__(parent)
        self.db = db
        self.setWindowTitle("编辑责任书模板")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.edits = {}
        for key, label in letters.TEMPLATE_FIELDS.items():
            edit = QPlainTextEdit() if key in ("body", "terms") else QLineEdit()
            if isinstance(edit, QPlainTextEdit):
                edit.setMinimumHeight(scaled(150 if key == "terms" else 110))
            self.edits[key] = edit
            form.addRow(label + "：", edit)
        layout.addLayout(form)
        names = "　".join(f"{{{name}}} {meaning}" for name, meaning in letters.PLACEHOLDERS.items())
        hint = QLabel("可用的占位符（生成时替换为各单位的内容）：" + names +
                      "。正文中以“一、”开头的行排为黑体标题，以“（一）”开头的短行排为楷体标题；"
                      "任务表排在正文之后。花括号本身请写成 {{ 或 }}。")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        layout.addWidget(hint)
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Save).setText("保存")
        buttons.button(QDialogButtonBox.Cancel).setText("取消")
        reset = buttons.addButton("恢复默认文本", QDialogButtonBox.ResetRole)
        reset.clicked.connect(lambda: self.set_template(letters.default_template()))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.set_template(letters.get_template(db))
        self.resize(820, 680)

    def set_template(self, template: dict) -> None:
        for key, edit in self.edits.items():
            (edit.setPlainText if isinstance(edit, QPlainTextEdit) else edit.setText)(template.get(key, ""))

    def template(self) -> dict:
        return {key: edit.toPlainText() if isinstance(edit, QPlainTextEdit) else edit.text()
                for key, edit in self.edits.items()}

    def save(self) -> None:
        try:
            letters.save_template(self.db, self.template())
        except AppError as exc:
            dialogs.show_error(self, "保存责任书模板", exc)
            return
        self.accept()


class MarkDialog(QDialog):
    """The date (and for 已签订 the signer) of a mark."""

    def __init__(self, parent, state: str, units_text: str, signer: str = ""):
        super().__init__(parent)
        self.setWindowTitle(f"标记{state}")
        form = QFormLayout(self)
        label = QLabel(units_text)
        label.setWordWrap(True)
        form.addRow("单位：", label)
        self.date = QDateEdit(QDate.currentDate())
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        form.addRow(("签订日期" if state == letters.SIGNED else "印发日期") + "：", self.date)
        self.signer = QLineEdit(signer)
        if state == letters.SIGNED:
            form.addRow("签字人：", self.signer)
        buttons = dialogs.accept_buttons(self)
        form.addRow(buttons)

    def values(self) -> tuple[date, str]:
        d = self.date.date()
        return date(d.year(), d.month(), d.day()), self.signer.text()
