"""The program's charts, drawn with QPainter (PySide6-Essentials has no QtCharts): horizontal bars
per group (档案材料 coverage on 首页 and the materials page, 失分 by unit in 丢分分析) and a line of
得分率 over the rounds."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

GRID_COLOUR = QColor("#dddddd")
LINE_COLOUR = QColor("#2f6db5")


@dataclass(frozen=True)
class Series:
    key: str  # the value's key in each row
    colour: str


class BarChart(QWidget):
    """One group of horizontal bars per row ({"name": …, <series keys>: value}), in the order given.
    percent=True: values are shares (0–1) on a 0–100 % axis; otherwise bars are scaled to the
    largest value. Clicking a group emits row_clicked with its index."""

    row_clicked = Signal(int)

    def __init__(self, series: tuple[Series, ...], *, percent: bool = False, title: str = "",
                 empty_text: str = "没有数据", parent=None):
        super().__init__(parent)
        self.series = series
        self.percent = percent
        self.title = title
        self.empty_text = empty_text
        self.data: list[dict] = []
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumHeight(self._top() + 3 * self._row_height())

    # Geometry follows the font, so the chart reads the same at every 界面字号.
    def _line(self) -> int:
        return self.fontMetrics().height()

    def _top(self) -> int:
        """The title line and, for shares, the axis labels above the first group."""
        return int(self._line() * (2.6 if self.percent else 1.6))

    def _row_height(self) -> int:
        return int(self._line() * (0.85 * len(self.series) + 0.6)) + 4

    def set_data(self, data: list[dict], title: str | None = None) -> None:
        self.data = list(data)
        if title is not None:
            self.title = title
        self.setMinimumHeight(self._top() + max(len(self.data), 3) * self._row_height() + 8)
        self.update()

    def row_at(self, y: float) -> int | None:
        """The group whose bars are at height y."""
        top = self._top()
        row = int((y - top) // self._row_height())
        return row if y >= top and row < len(self.data) else None

    def mousePressEvent(self, event):
        row = self.row_at(event.position().y())
        if row is not None:
            self.row_clicked.emit(row)

    def _text(self, value: float) -> str:
        return f"{value * 100:.0f}%" if self.percent else f"{value:g}"

    def paintEvent(self, _event):
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        p.fillRect(self.rect(), Qt.white)
        fm = p.fontMetrics()
        line = fm.height()
        p.setPen(QColor("#333"))
        p.drawText(QRectF(8, 2, self.width() - 16, line + 4), Qt.AlignLeft | Qt.AlignVCenter, self.title)
        if not self.data:
            p.setPen(QColor("#888"))
            p.drawText(self.rect(), Qt.AlignCenter, self.empty_text)
            p.end()
            return
        label_w = min(self.width() // 3, max(fm.horizontalAdvance(d["name"]) for d in self.data) + 16)
        value_w = fm.horizontalAdvance("100%" if self.percent else "0000.0") + 10
        left = label_w
        span = max(self.width() - left - value_w - 8, 40)
        top, row_h = self._top(), self._row_height()
        biggest = 1.0 if self.percent else (max((d[s.key] or 0) for d in self.data for s in self.series) or 1.0)
        if self.percent:
            for frac in (0.0, 0.5, 1.0):
                x = left + span * frac
                p.setPen(QPen(GRID_COLOUR, 1, Qt.DashLine))
                p.drawLine(QPointF(x, top - 2), QPointF(x, top + row_h * len(self.data)))
                p.setPen(QColor("#888"))
                label = f"{frac * 100:.0f}%"
                p.drawText(QRectF(x - 30, top - line - 4, 60, line), Qt.AlignCenter, label)
        bar_h = (row_h - 6) / len(self.series)
        for i, d in enumerate(self.data):
            y = top + i * row_h
            p.setPen(QColor("#222"))
            p.drawText(QRectF(4, y, label_w - 12, row_h), Qt.AlignRight | Qt.AlignVCenter,
                       fm.elidedText(d["name"], Qt.ElideMiddle, label_w - 12))
            for j, s in enumerate(self.series):
                value = d[s.key] or 0
                length = span * value / biggest
                bar = QRectF(left, y + 3 + j * bar_h, length, bar_h - 2)
                p.fillRect(bar, QColor(s.colour))
                p.setPen(QColor("#333"))
                p.drawText(QRectF(left + length + 4, bar.top() - 2, value_w, bar.height() + 4),
                           Qt.AlignLeft | Qt.AlignVCenter, self._text(value))
        p.end()


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
            p.end()
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
        p.end()


# The 档案材料 chart of 首页 and the materials page: approval and points coverage per 测评项目.
COVERAGE_SERIES = (Series("approved_share", "#1f77b4"), Series("points_share", "#2e9d4a"))
COVERAGE_TITLE = "材料通过率（蓝）与分值覆盖率（绿）"


def coverage_chart() -> BarChart:
    return BarChart(COVERAGE_SERIES, percent=True, title=COVERAGE_TITLE)
