"""Text rules shared by every area: text typed by people (spaces, multi-value cells, dates, numbers,
names), "did you mean" hints, and LIKE patterns.

Pure functions, no Excel or Qt: importers, exporters, forms and lists share them so that every
table in the program forgives the same untidiness (full-width spaces, 2026.3.15, "区委办、区财政局")
the same way.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import unicodedata

# Spaces other than the newline: full-width \u3000, non-breaking \xa0, thin spaces, tabs.
_SPACES = re.compile(r"[^\S\n]+")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_MULTI_SEPARATORS = re.compile(r"[、，,；;／/\n\r]+")
# Control characters other than tab and line breaks (C0 and C1, DEL). Nobody types them: they come
# from pasted binary data, broken exports, or Excel's _x0007_ escapes, and look like nothing on screen,
# so "区委办" and "区委办\x07" would be two different units that nobody can tell apart.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Excel's day 0 is 1899-12-30 once its fictitious 1900-02-29 is passed; serials below 61 are
# outside the plausible range anyway.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_PLAUSIBLE_DATES = (dt.date(1950, 1, 1), dt.date(2100, 12, 31))
_SERIAL_RANGE = ((_PLAUSIBLE_DATES[0] - _EXCEL_EPOCH).days, (_PLAUSIBLE_DATES[1] - _EXCEL_EPOCH).days)

_DATE_TEXT = re.compile(
    r"(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*[日号]?"
    r"(?:\s*[T ]?\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"  # a time part, as in "2026-03-15 00:00:00"
)
_DATE_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")
_NUMBER_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_THOUSANDS_TEXT = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_UNIT_SUFFIX = re.compile(r"(?:\([^()]{1,8}\)|\[[^\[\]]{1,8}\]|【[^【】]{1,8}】)$")


def clean_text(value) -> str:
    """A cell value as tidy text: no outer or doubled spaces of any width, numbers as Excel shows them.

    Line breaks inside a cell are kept (one per line, blank lines dropped) because offices use them
    to separate several units in one cell; `split_multi` splits on them.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        if value.is_integer():
            return str(int(value))
        return format(value, ".15g")  # Excel's precision: 0.1 + 0.2 shows as 0.3
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if text.isprintable() and text[:1] != " " and text[-1:] != " " and "  " not in text:
        return text  # the common case: nothing to tidy (isprintable is False for any odd space)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def has_control_chars(text: str) -> bool:
    return _CONTROL_CHARS.search(text) is not None


def strip_control_chars(text: str) -> str:
    return _CONTROL_CHARS.sub("", text)


def show_control_chars(text: str) -> str:
    """The text with each control character made visible as [U+0007], for a problem report."""
    return _CONTROL_CHARS.sub(lambda m: f"[U+{ord(m[0]):04X}]", text)


def split_multi(text) -> list[str]:
    """Split a multi-value cell ("区委办、区财政局；区教育局") into its parts, in order, without repeats."""
    parts = []
    for part in _MULTI_SEPARATORS.split(clean_text(text)):
        part = part.strip()
        if part and part not in parts:
            parts.append(part)
    return parts


def parse_date(value) -> dt.date | None:
    """A date from a date cell, an Excel serial number or text such as 2026.3.15 or 2026年3月15日."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _date_from_number(value)
    if not isinstance(value, str):
        raise ValueError(_date_error(value))
    text = unicodedata.normalize("NFKC", clean_text(value))
    if not text:
        return None
    match = _DATE_TEXT.fullmatch(text) or _DATE_DIGITS.fullmatch(text)
    if not match:
        raise ValueError(_date_error(value))
    return _checked_date(int(match[1]), int(match[2]), int(match[3]), value)


def _date_from_number(number: float) -> dt.date:
    if math.isfinite(number) and number == int(number) and 19000101 <= number <= 21001231:
        # 20260315 typed as a number rather than text
        digits = str(int(number))
        return _checked_date(int(digits[:4]), int(digits[4:6]), int(digits[6:]), number)
    if math.isfinite(number) and _SERIAL_RANGE[0] <= number <= _SERIAL_RANGE[1]:
        return _EXCEL_EPOCH + dt.timedelta(days=int(number))
    raise ValueError(_date_error(number))


def _checked_date(year: int, month: int, day: int, original) -> dt.date:
    try:
        date = dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"日期不存在：{clean_text(original)}（请检查年月日，写成 2026-03-15）") from None
    if not _PLAUSIBLE_DATES[0] <= date <= _PLAUSIBLE_DATES[1]:
        raise ValueError(_date_error(original))
    return date


def _date_error(original) -> str:
    return f"无法识别的日期：{clean_text(original) or repr(original)}（请写成 2026-03-15）"


def parse_number(value) -> float | None:
    """A number from a number cell or numeric text (full-width digits and 1,234.5 allowed, units not)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"不是有效的数字：{clean_text(value)}（只写数字，如 1.5）")
    if isinstance(value, (int, float)):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"不是有效的数字：{value}（只写数字，如 1.5）")
        return number
    text = unicodedata.normalize("NFKC", clean_text(value)).replace(" ", "")
    if not text:
        return None
    if _NUMBER_TEXT.fullmatch(text):
        number = float(text)
    elif _THOUSANDS_TEXT.fullmatch(text):
        number = float(text.replace(",", ""))
    else:
        raise ValueError(f"不是有效的数字：{clean_text(value)}（只写数字，如 1.5，不要带单位或文字）")
    if not math.isfinite(number):
        raise ValueError(f"不是有效的数字：{clean_text(value)}（只写数字，如 1.5）")
    return number



def parse_points(value) -> float | None:
    """Points as offices write them: a number, or with the unit, "1.5分", "2 分"."""
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", clean_text(value)).replace(" ", "")
        if text.endswith("分") and len(text) > 1:
            value = text[:-1]
    return parse_number(value)


_MONTH_END = re.compile(r"(\d{4})年(\d{1,2})月(?:底|末)(?:前|之前|以前)?")


def parse_month_end(value) -> dt.date | None:
    """A deadline written as a month's end, "2026年9月底前" or "2026年9月末": the last day of that
    month; None for any other text."""
    if not isinstance(value, str):
        return None
    match = _MONTH_END.fullmatch(unicodedata.normalize("NFKC", clean_text(value)).replace(" ", ""))
    if not match or not 1 <= int(match[2]) <= 12:
        return None
    year, month = int(match[1]), int(match[2])
    first_of_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - dt.timedelta(days=1)

def normalize_header(text, *, strip_unit: bool = False) -> str:
    """A column name reduced for matching: no spaces or line breaks, half-width brackets, ASCII lower case.

    With strip_unit, a short trailing bracketed unit goes too: "分值（分）" → "分值".
    """
    text = unicodedata.normalize("NFKC", clean_text(text))
    text = "".join(text.split()).lower()
    if strip_unit:
        text = _UNIT_SUFFIX.sub("", text) or text
    return text


def closest(name, candidates, n: int = 3) -> list[str]:
    """The candidates most like `name`, best first, for "did you mean" hints on unknown names.

    Chinese unit names are often abbreviated or extended ("宣传部" for "区委宣传部"), which plain
    similarity ranks poorly, so candidates containing the name (or contained in it) come first.
    """
    key = normalize_header(name)
    if not key or n <= 0:
        return []
    containing, similar = [], []
    seen = set()
    for candidate in candidates:
        other = normalize_header(candidate)
        if not other or candidate in seen:
            continue
        seen.add(candidate)
        ratio = difflib.SequenceMatcher(None, key, other).ratio()
        if key in other or other in key:
            containing.append((ratio, candidate))
        elif ratio >= 0.5:
            similar.append((ratio, candidate))
    containing.sort(key=lambda item: -item[0])
    similar.sort(key=lambda item: -item[0])
    return [candidate for _, candidate in containing + similar][:n]


def like_contains(text: str) -> str:
    """A LIKE pattern (with ESCAPE '\\') matching text anywhere, % and _ in it taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# Not a heading number "（一）" followed by a bracketed word: that pair is two things.
_ADJACENT_BRACKETS = re.compile(r"（(?![一二三四五六七八九十\d]+）)([^（）]*)）\s*（([^（）]*)）")


def join_brackets(text: str) -> str:
    """Two bracketed notes side by side become one: "体系（2021年版）（2026年度）" → "体系（2021年版，2026年度）",
    as a filled-in template or a name with a note added would otherwise read."""
    previous = None
    while previous != text:
        previous, text = text, _ADJACENT_BRACKETS.sub(r"（\1，\2）", text)
    return text


def with_note(name: str, note: str) -> str:
    """name（note）, unless the name already says it ("2026年模拟测评" and 模拟测评)."""
    note = (note or "").strip()
    return name if not note or note in name else join_brackets(f"{name}（{note}）")
