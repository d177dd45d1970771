"""今日催办: the units to chase today and what about (page.py)."""

from gui.views.remind.page import RemindPage

__all__ = ["RemindPage"]
