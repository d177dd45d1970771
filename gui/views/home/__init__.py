"""首页: where the office stands today, each figure opening the list behind it (core.home)."""

from gui.views.home.page import HomePage

__all__ = ["HomePage"]
