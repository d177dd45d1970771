"""Small text rules shared by every area."""

from __future__ import annotations


def like_contains(text: str) -> str:
    """A LIKE pattern (with ESCAPE '\\') matching text anywhere, % and _ in it taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
