"""设置 → 共享台账: where this PC finds the office's shared ledger (a PostgreSQL server), or 本机数据.

What is set here is this PC's (core.connection: the user's config folder), never the ledger's; the
password only in the system's credential store, and only when 记住密码 is ticked."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QRadioButton, QSpinBox, QVBoxLayout, QWidget)

from core import connection as connections
from core.errors import AppError
from gui import dialogs
from gui.theme import scaled


def _explanation(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #555;")
    return label


class SharedLedgerTab(QWidget):
    def __init__(self, ctx, window):
        super().__init__()
        self.ctx = ctx
        self.window_ = window
        layout = QVBoxLayout(self)
        which = QGroupBox("这台电脑使用的台账")
        w_layout = QVBoxLayout(which)
        # short choices, their explanation wrapped beneath: the tab fits a laptop screen at a large 界面字号
        self.local_choice = QRadioButton("本机数据")
        self.server_choice = QRadioButton("共享台账")
        self.choices = QButtonGroup(self)
        for button, explained in ((self.local_choice, f"这台电脑上的数据文件夹（{ctx.data.root}）"),
                                  (self.server_choice, "全办公室共用 PostgreSQL 服务器上的一本台账")):
            self.choices.addButton(button)
            w_layout.addWidget(button)
            w_layout.addWidget(_explanation(explained))
        layout.addWidget(which)

        self.server_box = QGroupBox("共享台账服务器")
        form = QFormLayout(self.server_box)
        self.host = QLineEdit()
        self.host.setPlaceholderText("服务器的地址或计算机名，例如 192.168.1.20")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(connections.DEFAULT_PORT)
        self.port.setMaximumWidth(scaled(110))
        self.database = QLineEdit()
        self.database.setPlaceholderText("例如 chuangcheng")
        self.user = QLineEdit()
        self.user.setPlaceholderText("管理员为您建立的账号")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.Password)
        self.password.setPlaceholderText("不记住时每次启动在“连接”窗口输入")
        self.remember = QCheckBox("记住密码")
        self.remember.setToolTip("保存在系统凭据管理器中，不写入任何文件")
        self.sslmode = QComboBox()
        for mode, label in connections.SSL_MODES.items():
            self.sslmode.addItem(label, mode)
        form.addRow("服务器地址：", self.host)
        form.addRow("端口：", self.port)
        form.addRow("数据库名称：", self.database)
        form.addRow("用户名：", self.user)
        form.addRow("密码：", self.password)
        form.addRow("", self.remember)
        form.addRow("", _explanation("记住的密码保存在系统凭据管理器中，不写入任何文件。"))
        form.addRow("加密方式：", self.sslmode)
        layout.addWidget(self.server_box)

        buttons = QHBoxLayout()
        self.test_button = QPushButton("测试连接")
        self.test_button.clicked.connect(self.test)
        self.save_button = QPushButton("保存")
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch()
        layout.addLayout(buttons)
        self.result = QLabel()
        self.result.setObjectName("shared_result")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout.addWidget(self.result)
        note = QLabel(f"连接设置只保存在这台电脑上（{connections.config_dir()}），不写入台账，也不保存密码；"
                      "勾选“记住密码”时，密码保存在系统的凭据管理器中。保存后，下次启动程序时按新的设置打开台账。")
        note.setWordWrap(True)
        note.setStyleSheet("color: #666;")
        layout.addWidget(note)
        layout.addStretch()
        self.server_choice.toggled.connect(self.server_box.setEnabled)
        self.server_choice.toggled.connect(self.test_button.setEnabled)
        self.load()

    def load(self) -> None:
        saved = connections.saved() or connections.Connection()
        self.host.setText(saved.host)
        self.port.setValue(saved.port)
        self.database.setText(saved.database)
        self.user.setText(saved.user)
        self.remember.setChecked(saved.remember_password)
        self.password.setText((connections.remembered_password(saved) if saved.user else None) or "")
        self.sslmode.setCurrentIndex(max(self.sslmode.findData(saved.sslmode), 0))
        use_server = connections.active() is not None
        (self.server_choice if use_server else self.local_choice).setChecked(True)
        self.server_box.setEnabled(use_server)
        self.test_button.setEnabled(use_server)

    def entered(self) -> connections.Connection:
        return connections.Connection(self.host.text(), self.port.value(), self.database.text(), self.user.text(),
                                      self.sslmode.currentData(), self.remember.isChecked())

    def test(self) -> None:
        self.result.setText("正在连接……")
        self.result.repaint()
        try:
            text = connections.try_connection(self.entered(), self.password.text() or None)
        except AppError as exc:
            self.result.setStyleSheet("color: #c62828;")
            self.result.setText(exc.message_zh)
            return
        self.result.setStyleSheet("color: #2e7d32;")
        self.result.setText(text)

    def save(self) -> None:
        try:
            if self.local_choice.isChecked():
                connections.use_local()
                text = "已保存：下次启动时打开这台电脑上的数据文件夹（本机数据）。"
            else:
                chosen = self.entered().checked()
                if chosen.remember_password and self.password.text():
                    connections.remember_password(chosen, self.password.text())
                elif not chosen.remember_password:
                    connections.forget_password(chosen)
                connections.save(chosen)
                text = f"已保存：下次启动时连接共享台账 {chosen.where()}（用户 {chosen.user}）。"
        except AppError as exc:
            dialogs.show_error(self, "共享台账", exc)
            return
        self.result.setStyleSheet("")
        self.result.setText(text)
        dialogs.show_info(self, "共享台账", text + "\n请关闭并重新打开程序。")
