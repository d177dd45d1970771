"""Commands of the foundation: demo data, units, the 测评体系 and its 分解表."""

from __future__ import annotations

import sys

from core import demo, framework
from core.commands import EXIT_OK, EXIT_REFUSED, add_command
from core.errors import AppError
from core.xlsx import framework_io, units_io


def register(sub):
    add_command(sub, "demo", "在空的数据文件夹中加载示例区县数据", cmd_demo)

    p = add_command(sub, "import-units", "从 Excel 导入责任单位名单（按列名识别，顺序不限）", cmd_import_units)
    p.add_argument("file", metavar="FILE.xlsx")

    p = add_command(sub, "import-framework", "从 Excel 导入测评体系责任分解表", cmd_import_framework)
    p.add_argument("file", metavar="FILE.xlsx")
    p.add_argument("--edition", metavar="NAME", help="要新建或更新的版本（默认：当前版本）")
    p.add_argument("--create-units", action="store_true", help="自动新建文件中出现的未知单位")
    p.add_argument("--report", metavar="PROBLEMS.xlsx", help="有问题时把问题清单另存为 Excel")

    p = add_command(sub, "export-framework", "导出责任分解表（.xlsx 可再导入；.pdf 为横排打印版）", cmd_export_framework)
    p.add_argument("out", metavar="OUT.xlsx|OUT.pdf")
    p.add_argument("--edition", metavar="NAME", help="版本（默认：当前版本）")


def cmd_demo(args, ctx) -> int:
    result = demo.load_demo(ctx.db)
    print(f"已加载示例数据：{result['units']} 个责任单位，{result['standards']} 条测评标准。")
    print(f"数据文件夹：{ctx.data.root}")
    return EXIT_OK


def cmd_import_units(args, ctx) -> int:
    counts = units_io.import_units(ctx.db, args.file)
    print(f"导入完成：新增 {counts['created']} 个，更新 {counts['updated']} 个，未变 {counts['unchanged']} 个。")
    return EXIT_OK


def cmd_import_framework(args, ctx) -> int:
    try:
        report = framework_io.import_framework(ctx.db, args.file, args.edition, args.create_units)
    except framework_io.UnknownUnitsError as exc:
        print(exc.message_zh, file=sys.stderr)
        for name, suggestions in exc.unknown.items():
            hint = f"\t可能是：{'、'.join(suggestions)}" if suggestions else ""
            print(f"未知单位：{name}\t第 {'、'.join(map(str, exc.rows_of[name]))} 行{hint}", file=sys.stderr)
        return EXIT_REFUSED
    except AppError as exc:
        if exc.problems and args.report:
            from core.xlsx.writer import write_problems
            write_problems(args.report, exc.problems)
            print(f"问题清单已保存到：{args.report}", file=sys.stderr)
        raise
    edition = framework.get_edition(ctx.db, report["edition_id"])
    print(f"已导入到版本“{edition['name']}”：新增 {len(report['added'])} 条，更新 {len(report['updated'])} 条，"
          f"未变 {report['unchanged']} 条，停用 {len(report['retired'])} 条。")
    if report["created_units"]:
        print("新建单位：" + "、".join(report["created_units"]))
    if report["retired"]:
        print("文件中已没有、已停用（保留历史）的标准：" + "、".join(report["retired"]))
    return EXIT_OK


def cmd_export_framework(args, ctx) -> int:
    edition_id = framework.resolve_edition(ctx.db, args.edition)
    if args.out.lower().endswith(".pdf"):
        from core.commands.letters import export_framework_pdf
        return export_framework_pdf(ctx.db, args.out, edition_id)
    if not args.out.lower().endswith(".xlsx"):
        raise AppError(f"不支持的导出格式：{args.out}。请使用 .xlsx 或 .pdf 文件名。")
    n = framework_io.export_framework(ctx.db, args.out, edition_id)
    print(f"已导出 {n} 条测评标准到：{args.out}")
    return EXIT_OK
