"""连接共享台账: asked at start when this PC is set to the shared ledger. The user and a remembered
password are filled in; when the server cannot be reached or refuses the login, the dialog says
which address and what to check, and offers this PC's own data folder instead."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QApplication, QCheckBox, QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QVBoxLayout)

from core import connection as connections
from core.errors import AppError

LOCAL = "local"


class ConnectDialog(QDialog):
    """Accepted with .store open on the shared ledger (and .password used), or with .choice LOCAL
    for the data folder's own ledger; rejected when the user quits."""

    def __init__(self, connection: connections.Connection, data, parent=None, *, remember_saved: bool = True):
        super().__init__(parent)
        self.connection = connection
        self.data = data
        self.remember_saved = remember_saved  # the PC's saved connection (not an address given at start)
        self.store = None
        self.password = None
        self.choice = ""
        self.setWindowTitle("连接共享台账")
        layout = QVBoxLayout(self)
        where = QLabel(f"共享台账服务器：<b>{connection.where()}</b>")
        where.setTextFormat(Qt.RichText)
        layout.addWidget(where)
        form = QFormLayout()
        self.user = QLineEdit(connection.user)
        self.user.setMinimumWidth(260)
        self.password_edit = QLineEdit(connections.remembered_password(connection) or "")
        self.password_edit.setEchoMode(QLineEdit.Password)
        self.password_edit.setPlaceholderText("留空时按 PGPASSWORD 或 pgpass 文件")
        self.remember = QCheckBox("在这台电脑上记住密码（保存在系统凭据管理器中）")
        self.remember.setChecked(connection.remember_password and remember_saved)
        self.remember.setVisible(remember_saved)
        form.addRow("用户名：", self.user)
        form.addRow("密码：", self.password_edit)
        form.addRow("", self.remember)
        layout.addLayout(form)
        self.problem = QLabel()
        self.problem.setObjectName("connect_problem")
        self.problem.setWordWrap(True)
        self.problem.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.problem.setStyleSheet("color: #c62828;")
        self.problem.setMinimumWidth(460)
        self.problem.hide()
        layout.addWidget(self.problem)
        buttons = QHBoxLayout()
        self.local_button = QPushButton("改用本机数据")
        self.local_button.setToolTip(f"打开这台电脑上的数据文件夹：{data.root}")
        self.local_button.clicked.connect(self.use_local)
        self.connect_button = QPushButton("连接")
        self.connect_button.setDefault(True)
        self.connect_button.clicked.connect(self.try_connect)
        quit_button = QPushButton("退出")
        quit_button.clicked.connect(self.reject)
        buttons.addWidget(self.local_button)
        buttons.addStretch()
        buttons.addWidget(self.connect_button)
        buttons.addWidget(quit_button)
        layout.addLayout(buttons)
        (self.password_edit if self.user.text() else self.user).setFocus()

    def try_connect(self) -> None:
        from core.store import open_store

        chosen = connections.Connection(self.connection.host, self.connection.port, self.connection.database,
                                        self.user.text().strip(), self.connection.sslmode,
                                        self.remember.isChecked())
        password = self.password_edit.text() or None
        QApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            store = open_store(self.data, None, server=chosen.checked().url(), password=password)
        except AppError as exc:
            self.show_problem(exc)
            return
        finally:
            QApplication.restoreOverrideCursor()
        if self.remember_saved:
            self._remember(chosen, password)
        self.store, self.password, self.choice = store, password, "server"
        self.accept()

    def _remember(self, chosen, password) -> None:
        """The login that worked becomes this PC's (the user name, and the password if asked)."""
        try:
            if chosen.remember_password and password:
                connections.remember_password(chosen, password)
            elif not chosen.remember_password:
                connections.forget_password(chosen)
            connections.save(chosen)
        except AppError as exc:  # connected all the same; say why nothing was remembered
            from gui import dialogs

            dialogs.show_error(self, "记住密码", exc)

    def show_problem(self, exc: AppError) -> None:
        self.problem.setText(f"{exc.message_zh}\n\n也可以先点“改用本机数据”，打开这台电脑上的数据文件夹"
                             f"（{self.data.root}）。")
        self.problem.show()
        self.local_button.setDefault(False)
        self.adjustSize()

    def use_local(self) -> None:
        self.choice = LOCAL
        self.accept()
