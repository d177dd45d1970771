"""A unit list from Excel into the ledger (new units added, changed ones updated), and out again."""

from __future__ import annotations

from core import settings
from core.errors import AppError
from core.units.resolver import UNIT, resolver
from core.units.units import create_unit, get_unit, infer_kind, list_units, update_unit


def import_units(db, path, progress=None) -> dict:
    """Validate the whole file, then add new units and update changed ones in one transaction;
    returns {'created', 'updated', 'unchanged'}."""
    from core.xlsx import units_io  # openpyxl loads when a file is read, not when the program starts

    parsed, problems = units_io.read_units(path, settings.vocab(db, "unit_kind"))
    if problems:
        raise AppError(f"单位名单中有 {len(problems)} 处问题，未导入任何数据。请按问题清单修改后重新导入。",
                       problems=problems)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with db.write():
        res = resolver(db)
        for i, data in enumerate(parsed):
            data = {k: v for k, v in data.items() if k != "row"}
            hit = res.lookup(data["name"])
            if hit and hit[0] == UNIT:
                current = get_unit(db, hit[1])
                changes = {k: v for k, v in data.items() if k != "name" and v and current.get(k) != v}
                if changes:
                    update_unit(db, hit[1], changes)
                    counts["updated"] += 1
                else:
                    counts["unchanged"] += 1
            elif hit:
                raise AppError(f"“{data['name']}”是单位分组的名称，不能作为单位导入。")
            else:
                data["kind"] = data.get("kind") or infer_kind(data["name"])
                create_unit(db, data, res)
                counts["created"] += 1
            if progress:
                progress(i + 1, len(parsed), data["name"])
    return counts


def export_units(db, path) -> None:
    """The active units as .xlsx, in the columns the import reads."""
    from core.xlsx import units_io

    units_io.write_units(path, list_units(db))
