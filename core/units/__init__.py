"""责任单位: the units that carry the work, their former names, the groups that stand for many
(各街道办事处), and the names people write resolved to them.

The package's public API is re-exported here, so `from core import units; units.create_unit(...)`
works whichever module holds the function."""

from core.units.groups import (BUILTIN_GROUPS, delete_group, ensure_builtin_groups, get_group, group_member_ids,
                               list_groups, save_group)
from core.units.importing import export_units, import_units
from core.units.resolver import GROUP, UNIT, Resolver, check_name_free, norm, resolve_one, resolver
from core.units.units import (FIELDS, create_unit, delete_unit, get_unit, infer_kind, list_units, merge_units,
                              rename_unit, retire_unit, unit_names, unit_reference_counts, update_unit)

__all__ = [
    "BUILTIN_GROUPS", "FIELDS", "GROUP", "UNIT", "Resolver", "check_name_free", "create_unit", "delete_group",
    "delete_unit", "ensure_builtin_groups", "export_units", "get_group", "get_unit", "group_member_ids",
    "import_units", "infer_kind", "list_groups", "list_units", "merge_units", "norm", "rename_unit",
    "resolve_one", "resolver", "retire_unit", "save_group", "unit_names", "unit_reference_counts",
    "update_unit",
]
