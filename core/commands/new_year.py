"""Commands of the year-end step: 新年度."""

from __future__ import annotations

from core import framework
from core.framework import new_year
from core.commands import EXIT_OK, add_command
from core.commands.progress import Progress
from core.errors import AppError


def register(sub):
    p = add_command(sub, "new-year", "建立新年度：复制测评体系和分解表为“YYYY年度”，结转档案材料清单，"
                                     "未销号的督查问题转入新年度，并设为当前版本和当前年度（同一年度只能建立一次）",
                    cmd_new_year)
    p.add_argument("--year", metavar="YYYY", help="新年度，例如 2027（必填）")
    p.add_argument("--from-edition", metavar="NAME", help="来源版本（默认：当前版本）")
    p.add_argument("--dry-run", action="store_true", help="只列出将要做什么，不做任何改动")


def cmd_new_year(args, ctx) -> int:
    if not args.year:
        raise AppError("请用 --year 指定要建立的新年度，例如 --year 2027（可先加 --dry-run 查看将做什么）。")
    year = new_year.check_year(args.year)
    source = framework.resolve_edition(ctx.db, args.from_edition) if args.from_edition else None
    plan = new_year.plan(ctx.db, year, source)
    if args.dry_run:
        print(f"将建立“{plan.edition_name}”（预览，未做任何改动）：")
        for line in plan.carried_lines():
            print(line)
        print("留在上一年度：")
        for line in plan.staying_lines():
            print(line)
        return EXIT_OK
    progress = Progress()
    result = new_year.run(ctx.db, plan, progress=progress)
    progress.finish()
    for line in result.lines():
        print(line)
    return EXIT_OK
