"""附件 panel: the files of one record, with thumbnails, drag and drop, opening with the system's
program, captions (时间、地点、人物、事由) and removal that asks first. Any area reuses it."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QAbstractListModel, QModelIndex, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QIcon, QImageReader, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListView, QPushButton, QVBoxLayout, QWidget

from core import attachments
from core.errors import AppError
from gui import dialogs
from gui.jobs import run_job
from gui.theme import scaled

THUMB = QSize(96, 96)


def _human_size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


def open_with_system(parent, db, attachment: dict) -> None:
    """Open a stored file with the system's program: stored files have no extension, so a copy
    under the original name goes to a temporary folder first."""
    target = Path(tempfile.gettempdir()) / "ChuangchengDesk" / str(attachment["id"]) / attachment["original_name"]
    try:
        attachments.export_copy(db, attachment["id"], target)
    except OSError as exc:
        dialogs.show_error(parent, "打开附件", AppError(f"无法打开附件：{exc.strerror}。可在“数据体检”中检查附件是否完整。"))
        return
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))


class AttachmentsModel(QAbstractListModel):
    ROW_ROLE = Qt.UserRole + 1
    _thumbs: dict[str, QIcon] = {}  # by sha256: content never changes, so the cache never goes stale

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx  # the store can be reopened (restore), so ask ctx each time
        self._rows: list[dict] = []

    def set_rows(self, rows: list[dict]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        a = self._rows[index.row()]
        if role == Qt.DisplayRole:
            return a["original_name"]
        if role == Qt.ToolTipRole:
            lines = [a["original_name"], _human_size(a["size"]), f"添加于 {a['added_at'].replace('T', ' ')}"]
            if attachments.photo_caption(a):
                lines.append(attachments.photo_caption(a))
            return "\n".join(lines)
        if role == Qt.DecorationRole:
            return self._icon(a)
        if role == self.ROW_ROLE:
            return a
        return None

    def _icon(self, a: dict):
        sha = a["sha256"]
        if sha not in self._thumbs:
            path = attachments.stored_path(self.ctx.db, sha)
            reader = QImageReader(str(path))
            reader.setAutoTransform(True)  # EXIF orientation of phone photos
            icon = None
            if attachments.is_image_name(a["original_name"]) and reader.canRead():
                size = reader.size()
                if size.isValid():
                    reader.setScaledSize(size.scaled(THUMB, Qt.KeepAspectRatio))
                image = reader.read()
                if not image.isNull():
                    icon = QIcon(QPixmap.fromImage(image))
            self._thumbs[sha] = icon or QIcon.fromTheme("text-x-generic")
        return self._thumbs[sha]


class AttachmentsPanel(QWidget):
    changed = Signal()

    def __init__(self, ctx, owner_table: str, *, role: str = "", images_only: bool = False, title: str = "附件",
                 shown_by=None):
        """shown_by: the page that shows this panel's changes by itself (on `changed`), so the
        broadcast of them does not reload it."""
        super().__init__()
        self.ctx = ctx
        self.shown_by = shown_by
        self.owner_table = owner_table
        self.role = role
        self.images_only = images_only
        self.owner_id: int | None = None
        self.setAcceptDrops(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel(title)
        layout.addWidget(self.heading)
        self.model = AttachmentsModel(ctx, self)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setViewMode(QListView.IconMode)
        self.view.setIconSize(THUMB)
        self.view.setGridSize(QSize(130, 135))
        self.view.setResizeMode(QListView.Adjust)
        self.view.setWordWrap(True)
        self.view.setMinimumHeight(scaled(150))
        self.view.doubleClicked.connect(lambda _: self.open_selected())
        layout.addWidget(self.view)
        bar = QHBoxLayout()
        self.buttons = {}
        for key, text, slot in [("add", "添加…", self.add_dialog), ("open", "打开", self.open_selected),
                                ("caption", "说明…", self.edit_caption), ("remove", "移除", self.remove_selected)]:
            b = QPushButton(text)
            b.setAutoDefault(False)
            b.clicked.connect(slot)
            self.buttons[key] = b
            bar.addWidget(b)
        bar.addStretch()
        hint = QLabel("可把文件拖到这里")
        hint.setStyleSheet("color: #888;")
        bar.addWidget(hint)
        layout.addLayout(bar)
        self.set_owner(None)

    def set_owner(self, owner_id: int | None) -> None:
        self.owner_id = owner_id
        self.setEnabled(owner_id is not None)
        self.refresh()

    def refresh(self) -> None:
        rows = [] if self.owner_id is None else attachments.list_attachments(
            self.ctx.db, self.owner_table, self.owner_id, self.role or None)
        self.model.set_rows(rows)

    def selected(self) -> dict | None:
        index = self.view.currentIndex()
        return self.model.data(index, AttachmentsModel.ROW_ROLE) if index.isValid() else None

    def add_files(self, paths: list[str]) -> int:
        """Add files; every file is checked first so a bad one adds nothing. Copying and hashing
        run on a worker thread behind a progress dialog (large scans take seconds); the call
        returns when they are done. Returns how many were added."""
        if self.owner_id is None:
            return 0
        try:
            for p in paths:
                attachments.check_size(self.ctx.db, Path(p))
                if self.images_only:
                    attachments.check_image(p)
        except AppError as exc:
            dialogs.show_error(self, "添加附件", exc)
            return 0
        owner_table, owner_id, role = self.owner_table, self.owner_id, self.role

        def work(db, progress, cancel):
            for i, p in enumerate(paths):
                progress(i, len(paths), Path(p).name)
                attachments.add_attachment(db, owner_table, owner_id, p, role=role)
            return len(paths)

        added = []
        with self.ctx.shown_by(self.shown_by):
            run_job(self, "添加附件", work, self.ctx.open_worker_db, added.append, block=True)
        self.refresh()
        if added:
            self.changed.emit()
        return added[0] if added else 0

    def add_dialog(self) -> None:
        filters = "图片 (*.jpg *.jpeg *.png *.bmp *.gif *.tif *.tiff *.webp)" if self.images_only else "所有文件 (*)"
        path = dialogs.open_file(self, "添加附件", filters, kind="attachments")
        if path:
            self.add_files([path])

    def open_selected(self) -> None:
        a = self.selected()
        if a:
            open_with_system(self, self.ctx.db, a)

    def edit_caption(self) -> None:
        a = self.selected()
        if not a:
            return
        values = dialogs.ask_caption(self, a)
        if values is None:
            return
        try:
            with self.ctx.shown_by(self.shown_by):
                attachments.update_caption(self.ctx.db, a["id"], **values)
        except AppError as exc:
            dialogs.show_error(self, "附件说明", exc)
            return
        self.refresh()
        self.changed.emit()

    def remove_selected(self) -> None:
        a = self.selected()
        if a and dialogs.confirm(self, "移除附件", f"从本条记录中移除“{a['original_name']}”？\n"
                                          "文件本身仍保存在数据文件夹中，操作日志中可查。", "移除"):
            with self.ctx.shown_by(self.shown_by):
                attachments.remove_attachment(self.ctx.db, a["id"])
            self.refresh()
            self.changed.emit()

    def dragEnterEvent(self, event):
        if self.owner_id is not None and event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event):
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths and self.add_files(paths):
            event.acceptProposedAction()

