"""专项推进组: the groups themselves (kept with the 测评体系, whose standards name them:
core.framework.groups) and what each group's standards show — their materials' completion, their
open findings and the last 测评 round's losses.

The package's public API is re-exported here, so `from core import groups; groups.overview(...)`
works whichever module holds the function."""

from core.framework.groups import (NO_GROUP, add_group, delete_group, get_group, group_names, list_groups,
                                   resolve_group, save_group, set_members, update_group)
from core.groups.overview import group_standards, last_round, overview

__all__ = [
    "NO_GROUP", "add_group", "delete_group", "get_group", "group_names", "group_standards", "last_round",
    "list_groups", "overview", "resolve_group", "save_group", "set_members", "update_group",
]
