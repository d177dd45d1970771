"""A row of buttons or filters that wraps onto further lines when the window is narrow (a 1366×768
laptop at a large 界面字号) instead of widening the window or clipping its buttons.

Used where a QHBoxLayout was: addWidget(widget, stretch) — a stretched widget takes what its line
leaves —, addLayout (kept together on one line), addStretch and addSpacing (nothing to do in a row
that is left-aligned anyway)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QSizePolicy, QWidget, QWidgetItem


class FlowLayout(QLayout):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._items: list = []
        self._stretch: dict[int, int] = {}  # id(item) → stretch
        # Asked again on every layout pass of the page (dozens per filter change at 10x): the answers
        # hold until an item changes, which invalidates the layout.
        self._heights: dict[int, int] = {}
        self._placed: QRect | None = None

    # --- the QHBoxLayout calls the bars use --------------------------------------------------------
    def addWidget(self, widget, stretch: int = 0, alignment=None) -> None:  # noqa: N802 - Qt's name
        self.addChildWidget(widget)
        item = QWidgetItem(widget)
        self._items.append(item)
        if stretch:
            self._stretch[id(item)] = stretch
        self.invalidate()

    def addLayout(self, layout, stretch: int = 0) -> None:  # noqa: N802
        """A group that stays on one line (a label and its field)."""
        holder = QWidget()
        holder.setLayout(layout)
        layout.setContentsMargins(0, 0, 0, 0)
        self.addWidget(holder, stretch)

    def addStretch(self, stretch: int = 0) -> None:  # noqa: N802
        pass

    def addSpacing(self, size: int) -> None:  # noqa: N802
        pass

    def addItem(self, item) -> None:  # noqa: N802
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):  # noqa: N802
        if 0 <= index < len(self._items):
            item = self._items.pop(index)
            self._stretch.pop(id(item), None)
            return item
        return None

    # --- geometry ------------------------------------------------------------------------------
    def expandingDirections(self):  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        height = self._heights.get(width)
        if height is None:
            height = self._heights[width] = self._place(QRect(0, 0, width, 0), apply=False)
        return height

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        if rect != self._placed:
            self._place(rect, apply=True)
            self._placed = QRect(rect)

    def invalidate(self) -> None:
        self._heights.clear()
        self._placed = None
        super().invalidate()

    def sizeHint(self) -> QSize:  # noqa: N802
        """One line, as a QHBoxLayout would ask."""
        shown = self._shown()
        width = sum(i.sizeHint().width() for i in shown) + self._gap() * max(len(shown) - 1, 0)
        height = max((i.sizeHint().height() for i in shown), default=0)
        m = self.contentsMargins()
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def minimumSize(self) -> QSize:  # noqa: N802
        """The widest single item: everything else may wrap."""
        size = QSize()
        for item in self._shown():
            size = size.expandedTo(item.sizeHint())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _gap(self) -> int:
        spacing = self.spacing()
        return spacing if spacing >= 0 else 6

    def _shown(self) -> list:
        return [i for i in self._items if not (i.widget() and i.widget().isHidden())]

    def _lines(self, width: int) -> list[list]:
        lines: list[list] = [[]]
        used = 0
        for item in self._shown():
            w = item.sizeHint().width()
            if lines[-1] and used + self._gap() + w > width:
                lines.append([])
                used = 0
            used += (self._gap() if lines[-1] else 0) + w
            lines[-1].append(item)
        return [line for line in lines if line]

    def _place(self, rect: QRect, apply: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        y = area.y()
        gap = self._gap()
        for line in self._lines(area.width()):
            height = max(i.sizeHint().height() for i in line)
            if apply:
                natural = sum(i.sizeHint().width() for i in line) + gap * (len(line) - 1)
                spare = max(area.width() - natural, 0)
                stretches = sum(self._stretch.get(id(i), 0) for i in line)
                x = area.x()
                for item in line:
                    extra = spare * self._stretch.get(id(item), 0) // stretches if stretches else 0
                    w = item.sizeHint().width() + extra
                    h = height if item.widget() and item.widget().sizePolicy().verticalPolicy() != QSizePolicy.Fixed \
                        else item.sizeHint().height()
                    item.setGeometry(QRect(QPoint(x, y + (height - h) // 2), QSize(w, h)))
                    x += w + gap
            y += height + gap
        return y - gap - area.y() + m.top() + m.bottom() if y > area.y() else m.top() + m.bottom()


REFLOW = "stack_when_narrow"
STACKED_HEIGHT = 240


def side_by_side_or_stacked(splitter) -> None:
    """Mark a horizontal splitter to stack its parts (list above, details below) when the window
    is too narrow for them side by side; the page decides (Page.fit_width)."""
    splitter.setProperty(REFLOW, True)


def stack_when_narrow(page, width: int) -> None:
    from PySide6.QtWidgets import QSplitter

    from gui.theme import scaled

    for splitter in page.findChildren(QSplitter):
        if not splitter.property(REFLOW) or not splitter.isVisible():
            continue
        parts = [splitter.widget(i) for i in range(splitter.count()) if not splitter.widget(i).isHidden()]
        need = sum(p.minimumSizeHint().width() for p in parts) + splitter.handleWidth() * (len(parts) - 1)
        around = page.width() - splitter.width()  # margins and frames outside the splitter
        wanted = Qt.Horizontal if need + around <= width else Qt.Vertical
        if splitter.orientation() != wanted:
            splitter.setOrientation(wanted)
            for part in parts:  # stacked, a list keeps a few rows in sight; the page scrolls
                part.setMinimumHeight(0)
                if wanted == Qt.Vertical:
                    part.setMinimumHeight(max(part.minimumSizeHint().height(), scaled(STACKED_HEIGHT)))

