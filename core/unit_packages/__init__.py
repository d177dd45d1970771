"""工作包: one package per unit — its return workbook (回执) with the findings it must rectify, the
materials it must submit, its 责任书 and task list, plus its open 督办通知单 and its 任务清单 as PDFs —
and the return taken back in one go.

    export   the packages, one unit or every unit with something to do; a unit_packages row each
    returns  the 回执 checked whole, then written through each area's own path in one transaction

This area reads the others (supervision, materials, letters); none of them reads it.
"""

from core.unit_packages.export import (CODE_PREFIX, OWNER, Exported, ExportResult, export_all, export_package,
                                       package_code, parse_package_code, workbook_name)
from core.unit_packages.returns import ReturnResult, import_return

__all__ = ["CODE_PREFIX", "OWNER", "Exported", "ExportResult", "ReturnResult", "export_all", "export_package",
           "import_return", "package_code", "parse_package_code", "workbook_name"]
