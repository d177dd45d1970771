"""档案审查: walk the archive standard by standard, full window, by keyboard, fully offline.
It opens on what waits for a verdict (已提交/需补充 with files); 显示全部材料 walks every item.

→ / ← next and previous; 1 or Y 通过; 2 or N 需补充 (asks for the comment); S skip; Esc closes.
The position is saved at every step, so the walk resumes where it stopped.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImageReader, QPixmap
from PySide6.QtWidgets import (QCheckBox, QDialog, QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QScrollArea,
                               QVBoxLayout, QWidget)

from core import attachments, materials
from core.errors import AppError
from gui.theme import resize_within_screen, scaled, set_scaled_style
from gui.views.materials import dialogs as material_dialogs
from gui.views.materials.common import status_html

PREVIEW_WIDTH = 900
PDF_PAGES_SHOWN = 3

try:  # QtPdf is not in every PySide6 build; without it PDFs get an 打开 button
    from PySide6.QtPdf import QPdfDocument
except ImportError:
    QPdfDocument = None


def render_pdf_pages(path: Path, width: int) -> list[QPixmap]:
    """The first pages of a PDF as pictures, or [] when this platform cannot render PDFs."""
    if QPdfDocument is None:
        return []
    doc = QPdfDocument()
    if doc.load(str(path)) != QPdfDocument.Error.None_:
        return []
    pages = []
    for i in range(min(doc.pageCount(), PDF_PAGES_SHOWN)):
        size = doc.pagePointSize(i)
        height = int(width * size.height() / size.width()) if size.width() else width
        image = doc.render(i, QSize(width, height))
        if not image.isNull():
            pages.append(QPixmap.fromImage(image))
    doc.close()
    return pages


class ReviewWindow(QDialog):
    def __init__(self, ctx, edition_id: int, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.edition_id = edition_id
        self.setWindowTitle("档案审查")
        self.setFocusPolicy(Qt.StrongFocus)
        self.order: list[int] = []
        self.index = 0
        self.item: dict | None = None

        v = QVBoxLayout(self)
        top = QHBoxLayout()
        self.position_label = QLabel()
        set_scaled_style(self.position_label, "font-size: 12pt;")
        top.addWidget(self.position_label)
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(scaled(10))
        top.addWidget(self.progress, 1)
        self.show_all = QCheckBox("显示全部材料（含待提交、已通过）")
        self.show_all.setFocusPolicy(Qt.NoFocus)
        self.show_all.toggled.connect(self.load_order)
        top.addWidget(self.show_all)
        v.addLayout(top)
        self.header = QLabel()
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.RichText)
        set_scaled_style(self.header, "font-size: 13pt; padding: 6px; background: #f6f6f2; border: 1px solid #ddd;")
        v.addWidget(self.header)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFocusPolicy(Qt.NoFocus)
        v.addWidget(self.scroll, 1)
        keys = QHBoxLayout()
        for text, slot in [("← 上一项", self.previous), ("通过（1 / Y）", self.approve),
                           ("需补充（2 / N）", self.request), ("跳过（S）", self.skip), ("下一项 →", self.next)]:
            b = QPushButton(text)
            b.setFocusPolicy(Qt.NoFocus)
            b.setMinimumHeight(scaled(36))
            b.clicked.connect(slot)
            keys.addWidget(b)
        v.addLayout(keys)
        self.message = QLabel()
        self.message.setStyleSheet("color: #c62828;")
        v.addWidget(self.message)
        resize_within_screen(self, 1200, 820)  # its keys at the bottom stay on a 768-pixel-high screen
        self.load_order()

    # --- moving -----------------------------------------------------------------------------------
    def load_order(self) -> None:
        """The walk, resumed at the saved item, or at the first one after it that is in the walk."""
        db = self.ctx.db
        self.order = materials.review_order(db, self.edition_id, to_review_only=not self.show_all.isChecked())
        saved = materials.review_position(db, self.edition_id)
        every = materials.review_order(db, self.edition_id)
        place = {material_id: i for i, material_id in enumerate(every)}
        start = place.get(saved, 0)
        self.index = next((i for i, material_id in enumerate(self.order) if place[material_id] >= start), 0)
        self.message.setText("")
        self.show_current()

    def show_current(self) -> None:
        if not self.order:
            self.item = None
            self.position_label.setText("第 0 / 0 项")
            self.progress.setMaximum(1)
            self.progress.setValue(0)
            self.header.setText("当前版本的档案材料清单是空的。" if self.show_all.isChecked()
                                else "没有等待审查的材料（已提交或需补充且有文件的）。勾选“显示全部材料”可查看全部。")
            self.scroll.setWidget(QWidget())
            return
        material_id = self.order[self.index]
        self.item = materials.review_item(self.ctx.db, material_id)
        materials.save_review_position(self.ctx.db, self.edition_id, material_id)
        self._render()

    def go(self, step: int) -> None:
        if not self.order:
            return
        new = self.index + step
        if not 0 <= new < len(self.order):
            self.message.setText("已是最后一项。" if step > 0 else "已是第一项。")
            return
        self.message.setText("")
        self.index = new
        self.show_current()

    def next(self) -> None:
        self.go(1)

    def previous(self) -> None:
        self.go(-1)

    def skip(self) -> None:
        self.go(1)

    def approve(self) -> None:
        self._verdict("approve")

    def request(self) -> None:
        comment = material_dialogs.ask_comment(self, materials.TRANSITIONS["request"].label,
                                               self.item["comment"] if self.item else "")
        if comment is not None:
            self._verdict("request", comment)

    def _verdict(self, action: str, comment: str = "") -> None:
        if not self.item:
            return
        if self.item["status"] == materials.TRANSITIONS[action].target:
            self.go(1)  # already so: a second key press only moves on
            return
        try:
            materials.change_status(self.ctx.db, self.item["id"], action, comment=comment)
        except AppError as exc:
            self.message.setText(exc.message_zh)
            return
        if self.index + 1 < len(self.order):
            self.go(1)
        else:
            self.show_current()
            self.message.setText("已审查到最后一项。")

    def keyPressEvent(self, event):
        key = event.key()
        actions = {Qt.Key_Right: self.next, Qt.Key_Left: self.previous, Qt.Key_1: self.approve,
                   Qt.Key_Y: self.approve, Qt.Key_2: self.request, Qt.Key_N: self.request, Qt.Key_S: self.skip,
                   Qt.Key_Down: self.next, Qt.Key_Up: self.previous}
        if key in actions:
            actions[key]()
            event.accept()
            return
        super().keyPressEvent(event)

    # --- showing ----------------------------------------------------------------------------------
    def _render(self) -> None:
        m = self.item
        self.position_label.setText(f"第 {self.index + 1} / {len(self.order)} 项")
        self.progress.setMaximum(len(self.order))
        self.progress.setValue(self.index + 1)
        comment = f"<br><span style='color:#c62828'>审核意见：{m['comment']}</span>" if m["comment"] else ""
        self.header.setText(
            f"<b>{m['code']}</b>　{m['standard_title']}<br>"
            f"<span style='color:#555'>{m['category']}　|　分值 {m['points'] or 0:g}　|　{m['methods']}</span><br>"
            f"<b>{m['material_code']}　{m['kind']}：{m['title']}</b>　责任单位：{m['unit_name'] or '未指定'}　"
            f"状态：{status_html(m['status'])}<br>要求：{m['requirement'] or '—'}{comment}")
        body = QWidget()
        v = QVBoxLayout(body)
        if not m["files"]:
            empty = QLabel("这项材料还没有文件。")
            set_scaled_style(empty, "font-size: 14pt; color: #c62828; padding: 30px;")
            v.addWidget(empty)
        for f in m["files"]:
            v.addWidget(self._file_widget(f))
        v.addStretch()
        self.scroll.setWidget(body)
        self.setFocus()

    def _file_widget(self, f: dict) -> QWidget:
        box = QFrame()
        box.setFrameShape(QFrame.StyledPanel)
        v = QVBoxLayout(box)
        title = QHBoxLayout()
        caption = attachments.photo_caption(f)
        name = QLabel(f"<b>{html.escape(f['original_name'])}</b>" + (f"<br>{html.escape(caption)}" if caption else ""))
        name.setWordWrap(True)
        title.addWidget(name, 1)
        open_button = QPushButton("打开")
        open_button.setFocusPolicy(Qt.NoFocus)
        open_button.clicked.connect(lambda _=False, f=f: self.open_file(f))
        title.addWidget(open_button)
        v.addLayout(title)
        pictures: list[QPixmap] = []
        if not f["path"].exists():
            v.addWidget(QLabel("⚠ 文件在数据文件夹中缺失，请运行材料体检。"))
        elif f["is_image"]:
            reader = QImageReader(str(f["path"]))
            reader.setAutoTransform(True)
            size = reader.size()
            if size.isValid() and size.width() > PREVIEW_WIDTH:
                reader.setScaledSize(size.scaled(PREVIEW_WIDTH, 10_000, Qt.KeepAspectRatio))
            image = reader.read()
            if not image.isNull():
                pictures.append(QPixmap.fromImage(image))
        elif f["is_pdf"]:
            pictures = render_pdf_pages(f["path"], PREVIEW_WIDTH)
            if not pictures:
                v.addWidget(QLabel("本机无法直接预览 PDF，请点“打开”用系统程序查看。"))
        else:
            v.addWidget(QLabel("此类文件不能预览，请点“打开”用系统程序查看。"))
        for pixmap in pictures:
            label = QLabel()
            label.setPixmap(pixmap)
            v.addWidget(label)
        return box

    def open_file(self, f: dict) -> None:
        from gui.widgets.attachments_panel import open_with_system

        open_with_system(self, self.ctx.db, f)
