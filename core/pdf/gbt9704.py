"""Documents typeset per GB/T 9704-2012 (党政机关公文格式), written with reportlab.

Every document of the program is described as a GbtDocument: 公文 (督办通知单, 通报) with 版头,
发文字号 and 版记, and non-公文 (责任书, reports, the landscape 分解表) on the same page without them.
render() writes any number of documents into one PDF, page numbers restarting for each.

Text is set by our own CJK typesetter (TextBlock) instead of reportlab's Paragraph, whose
wordWrap='CJK' lets '，' '”' '》' start a line, lets '（' end one, hangs '。' into the margin and
has no character spacing, so it cannot give the 28 characters per line the standard asks for.

Kept whole because the page grid (22 lines of 28 characters), the typesetter that fills it and the
tables, 版头 and 版记 placed on it share one set of measures: split apart, each piece would need the
others' internals, and a change to the grid must be seen with everything that depends on it.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import uuid
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, NamedTuple, Sequence

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Spacer, Table, TableStyle
from reportlab.platypus.doctemplate import ActionFlowable
from reportlab.platypus.flowables import PageBreak

from core.errors import AppError, Cancelled, storage_error
from core.file_access import check_not_in_use
from core.pdf.fonts import fallback_font_name, register_fonts

CREATOR = "创城工作台"

# --- The page (GB/T 9704-2012 section 5) ---------------------------------------------------------
AREA_WIDTH, AREA_HEIGHT = 156 * mm, 225 * mm  # 版心
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
BODY_SIZE = 16.0  # 3号
TITLE_SIZE = 22.0  # 2号
SMALL_SIZE = 14.0  # 4号: page numbers and 版记
TABLE_SIZE = 12.0  # 小四
LINE = AREA_HEIGHT / LINES_PER_PAGE  # line pitch, ≈ 28.9 pt
# Glyph spacing that makes 28 body characters fill the line exactly (slightly negative).
BODY_TRACKING = (AREA_WIDTH - CHARS_PER_LINE * BODY_SIZE) / (CHARS_PER_LINE - 1)
PITCH = BODY_SIZE + BODY_TRACKING  # advance of one body character, ≈ 15.8 pt

RED = colors.Color(1, 0, 0)
MARK_MAX_SIZE, MARK_MIN_SIZE = 42.0, 30.0  # 发文机关标志: at most ≈15 mm a character
RED_RULE_WIDTH = 0.5 * mm
BANJI_THICK_RULE, BANJI_THIN_RULE = 0.35 * mm, 0.25 * mm

# A CJK font's ideographic em box runs from 0.12 em below the baseline to 0.88 em above it.
EM_TOP, EM_CENTRE = 0.88, 0.38
EPS = 0.01
# How many lines fit is judged with reportlab's own frame tolerance: a looser one lets split() keep a
# block whole that the frame then refuses (LayoutError) when the room is a hair short of n lines.
FIT_EPS = 1e-6


@dataclass(frozen=True)
class PageGeometry:
    name: str
    page_width: float
    page_height: float
    left: float  # of the type area, from the page's left edge
    bottom: float  # of the type area, from the page's bottom edge
    area_width: float
    area_height: float


PORTRAIT = PageGeometry("portrait", A4[0], A4[1], 28 * mm, A4[1] - 37 * mm - AREA_HEIGHT,
                        AREA_WIDTH, AREA_HEIGHT)
# The portrait page turned clockwise: the binding margin comes to the top, so a table set across
# the page has its head on the binding side, as GB/T 9704 asks for landscape tables.
LANDSCAPE = PageGeometry("landscape", A4[1], A4[0], 35 * mm, 26 * mm, AREA_HEIGHT, AREA_WIDTH)


# --- Line breaking ---------------------------------------------------------------------------------
# 避头尾: characters that may not begin a line, and characters that may not end one.
CLOSING = frozenset("。，、；：？！）」』》〉】〕〗〙〛”’…‥·・％‰℃°′″!%),.:;?]}｝］｠〞")
OPENING = frozenset("（「『《〈【〔〖〘〚“‘([{｛［｟〝")


_LATIN_WORD = re.compile(r"[\x21-\x7e\u00a0-\u1fff]{2}")


def _is_western(ch: str) -> bool:
    """Letters, digits and Latin punctuation, which run together into one unbreakable word."""
    return ch < "\u2000" and not ch.isspace() and ch not in OPENING


def _break_units(text: str) -> list[str]:
    """Cut text into the smallest pieces a line may break between.

    Closing punctuation is glued to what precedes it and opening punctuation to what follows, so
    no break can put one at the wrong end of a line. " " marks a breakable space, "\\n" a forced
    line break.
    """
    units: list[str] = []
    opening = ""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n" or (ch.isspace() and ch != "\u3000"):  # a full-width space is kept as typed
            if opening:
                units.append(opening)
                opening = ""
            units.append("\n" if ch == "\n" else " ")
            i += 1
            continue
        if ch in OPENING:
            opening += ch
            i += 1
            continue
        if ch in CLOSING and not opening and units and units[-1] not in (" ", "\n"):
            units[-1] += ch
            i += 1
            continue
        j = i + 1
        if _is_western(ch):
            while j < n and _is_western(text[j]):
                j += 1
        elif ch == "—":  # a 破折号 "——" is never split
            while j < n and text[j] == ch:
                j += 1
        units.append(opening + text[i:j])
        opening = ""
        i = j
    if opening:
        units.append(opening)
    return units


class _Metrics:
    """Character widths in one font and size; glyphs the font lacks come from the bundled font."""

    _cache: dict[tuple[str, float], "_Metrics"] = {}

    @classmethod
    def get(cls, font: str, size: float) -> "_Metrics":
        metrics = cls._cache.get((font, size))
        if metrics is None:
            metrics = cls._cache[(font, size)] = cls(font, size)
        return metrics

    def __init__(self, font: str, size: float):
        self.font, self.size = font, size
        self.fallback = fallback_font_name()
        self._cmap = pdfmetrics.getFont(font).face.charToGlyph
        self._widths: dict[str, float] = {}
        self._missing: set[str] = set()

    def _font_for(self, ch: str) -> str:
        if ord(ch) in self._cmap or ch in " \n":
            return self.font
        self._missing.add(ch)
        return self.fallback

    def width(self, ch: str) -> float:
        w = self._widths.get(ch)
        if w is None:
            w = self._widths[ch] = pdfmetrics.stringWidth(ch, self._font_for(ch), self.size)
        return w

    def text_width(self, text: str) -> float:
        width = self.width
        return sum(width(ch) for ch in text)

    def runs(self, text: str) -> list[tuple[str, str]]:
        """(font, text) pieces to draw text with, switching to the fallback font where needed."""
        missing = self._missing
        if not missing or missing.isdisjoint(text):
            return [(self.font, text)]
        runs: list[tuple[str, str]] = []
        for ch in text:
            font = self.fallback if ch in missing else self.font
            if runs and runs[-1][0] == font:
                runs[-1] = (font, runs[-1][1] + ch)
            else:
                runs.append((font, ch))
        return runs


def draw_string(canv, text: str, x: float, y: float, font: str, size: float, *,
                tracking: float = 0.0, anchor: str = "left", scale: float = 1.0) -> float:
    """Draw one line at baseline y; x is its left end, centre or right end by `anchor`.

    Returns the drawn width. Uses the fallback font for missing glyphs, like TextBlock.
    """
    metrics = _Metrics.get(font, size)
    width = (metrics.text_width(text) + tracking * max(len(text) - 1, 0)) * scale
    if anchor == "centre":
        x -= width / 2
    elif anchor == "right":
        x -= width
    tx = canv.beginText(x, y)
    tx.setCharSpace(tracking)
    if scale != 1.0:
        tx.setHorizScale(scale * 100)
    for run_font, run in metrics.runs(text):
        tx.setFont(run_font, size)
        tx.textOut(run)
    canv.drawText(tx)
    return width


# --- Text blocks -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class TextStyle:
    font: str
    size: float
    leading: float
    tracking: float = 0.0  # extra space after every glyph, pt
    first_indent: float = 0.0  # in characters (of size + tracking)
    left_indent: float = 0.0  # in characters, for the lines after the first
    right_indent: float = 0.0  # in characters
    align: str = "justify"  # justify | left | centre | right
    colour: colors.Color | None = None
    keep_with_next: bool = False  # a heading: never the last thing on a page
    balance: bool = False  # make the lines of a centred title about equally long
    # A justified line holding a Latin word or a number ("0931-8888123", "LED") may be spread out;
    # in narrow table cells that pulls the word's letters apart, so there the line stays ragged.
    spread_latin: bool = True


class _Line(NamedTuple):
    text: str
    indent: float  # pt from the block's left edge
    avail: float  # width available to this line, pt
    glyph_width: float  # sum of the glyph widths, without tracking
    justify: bool


def _layout(text: str, style: TextStyle, width: float) -> list[_Line]:
    """Greedy line breaking over _break_units, with justification and punctuation squeezing."""
    metrics = _Metrics.get(style.font, style.size)
    tracking = style.tracking
    em = style.size + tracking
    right = style.right_indent * em
    justify = style.align == "justify"
    lines: list[_Line] = []
    indent = style.first_indent * em
    parts: list[str] = []
    used = 0.0  # advance of `parts`, tracking included after every glyph
    count = 0  # glyphs in `parts`

    def avail() -> float:
        return width - indent - right

    def emit(soft_break: bool) -> None:
        nonlocal parts, used, count, indent
        line = "".join(parts).rstrip(" ")
        spread = justify and soft_break and (style.spread_latin or not _LATIN_WORD.search(line))
        lines.append(_Line(line, indent, avail(), metrics.text_width(line), spread))
        parts, used, count = [], 0.0, 0
        indent = style.left_indent * em

    def advance(unit: str) -> float:
        return metrics.text_width(unit) + tracking * len(unit)

    for unit in _break_units(text):
        if unit == "\n":
            emit(False)
            continue
        if unit == " " and not parts:
            continue  # no space at the start of a line
        adv = advance(unit)
        overflow = used + adv - tracking - avail()
        if overflow <= EPS:
            parts.append(unit)
            used += adv
            count += len(unit)
            continue
        # A unit ending in punctuation that overshoots by at most half a character is squeezed in
        # (标点挤压) rather than pushing its word onto the next line.
        squeeze_limit = min(0.5 * style.size, 0.1 * style.size * (count + len(unit) - 1))
        if parts and unit[-1] in CLOSING and overflow <= squeeze_limit:
            parts.append(unit)
            emit(True)
            continue
        if parts:
            emit(True)
        if unit == " ":
            continue
        while adv - tracking > avail() + EPS and len(unit) > 1:
            # Longer than a whole line (a URL, a long number, a very narrow cell): cut it where the
            # line is full, but let closing punctuation hang past the end rather than begin a line.
            cut = 1
            while cut < len(unit) and advance(unit[:cut + 1]) - tracking <= avail() + EPS:
                cut += 1
            while cut > 1 and unit[cut - 1] in OPENING:
                cut -= 1
            while cut < len(unit) and unit[cut] in CLOSING:
                cut += 1
            if cut == len(unit):
                break
            parts = [unit[:cut]]
            emit(True)
            unit = unit[cut:]
            adv = advance(unit)
        parts, used, count = [unit], adv, len(unit)
    if parts or not lines:
        emit(False)
    return lines


def _balanced_layout(text: str, style: TextStyle, width: float) -> list[_Line]:
    """A centred title broken into as few lines as needed, all of about the same length."""
    lines = _layout(text, style, width)
    if len(lines) < 2:
        return lines
    low, high = width / len(lines), width
    for _ in range(12):  # bisect the narrowest width that still gives as many lines
        mid = (low + high) / 2
        if len(_layout(text, style, mid)) > len(lines):
            low = mid
        else:
            high = mid
    shift = (width - high) / 2
    return [line._replace(indent=line.indent + shift) for line in _layout(text, style, high)]


class TextBlock(Flowable):
    """A paragraph set on a fixed line pitch, split between pages at line boundaries."""

    _fixed = False  # True for a continuation, whose lines were broken on the previous page

    def __init__(self, text: str, style: TextStyle):
        super().__init__()
        self.text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.style = style
        self._lines: list[_Line] | None = None
        self._layout_width = 0.0

    @classmethod
    def _from_lines(cls, style: TextStyle, lines: list[_Line], width: float) -> "TextBlock":
        block = cls("".join(line.text for line in lines), style)
        block._lines, block._layout_width, block._fixed = lines, width, True
        return block

    def wrap(self, availWidth, availHeight):
        if self._lines is None or (not self._fixed and abs(self._layout_width - availWidth) > EPS):
            layout = _balanced_layout if self.style.balance else _layout
            self._lines = layout(self.text, self.style, availWidth)
            self._layout_width = availWidth
        self.width = self._layout_width
        self.height = len(self._lines) * self.style.leading
        return self.width, self.height

    def line_texts(self) -> list[str]:
        """The text of each line as broken by the last wrap."""
        return [line.text for line in self._lines or ()]

    def line_count(self) -> int:
        return len(self._lines or ())

    def split_at(self, n: int) -> tuple["TextBlock", "TextBlock"]:
        """The first n lines and the rest, as two blocks (after wrap)."""
        lines, width = self._lines, self._layout_width
        return self._from_lines(self.style, lines[:n], width), self._from_lines(self.style, lines[n:], width)

    def lines_to_keep(self, availHeight: float, *, carry: int = 0) -> int:
        """How many lines stay on this page (after wrap): as many as fit, but never one line alone
        at the foot of a page (an orphan) nor one alone at the top of the next (a widow, like a
        lone "算。"); 0 means the block goes over whole. At least `carry` lines go over in any case."""
        count = len(self._lines)
        fit = min(int((availHeight + FIT_EPS) // self.style.leading), count - carry)
        if fit >= count:
            return count
        if count - fit == 1:
            fit -= 1
        return fit if fit >= 2 else 0

    def split(self, availWidth, availHeight):
        self.wrap(availWidth, availHeight)
        fit = self.lines_to_keep(availHeight)
        if fit <= 0:
            return []
        if fit >= len(self._lines):
            return [self]
        return list(self.split_at(fit))

    def draw(self):
        style = self.style
        metrics = _Metrics.get(style.font, style.size)
        tx = self.canv.beginText()
        if style.colour is not None:
            tx.setFillColor(style.colour)
        current_font = None
        y = self.height - style.leading / 2 - EM_CENTRE * style.size
        for line in self._lines:
            if line.text:
                charspace, x = self._placement(line)
                tx.setTextOrigin(x, y)
                tx.setCharSpace(charspace)
                for font, run in metrics.runs(line.text):
                    if font != current_font:
                        tx.setFont(font, style.size)
                        current_font = font
                    tx.textOut(run)
            y -= style.leading
        self.canv.drawText(tx)

    def _placement(self, line: _Line) -> tuple[float, float]:
        """Glyph spacing and left x of one line."""
        style = self.style
        gaps = len(line.text) - 1
        if line.justify and gaps > 0:
            spread = (line.avail - line.glyph_width) / gaps
            # Within limits: a line cut short by a long Latin word stays ragged rather than
            # letter-spaced, and hanging punctuation in a very narrow cell is not crushed in.
            if -0.1 * style.size - EPS <= spread - style.tracking <= 0.5 * style.size:
                return spread, line.indent
        width = line.glyph_width + style.tracking * max(gaps, 0)
        offset = {"centre": (line.avail - width) / 2, "right": line.avail - width}.get(style.align, 0.0)
        return style.tracking, line.indent + offset


class BlankLines(Flowable):
    """Empty body lines; at a page break they vanish instead of opening the next page."""

    def __init__(self, count: int = 1, leading: float = LINE):
        super().__init__()
        self.height = count * leading

    def wrap(self, availWidth, availHeight):
        return availWidth, self.height

    def split(self, availWidth, availHeight):
        return [Spacer(0, 0)]

    def draw(self):
        pass


class _WithTail(Flowable):
    """A paragraph and a flowable that must not be parted from its last line (the closing).

    At a page break the paragraph's last line goes over with the tail, so the closing never stands
    alone at the top of a page (GB/T 9704 asks to avoid that by adjusting the layout).
    """

    def __init__(self, block: TextBlock, tail: Flowable):
        super().__init__()
        self.block, self.tail = block, tail

    def wrap(self, availWidth, availHeight):
        _, block_height = self.block.wrap(availWidth, availHeight)
        _, self._tail_height = self.tail.wrap(availWidth, availHeight)
        self.width, self.height = availWidth, block_height + self._tail_height
        return self.width, self.height

    def split(self, availWidth, availHeight):
        self.wrap(availWidth, availHeight)
        fit = self.block.lines_to_keep(availHeight, carry=1)
        if fit <= 0:
            return []
        head, rest = self.block.split_at(fit)
        return [head, _WithTail(rest, self.tail)]

    def draw(self):
        self.block.drawOn(self.canv, 0, self._tail_height)
        self.tail.drawOn(self.canv, 0, 0)


class _KeepWithNext(Flowable):
    """Headings and the flowable after them. The page may break inside that flowable, but only
    after its first two lines (or first table row), so a heading never ends a page."""

    def __init__(self, headings: list[TextBlock], body: Flowable):
        super().__init__()
        self.headings, self.body = headings, body

    def wrap(self, availWidth, availHeight):
        self._heading_height = sum(h.wrap(availWidth, availHeight)[1] for h in self.headings)
        _, self._body_height = self.body.wrap(availWidth, availHeight)
        self._gap = self.body.getSpaceBefore()
        self.width, self.height = availWidth, self._heading_height + self._gap + self._body_height
        return self.width, self.height

    def split(self, availWidth, availHeight):
        self.wrap(availWidth, availHeight)
        # The frame puts the body's space before it when the parts are placed: it must fit too.
        room = availHeight - self._heading_height - self._gap
        if room <= 0:
            return []
        if isinstance(self.body, TextBlock):
            fit = self.body.lines_to_keep(room)
            if fit <= 0:
                return []
            parts = list(self.body.split_at(fit)) if fit < self.body.line_count() else [self.body]
        else:
            parts = self.body.split(availWidth, room)
        return [*self.headings, *parts] if parts else []

    def draw(self):
        y = self.height
        for heading in self.headings:
            y -= heading.height
            heading.drawOn(self.canv, 0, y)
        self.body.drawOn(self.canv, 0, 0)


def _keep_together(story: list[Flowable]) -> list[Flowable]:
    """Tie each closing to the paragraph before it and each run of headings to what follows."""
    tied: list[Flowable] = []
    for flowable in story:
        previous = tied[-1] if tied else None
        if isinstance(flowable, Closing) and isinstance(previous, TextBlock) \
                and not previous.style.keep_with_next:
            tied[-1] = _WithTail(previous, flowable)
        else:
            tied.append(flowable)
    grouped: list[Flowable] = []
    headings: list[TextBlock] = []
    for flowable in tied:
        if isinstance(flowable, TextBlock) and flowable.style.keep_with_next:
            headings.append(flowable)
            continue
        if headings and not isinstance(flowable, (ActionFlowable, PageBreak)):
            flowable = _KeepWithNext(headings, flowable)
        else:
            grouped += headings
        headings = []
        grouped.append(flowable)
    return grouped + headings


# --- 公文 parts ------------------------------------------------------------------------------------
def banji_texts(cc: str | Sequence[str], print_date: dt.date | str | None) -> tuple[str, str]:
    """The 版记's 抄送 line ending in 。 and its 印发日期 ending in 印发, as GB/T 9704 writes them."""
    if not isinstance(cc, str):
        cc = "，".join(c.strip() for c in cc if c.strip())
    if cc and not cc.endswith("。"):
        cc += "。"
    date_text = format_date(print_date) if print_date else ""
    if date_text and not date_text.endswith("印发"):
        date_text += "印发"
    return cc, date_text


def format_date(value: dt.date | str) -> str:
    """成文日期 with Arabic numerals and no leading zeros: 2026年11月23日."""
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


def _baseline_below(top: float, size: float, leading: float = LINE) -> float:
    """Distance from the top of a line box to the baseline that centres the em box in it."""
    return top + leading / 2 + EM_CENTRE * size


class Masthead(Flowable):
    """版头: red 发文机关标志 with its top 35 mm below the type area, 发文字号 two lines below it,
    a red rule 4 mm under the 发文字号, and the two empty lines before the title."""

    def __init__(self, issuer_mark: str, doc_number: str, mark_font: str, number_font: str):
        super().__init__()
        self.issuer_mark, self.doc_number = issuer_mark, doc_number
        self.mark_font, self.number_font = mark_font, number_font

    def _mark_size(self, width: float) -> tuple[float, float]:
        """Font size and horizontal scale that fit the mark into the type area's width."""
        natural = _Metrics.get(self.mark_font, 1.0).text_width(self.issuer_mark) or 1.0
        fit = width / natural
        if fit >= MARK_MIN_SIZE:
            return min(MARK_MAX_SIZE, fit), 1.0
        return MARK_MIN_SIZE, fit / MARK_MIN_SIZE  # long names: narrowed characters, as is customary

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        self._size, self._scale = self._mark_size(availWidth)
        self._mark_baseline = 35 * mm + EM_TOP * self._size
        number_top = 35 * mm + self._size + 2 * LINE
        self._number_baseline = _baseline_below(number_top, BODY_SIZE)
        self._rule = self._number_baseline + (1 - EM_TOP) * BODY_SIZE + 4 * mm
        self.height = self._rule + 2 * LINE
        return self.width, self.height

    def draw(self):
        canv, top = self.canv, self.height
        canv.saveState()
        canv.setFillColor(RED)
        draw_string(canv, self.issuer_mark, self.width / 2, top - self._mark_baseline, self.mark_font,
                    self._size, anchor="centre", scale=self._scale)
        canv.setStrokeColor(RED)
        canv.setLineWidth(RED_RULE_WIDTH)
        canv.line(0, top - self._rule, self.width, top - self._rule)
        canv.restoreState()
        if self.doc_number:
            draw_string(canv, self.doc_number, self.width / 2, top - self._number_baseline,
                        self.number_font, BODY_SIZE, tracking=BODY_TRACKING, anchor="centre")


class Closing(Flowable):
    """发文机关署名 centred over the 成文日期, which ends four characters from the right."""

    def __init__(self, issuer: str, date_text: str, font: str, blank_lines: int):
        super().__init__()
        self.issuer, self.date_text, self.font, self.blank_lines = issuer, date_text, font, blank_lines

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        self.height = (self.blank_lines + (2 if self.issuer else 1)) * LINE
        return self.width, self.height

    def _width(self, text: str) -> float:
        return _Metrics.get(self.font, BODY_SIZE).text_width(text) + BODY_TRACKING * (len(text) - 1)

    def axis(self) -> float:
        """The centre line of name and date: the date's centre when it ends four characters from
        the right; moved left when the name, centred there, would come nearer than two characters
        to the right edge (the date then follows the name, still centred under it)."""
        centre = self.width - 4 * PITCH - self._width(self.date_text) / 2
        if self.issuer:
            centre = min(centre, self.width - 2 * PITCH - self._width(self.issuer) / 2)
        return centre

    def draw(self):
        centre = self.axis()
        top = self.blank_lines * LINE
        if self.issuer:
            draw_string(self.canv, self.issuer, centre, self.height - _baseline_below(top, BODY_SIZE),
                        self.font, BODY_SIZE, tracking=BODY_TRACKING, anchor="centre")
            top += LINE
        draw_string(self.canv, self.date_text, centre, self.height - _baseline_below(top, BODY_SIZE),
                    self.font, BODY_SIZE, tracking=BODY_TRACKING, anchor="centre")


class Banji(Flowable):
    """版记 at the foot of the last page: 抄送, then 印发机关 and 印发日期, between rules, the last
    rule on the bottom edge of the type area. It takes up the rest of the page to sit there."""

    def __init__(self, cc: str, printer: str, print_date: str, font: str):
        super().__init__()
        self.printer, self.print_date, self.font = printer, print_date, font
        style = TextStyle(font, SMALL_SIZE, LINE, first_indent=1, left_indent=4, right_indent=1)
        self.cc_block = TextBlock(f"抄送：{cc}", style) if cc else None

    def _content_height(self, width: float) -> float:
        cc_height = self.cc_block.wrap(width, LINE * LINES_PER_PAGE)[1] if self.cc_block else 0.0
        return cc_height + LINE + BANJI_THICK_RULE / 2

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        content = self._content_height(availWidth)
        self.height = availHeight if content <= availHeight + EPS else content
        return self.width, self.height

    def split(self, availWidth, availHeight):
        return []

    def draw(self):
        canv = self.canv
        canv.saveState()
        canv.setLineWidth(BANJI_THICK_RULE)
        canv.line(0, 0, self.width, 0)
        baseline = LINE - _baseline_below(0, SMALL_SIZE)
        if self.printer:
            draw_string(canv, self.printer, SMALL_SIZE, baseline, self.font, SMALL_SIZE)
        if self.print_date:
            draw_string(canv, self.print_date, self.width - SMALL_SIZE, baseline, self.font, SMALL_SIZE,
                        anchor="right")
        top = LINE
        if self.cc_block:
            canv.setLineWidth(BANJI_THIN_RULE)
            canv.line(0, top, self.width, top)
            self.cc_block.drawOn(canv, 0, top)
            top += self.cc_block.height
        canv.setLineWidth(BANJI_THICK_RULE)
        canv.line(0, top, self.width, top)
        canv.restoreState()


# --- Tables ----------------------------------------------------------------------------------------
TABLE_PADDING, TABLE_VPADDING = 4.0, 3.0


def _auto_col_widths(headers: Sequence[str], rows: Sequence[Sequence[str]], metrics: _Metrics,
                     width: float) -> list[float]:
    """Share the width among columns so that the table comes out short.

    A column's share grows with the square root of the text it holds (which minimises the summed
    height of the columns' text), bounded below by room for a short header on one line ("序号"
    never breaks) and above by its longest text, with the excess going to the other columns.
    """
    em, padding = metrics.size, 2 * TABLE_PADDING
    floor, cap, weight = [], [], []
    for j, header in enumerate(headers):
        cells = [metrics.text_width(row[j]) for row in rows]
        floor.append(max(min(metrics.text_width(header), 4 * em), 2 * em) + padding)
        cap.append(max(floor[-1], max(cells, default=0.0) + padding))
        weight.append(math.sqrt(sum(cells)) or 1e-6)
    if sum(floor) >= width:
        return [w * width / sum(floor) for w in floor]
    widths: dict[int, float] = {}
    while len(widths) < len(headers):
        free = [j for j in range(len(headers)) if j not in widths]
        remaining = width - sum(widths.values())
        share = {j: remaining * weight[j] / sum(weight[k] for k in free) for j in free}
        low = [j for j in free if share[j] < floor[j]]
        high = [j for j in free if share[j] > cap[j]]
        if not low and not high:
            widths.update(share)
        for j in low or high:
            widths[j] = floor[j] if low else cap[j]
    total = sum(widths.values())  # below the width when every text fits on one line
    return [widths[j] * width / total for j in range(len(headers))]


def _cell_text(value) -> str:
    return "" if value is None else str(value)


def _cut_tall_rows(data: list[list[TextBlock]], widths: list[float], page_height: float) -> list[list[TextBlock]]:
    """Cut rows taller than a page into page-high pieces (reportlab cannot break a row itself;
    its splitInRow mislays cells), so a long cell never stops the document."""
    header_height = max(cell.wrap(w - 2 * TABLE_PADDING, page_height)[1] for cell, w in zip(data[0], widths))
    room = page_height - header_height - 4 * TABLE_VPADDING - 1
    result = [data[0]]
    for row in data[1:]:
        heights = [cell.wrap(w - 2 * TABLE_PADDING, page_height)[1] for cell, w in zip(row, widths)]
        while max(heights) > room:
            piece, rest = [], []
            for cell in row:
                lines = max(int(room // cell.style.leading), 1)
                head, tail = cell.split_at(lines) if cell.line_count() > lines else (cell, cell.split_at(0)[0])
                piece.append(head)
                rest.append(tail)
            result.append(piece)
            row = rest
            heights = [cell.line_count() * cell.style.leading for cell in row]
        result.append(row)
    return result


def _unbreakable_width(text: str, metrics: _Metrics) -> float:
    """The narrowest a cell may be without breaking what must stay whole: a date, a number or a
    word ("2026-12-02"), and any text of up to four characters ("序号", "已销号", "整改中")."""
    text = text.strip()
    if not text:
        return 0.0
    if len(text) <= 4:
        return metrics.text_width(text)
    return max((metrics.text_width(unit) for unit in _break_units(text) if unit not in (" ", "\n")), default=0.0)


def _fit_to_content(widths: list[float], headers: Sequence[str], rows: Sequence[Sequence[str]],
                    head_metrics: _Metrics, metrics: _Metrics, width: float) -> list[float]:
    """Widen the columns whose content would break where it must not, taking the room from the
    columns that have some to spare (each keeps at least its own minimum)."""
    padding = 2 * TABLE_PADDING + EPS
    least = [max([_unbreakable_width(h, head_metrics)] + [_unbreakable_width(r[j], metrics) for r in rows])
             + padding for j, h in enumerate(headers)]
    least = [min(w, width / 2) for w in least]  # a very long word still breaks rather than crowd out the rest
    if sum(least) > width:
        return [w * width / sum(least) for w in least]
    widths = list(widths)
    needed = sum(max(0.0, least[j] - w) for j, w in enumerate(widths))
    if needed <= EPS:
        return widths
    spare = {j: w - least[j] for j, w in enumerate(widths) if w > least[j]}
    total_spare = sum(spare.values())
    return [least[j] if w <= least[j] else w - needed * spare[j] / total_spare for j, w in enumerate(widths)]


class PagedTable(Flowable):
    """A ruled table that runs over pages with its header row once at the top of each page.

    Each page's part is a reportlab Table made for that page only, so the header is never set
    twice on one page (as consecutive split tables would), and a long table costs time in
    proportion to its length: row heights are measured once, and only the rows of one page are
    laid out as a Table at a time (reportlab re-splits the rest of one big table on every page)."""

    def __init__(self, header: list[TextBlock], rows: list[list[TextBlock]], widths: list[float],
                 style: TableStyle, *, space_before: float = LINE / 4, space_after: float = LINE / 4,
                 heights: list[float] | None = None):
        super().__init__()
        self.header, self.rows, self.widths, self.style = header, rows, widths, style
        self.spaceBefore, self.spaceAfter = space_before, space_after
        self.hAlign = "CENTER"
        self._heights = heights

    def _make(self, rows: list[list[TextBlock]]) -> Table:
        table = Table([self.header, *rows], colWidths=self.widths, repeatRows=1)
        table.setStyle(self.style)
        return table

    def _row_height(self, row: list[TextBlock]) -> float:
        return max(cell.wrap(w - 2 * TABLE_PADDING, AREA_HEIGHT)[1] for cell, w in zip(row, self.widths)) \
            + 2 * TABLE_VPADDING

    def _row_heights(self) -> list[float]:
        if self._heights is None:
            self._heights = [self._row_height(row) for row in self.rows]
        return self._heights

    def wrap(self, availWidth, availHeight):
        self.width = sum(self.widths)
        self.height = self._row_height(self.header) + sum(self._row_heights())
        return self.width, self.height

    def split(self, availWidth, availHeight):
        heights = self._row_heights()
        room = availHeight - self._row_height(self.header) - FIT_EPS
        fit = 0
        for height in heights:
            room -= height
            if room < 0:
                break
            fit += 1
        if fit == len(self.rows):
            return [self]
        while fit > 0:  # the estimate is checked against the table reportlab will really draw
            head = self._make(self.rows[:fit])
            if head.wrap(availWidth, availHeight)[1] <= availHeight + FIT_EPS:
                break
            fit -= 1
        if fit == 0:
            return []
        rest = PagedTable(self.header, self.rows[fit:], self.widths, self.style, space_before=0,
                          space_after=self.spaceAfter, heights=heights[fit:])
        head.spaceBefore, head.spaceAfter, head.hAlign = self.spaceBefore, 0, "CENTER"
        return [head, rest]

    def draw(self):
        table = self._make(self.rows)
        table.wrapOn(self.canv, self.width, self.height)
        table.drawOn(self.canv, 0, 0)


def make_table(headers: Sequence[str], rows: Iterable[Sequence], fonts: dict[str, str], width: float,
               page_height: float, *, col_widths_mm: Sequence[float] | None = None,
               aligns: Sequence[str] | None = None, font_size: float = TABLE_SIZE) -> PagedTable:
    """A ruled table in 仿宋 with a 黑体 header row at the top of every page it runs onto.

    Cells wrap with the same Chinese line-breaking rules as the body; `aligns` gives per column
    justify (default), left, centre or right. width and page_height: of the type area. Columns are
    widened where a date, a number or a short word would otherwise break ("2026-12-0 / 2").
    """
    columns = len(headers)
    text_rows = [[_cell_text(v) for v in list(row)[:columns]] + [""] * (columns - len(row)) for row in rows]
    leading = round(font_size * 1.4, 2)
    head_style = TextStyle(fonts["heiti"], font_size, leading, align="centre")
    cell_styles = [TextStyle(fonts["fangsong"], font_size, leading, align=a, spread_latin=False)
                   for a in (aligns or ["justify"] * columns)]
    metrics = _Metrics.get(fonts["fangsong"], font_size)
    if col_widths_mm:
        widths = [w * mm for w in col_widths_mm]
    else:
        widths = _auto_col_widths(headers, text_rows, metrics, width)
    widths = _fit_to_content(widths, headers, text_rows, _Metrics.get(fonts["heiti"], font_size), metrics, width)
    data = [[TextBlock(h, head_style) for h in headers]]
    data += [[TextBlock(text, cell_styles[j]) for j, text in enumerate(row)] for row in text_rows]
    data = _cut_tall_rows(data, widths, page_height)
    style = TableStyle([
        ("FONT", (0, 0), (-1, -1), fonts["fangsong"], font_size),  # else reportlab sets Helvetica, unembedded
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), TABLE_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), TABLE_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), TABLE_VPADDING),
        ("BOTTOMPADDING", (0, 0), (-1, -1), TABLE_VPADDING),
    ])
    return PagedTable(data[0], data[1:], widths, style)


# --- The document ----------------------------------------------------------------------------------
@dataclass
class _Context:
    fonts: dict[str, str]
    geometry: PageGeometry

    def body(self, role: str = "fangsong", **changes) -> TextStyle:
        return body_style(self.fonts, role, **changes)


def body_style(fonts: dict[str, str], role: str = "fangsong", **changes) -> TextStyle:
    """The body text style (3号, 28 characters by 22 lines, two-character indent), in the font of
    `role`, with any TextStyle field changed; for flowables made through GbtDocument.add."""
    style = TextStyle(fonts[role], BODY_SIZE, LINE, tracking=BODY_TRACKING, first_indent=2)
    return replace(style, **changes)


@dataclass
class GbtDocument:
    """One document: a 公文 (kind='gongwen', with 版头 and 版记) or a plain one on the same page.

    Add content in reading order; every method returns the document so calls can be chained.
    Heading texts carry their own numbering ("一、", "（一）", "1.", "（1）").
    """

    kind: str = "plain"
    title: str = ""  # centred in lines of equal length; a "\n" in it chooses where it breaks
    issuer_mark: str = ""  # 发文机关标志, e.g. "XX区创建全国文明城市工作指挥部办公室"
    doc_number: str = ""  # 发文字号, e.g. "X创城督〔2026〕15号"
    landscape: bool = False
    page_numbers: bool = True
    _parts: list[Callable[[_Context], list[Flowable]]] = field(default_factory=list, init=False, repr=False)
    _banji: tuple[str, str, str] | None = field(default=None, init=False, repr=False)

    def __post_init__(self):
        if self.kind not in ("gongwen", "plain"):
            raise ValueError(f"kind must be 'gongwen' or 'plain', not {self.kind!r}")
        if self.kind == "gongwen" and not self.issuer_mark:
            raise ValueError("a 公文 needs its issuer_mark (发文机关标志)")

    def _add(self, build: Callable[[_Context], list[Flowable]]) -> "GbtDocument":
        self._parts.append(build)
        return self

    def addressee(self, text: str) -> "GbtDocument":
        """主送机关: flush left, ending with a full-width colon."""
        return self._add(lambda ctx: [TextBlock(text.strip(), ctx.body(first_indent=0))])

    def heading1(self, text: str) -> "GbtDocument":
        """一、 in 黑体."""
        return self._add(lambda ctx: [TextBlock(_strip(text), ctx.body("heiti", keep_with_next=True))])

    def heading2(self, text: str) -> "GbtDocument":
        """（一） in 楷体."""
        return self._add(lambda ctx: [TextBlock(_strip(text), ctx.body("kaiti", keep_with_next=True))])

    def heading3(self, text: str) -> "GbtDocument":
        """1. or （1） in 仿宋, kept with the text after it."""
        return self._add(lambda ctx: [TextBlock(_strip(text), ctx.body(keep_with_next=True))])

    def paragraph(self, text: str, *, indent: bool = True, align: str = "justify") -> "GbtDocument":
        """Body text; '\\n' forces a line break. Leading spaces are dropped (the indent is ours). A
        sentence leading in to what follows (ending in a colon, "排列如下：") stays on its page."""
        lead_in = text.rstrip().endswith(("：", ":"))
        return self._add(lambda ctx: [
            TextBlock(_strip(text), ctx.body(first_indent=2 if indent else 0, align=align, keep_with_next=lead_in))])

    def table(self, headers: Sequence[str], rows: Iterable[Sequence], *,
              col_widths_mm: Sequence[float] | None = None, aligns: Sequence[str] | None = None,
              font_size: float = TABLE_SIZE) -> "GbtDocument":
        rows = [list(row) for row in rows]
        return self._add(lambda ctx: [make_table(
            headers, rows, ctx.fonts, ctx.geometry.area_width, ctx.geometry.area_height, col_widths_mm=col_widths_mm,
            aligns=aligns, font_size=font_size)])

    def signature(self, issuer: str, date: dt.date | str, *, blank_lines: int = 1) -> "GbtDocument":
        """Closing: 署名 centred over the 成文日期 (右空四字), `blank_lines` below the text.

        One empty line keeps the top of a 42 mm seal within a line of the text, as the standard
        asks for sealed documents.
        """
        return self._add(lambda ctx: [Closing(issuer, format_date(date), ctx.fonts["fangsong"], blank_lines)])

    def banji(self, *, cc: str | Sequence[str] = (), printer: str = "",
              print_date: dt.date | str | None = None) -> "GbtDocument":
        """版记, always placed at the foot of the document's last page (公文 only)."""
        if self.kind != "gongwen":
            raise ValueError("版记 belongs to a 公文 only")
        cc, date_text = banji_texts(cc, print_date)
        self._banji = (cc, printer, date_text)
        return self

    def blank_lines(self, count: int = 1) -> "GbtDocument":
        return self._add(lambda ctx: [BlankLines(count)])

    def page_break(self) -> "GbtDocument":
        return self._add(lambda ctx: [PageBreak()])

    def add(self, item: Flowable | Callable[[dict[str, str]], Flowable | list[Flowable]]) -> "GbtDocument":
        """Any other reportlab flowable (a photo, a signature table), placed as is, or a function
        making flowables from the {role: font name} that render() chose (see body_style)."""
        if isinstance(item, Flowable):
            return self._add(lambda ctx: [item])

        def build(ctx: _Context) -> list[Flowable]:
            made = item(ctx.fonts)
            return list(made) if isinstance(made, (list, tuple)) else [made]

        return self._add(build)

    def flowables(self, fonts: dict[str, str]) -> list[Flowable]:
        ctx = _Context(fonts, LANDSCAPE if self.landscape else PORTRAIT)
        story: list[Flowable] = []
        if self.kind == "gongwen":
            story.append(Masthead(self.issuer_mark, self.doc_number, fonts["xiaobiaosong"], fonts["fangsong"]))
        if self.title:
            title_style = TextStyle(fonts["xiaobiaosong"], TITLE_SIZE, LINE * 1.25, align="centre", balance=True)
            story += [TextBlock(self.title.strip(), title_style), BlankLines(1)]
        for build in self._parts:
            story += build(ctx)
        while story and isinstance(story[-1], PageBreak):
            story.pop()  # the next document starts on a new page anyway
        story = _keep_together(story)
        if self._banji:
            banji = Banji(*self._banji, fonts["fangsong"])
            story += [_BanjiOnEvenPage(banji), banji]
        return story


def _strip(text: str) -> str:
    """Drop the spaces people type to indent by hand (the layout indents)."""
    return text.strip().lstrip("\u3000 \t")


# --- Rendering -------------------------------------------------------------------------------------
@dataclass
class RenderResult:
    page_count: int
    page_ranges: list[tuple[int, int]]  # first and last physical page of each document, 1-based


class _DocumentStart(ActionFlowable):
    """Marks where a document begins in the combined story."""

    def __init__(self, index: int, document: GbtDocument):
        super().__init__()
        self.index, self.document = index, document

    def apply(self, doc):
        doc.start_document(self.index, self.document)


class _BanjiOnEvenPage(ActionFlowable):
    """Before the 版记: go on to an even page if need be (see _Builder.make_room_for_banji)."""

    def __init__(self, banji: "Banji"):
        super().__init__()
        self.banji = banji

    def apply(self, doc):
        doc.make_room_for_banji(self.banji)


class _Builder(BaseDocTemplate):
    """Lays out many documents in one PDF with per-document page numbers."""

    def __init__(self, file, documents: list[GbtDocument], fonts: dict[str, str], *, duplex: bool,
                 progress, cancel, title: str, author: str, subject: str):
        first = LANDSCAPE if documents[0].landscape else PORTRAIT
        super().__init__(file, pagesize=(first.page_width, first.page_height), title=title, author=author,
                         subject=subject, creator=CREATOR, lang="zh-CN", initialFontName=fonts["fangsong"])
        others = [g for g in (PORTRAIT, LANDSCAPE) if g is not first]
        self.addPageTemplates([self._template(g) for g in [first, *others]])
        # Viewer preferences (read by reportlab under these names): print at actual size, since the
        # margins are prescribed, and preselect two-sided printing for duplex output.
        self.printScaling = "None"
        self.duplex = "DuplexFlipLongEdge" if duplex else None
        self._documents, self._fonts = documents, fonts
        self._start_on_odd_page, self._progress, self._cancel = duplex, progress, cancel
        self.page_ranges: list[tuple[int, int]] = []
        self._blank_pages: set[int] = set()
        self._unnumbered_pages: set[int] = set()
        self._numbered = True

    def _template(self, geometry: PageGeometry) -> PageTemplate:
        frame = Frame(geometry.left, geometry.bottom, geometry.area_width, geometry.area_height,
                      leftPadding=0, bottomPadding=0, rightPadding=0, topPadding=0, id=geometry.name)
        template = PageTemplate(id=geometry.name, frames=[frame], onPageEnd=self._end_page,
                                pagesize=(geometry.page_width, geometry.page_height))
        template.geometry = geometry
        return template

    def _check_cancel(self) -> None:
        if self._cancel is not None:
            is_set = getattr(self._cancel, "is_set", None)
            if is_set() if is_set else self._cancel():
                raise Cancelled()

    def start_document(self, index: int, document: GbtDocument) -> None:
        self._check_cancel()
        if self._progress:
            name = f"：{document.title}" if document.title else ""
            self._progress(index, len(self._documents), f"正在生成第 {index + 1}/{len(self._documents)} 份{name}")
        if index > 0:
            self.handle_nextPageTemplate(LANDSCAPE.name if document.landscape else PORTRAIT.name)
            self.handle_pageBreak()
            self.clean_hanging()  # begin the new page now, to know its number
            if self._start_on_odd_page and self.page % 2 == 0:
                # Each document starts on a front side: an unnumbered blank page between.
                self._blank_pages.add(self.page)
                self.handle_pageBreak()
                self.clean_hanging()
        self._numbered = document.page_numbers
        self.page_ranges.append((self.page, self.page))

    def make_room_for_banji(self, banji: "Banji") -> None:
        """GB/T 9704 puts the 版记 on the last page, an even one, so that printed on both sides it
        is the back of the last sheet. On an odd page the 版记 goes over to the next; on an even page
        too full for it, a blank page comes between, and neither that page nor the 版记 page is
        numbered (GB/T 9704 7.5)."""
        number = self.page - self.page_ranges[-1][0] + 1
        frame = self.frame
        fits = banji._content_height(frame._getAvailableWidth()) <= frame._y - frame._y1p + EPS
        if number % 2 == 0 and fits:
            return
        self.handle_pageBreak()
        self.clean_hanging()
        if number % 2 == 0:
            self._blank_pages.add(self.page)
            self.handle_pageBreak()
            self.clean_hanging()
            self._unnumbered_pages.add(self.page)

    def _end_page(self, canv, doc) -> None:
        self._check_cancel()
        page = self.page
        if page in self._blank_pages:
            return
        first = self.page_ranges[-1][0]
        self.page_ranges[-1] = (first, page)
        if self._numbered and page not in self._unnumbered_pages:
            self._draw_page_number(canv, page - first + 1, self.pageTemplate.geometry)

    def _draw_page_number(self, canv, number: int, geometry: PageGeometry) -> None:
        """“— 1 —” in 4号 宋体, its dashes 7 mm below the type area; odd pages one character in
        from the right, even pages one character in from the left."""
        y = geometry.bottom - 7 * mm - 0.3 * SMALL_SIZE  # the dash sits ≈0.3 em above the baseline
        text = f"— {number} —"
        font = self._fonts["songti"]
        if number % 2:
            draw_string(canv, text, geometry.left + geometry.area_width - SMALL_SIZE, y, font, SMALL_SIZE,
                        anchor="right")
        else:
            draw_string(canv, text, geometry.left + SMALL_SIZE, y, font, SMALL_SIZE)


def _write_error(path: str, exc: OSError) -> AppError:
    return storage_error(exc, f"写入文件 {path}") or AppError(f"无法写入文件：{path}，请检查文件夹是否存在、是否有写入权限，或文件是否正被其他程序打开。",
                    str(exc))


def document_properties(title: str, documents: Sequence[GbtDocument] = (), author: str = "",
                        subject: str = "") -> dict[str, str]:
    """What a PDF viewer shows under 文档属性: the office as author, the document as title and
    subject (with the 发文字号 of the 公文 in it), this program as creator."""
    import core.pdf

    author = author or core.pdf.office_author or next((d.issuer_mark for d in documents if d.issuer_mark), "")
    if not subject:
        numbers = list(dict.fromkeys(d.doc_number for d in documents if d.doc_number))
        subject = title + (f"（{'、'.join(numbers[:10])}{'等' if len(numbers) > 10 else ''}）" if numbers else "")
    return {"title": title, "author": author, "subject": subject}


def render(documents: Sequence[GbtDocument], path_or_file, *, duplex: bool = False,
           progress: Callable[[int, int, str], None] | None = None, cancel=None,
           font_preferences: dict[str, str] | None = None, title: str = "", author: str = "",
           subject: str = "") -> RenderResult:
    """Write all documents into one PDF, each numbered from “— 1 —”.

    path_or_file: a path (written to a temporary file beside it and renamed when complete, so a
    failure never leaves half a PDF) or a binary file object. duplex: start every document on an
    odd page, inserting a blank page where needed. progress(done, total, text) is called per
    document; cancel (a callable or a threading.Event) stops the work with core.errors.Cancelled.
    Raises AppError when the file cannot be written.
    """
    documents = list(documents)
    if not documents:
        raise ValueError("nothing to render")
    if not hasattr(path_or_file, "write"):
        check_not_in_use(path_or_file)  # before the pages are laid out, not after
    if font_preferences is None:
        import core.pdf

        font_preferences = core.pdf.office_font_preferences
    fonts = register_fonts(font_preferences)
    story: list[Flowable] = []
    for index, document in enumerate(documents):
        story.append(_DocumentStart(index, document))
        story += document.flowables(fonts)

    def build(file) -> RenderResult:
        builder = _Builder(file, documents, fonts, duplex=duplex, progress=progress, cancel=cancel,
                           **document_properties((title or documents[0].title).replace("\n", ""), documents,
                                                 author, subject))
        builder.build(story)
        return RenderResult(builder.page, builder.page_ranges)

    if hasattr(path_or_file, "write"):
        result = build(path_or_file)
    else:
        path = os.path.abspath(os.fspath(path_or_file))
        temp_path = os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.{uuid.uuid4().hex[:8]}.part")
        try:
            # Not tempfile.mkstemp: its 0600 mode would stay on the finished PDF.
            handle = os.open(temp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        except OSError as exc:
            raise _write_error(path, exc) from exc
        try:
            with os.fdopen(handle, "wb") as file:
                result = build(file)
            os.replace(temp_path, path)
        except OSError as exc:
            raise _write_error(path, exc) from exc
        finally:
            if os.path.exists(temp_path):
                os.remove(temp_path)
    if progress:
        progress(len(documents), len(documents), "已完成")
    return result
