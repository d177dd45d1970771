"""The main window: a navigation list on the left, one page per working area on the right."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QMainWindow,
                               QScrollArea, QSizePolicy, QStackedWidget, QWidget)

from core import APP_NAME, __version__, framework, letters
from core.errors import storage_error
from gui.context import AppContext
from gui.theme import scaled, set_scaled_style
from gui.views import page_classes


def page_scroller(page) -> QScrollArea:
    """A page scrolls when the window is smaller than it needs (a 1366×768 laptop at a large
    界面字号): the window's own minimum never grows beyond the screen."""
    scroll = QScrollArea()
    scroll.setObjectName(f"page_scroll_{page.key}")
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.NoFrame)
    scroll.setWidget(page)
    return scroll


class MainWindow(QMainWindow):
    def __init__(self, db, data, operator: str, password: str | None = None):
        super().__init__()
        self.ctx = AppContext(db, data, db.operator if db.shared else operator, password)
        self.auto_backup_on_exit = False  # switched on by run_gui; tests and screenshots leave it off
        self.restoring = False
        self.setWindowTitle(f"{APP_NAME} {__version__}")
        self.nav = QListWidget()
        self.nav.setObjectName("nav")

        # em is the font's height in Qt style sheets: the list widens with the font, titles never clip
        set_scaled_style(self.nav, "QListWidget#nav { font-size: 11pt; min-width: 7em; max-width: 7em; }"
                                   " QListWidget#nav::item { padding: 8px 10px; }")
        self.stack = QStackedWidget()
        self.pages = []
        for i, cls in enumerate(page_classes()):
            page = cls(self.ctx, self)
            self.pages.append(page)
            self.stack.addWidget(page_scroller(page))
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
        self._build_search()
        self._status = QLabel()
        self._status.setObjectName("status_summary")
        # the summary is long (edition, warnings, operator, data folder): it gives way to a narrow
        # window instead of widening it, and the tooltip holds all of it
        self._status.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self._status.setMinimumWidth(0)
        self.statusBar().addPermanentWidget(self._status, 1)
        self.ctx.changed.connect(self._on_changed)
        self.update_status()
        self.resize(1280, 800)
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        last = int(settings.value("window/page", 0) or 0)
        self.nav.setCurrentRow(last if 0 <= last < len(self.pages) else 0)
        self.ctx.start_listening()

    def _build_search(self) -> None:
        """The toolbar box and Ctrl+K both open the search dialog; typing in the box carries on there."""
        bar = self.addToolBar("搜索")
        bar.setObjectName("search_bar")
        bar.setMovable(False)
        self.search_box = QLineEdit()
        self.search_box.setObjectName("search_box")
        self.search_box.setPlaceholderText("搜索标准、单位、材料、问题、文号……（Ctrl+K）")
        self.search_box.setMaximumWidth(scaled(420))
        self.search_box.textEdited.connect(self.open_search)
        self.search_box.returnPressed.connect(lambda: self.open_search(self.search_box.text()))
        bar.addWidget(self.search_box)
        self.search_dialog = None
        action = QAction(self)
        action.setShortcut(QKeySequence("Ctrl+K"))
        action.setShortcutContext(Qt.ApplicationShortcut)
        action.triggered.connect(lambda: self.open_search())
        self.addAction(action)

    def open_search(self, text: str = "") -> None:
        from gui.dialogs.search import SearchDialog

        self.search_box.clear()
        if self.search_dialog is not None and self.search_dialog.isVisible():
            self.search_dialog.edit.insert(text)  # keys that reached the box before the dialog took focus
            self.search_dialog.edit.setFocus()
            return
        self.search_dialog = dialog = SearchDialog(self, lambda: self.ctx.db, text)
        dialog.accepted.connect(lambda: dialog.chosen and self.open_hit(dialog.chosen))
        dialog.open()
        dialog.edit.setFocus()
        dialog.edit.end(False)

    def open_hit(self, hit) -> bool:
        """Show a search hit's record in its page; an attachment opens the record it belongs to."""
        from core.search import PAGE_OF_KIND

        kind, record_id = (hit.owner_kind, hit.owner_id) if hit.kind == "附件" else (hit.kind, hit.id)
        if kind == "责任书":
            return self.show_page("letters").open_record(kind, record_id, hit.owner_year)
        found = self.show_page(PAGE_OF_KIND[kind]).open_record(kind, record_id)
        if not found:
            self.statusBar().showMessage(f"没有在“{self.current_page().title}”中找到这条记录，它可能已被删除或停用。", 8000)
        return found

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

    def _on_changed(self, areas: frozenset, shown_by) -> None:
        for page in self.pages:
            if page is not shown_by:
                page.mark_stale(areas)
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
        from core import safety

        warning = safety.backup_status(self.ctx.data, db).warning
        if warning:
            parts.append(warning)
        parts.append(self.ledger_text())
        self._status.setText("　|　".join(parts))
        self._status.setToolTip("\n".join(parts))

    def ledger_text(self) -> str:
        """Which ledger this window works on and as whom."""
        db = self.ctx.db
        if db.shared:
            from core.connection import where_of

            return f"共享台账 · {where_of(db.url)} · 用户 {db.operator}"
        return f"操作人：{self.ctx.operator}　|　本机数据 · {self.ctx.data.root}"

    def restore_from(self, path: str, allow_foreign: bool = False) -> None:
        """Stop the background jobs and close the store, restore the backup in the background,
        reopen on the restored data. No connection may stay open on the files being replaced."""
        from core import safety
        from core.errors import AppError
        from core.store import open_store
        from gui.dialogs import show_error, show_info
        from gui.jobs import run_job, stop_background_jobs

        if not stop_background_jobs():
            show_error(self, "从备份恢复", AppError("后台任务仍在运行，暂时不能恢复。请等它结束后再试。"))
            return
        if self.ctx.db.shared:
            self._restore_shared(path, allow_foreign)
            return
        self.restoring = True  # the automatic backup waits: the database is closed meanwhile
        self.ctx.db.close()

        def reopen(result=None):
            self.ctx.db = open_store(self.ctx.data, self.ctx.operator)
            self.restoring = False
            self.ctx.replaced()
            if result is not None:
                text = "恢复完成，程序已打开恢复后的数据。"
                if result["safety_backup"]:
                    text += f"\n恢复前的数据已自动备份到：\n{result['safety_backup']}"
                show_info(self, "从备份恢复", text)

        def failed(exc):
            reopen()
            return False  # let the standard dialog show why

        run_job(self, "从备份恢复",
                lambda _db, progress, cancel: safety.restore_backup(self.ctx.data, path, progress, cancel,
                                                                     self.ctx.operator, allow_foreign=allow_foreign),
                None, reopen, failed)

    def _restore_shared(self, path: str, allow_foreign: bool) -> None:
        """The server's ledger is replaced in one transaction on a connection of the job's own (only a
        管理员 may); this window keeps its connection, the server holding no files of ours, and
        every page reads the ledger again."""
        from core.safety import server_move
        from gui.dialogs import show_info
        from gui.jobs import run_job

        def done(result):
            self.ctx.replaced()
            text = "恢复完成，共享台账已替换为备份中的数据。"
            if result["safety_backup"]:
                text += f"\n替换前的共享台账已备份到本机：\n{result['safety_backup']}"
            if result["missing_attachments"]:
                text += f"\n\n注意：备份制作时已缺失 {result['missing_attachments']} 个附件，可在“数据体检”中查看。"
            show_info(self, "从备份恢复", text)

        run_job(self, "从备份恢复", lambda db, progress, cancel: server_move.restore_to_server(
            self.ctx.data, db, path, allow_foreign=allow_foreign), self.ctx.open_worker_db, done)

    def run_auto_backup(self, background: bool = False) -> None:
        """The small automatic backup (snapshot + attachment mirror); failures only warn. On exit it
        runs in place; once a day while open it runs in the background without a dialog."""
        from core import safety, settings

        if self.restoring:
            return
        values = settings.get_all(self.ctx.db)

        def work(db, progress=None, cancel=None):
            return safety.auto_backup(self.ctx.data, db, values["backup_second_folder"] or None,
                                      values["backup_keep_daily"], values["backup_keep_monthly"])

        def failed(exc):
            problem = storage_error(exc, "完成自动备份")  # a full disk, a read-only or pulled-out USB disk
            if problem is None and not isinstance(exc, OSError):
                return False
            self.statusBar().showMessage(f"自动备份失败：{problem.message_zh if problem else exc}", 10000)
            return True

        if background:
            from gui.jobs import run_job

            run_job(self, "自动备份", work, self.ctx.open_worker_db, lambda _: self.update_status(), failed,
                    quiet=True)
            return
        try:
            work(self.ctx.db)
        except Exception as exc:
            if not failed(exc):
                raise
        self.update_status()

    def closeEvent(self, event):
        self.ctx.stop_listening()
        if self.search_dialog is not None:
            self.search_dialog.close()
        if self.auto_backup_on_exit:
            self.run_auto_backup()
        from gui.ui_state import save_pending_headers

        save_pending_headers()  # lists resized on pages not shown (a font-size change) wait on a timer
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/page", self.stack.currentIndex())
        super().closeEvent(event)
