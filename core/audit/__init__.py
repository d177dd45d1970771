"""操作日志: who changed what, written in the same transaction as the change (log), one record's
history, the page's filtered search and its export, and the areas as users name them.

    trail    writing a row; a record's history; the latest rows; what changed since a row
    listing  the 操作日志 page's filters, newest first; the export
    describe 修改前/修改后 in a user's words: Chinese labels, names for ids
    labels   table → the area's Chinese name (范围); the Chinese names of records, counted
"""

from core.audit.describe import describe
from core.audit.labels import AREAS, area_name, record_counts, references_text
from core.audit.trail import history, last_entry_id, log, recent, tables_changed_since
from core.audit.listing import EXPORT_HEADERS, export, operators, search, search_query, tables

__all__ = ["describe", "AREAS", "area_name", "record_counts", "references_text", "history", "last_entry_id", "log", "recent",
           "tables_changed_since", "EXPORT_HEADERS", "export", "operators", "search", "search_query", "tables"]
