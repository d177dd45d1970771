"""Commands of 丢分分析: import a round's results, loss reports, comparing two rounds."""

from __future__ import annotations

import sys

from core import framework, scoring, units
from core.commands import EXIT_OK, add_command, save_problem_report
from core.errors import AppError


def register(sub):
    p = add_command(sub, "import-results", "从 Excel 导入一轮测评的成绩（按标准或按点位）", cmd_import_results)
    p.add_argument("file", metavar="FILE.xlsx")
    p.add_argument("--round", required=True, metavar="NAME", help="测评轮次名称，如“2026年市测”")
    p.add_argument("--kind", choices=scoring.KINDS, metavar="KIND",
                   help=f"测评类型：{'、'.join(scoring.KINDS)}（默认：从轮次名称推断）")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="测评日期（默认：今天）")
    p.add_argument("--edition", metavar="NAME", help="所依据的测评体系版本（默认：当前版本）")
    p.add_argument("--replace", action="store_true", help="轮次已存在时替换该轮次的全部成绩")
    p.add_argument("--report", metavar="PROBLEMS.xlsx", help="有问题时把问题清单另存为 Excel")
    p.add_argument("--add-types", action="store_true", help="文件中词表没有的点位类型加入点位类型词表后导入")

    p = add_command(sub, "import-survey", "导入一轮测评的问卷调查结果（标准编号、指标、目标值、实际值）",
                    cmd_import_survey)
    p.add_argument("file", metavar="FILE.xlsx")
    p.add_argument("--round", required=True, metavar="NAME", help="测评轮次名称（没有时新建）")
    p.add_argument("--report", metavar="PROBLEMS.xlsx", help="有问题时把问题清单另存为 Excel")

    p = add_command(sub, "loss-report", "导出一轮测评的失分统计（.xlsx、.pdf 或 Word 文档 .docx）", cmd_loss_report)
    p.add_argument("--round", required=True, metavar="NAME", help="测评轮次名称")
    p.add_argument("--by", choices=list(scoring.REPORT_KINDS), default=scoring.BY_UNIT,
                   help="统计方式：unit 责任单位，category 测评项目，group 专项推进组，locality 属地，site-type 点位类型，"
                        "standard 失分最多的标准（默认 unit）")
    p.add_argument("--unit", metavar="NAME", help="只导出这个单位的失分明细（单位全称或简称）")
    p.add_argument("--out", required=True, metavar="OUT.xlsx|OUT.pdf|OUT.docx")

    p = add_command(sub, "compare-rounds", "对比两轮测评：各单位、各测评项目的变化，新增和已整改的失分",
                    cmd_compare_rounds)
    p.add_argument("--from", dest="from_round", required=True, metavar="NAME", help="较早的轮次")
    p.add_argument("--to", dest="to_round", required=True, metavar="NAME", help="较晚的轮次")
    p.add_argument("--out", required=True, metavar="OUT.xlsx")


def cmd_import_results(args, ctx) -> int:
    edition_id = framework.resolve_edition(ctx.db, args.edition) if args.edition else None
    try:
        result = scoring.import_results(ctx.db, args.file, args.round, args.kind, args.date, edition_id,
                                        args.replace, add_types=args.add_types)
    except AppError as exc:
        _refuse_with_problems(exc, args.report)
    for warning in result["warnings"]:
        print(f"注意：{warning}", file=sys.stderr)
    if result["added_types"]:
        print("新加入点位类型：" + "、".join(result["added_types"]))
    rate = "—" if result["rate"] is None else f"{result['rate'] * 100:.2f}%"
    verb = f"替换了原有 {result['replaced']} 条，" if result["replaced"] else ""
    form = "按点位" if result["form"] == scoring.FORM_PER_SITE else "按标准"
    print(f"已导入轮次“{args.round}”（{form}）：{verb}共 {result['lines']} 条，"
          f"应得分 {result['full']:g}，实得分 {result['score']:g}，失分 {result['loss']:g}，得分率 {rate}。")
    return EXIT_OK


def _refuse_with_problems(exc: AppError, report: str | None):
    """An import refused for problems in its file: each with 行号 and 列 on stderr (and in the report
    workbook when asked), then one line that nothing was imported. Other refusals pass unchanged."""
    if not exc.problems:
        raise exc
    print(exc.message_zh, file=sys.stderr)
    for p in exc.problems:
        print(f"第 {p.row} 行\t{p.column}\t{p.message}", file=sys.stderr)
    save_problem_report(exc.problems, report)
    raise AppError(f"共 {len(exc.problems)} 处问题，未导入。") from None


def cmd_import_survey(args, ctx) -> int:
    try:
        result = scoring.import_survey(ctx.db, args.file, args.round)
    except AppError as exc:
        _refuse_with_problems(exc, args.report)
    results = result["results"]
    met = sum(1 for r in results if r["met"])
    created = "（新建轮次）" if result["created_round"] else ""
    print(f"已导入轮次“{args.round}”{created}的问卷调查结果 {len(results)} 条：达标 {met} 条，未达标 {len(results) - met} 条。")
    for r in results:
        if not r["met"]:
            print(f"未达标：{r['code']} {r['indicator']} {scoring.rate_text(r['actual'])}"
                  f"（目标 ≥{scoring.rate_text(r['target'])}）")
    return EXIT_OK


def _format(path: str) -> str:
    lower = path.lower()
    if lower.endswith(".xlsx"):
        return "xlsx"
    if lower.endswith(".pdf"):
        return "pdf"
    if lower.endswith(".docx"):
        return "docx"
    raise AppError(f"不支持的导出格式：{path}。请使用 .xlsx、.pdf 或 .docx（Word 文档）文件名。")


def cmd_loss_report(args, ctx) -> int:
    round_id = scoring.resolve_round(ctx.db, args.round)
    kind = _format(args.out)
    if args.unit:
        unit_id = units.resolve_one(ctx.db, args.unit)
        if kind == "xlsx":
            n = scoring.export_unit_page(ctx.db, round_id, unit_id, args.out)
            print(f"已导出 {n} 项失分到：{args.out}")
        elif kind == "docx":
            scoring.write_unit_page_word(ctx.db, round_id, unit_id, args.out)
            print(f"已生成 Word 文档：{args.out}")
        else:
            pages = scoring.write_unit_page_pdf(ctx.db, round_id, unit_id, args.out)
            print(f"已生成 {pages} 页 PDF：{args.out}")
        return EXIT_OK
    if kind == "xlsx":
        n = scoring.export_report(ctx.db, round_id, args.by, args.out)
        print(f"已导出 {n} 行（{scoring.REPORT_KINDS[args.by]}）到：{args.out}")
    elif kind == "docx":
        scoring.write_report_word(ctx.db, round_id, args.by, args.out)
        print(f"已生成 Word 文档（{scoring.REPORT_KINDS[args.by]}）：{args.out}")
    else:
        pages = scoring.write_report_pdf(ctx.db, round_id, args.by, args.out)
        print(f"已生成 {pages} 页 PDF（{scoring.REPORT_KINDS[args.by]}）：{args.out}")
    return EXIT_OK


def cmd_compare_rounds(args, ctx) -> int:
    if not args.out.lower().endswith(".xlsx"):
        raise AppError(f"不支持的导出格式：{args.out}。请使用 .xlsx 文件名。")
    from_id = scoring.resolve_round(ctx.db, args.from_round)
    to_id = scoring.resolve_round(ctx.db, args.to_round)
    if from_id == to_id:
        raise AppError("对比需要两个不同的测评轮次。")
    tables = scoring.export_compare(ctx.db, from_id, to_id, args.out)
    counts = "，".join(f"{t.title} {len(t.rows)} 行" for t in tables)
    print(f"已导出对比结果到：{args.out}（{counts}）")
    return EXIT_OK
