"""数据安全 page: backups, restore, 数据体检 and the automatic backups (core.safety)."""

from gui.views.safety.page import SafetyPage

__all__ = ["SafetyPage"]
