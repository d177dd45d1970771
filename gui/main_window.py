"""The main window: a navigation list on the left, one page per working area on the right."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMainWindow, QStackedWidget,
                               QWidget)

from core import APP_NAME, __version__, framework, letters
from gui.context import AppContext
from gui.views import page_classes


class MainWindow(QMainWindow):
    def __init__(self, db, data, operator: str):
        super().__init__()
        self.ctx = AppContext(db, data, operator)
        self.auto_backup_on_exit = False  # switched on by run_gui; tests and screenshots leave it off
        self.setWindowTitle(f"{APP_NAME} {__version__}")
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(130)
        self.nav.setStyleSheet("QListWidget#nav { font-size: 11pt; } QListWidget#nav::item { padding: 8px 10px; }")
        self.stack = QStackedWidget()
        self.pages = []
        for i, cls in enumerate(page_classes()):
            page = cls(self.ctx, self)
            self.pages.append(page)
            self.stack.addWidget(page)
            item = QListWidgetItem(page.title)
            item.setToolTip(f"{page.title}（Ctrl+{i + 1}）")
            self.nav.addItem(item)
            action = QAction(self)
            action.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            action.triggered.connect(lambda _=False, i=i: self.nav.setCurrentRow(i))
            self.addAction(action)
        self.nav.currentRowChanged.connect(self._show_page)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        refresh = QAction(self)
        refresh.setShortcut(QKeySequence("F5"))
        refresh.triggered.connect(lambda: self.current_page().refresh())
        self.addAction(refresh)
        self._status = QLabel()
        self.statusBar().addPermanentWidget(self._status)
        self.ctx.changed.connect(self._on_changed)
        self.update_status()
        self.resize(1280, 800)
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        last = int(settings.value("window/page", 0) or 0)
        self.nav.setCurrentRow(last if 0 <= last < len(self.pages) else 0)

    def current_page(self):
        return self.pages[self.stack.currentIndex()]

    def page_by_key(self, key: str):
        return next(p for p in self.pages if p.key == key)

    def show_page(self, key: str):
        self.nav.setCurrentRow(self.pages.index(self.page_by_key(key)))
        return self.current_page()

    def _show_page(self, row: int) -> None:
        if row < 0:
            return
        self.stack.setCurrentIndex(row)
        self.pages[row].refresh_if_stale()

    def _on_changed(self, area: str) -> None:
        for page in self.pages:
            page.mark_stale(area)
        self.current_page().refresh_if_stale()
        self.update_status()

    def update_status(self) -> None:
        db = self.ctx.db
        edition_id = framework.current_edition_id(db)
        edition = framework.get_edition(db, edition_id)["name"] if edition_id else "（无）"
        no_lead = framework.count_without_lead(db, edition_id) if edition_id else 0
        parts = [f"当前版本：{edition}"]
        if no_lead:
            parts.append(f"无牵头单位的标准：{no_lead} 条")
        unsigned = letters.unsigned_count(db)
        if unsigned:
            parts.append(f"责任书未签订：{unsigned} 个单位")
        from core import settings
        from gui.views.safety import backup_state_text

        values = settings.get_all(db)
        state = backup_state_text(self.ctx.data, values)
        if state.startswith("⚠") or "⚠" in state or "还没有备份" in state:
            parts.append(state.split("。")[0].replace("⚠ ", "⚠"))
        parts += [f"操作人：{self.ctx.operator}", f"数据：{self.ctx.data.root}"]
        self._status.setText("　|　".join(parts))

    def restore_from(self, path: str) -> None:
        """Close the store, restore the backup in the background, reopen on the restored data."""
        from core import backup
        from core.store import open_store
        from gui.dialogs import show_info
        from gui.jobs import run_job

        self.ctx.db.conn.close()

        def reopen(result=None):
            self.ctx.db = open_store(self.ctx.data, self.ctx.operator)
            self.ctx.notify("*")
            if result is not None:
                text = "恢复完成，程序已打开恢复后的数据。"
                if result["safety_backup"]:
                    text += f"\n恢复前的数据已自动备份到：\n{result['safety_backup']}"
                show_info(self, "从备份恢复", text)

        def failed(exc):
            reopen()
            return False  # let the standard dialog show why

        run_job(self, "从备份恢复",
                lambda _db, progress, cancel: backup.restore_backup(self.ctx.data, path, progress, cancel,
                                                                     self.ctx.operator),
                None, reopen, failed)

    def run_auto_backup(self) -> None:
        """The small automatic backup (snapshot + attachment mirror); failures only warn."""
        from core import backup, settings

        values = settings.get_all(self.ctx.db)
        try:
            backup.auto_backup(self.ctx.data, self.ctx.db, values["backup_second_folder"] or None,
                               values["backup_keep_daily"], values["backup_keep_monthly"])
        except OSError as exc:
            self.statusBar().showMessage(f"自动备份失败：{exc}", 10000)
        self.update_status()

    def closeEvent(self, event):
        if self.auto_backup_on_exit:
            self.run_auto_backup()
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/page", self.stack.currentIndex())
        super().closeEvent(event)
