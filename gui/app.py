"""The QApplication: fonts, the error hook, first start, and the main window."""

from __future__ import annotations

import logging
import os
import sys
import traceback

from PySide6.QtCore import QCoreApplication, QSettings, Qt
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from core import APP_NAME
from core.errors import AppError
from core.resources import resource_path

UI_FONT_FAMILIES = ["Microsoft YaHei UI", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC",
                    "WenQuanYi Micro Hei"]


def create_application(argv=None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        QCoreApplication.setOrganizationName("ChuangchengDesk")
        QCoreApplication.setApplicationName("ChuangchengDesk")
        app = QApplication(argv or [sys.argv[0]])
    app.setApplicationDisplayName(APP_NAME)
    load_fonts(app)
    icon = resource_path("icons", "app.svg")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def load_fonts(app: QApplication) -> None:
    """The bundled CJK font makes Chinese readable on machines without Chinese fonts; a system
    font (微软雅黑 on Windows) is preferred where there is one."""
    for path in resource_path("fonts").glob("*.tt[fc]"):
        QFontDatabase.addApplicationFont(str(path))
    families = set(QFontDatabase.families())
    chosen = next((f for f in UI_FONT_FAMILIES if f in families), None)
    font = QFont(chosen) if chosen else app.font()
    font.setFamilies([f for f in UI_FONT_FAMILIES if f in families] or [font.family()])
    scale = float(QSettings().value("ui/font_scale", 1.0))
    font.setPointSizeF(10.0 * scale)
    app.setFont(font)


def install_excepthook(window_getter) -> None:
    def hook(exc_type, exc, tb):
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        logging.getLogger("gui").error(text)
        from gui.dialogs import show_error, show_unexpected

        if isinstance(exc, AppError):
            show_error(window_getter(), "提示", exc)
        else:
            show_unexpected(window_getter(), exc, text)

    sys.excepthook = hook


def first_start_choice(parent=None) -> str:
    """On first start with an empty data folder: load the demo district or start empty."""
    box = QMessageBox(parent)
    box.setWindowTitle(f"欢迎使用{APP_NAME}")
    box.setText("数据文件夹是空的。要先加载示例区县数据（示例数据）熟悉程序，还是从空白开始？")
    box.setInformativeText("示例数据包含 40 多个责任单位和一份完整的测评体系责任分解表，可随时换用新的数据文件夹重新开始。")
    demo = box.addButton("加载示例数据", QMessageBox.AcceptRole)
    box.addButton("从空白开始", QMessageBox.RejectRole)
    box.setDefaultButton(demo)
    box.exec()
    return "demo" if box.clickedButton() is demo else "empty"


def open_main_window(data, operator: str | None, *, ask_first_start: bool = True):
    from core import demo
    from core.paths import network_share_warning
    from core.store import open_store
    from gui.main_window import MainWindow

    was_empty = data.is_empty()
    db = open_store(data, operator or "未署名")
    if was_empty and ask_first_start and demo.is_empty(db) and first_start_choice() == "demo":
        demo.load_demo(db)
    window = MainWindow(db, data, operator or "未署名")
    warning = network_share_warning(data.root)
    if warning:
        window.statusBar().showMessage(warning)
    return window


def run_gui(data, operator: str | None) -> int:
    QApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = create_application(sys.argv)
    holder = {}
    install_excepthook(lambda: holder.get("window"))
    try:
        window = open_main_window(data, operator or os.environ.get("CHUANGCHENG_OPERATOR"))
    except AppError as exc:
        QMessageBox.critical(None, APP_NAME, exc.message_zh)
        return 2
    holder["window"] = window
    window.show()
    return app.exec()
