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
