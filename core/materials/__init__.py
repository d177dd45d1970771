"""档案材料: the archive-materials checklist of an edition, its exchange with the units, its review,
archiving, health check and the 迎检资料包.

One row of `materials` is one required piece of evidence for a standard (测评标准); its status moves
only along TRANSITIONS; its files are attachments owned by ('materials', id). The modules:
records (kinds, statuses, 材料编号), checklist (the list, the default checklist, edits, a new year),
workflow (status moves, the 档案审查 walk), completeness (完成情况), archive (盒号/件号, 归档文件目录, box labels), health
(材料体检), returns (Excel out and in, a unit's return with its files), package (迎检资料包).
"""

from core.materials.archive import (CATALOGUE_COLUMNS, CATALOGUE_HEADERS, Catalogue, box_items, catalogue,
                                    placement, write_box_labels, write_catalogue_pdf, write_catalogue_xlsx)
from core.materials.checklist import (DEFAULT_TEXT, EDITABLE, MaterialFilter, add_material, carry_forward, checklist,
                                      checklist_query, files_of, files_of_edition, filter_choices, filter_rows,
                                      get_material, init_checklist, remove_material, update_material)
from core.materials.completeness import BY, completeness
from core.materials.health import CHECKS, COLUMNS as HEALTH_COLUMNS, export_health, health_check
from core.materials.package import PackageResult, build_package, package_layout, safe_name
from core.materials.records import (APPROVED, ARCHIVED, CODE_PREFIX, DEFAULT_KINDS, KINDS, MATERIAL_METHODS,
                                    NEEDS_MORE, OWING, OWNER, PASSED, PENDING, STATUSES, SUBMITTED, code_ranges,
                                    material_code, material_row, needs_materials, parse_code)
from core.materials.returns import (ImportResult, ReturnPlan, export_checklist, export_unit_template, find_file,
                                    import_checklist, import_file, import_return, plan_return, write_return)
from core.materials.workflow import (TO_REVIEW, TRANSITIONS, allowed_actions, change_status, review_item, review_order,
                                     review_position, save_review_position, submit_if_pending)

__all__ = [
    "CATALOGUE_COLUMNS", "CATALOGUE_HEADERS", "Catalogue", "box_items", "catalogue", "placement", "write_box_labels",
    "write_catalogue_pdf", "write_catalogue_xlsx",
    "DEFAULT_TEXT", "EDITABLE", "MaterialFilter", "add_material", "carry_forward", "checklist", "checklist_query",
    "files_of", "files_of_edition", "filter_choices", "filter_rows", "get_material", "init_checklist",
    "remove_material", "update_material",
    "BY", "completeness",
    "CHECKS", "HEALTH_COLUMNS", "export_health", "health_check",
    "PackageResult", "build_package", "package_layout", "safe_name",
    "APPROVED", "ARCHIVED", "CODE_PREFIX", "DEFAULT_KINDS", "KINDS", "MATERIAL_METHODS", "NEEDS_MORE", "OWING",
    "OWNER", "PASSED", "PENDING", "STATUSES", "SUBMITTED", "code_ranges", "material_code", "material_row",
    "needs_materials", "parse_code",
    "ImportResult", "ReturnPlan", "export_checklist", "export_unit_template", "find_file", "import_checklist",
    "import_file", "import_return", "plan_return", "write_return",
    "TO_REVIEW", "TRANSITIONS", "allowed_actions", "change_status", "review_item", "review_order", "review_position",
    "save_review_position", "submit_if_pending",
]
