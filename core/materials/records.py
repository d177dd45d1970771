"""What a material is: its kinds, the statuses it passes through, its 材料编号, and its stored row."""

from __future__ import annotations

import re

from core import framework
from core.errors import AppError

OWNER = "materials"  # the attachments of a material are owned by ('materials', id)

KINDS = ["规范性文件", "说明报告", "实景图片", "统计表格", "其他"]
DEFAULT_KINDS = KINDS[:4]

# The statuses, in the order a material usually passes them.
PENDING = "待提交"
SUBMITTED = "已提交"
PASSED = "审核通过"
NEEDS_MORE = "需补充"
ARCHIVED = "已归档"
STATUSES = [PENDING, SUBMITTED, PASSED, NEEDS_MORE, ARCHIVED]
APPROVED = (PASSED, ARCHIVED)  # counts as approved in completeness and a new year's summary
OWING = (PENDING, NEEDS_MORE)  # the unit still owes something: a passed due date means overdue

# A standard needs archive materials when its 测评方法 includes one of these.
MATERIAL_METHODS = ("材料审核", "网上申报")
CODE_PREFIX = "CL"


def material_code(material_id: int) -> str:
    """The stable 材料编号 printed in exports and templates."""
    return f"{CODE_PREFIX}{material_id:06d}"


def parse_code(text) -> int | None:
    """The id in a 材料编号 as people write it back (CL000123, cl123, 123), or None."""
    m = re.fullmatch(rf"(?:{CODE_PREFIX})?-?0*(\d+)", "".join(str(text or "").split()), re.IGNORECASE)
    return int(m.group(1)) if m and int(m.group(1)) > 0 else None


def code_ranges(ids: list[int]) -> str:
    """Material codes as runs, "CL000077–CL000080、CL000085": a default checklist adds thousands at once."""
    runs: list[list[int]] = []
    for material_id in sorted(ids):
        if runs and material_id == runs[-1][1] + 1:
            runs[-1][1] = material_id
        else:
            runs.append([material_id, material_id])
    return "、".join(material_code(a) if a == b else f"{material_code(a)}–{material_code(b)}" for a, b in runs)


def needs_materials(methods: str) -> bool:
    return any(m in MATERIAL_METHODS for m in framework.split_methods(methods))


def not_found(material_id: int) -> AppError:
    return AppError(f"找不到材料编号为 {material_code(material_id)} 的档案材料，它可能已被删除。")


def material_row(db, material_id: int) -> dict:
    """The stored row of a material still on the checklist."""
    found = db.one("SELECT * FROM materials WHERE id = :id", {"id": material_id})
    if found is None or found["removed"]:
        raise not_found(material_id)
    return found
