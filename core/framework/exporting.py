"""The 分解表 out of the ledger: as a workbook that imports back unchanged, and as the printable
landscape PDF (one table per 测评项目)."""

from __future__ import annotations

from core.errors import AppError
from core.framework.editions import get_edition
from core.framework.reading import standards


def framework_table(db, edition_id: int) -> list[list]:
    """The rows of the export, in the export's column order (framework_io.EXPORT_HEADERS)."""
    out = []
    for s in standards(db, edition_id):
        points = s["points"]
        if points is not None and float(points).is_integer():
            points = int(points)
        out.append([s["code"], s["category"], s["indicator"], s["title"], s["methods"], points,
                    "、".join(s["lead"]), "、".join(s["support"]), s["working_group"], s["deadline"], s["negative"]])
    return out


def export_framework(db, path, edition_id: int, progress=None, cancel=None) -> int:
    """Write the edition's 分解表 as .xlsx; returns the number of standards."""
    from core.xlsx import framework_io

    return framework_io.write_framework(path, framework_table(db, edition_id), progress=progress, cancel=cancel)


def export_framework_pdf(db, out_path, edition_id: int, *, progress=None, cancel=None, font_preferences=None) -> int:
    """Write the printable 分解表; returns the number of pages."""
    from core.pdf import framework_pdf  # reportlab loads when a document is made

    edition = get_edition(db, edition_id)
    found = standards(db, edition_id)
    if not found:
        raise AppError(f"版本“{edition['name']}”中还没有测评标准，无法导出责任分解表。")
    return framework_pdf.write_framework_pdf(out_path, edition, found, progress=progress, cancel=cancel,
                                             font_preferences=font_preferences)
