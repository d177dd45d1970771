"""Global search (Ctrl+K): type, see hits grouped by kind while typing, arrow keys to choose, Enter
opens the record in its page."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QEvent, QModelIndex, Qt, QTimer
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (QApplication, QDialog, QLabel, QLineEdit, QListView, QStyle, QStyledItemDelegate,
                               QVBoxLayout)

from core import search

TYPING_PAUSE_MS = 120  # search after a short pause, not on every keystroke of a fast typist


class SearchResultsModel(QAbstractListModel):
    """Hits with a heading row per kind (“标准（3）”); headings cannot be chosen."""

    HIT_ROLE = Qt.UserRole + 1

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[tuple[str, object]] = []  # ("heading", text) or ("hit", Hit)

    def set_hits(self, hits: list[search.Hit]) -> None:
        self.beginResetModel()
        self._rows = []
        for kind in search.KINDS:
            of_kind = [h for h in hits if h.kind == kind]
            if of_kind:
                self._rows.append(("heading", f"{kind}（{len(of_kind)}）"))
                self._rows += [("hit", h) for h in of_kind]
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        what, value = self._rows[index.row()]
        if role == Qt.DisplayRole:
            if what == "heading":
                return value
            return f"{value.title}　　{value.detail}" if value.detail else value.title
        if role == Qt.ToolTipRole and what == "hit":
            return f"{value.title}\n{value.detail}"
        if role == Qt.FontRole and what == "heading":
            font = QFont()
            font.setBold(True)
            return font
        if role == self.HIT_ROLE and what == "hit":
            return value
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.NoItemFlags
        if self._rows[index.row()][0] == "heading":
            return Qt.ItemIsEnabled
        return Qt.ItemIsEnabled | Qt.ItemIsSelectable

    def hit_rows(self) -> list[int]:
        return [i for i, (what, _) in enumerate(self._rows) if what == "hit"]


class HitDelegate(QStyledItemDelegate):
    """A hit as its title, then where it is in grey; headings as they are."""

    def paint(self, painter, option, index):
        hit = index.data(SearchResultsModel.HIT_ROLE)
        if hit is None:
            super().paint(painter, option, index)
            return
        self.initStyleOption(option, index)
        option.text = ""
        style = option.widget.style() if option.widget else QApplication.style()
        style.drawControl(QStyle.CE_ItemViewItem, option, painter, option.widget)
        selected = bool(option.state & QStyle.State_Selected)
        rect = option.rect.adjusted(18, 0, -6, 0)
        metrics = option.fontMetrics
        title = metrics.elidedText(hit.title, Qt.ElideRight, int(rect.width() * 0.6))
        painter.save()
        painter.setPen(option.palette.highlightedText().color() if selected else option.palette.text().color())
        painter.drawText(rect, Qt.AlignVCenter | Qt.AlignLeft, title)
        painter.setPen(option.palette.highlightedText().color() if selected else QColor("#777777"))
        rest = rect.adjusted(metrics.horizontalAdvance(title) + 24, 0, 0, 0)
        painter.drawText(rest, Qt.AlignVCenter | Qt.AlignLeft,
                         metrics.elidedText(hit.detail, Qt.ElideRight, max(rest.width(), 0)))
        painter.restore()

    def sizeHint(self, option, index):
        size = super().sizeHint(option, index)
        size.setHeight(max(size.height(), option.fontMetrics.height() + 8))
        return size


class SearchDialog(QDialog):
    def __init__(self, parent, db_provider, text: str = ""):
        super().__init__(parent)
        self.setWindowTitle("全局搜索")
        self.resize(760, 520)
        self._db = db_provider
        self.chosen: search.Hit | None = None
        layout = QVBoxLayout(self)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("查找标准、单位、材料、附件、督查问题、通知文号、测评结果……（一个字也可以）")
        self.edit.setClearButtonEnabled(True)
        layout.addWidget(self.edit)
        self.model = SearchResultsModel(self)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setUniformItemSizes(True)
        self.list.setItemDelegate(HitDelegate(self.list))
        self.list.activated.connect(self._open_index)
        self.list.clicked.connect(self._open_index)
        layout.addWidget(self.list, 1)
        self.status = QLabel("输入文字即开始查找；↑↓ 选择，回车打开，Esc 关闭。")
        layout.addWidget(self.status)
        self._timer = QTimer(self, singleShot=True, interval=TYPING_PAUSE_MS)
        self._timer.timeout.connect(self.run_search)
        self.edit.textChanged.connect(lambda _: self._timer.start())
        self.edit.installEventFilter(self)
        self.edit.setText(text)
        if text:
            self.run_search()

    def hideEvent(self, event):
        self._timer.stop()  # a pending search must not run after the dialog (or the window) is gone
        super().hideEvent(event)

    def run_search(self) -> None:
        self._timer.stop()
        text = self.edit.text().strip()
        hits = search.search(self._db(), text) if text else []
        self.model.set_hits(hits)
        rows = self.model.hit_rows()
        if rows:
            self.list.setCurrentIndex(self.model.index(rows[0]))
        if not text:
            self.status.setText("输入文字即开始查找；↑↓ 选择，回车打开，Esc 关闭。")
        elif hits:
            self.status.setText(f"找到 {len(hits)} 条（每类最多显示一部分，请输入更多文字缩小范围）。"
                                if len(hits) >= 50 else f"找到 {len(hits)} 条。↑↓ 选择，回车打开。")
        else:
            self.status.setText(f"没有找到“{text}”。可以换一个词，或只输入其中一两个字。")

    def _move(self, step: int) -> None:
        rows = self.model.hit_rows()
        if not rows:
            return
        current = self.list.currentIndex().row()
        if current not in rows:
            target = rows[0] if step > 0 else rows[-1]
        else:
            position = rows.index(current) + step
            target = rows[max(0, min(len(rows) - 1, position))]
        self.list.setCurrentIndex(self.model.index(target))

    def eventFilter(self, watched, event):
        if watched is self.edit and event.type() == QEvent.KeyPress:
            key = event.key()
            steps = {Qt.Key_Down: 1, Qt.Key_Up: -1, Qt.Key_PageDown: 10, Qt.Key_PageUp: -10}
            if key in steps:
                self._move(steps[key])
                return True
            if key in (Qt.Key_Return, Qt.Key_Enter):
                if self._timer.isActive():  # Enter right after typing: search first, then open
                    self.run_search()
                self._open_index(self.list.currentIndex())
                return True
        return super().eventFilter(watched, event)

    def _open_index(self, index) -> None:
        hit = self.model.data(index, SearchResultsModel.HIT_ROLE) if index.isValid() else None
        if hit is not None:
            self.chosen = hit
            self.accept()
