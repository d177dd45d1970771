"""Standard dialogs: a user's error (with its list of problems), the unexpected-error dialog,
confirmation, and choosing files in the folder used last."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QApplication, QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QLabel,
                               QMessageBox, QPlainTextEdit, QPushButton, QTableView, QVBoxLayout)

from core.errors import AppError
from gui import crash_report
from gui.models.table import Col, RowsTableModel


def accept_buttons(dialog, *, save: bool = False) -> QDialogButtonBox:
    """保存/确定 and 取消 wired to the dialog's accept and reject (Qt's own texts may be English)."""
    ok = QDialogButtonBox.Save if save else QDialogButtonBox.Ok
    buttons = QDialogButtonBox(ok | QDialogButtonBox.Cancel)
    buttons.button(ok).setText("保存" if save else "确定")
    buttons.button(QDialogButtonBox.Cancel).setText("取消")
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def show_error(parent, title: str, exc: AppError) -> None:
    if exc.problems:
        ProblemsDialog(parent, title, exc).exec()
        return
    box = QMessageBox(QMessageBox.Warning, title, exc.message_zh, QMessageBox.Ok, parent)
    if exc.details:
        box.setInformativeText(exc.details)
    box.button(QMessageBox.Ok).setText("确定")
    box.exec()


def show_info(parent, title: str, text: str) -> None:
    box = QMessageBox(QMessageBox.Information, title, text, QMessageBox.Ok, parent)
    box.button(QMessageBox.Ok).setText("确定")
    box.exec()


def confirm(parent, title: str, text: str, ok_text: str = "确定") -> bool:
    box = QMessageBox(QMessageBox.Question, title, text, QMessageBox.Ok | QMessageBox.Cancel, parent)
    box.button(QMessageBox.Ok).setText(ok_text)
    box.button(QMessageBox.Cancel).setText("取消")
    box.setDefaultButton(QMessageBox.Cancel)
    return box.exec() == QMessageBox.Ok


def offer_new_words(parent, title: str, exc) -> bool:
    """An import named words its list lacks (core.settings.UnknownWords): ask to add them at once."""
    from core import settings

    label = settings.VOCABULARIES[exc.kind][0]
    others = len(exc.problems) - len(exc.words)
    text = f"文件中有{label}词表里没有的{label}：{'、'.join(exc.words)}。\n\n要把它们加入{label}词表并重新导入吗？"
    if others > 0:
        text += f"\n（文件中另有 {others} 处其他问题，重新导入时会一并列出。）"
    return confirm(parent, title, text, f"加入{label}并重新导入")


def show_unexpected(parent, exc: BaseException, tb: str) -> None:
    logging.getLogger("gui").error("意外错误：%s\n%s", exc, tb)
    text = f"{type(exc).__name__}: {exc}\n\n{tb}"
    report = crash_report.write_report(text)
    dialog = QDialog(parent)
    dialog.setWindowTitle("程序出错")
    layout = QVBoxLayout(dialog)
    message = ("程序遇到了意外的错误，刚才的操作没有完成，已保存的数据不受影响。\n"
               "请点击“复制详情”，把内容发给技术支持人员。")
    if report:
        message += f"\n\n错误报告已保存，也可以直接发送这个文件：\n{report}"
    label = QLabel(message)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextSelectableByMouse)
    layout.addWidget(label)
    details = QPlainTextEdit(text)
    details.setReadOnly(True)
    layout.addWidget(details)
    buttons = QHBoxLayout()
    if report:
        open_folder = QPushButton("打开报告所在文件夹")
        open_folder.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(report.parent))))
        buttons.addWidget(open_folder)
    copy = QPushButton("复制详情")
    copy.clicked.connect(lambda: QApplication.clipboard().setText(details.toPlainText()))
    close = QPushButton("关闭")
    close.clicked.connect(dialog.accept)
    buttons.addStretch()
    buttons.addWidget(copy)
    buttons.addWidget(close)
    layout.addLayout(buttons)
    dialog.resize(640, 360)
    dialog.exec()


class ProblemsDialog(QDialog):
    """Every problem of an import at once (行号, 列, 问题), saveable as .xlsx for the user to fix."""

    def __init__(self, parent, title: str, exc: AppError):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.problems = exc.problems
        layout = QVBoxLayout(self)
        label = QLabel(exc.message_zh)
        label.setWordWrap(True)
        layout.addWidget(label)
        model = RowsTableModel([Col("row", "行号", align_right=True), Col("column", "列"), Col("message", "问题")], self)
        model.set_rows([{"row": p.row or "", "column": p.column or "", "message": p.message} for p in exc.problems])
        view = QTableView()
        view.setModel(model)
        view.horizontalHeader().setStretchLastSection(True)
        view.setColumnWidth(0, 60)
        view.setColumnWidth(1, 120)
        layout.addWidget(view)
        self.table = view
        buttons = QDialogButtonBox()
        save = buttons.addButton("另存为 Excel…", QDialogButtonBox.ActionRole)
        save.clicked.connect(self._save)
        buttons.addButton("关闭", QDialogButtonBox.RejectRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(720, 420)

    def _save(self):
        from core.xlsx.writer import write_problems

        path = save_file(self, "保存问题清单", "导入问题清单.xlsx", "Excel 工作簿 (*.xlsx)")
        if not path:
            return
        try:
            write_problems(path, self.problems)
        except AppError as exc:
            show_error(self, "保存问题清单", exc)
            return
        show_info(self, "保存问题清单", f"问题清单已保存到：\n{path}")


def _last_folder(kind: str) -> str:
    folder = QSettings().value(f"folders/{kind}", "")
    if folder and Path(folder).is_dir():
        return folder
    # The real Documents folder: redirected or OneDrive-backed on Windows, "文档" on UOS/Kylin.
    documents = QStandardPaths.writableLocation(QStandardPaths.DocumentsLocation)
    return documents if documents and Path(documents).is_dir() else str(Path.home())


def open_file(parent, title: str, filters: str, kind: str = "import") -> str:
    path, _ = QFileDialog.getOpenFileName(parent, title, _last_folder(kind), filters)
    if path:
        QSettings().setValue(f"folders/{kind}", str(Path(path).parent))
    return path


def save_file(parent, title: str, name: str, filters: str, kind: str = "export") -> str:
    path, _ = QFileDialog.getSaveFileName(parent, title, str(Path(_last_folder(kind)) / name), filters)
    if path:
        QSettings().setValue(f"folders/{kind}", str(Path(path).parent))
    return path


# Documents in 公文 layout are saved as PDF to print, or as Word to edit; the file name decides.
PDF_OR_WORD = "PDF 文件 (*.pdf);;Word 文档 (*.docx)"


def document_path(path: str) -> str:
    """The path a document is written to: as typed when it ends in .pdf or .docx, else with .pdf
    added (the PDF stays the default)."""
    return path if not path or path.lower().endswith((".pdf", ".docx")) else path + ".pdf"


def choose_folder(parent, title: str, kind: str = "export") -> str:
    folder = QFileDialog.getExistingDirectory(parent, title, _last_folder(kind))
    if folder:
        QSettings().setValue(f"folders/{kind}", folder)
    return folder


def offer_reload(parent, title: str, exc: AppError) -> bool:
    """Someone else saved the record first (EditConflict says who and when): True when the user
    chooses 重新载入 (show the record's current values), False for 取消 (keep what they typed)."""
    box = QMessageBox(QMessageBox.Warning, title, exc.message_zh, QMessageBox.NoButton, parent)
    box.setInformativeText("“重新载入”显示对方保存后的内容（您刚才的修改会被放弃）；"
                           "“取消”保留您填写的内容，不保存。")
    reload_button = box.addButton("重新载入", QMessageBox.AcceptRole)
    box.addButton("取消", QMessageBox.RejectRole)
    box.setDefaultButton(reload_button)
    box.exec()
    return box.clickedButton() is reload_button


def ask_office(parent, db) -> bool:
    """The first-run step: the office's names and the next 测评 date; False when put off."""
    from gui.dialogs.office import OfficeDialog

    return OfficeDialog(db, parent).exec() == QDialog.Accepted


def ask_caption(parent, attachment: dict) -> dict | None:
    """A file's 说明 (and a photo's 时间、地点、人物、事由) as the user edits them; None when cancelled."""
    from gui.dialogs.caption import CaptionDialog

    dialog = CaptionDialog(parent, attachment)
    return dialog.values() if dialog.exec() == QDialog.Accepted else None
