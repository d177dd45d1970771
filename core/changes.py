"""Which area of the program a changed table belongs to, so that a committed change tells every
page that shows that area to refresh (the store reports the tables a commit touched; see
Store.on_commit)."""

from __future__ import annotations

EVERYTHING = "*"  # the whole ledger was replaced (a restore)

AREAS_OF_TABLE = {
    "units": ("units",), "unit_aliases": ("units",), "unit_groups": ("units",),
    "unit_group_members": ("units",),
    "editions": ("framework",), "framework_nodes": ("framework",), "assignments": ("framework",),
    "settings": ("settings",), "vocab": ("settings",),
    "letter_templates": ("letters",), "letter_status": ("letters",),
    "materials": ("materials",), "material_review_progress": ("materials",),
    "attachments": ("materials", "supervision", "letters"),
    "findings": ("supervision",), "notices": ("supervision",), "sites": ("supervision",),
    "workday_overrides": ("supervision",), "workday_years": ("supervision",),
    "score_rounds": ("scoring",), "score_results": ("scoring",),
    "reminders": ("remind",),
    "survey_targets": ("scoring",), "survey_results": ("scoring",),
    "working_groups": ("groups", "framework"), "working_group_units": ("groups",),
}


def areas_of(tables) -> frozenset[str]:
    """The areas touched by changes to these tables; a table of no known area touches everything,
    so a new table is never silently left out of the refresh."""
    found: set[str] = set()
    for table in tables:
        found.update(AREAS_OF_TABLE.get(table, (EVERYTHING,)))
    return frozenset(found)
