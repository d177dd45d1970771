"""目标责任书: the letter template, each unit's tasks for a year, the letters as PDF, and signing
until every unit has signed (with what changed in the 分解表 since a unit's letter was printed).

The package's public API is re-exported here, so `from core import letters; letters.set_state(...)`
works whichever module holds the function."""

from core.letters.changes import CHANGED, change_texts, changes, describe_changes, record_generation, unit_changes
from core.letters.documents import LettersResult, generate_letters, generate_separate, safe_file_name
from core.letters.listing import STATUS_HEADERS, export_status, signed_of, status_rows, with_letters
from core.letters.status import (ISSUED, NO_TASKS, NOT_ISSUED, OWNER_TABLE, SCAN_ROLE, SIGNED, STATE_FILTERS, STATES,
                                 UNSIGNED, StateFilter, attach_signed_copy, get_status, latest_status, scan_counts,
                                 set_state, set_states, signed_count, state_filter, status_id, unsigned_count)
from core.letters.tasks import (HAS_TASKS_SQL, TASK_FIELDS, TASK_KEYS, Letter, build_letters, check_year,
                                format_points, task_counts, task_snapshot, tasks_by_unit, units_with_tasks_count)
from core.letters.template import (PLACEHOLDERS, TEMPLATE_FIELDS, TEMPLATE_NAME, default_template, fill, get_template,
                                   placeholders_in, reset_template, save_template, validate_template)

__all__ = [
    "CHANGED", "HAS_TASKS_SQL", "ISSUED", "NOT_ISSUED", "NO_TASKS", "OWNER_TABLE", "PLACEHOLDERS", "SCAN_ROLE",
    "SIGNED", "STATES", "STATE_FILTERS", "STATUS_HEADERS", "TASK_FIELDS", "TASK_KEYS", "TEMPLATE_FIELDS",
    "TEMPLATE_NAME", "UNSIGNED", "Letter", "LettersResult", "StateFilter", "attach_signed_copy", "build_letters",
    "change_texts", "changes", "check_year", "default_template", "describe_changes", "export_status", "fill",
    "format_points", "generate_letters", "generate_separate", "get_status", "get_template", "latest_status",
    "placeholders_in", "record_generation", "reset_template", "safe_file_name", "save_template", "scan_counts", "set_state",
    "set_states", "signed_count", "signed_of", "state_filter", "status_id", "status_rows", "task_counts",
    "task_snapshot", "tasks_by_unit", "unit_changes", "units_with_tasks_count", "unsigned_count",
    "validate_template", "with_letters",
]
