"""The one way a date a person typed or a file held becomes a date, with one message when it
cannot: 2026-03-15, 2026/3/15, 2026.3.15, 2026年3月15日, 20260315, an Excel date cell or serial."""

from __future__ import annotations

import datetime as dt

from core.errors import AppError

EXAMPLE = "2026-03-15"


def parse(value, label: str) -> dt.date | None:
    """The date, None for an empty value; AppError naming the field (label) otherwise."""
    from core.text import parse_date

    if isinstance(value, str) and not value.strip():
        return None
    try:
        return parse_date(value)
    except ValueError:
        shown = str(value).strip()
        raise AppError(f"{label}“{shown}”不是有效的日期，请写成 {EXAMPLE} 的形式。") from None


def required(value, label: str) -> dt.date:
    found = parse(value, label)
    if found is None:
        raise AppError(f"请填写{label}（如 {EXAMPLE}）。")
    return found


def iso(value, label: str) -> str:
    """As the ledger stores it ("2026-03-15"), "" for an empty value."""
    found = parse(value, label)
    return found.isoformat() if found else ""


def check_order(day: str, label: str, *, after: str = "", after_label: str = "") -> None:
    """A step's date (ISO text) is neither in the future (core.clock's today) nor earlier than the
    step before it (`after`, named `after_label`); the message says which date is wrong and why."""
    from core import clock

    today = clock.today().isoformat()
    if day > today:
        raise AppError(f"{label} {day} 晚于今天（{today}），还没有到这一天，请检查日期。")
    if after and day < after:
        raise AppError(f"{label} {day} 早于{after_label} {after}，请检查日期。")
