"""Commands of the 责任单位 area."""

from __future__ import annotations

from core import units
from core.commands import EXIT_OK, add_command


def register(sub):
    p = add_command(sub, "import-units", "从 Excel 导入责任单位名单（按列名识别，顺序不限）", cmd_import_units)
    p.add_argument("file", metavar="FILE.xlsx")


def cmd_import_units(args, ctx) -> int:
    counts = units.import_units(ctx.db, args.file)
    print(f"导入完成：新增 {counts['created']} 个，更新 {counts['updated']} 个，未变 {counts['unchanged']} 个。")
    return EXIT_OK
