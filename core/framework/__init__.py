"""测评体系 with 责任分解 and 新年度: editions, the tree of 测评项目 → 测评内容 → 测评标准, the 分解表
(who leads, who helps), its Excel import and export, and the year-end copy (core.framework.new_year,
imported where used: it reaches into materials and supervision).

The package's public API is re-exported here, so `from core import framework;
framework.add_node(...)` works whichever module holds the function."""

from core.framework.assignments import (EDITION_ASSIGNMENTS_SQL, GROUP_MEMBERS_SQL, HAS_LEAD_SQL, LEAD, ROLE_NAMES,
                                        SUPPORT, EditionRoles, assignment_names, assignment_refs, count_without_lead,
                                        resolve_refs, save_standard, set_assignments, unit_standards,
                                        unit_standards_query, unit_summary, without_lead_ids)
from core.framework.editions import (copy_edition, create_edition, current_edition_id, delete_edition,
                                     edition_id_by_name, edition_references, edition_totals, get_edition,
                                     list_editions, resolve_edition, set_current_edition, update_edition,
                                     year_from_text)
from core.framework.exporting import export_framework, export_framework_pdf, framework_table
from core.framework.groups import (NO_GROUP, add_group, delete_group, ensure_group, get_group, group_id_by_name,
                                   group_names, group_suggestions, list_groups, resolve_group, save_group, set_members,
                                   update_group)
from core.framework.importing import UnknownUnitsError, import_framework
from core.framework.reading import (filter_node_ids, filter_query, standards, standards_in_order,
                                    standards_without_lead, tree_rows)
from core.framework.tree import (CATEGORY, INDICATOR, LEVEL_NAMES, NODE_FIELDS, STANDARD, add_node, delete_impact,
                                 delete_node, get_node, move_node, place_node, retire_node, split_methods,
                                 subtree_ids, update_node)

__all__ = [
    "CATEGORY", "EDITION_ASSIGNMENTS_SQL", "GROUP_MEMBERS_SQL", "HAS_LEAD_SQL", "INDICATOR", "LEAD", "LEVEL_NAMES",
    "NO_GROUP", "add_group", "delete_group", "ensure_group", "get_group", "group_id_by_name", "group_names",
    "group_suggestions", "list_groups", "resolve_group", "save_group", "set_members", "update_group",
    "NODE_FIELDS", "ROLE_NAMES", "STANDARD", "SUPPORT", "EditionRoles", "UnknownUnitsError", "add_node",
    "assignment_names", "assignment_refs", "copy_edition", "count_without_lead", "create_edition",
    "current_edition_id", "delete_edition", "delete_impact", "delete_node", "edition_id_by_name",
    "edition_references", "edition_totals", "export_framework", "export_framework_pdf", "filter_node_ids",
    "filter_query", "framework_table", "get_edition", "get_node", "import_framework", "list_editions",
    "move_node", "place_node", "resolve_edition", "resolve_refs", "retire_node", "save_standard",
    "set_assignments", "set_current_edition", "split_methods", "standards", "standards_in_order",
    "standards_without_lead", "subtree_ids", "tree_rows", "unit_standards", "unit_standards_query",
    "unit_summary", "update_edition", "update_node", "without_lead_ids", "year_from_text",
]
