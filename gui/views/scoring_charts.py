"""Two small charts drawn with QPainter (PySide6-Essentials has no QtCharts): horizontal bars of 失分
by unit, and a line of 得分率 over the rounds."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

BAR_COLOUR = QColor("#c0504d")
LINE_COLOUR = QColor("#2f6db5")
GRID_COLOUR = QColor("#dddddd")


class BarChart(QWidget):
    """Horizontal bars, one per (label, value), longest first as given."""

    def __init__(self, title: str = "", parent=None):
        super().__init__(parent)
        self.title = title
        self.items: list[tuple[str, float]] = []
        self.setMinimumHeight(180)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    def set_data(self, title: str, items: list[tuple[str, float]]) -> None:
        self.title, self.items = title, list(items)
        self.update()

    def paintEvent(self, _event):
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        p.fillRect(self.rect(), Qt.white)
        font = QFont(self.font())
        p.setFont(font)
        metrics = p.fontMetrics()
        p.drawText(QRectF(8, 4, self.width() - 16, metrics.height() + 4), Qt.AlignLeft | Qt.AlignVCenter, self.title)
        if not self.items:
            p.setPen(QColor("#888888"))
            p.drawText(self.rect(), Qt.AlignCenter, "没有失分")
            return
        top = metrics.height() + 12
        label_width = min(max(metrics.horizontalAdvance(label) for label, _ in self.items) + 12, self.width() // 3)
        value_width = metrics.horizontalAdvance("000.00") + 8
        row = max(14.0, min(26.0, (self.height() - top - 6) / len(self.items)))
        biggest = max(v for _, v in self.items) or 1
        span = max(10, self.width() - label_width - value_width - 16)
        for i, (label, value) in enumerate(self.items):
            y = top + i * row
            if y + row > self.height():
                break
            p.setPen(Qt.black)
            shown = metrics.elidedText(label, Qt.ElideMiddle, label_width - 8)
            p.drawText(QRectF(4, y, label_width - 8, row), Qt.AlignRight | Qt.AlignVCenter, shown)
            length = span * value / biggest
            p.fillRect(QRectF(label_width, y + row * 0.18, length, row * 0.64), BAR_COLOUR)
            p.drawText(QRectF(label_width + length + 4, y, value_width, row), Qt.AlignLeft | Qt.AlignVCenter,
                       f"{value:g}")


class TrendChart(QWidget):
    """得分率 (0–100 %) at each round, oldest on the left; a round without a rate leaves a gap."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = ""
        self.points: list[tuple[str, float | None]] = []
        self.setMinimumHeight(200)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    def set_data(self, title: str, points: list[tuple[str, float | None]]) -> None:
        self.title, self.points = title, list(points)
        self.update()

    def paintEvent(self, _event):
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        p.fillRect(self.rect(), Qt.white)
        metrics = p.fontMetrics()
        p.drawText(QRectF(8, 4, self.width() - 16, metrics.height() + 4), Qt.AlignLeft | Qt.AlignVCenter, self.title)
        rates = [r for _, r in self.points if r is not None]
        if not rates:
            p.setPen(QColor("#888888"))
            p.drawText(self.rect(), Qt.AlignCenter, "没有可比较的得分率")
            return
        left, right = metrics.horizontalAdvance("100%") + 14, 24
        top, bottom = metrics.height() + 16, metrics.height() * 2 + 12
        width, height = self.width() - left - right, self.height() - top - bottom
        low = min(0.5, (int(min(rates) * 10) / 10))  # start the axis at 50 % or lower, in steps of 10 %
        for step in range(0, 6):
            value = low + (1 - low) * step / 5
            y = top + height * (1 - (value - low) / (1 - low))
            p.setPen(QPen(GRID_COLOUR))
            p.drawLine(QPointF(left, y), QPointF(left + width, y))
            p.setPen(Qt.black)
            p.drawText(QRectF(0, y - 10, left - 6, 20), Qt.AlignRight | Qt.AlignVCenter, f"{value * 100:.0f}%")
        n = len(self.points)
        xs = [left + (width * (i + 0.5) / n) for i in range(n)]
        previous = None
        for i, (label, rate) in enumerate(self.points):
            p.setPen(Qt.black)
            p.drawText(QRectF(xs[i] - width / n / 2, top + height + 4, width / n, bottom - 4),
                       Qt.AlignHCenter | Qt.AlignTop | Qt.TextWordWrap, label)
            if rate is None:
                previous = None
                continue
            point = QPointF(xs[i], top + height * (1 - (rate - low) / (1 - low)))
            p.setPen(QPen(LINE_COLOUR, 2))
            if previous is not None:
                p.drawLine(previous, point)
            p.setBrush(LINE_COLOUR)
            p.drawEllipse(point, 4, 4)
            p.drawText(QRectF(point.x() - 40, point.y() - 24, 80, 18), Qt.AlignCenter, f"{rate * 100:.1f}%")
            previous = point
