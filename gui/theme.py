"""The interface font size (设置 → 界面字号): one scale applied, live, to the application font, to the
point sizes written in style sheets, to table row heights and column widths, and to what Qt sizes
in pixels (check boxes, radio buttons, tree arrows and their indentation)."""

from __future__ import annotations

import re

from PySide6.QtCore import QPointF, QSettings, Qt
from PySide6.QtGui import QFontMetrics, QPalette, QPolygonF
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleFactory, QTableView, QTreeView

BASE_POINT_SIZE = 10.0
SCALE_RANGE = (0.8, 2.0)
SCALE_KEY = "ui/font_scale"
_UNSCALED_STYLE = "unscaled_style"  # a widget's style sheet as written, re-scaled when the scale changes
_ROWS_FOLLOW_FONT = "rows_follow_font"
_FONT_SIZE = re.compile(r"(font-size:\s*)(\d+(?:\.\d+)?)pt")


def font_scale() -> float:
    try:
        scale = float(QSettings().value(SCALE_KEY, 1.0))
    except (TypeError, ValueError):
        scale = 1.0
    return min(max(scale, SCALE_RANGE[0]), SCALE_RANGE[1])


def set_font_scale(scale: float) -> None:
    """Change the scale while the program runs: columns widen or narrow with their text, keeping
    the proportions the user gave them."""
    ratio = scale / font_scale()
    QSettings().setValue(SCALE_KEY, scale)
    apply_font_scale()
    for widget in QApplication.allWidgets():
        if isinstance(widget, (QTableView, QTreeView)):
            resize_columns(widget.header() if isinstance(widget, QTreeView) else widget.horizontalHeader(), ratio)


def resize_columns(header, ratio: float) -> None:
    stretched = header.logicalIndex(header.count() - 1) if header.stretchLastSection() else -1
    for section in range(header.count()):
        if section != stretched:  # it fills what the others leave
            header.resizeSection(section, round(header.sectionSize(section) * ratio))


def apply_font_scale() -> None:
    """Size the application font from the base size (never from the current one, so changes do not
    compound) and bring every scaled style sheet and row height along."""
    app = QApplication.instance()
    scale = font_scale()
    _use_scaling_style(app, scale)
    font = app.font()
    font.setPointSizeF(BASE_POINT_SIZE * scale)
    app.setFont(font)
    for widget in app.allWidgets():
        css = widget.property(_UNSCALED_STYLE)
        if css is not None:
            widget.setStyleSheet(scaled_css(css))
        if isinstance(widget, QTableView) and widget.property(_ROWS_FOLLOW_FONT):
            _size_rows(widget)


class ScalingStyle(QProxyStyle):
    """The platform's style with its pixel-sized indicators following the font scale."""

    SCALED_METRICS = {QStyle.PM_IndicatorWidth, QStyle.PM_IndicatorHeight, QStyle.PM_ExclusiveIndicatorWidth,
                      QStyle.PM_ExclusiveIndicatorHeight, QStyle.PM_TreeViewIndentation}
    scale = 1.0  # kept here: pixelMetric is asked far too often to read the settings each time

    def pixelMetric(self, metric, option=None, widget=None):  # noqa: N802 - Qt's name
        value = super().pixelMetric(metric, option, widget)
        return round(value * self.scale) if metric in self.SCALED_METRICS else value

    def drawPrimitive(self, element, option, painter, widget=None):  # noqa: N802
        """Tree arrows: most styles draw them at a fixed few pixels, lost beside a 2× font."""
        if element != QStyle.PE_IndicatorBranch or self.scale <= 1.0 or not option.state & QStyle.State_Children:
            super().drawPrimitive(element, option, painter, widget)
            return
        rect = option.rect
        half = min(rect.width(), rect.height(), option.fontMetrics.height()) * 0.22
        c = QPointF(rect.center())
        if option.state & QStyle.State_Open:  # pointing down
            points = [QPointF(c.x() - half, c.y() - half / 2), QPointF(c.x() + half, c.y() - half / 2),
                      QPointF(c.x(), c.y() + half)]
        else:
            points = [QPointF(c.x() - half / 2, c.y() - half), QPointF(c.x() - half / 2, c.y() + half),
                      QPointF(c.x() + half, c.y())]
        painter.save()
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        painter.setPen(Qt.NoPen)
        painter.setBrush(option.palette.color(QPalette.Text))
        painter.drawPolygon(QPolygonF(points))
        painter.restore()


def _use_scaling_style(app: QApplication, scale: float) -> None:
    """At 1× the platform's own style draws: a Python proxy is asked for every pixel metric and
    primitive of every repaint (a third of a list filter's time at 10x), so it is only put in
    between when the font is scaled."""
    style = app.style()
    scaling = isinstance(style, ScalingStyle)
    if scale == 1.0:
        if scaling:
            app.setStyle(QStyleFactory.create(style.baseStyle().name()))
            _relayout(app)
        return
    if not scaling:
        style = ScalingStyle(style.name())
        app.setStyle(style)
    if style.scale != scale:
        style.scale = scale
        _relayout(app)


def _relayout(app: QApplication) -> None:
    for widget in app.allWidgets():  # sizes were asked of the style when the widgets were laid out
        widget.updateGeometry()


def scaled_css(css: str) -> str:
    scale = font_scale()
    return _FONT_SIZE.sub(lambda m: f"{m.group(1)}{float(m.group(2)) * scale:g}pt", css)


def set_scaled_style(widget, css: str) -> None:
    """A style sheet whose font-size points follow the interface font scale."""
    widget.setProperty(_UNSCALED_STYLE, css)
    widget.setStyleSheet(scaled_css(css))


def resize_within_screen(window, width: int, height: int) -> None:
    """Size a window as asked, but never beyond the screen it opens on (a 1366×768 laptop)."""
    screen = window.screen() or QApplication.primaryScreen()
    room = screen.availableGeometry() if screen is not None else None
    if room is not None and room.width() > 0 and room.height() > 0:
        width, height = min(width, room.width()), min(height, room.height())
    window.resize(width, height)


def scaled(pixels: int) -> int:
    """A size laid out for the base font size (a column width), at the current font size."""
    return round(pixels * font_scale())


def row_height() -> int:
    return QFontMetrics(QApplication.font()).height() + 10


ROWS_ALWAYS_SHOWN = 4  # a list squeezed by a small window still shows this many rows (the page scrolls)


def rows_follow_font(view: QTableView) -> None:
    view.setProperty(_ROWS_FOLLOW_FONT, True)
    _size_rows(view)


def _size_rows(view: QTableView) -> None:
    view.verticalHeader().setDefaultSectionSize(row_height())
    view.setMinimumHeight(row_height() * (ROWS_ALWAYS_SHOWN + 1) + 2 * view.frameWidth())
