"""The QApplication: fonts, the error hook, first start, and the main window."""

from __future__ import annotations

import logging
import os
import sys
import traceback

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, Qt, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from core import APP_NAME
from core.errors import AppError, storage_error
from core.resources import resource_path
from gui import crash_report
from gui.theme import apply_font_scale

UI_FONT_FAMILIES = ["Microsoft YaHei UI", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC",
                    "WenQuanYi Micro Hei"]


def create_application(argv=None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        QCoreApplication.setOrganizationName("ChuangchengDesk")
        QCoreApplication.setApplicationName("ChuangchengDesk")
        app = QApplication(argv or [sys.argv[0]])
    app.setApplicationDisplayName(APP_NAME)
    load_qt_translation(app)
    load_fonts(app)
    icon = resource_path("icons", "app.svg")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def load_qt_translation(app: QApplication) -> None:
    """Qt's own texts (context menus, standard buttons, the file dialog on Linux) in Chinese,
    whatever the system language; the installer bundles only these zh_CN files."""
    if app.property("qt_translation_loaded"):
        return
    translator = QTranslator(app)
    if translator.load(QLocale(QLocale.Chinese, QLocale.China), "qtbase", "_",
                       QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)
        app.setProperty("qt_translation_loaded", True)
    else:
        logging.getLogger("gui").warning("没有找到 Qt 中文翻译文件 qtbase_zh_CN.qm")


def load_fonts(app: QApplication) -> None:
    """The bundled CJK font makes Chinese readable on machines without Chinese fonts; a system
    font (微软雅黑 on Windows) is preferred where there is one."""
    for path in resource_path("fonts").glob("*.tt[fc]"):
        QFontDatabase.addApplicationFont(str(path))
    families = set(QFontDatabase.families())
    chosen = next((f for f in UI_FONT_FAMILIES if f in families), None)
    font = QFont(chosen) if chosen else app.font()
    font.setFamilies([f for f in UI_FONT_FAMILIES if f in families] or [font.family()])
    app.setFont(font)
    apply_font_scale()


def install_excepthook(window_getter) -> None:
    def hook(exc_type, exc, tb):
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        logging.getLogger("gui").error(text)
        from gui.dialogs import show_error, show_unexpected

        exc = storage_error(exc, "完成刚才的操作") or exc  # a full disk or a locked file is not a bug
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


def open_main_window(data, operator: str | None, *, ask_first_start: bool = True, shared=None):
    """The window on the data folder's ledger, or on the shared ledger `shared` = (store, password)
    the connect dialog opened."""
    from core import demo
    from core.paths import network_share_warning
    from core.store import open_store
    from gui.main_window import MainWindow

    if shared is not None:
        db, password = shared
        return MainWindow(db, data, db.operator, password)
    was_empty = data.is_empty()
    db = open_store(data, operator or "未署名")
    if was_empty and ask_first_start and demo.is_empty(db):
        if first_start_choice() == "demo":
            demo.load_demo(db)
        else:  # a real office: its names go on every letter and notice
            from gui import dialogs

            dialogs.ask_office(None, db)
    window = MainWindow(db, data, operator or "未署名")
    warning = network_share_warning(data.root)
    if warning:
        window.statusBar().showMessage(warning)
    return window


def connect_at_start(data, server: str | None, saved_connection: bool):
    """The shared ledger to open: (store, password), "local" for the data folder's ledger, or None
    when the user quit. An address given at start (--server) is tried as given first (libpq finds
    its password); this PC's saved connection is always asked for through the 连接 dialog."""
    from core import connection as connections
    from core.store import open_store
    from gui.dialogs.connect import LOCAL, ConnectDialog

    if server:
        try:
            return open_store(data, None, server=server), None
        except AppError:
            target, remember = connections.from_url(server), False
    else:
        target, remember = (connections.active() if saved_connection else None), True
    if target is None:
        return LOCAL
    dialog = ConnectDialog(target, data, remember_saved=remember)
    if dialog.exec() != ConnectDialog.Accepted:
        return None
    return LOCAL if dialog.choice == LOCAL else (dialog.store, dialog.password)


def run_gui(data, operator: str | None, server: str | None = None, saved_connection: bool = False) -> int:
    crash_report.configure(data.logs)
    # Qt 6 is per-monitor DPI aware on its own; PassThrough keeps 125 %/150 % scaling exact
    # instead of rounding it to whole numbers (blurry or oversized text on office laptops).
    QApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = create_application(sys.argv)
    holder = {}
    install_excepthook(lambda: holder.get("window"))
    from gui.single_instance import SingleInstance

    instance = SingleInstance(data.root)
    if not instance.acquire():
        if instance.handed_over:  # the open window comes forward and says so; nothing to wait for here
            logging.info("%s已在运行（数据文件夹 %s），已交给已打开的窗口", APP_NAME, data.root)
            return 0
        QMessageBox.information(None, APP_NAME, f"{APP_NAME}已经在运行（数据文件夹 {data.root}）。请在任务栏中切换到已打开的窗口；"
                                "如果它已卡住，请在任务管理器中结束后重新打开。")
        return 0
    shared = connect_at_start(data, server, saved_connection)
    if shared is None:
        instance.release()
        return 0
    from gui.dialogs.connect import LOCAL

    shared = None if shared == LOCAL else shared
    if shared is None:  # on the shared ledger the operator is the login
        operator = operator or os.environ.get("CHUANGCHENG_OPERATOR") or ask_operator()
        if not operator:
            instance.release()
            return 0
    try:
        window = open_main_window(data, operator, shared=shared)
    except AppError as exc:
        QMessageBox.critical(None, APP_NAME, exc.message_zh)
        instance.release()
        return 2
    holder["window"] = window
    instance.listen(lambda: _come_forward(window))
    if shared is None:  # the shared ledger is backed up on the server's side (backup --server, by an admin)
        window.auto_backup_on_exit = True
        start_daily_backup_timer(window)
    window.show()
    try:
        code = app.exec()
        crash_report.session_ended_normally()
        return code
    finally:
        instance.release()


def _come_forward(window) -> None:
    """Another start on the same folder handed over to this window."""
    logging.info("另一次启动请求显示已打开的窗口")
    window.showNormal()
    window.raise_()
    window.activateWindow()
    window.statusBar().showMessage(f"{APP_NAME}已经在运行，这就是已打开的窗口。", 10000)


def ask_operator() -> str:
    """Who is working: asked at start (no passwords), the last name remembered. '' when cancelled."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QInputDialog

    settings = QSettings()
    last = settings.value("operator/last", "")
    name, ok = QInputDialog.getText(None, APP_NAME, "请输入操作人姓名（记入操作日志）：", text=last)
    name = name.strip()
    if ok and name:
        settings.setValue("operator/last", name)
        return name
    return ""


def start_daily_backup_timer(window) -> None:
    """Once a day while the program stays open: the same small automatic backup as on exit."""
    from PySide6.QtCore import QTimer

    from core import clock, safety

    def tick():
        last = safety.last_good_backup(window.ctx.data)  # stamped on the clock's day
        if not last or last["at"][:10] != clock.today().isoformat():
            window.run_auto_backup(background=True)

    timer = QTimer(window)
    timer.timeout.connect(tick)
    timer.start(60 * 60 * 1000)
    QTimer.singleShot(5 * 60 * 1000, tick)
