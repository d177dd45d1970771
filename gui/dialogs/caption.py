"""附件说明: a file's 说明 and, for a photo, its 时间、地点、人物、事由 (printed under it)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit

from core import attachments
from gui.theme import scaled


class CaptionDialog(QDialog):
    """A file's 说明; for a photo also its 时间、地点、人物、事由, printed under it."""

    def __init__(self, parent, attachment: dict):
        super().__init__(parent)
        self.setWindowTitle("附件说明")
        form = QFormLayout(self)
        form.addRow(QLabel(attachment["original_name"]))
        self.edits: dict[str, QLineEdit] = {}
        fields = dict(attachments.PHOTO_CAPTION) if attachments.is_image_name(attachment["original_name"]) else {}
        for key, label in {**fields, "caption": "说明"}.items():
            edit = QLineEdit(attachment.get(key) or "")
            edit.setObjectName(key)
            self.edits[key] = edit
            form.addRow(f"{label}：", edit)
        if "taken_at" in self.edits:
            self.edits["taken_at"].setPlaceholderText("如 2026-03-15（照片自带拍摄日期时已自动填写）")
        from gui.dialogs import accept_buttons

        form.addRow(accept_buttons(self, save=True))
        self.resize(scaled(480), 0)

    def values(self) -> dict:
        return {key: edit.text() for key, edit in self.edits.items()}
