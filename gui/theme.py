"""The interface font size (设置 → 界面字号): one scale applied, live, to the application font, to the
point sizes written in style sheets, to table row heights and to column widths."""

from __future__ import annotations

import re

from PySide6.QtCore import QSettings
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QTableView, QTreeView

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
    font = app.font()
    font.setPointSizeF(BASE_POINT_SIZE * font_scale())
    app.setFont(font)
    for widget in app.allWidgets():
        css = widget.property(_UNSCALED_STYLE)
        if css is not None:
            widget.setStyleSheet(scaled_css(css))
        if isinstance(widget, QTableView) and widget.property(_ROWS_FOLLOW_FONT):
            widget.verticalHeader().setDefaultSectionSize(row_height())


def scaled_css(css: str) -> str:
    scale = font_scale()
    return _FONT_SIZE.sub(lambda m: f"{m.group(1)}{float(m.group(2)) * scale:g}pt", css)


def set_scaled_style(widget, css: str) -> None:
    """A style sheet whose font-size points follow the interface font scale."""
    widget.setProperty(_UNSCALED_STYLE, css)
    widget.setStyleSheet(scaled_css(css))


def scaled(pixels: int) -> int:
    """A size laid out for the base font size (a column width), at the current font size."""
    return round(pixels * font_scale())


def row_height() -> int:
    return QFontMetrics(QApplication.font()).height() + 10


def rows_follow_font(view: QTableView) -> None:
    view.setProperty(_ROWS_FOLLOW_FONT, True)
    view.verticalHeader().setDefaultSectionSize(row_height())
