"""Commands of the 测评体系 area: the 分解表 in from Excel and out to Excel or PDF."""

from __future__ import annotations

import sys

from core import framework
from core.commands import EXIT_OK, EXIT_REFUSED, add_command, save_problem_report
from core.errors import AppError


def register(sub):
    p = add_command(sub, "import-framework", "从 Excel 导入测评体系责任分解表", cmd_import_framework)
    p.add_argument("file", metavar="FILE.xlsx")
    p.add_argument("--edition", metavar="NAME", help="要新建或更新的版本（默认：当前版本）")
    p.add_argument("--create-units", action="store_true", help="自动新建文件中出现的未知单位")
    p.add_argument("--report", metavar="PROBLEMS.xlsx", help="有问题时把问题清单另存为 Excel")

    p = add_command(sub, "export-framework", "导出责任分解表（.xlsx 可再导入；.pdf 为横排打印版）", cmd_export_framework)
    p.add_argument("out", metavar="OUT.xlsx|OUT.pdf")
    p.add_argument("--edition", metavar="NAME", help="版本（默认：当前版本）")


def cmd_import_framework(args, ctx) -> int:
    db = ctx.db
    # --edition names the edition to update, or the new one to make when there is none of that name.
    edition_id = framework.edition_id_by_name(db, args.edition) if args.edition else None
    new_edition = args.edition if args.edition and edition_id is None else None
    try:
        report = framework.import_framework(db, args.file, edition_id, new_edition=new_edition,
                                            create_units=args.create_units)
    except framework.UnknownUnitsError as exc:
        print(exc.message_zh, file=sys.stderr)
        for name, suggestions in exc.unknown.items():
            hint = f"\t可能是：{'、'.join(suggestions)}" if suggestions else ""
            print(f"未知单位：{name}\t第 {'、'.join(map(str, exc.rows_of[name]))} 行{hint}", file=sys.stderr)
        for p in exc.other_problems:
            print(f"第 {p.row} 行\t{p.column}\t{p.message}", file=sys.stderr)
        save_problem_report(exc.problems, args.report)
        return EXIT_REFUSED
    except AppError as exc:
        save_problem_report(exc.problems, args.report)
        raise
    for warning in report["warnings"]:
        print(f"注意：{warning}", file=sys.stderr)
    edition = framework.get_edition(db, report["edition_id"])
    print(f"已导入到版本“{edition['name']}”：新增 {len(report['added'])} 条，更新 {len(report['updated'])} 条，"
          f"未变 {report['unchanged']} 条，停用 {len(report['retired'])} 条。")
    if report["created_units"]:
        print("新建单位：" + "、".join(report["created_units"]))
    if report["created_groups"]:
        print("新建专项推进组：" + "、".join(report["created_groups"]))
    if report["retired"]:
        print("文件中已没有、已停用（保留历史）的标准：" + "、".join(report["retired"]))
    return EXIT_OK


def cmd_export_framework(args, ctx) -> int:
    edition_id = framework.resolve_edition(ctx.db, args.edition)
    if args.out.lower().endswith(".pdf"):
        pages = framework.export_framework_pdf(ctx.db, args.out, edition_id)
        print(f"已导出责任分解表（{pages} 页）到：{args.out}")
        return EXIT_OK
    if not args.out.lower().endswith(".xlsx"):
        raise AppError(f"不支持的导出格式：{args.out}。请使用 .xlsx 或 .pdf 文件名。")
    n = framework.export_framework(ctx.db, args.out, edition_id)
    print(f"已导出 {n} 条测评标准到：{args.out}")
    return EXIT_OK
