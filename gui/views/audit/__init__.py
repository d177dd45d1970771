"""操作日志 page: every change, searchable and exportable (core.audit)."""

from gui.views.audit.page import AuditLogPage

__all__ = ["AuditLogPage"]
