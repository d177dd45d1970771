"""设置 page: the office's details, the current year and edition, editions, word lists, fonts."""

from gui.views.settings.page import SettingsPage

__all__ = ["SettingsPage"]
