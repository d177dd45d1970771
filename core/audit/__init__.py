"""操作日志: who changed what, written in the same transaction as the change (log), one record's
history, the page's filtered search and its export, and the areas as users name them.

    trail    writing a row; a record's history; the latest rows
    listing  the 操作日志 page's filters, newest first; the export
    labels   table → the area's Chinese name (范围)
"""

from core.audit.labels import AREAS, area_name
from core.audit.trail import history, log, recent
from core.audit.listing import EXPORT_HEADERS, export, operators, search, search_query, tables

__all__ = ["AREAS", "area_name", "history", "log", "recent", "EXPORT_HEADERS", "export", "operators", "search",
           "search_query", "tables"]
