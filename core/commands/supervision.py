"""Commands of 督查督办: findings in and out of Excel, 督办通知单, printing notices, the 通报."""

from __future__ import annotations

import sys

from core import supervision, units
from core.supervision import workdays
from core.commands import EXIT_OK, add_command, save_problem_report
from core.commands.progress import Progress
from core.errors import AppError


def register(sub):
    p = add_command(sub, "findings-import", "从 Excel 批量导入督查问题（检查结果表，按列名识别）", cmd_findings_import)
    p.add_argument("file", metavar="FILE.xlsx")
    p.add_argument("--report", metavar="PROBLEMS.xlsx", help="有问题时把问题清单另存为 Excel")
    p.add_argument("--add-types", action="store_true", help="文件中词表没有的点位类型加入点位类型词表后导入")

    p = add_command(sub, "findings-export", "导出督查问题清单（.xlsx，“编号”列即问题编号）", cmd_findings_export)
    p.add_argument("out", metavar="OUT.xlsx")
    p.add_argument("--status", metavar="S", help=f"只导出此状态：{'、'.join(supervision.STATUSES)}")
    p.add_argument("--unit", metavar="NAME", help="只导出此责任单位的问题")
    p.add_argument("--overdue", action="store_true", help="只导出逾期问题")
    p.add_argument("--flagged", action="store_true", help="只导出挂牌督办问题")

    p = add_command(sub, "notice-issue", "开具督办通知单（交办或再次督办），打印分配的文号", cmd_notice_issue)
    p.add_argument("--unit", metavar="NAME", required=True, help="责任单位（全称、简称或曾用名）")
    p.add_argument("--findings", metavar="ID,ID,...", required=True, help="问题编号，逗号分隔")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="交办日期（默认今天）")
    p.add_argument("--requirement", metavar="TEXT", default="", help="整改要求（默认使用标准表述）")
    p.add_argument("--out", metavar="OUT.pdf|OUT.docx", help="同时生成通知单 PDF（或 .docx：Word 文档，可编辑）")

    p = add_command(sub, "notices", "把督办通知单输出为一个 PDF（公文格式；.docx 为可编辑的 Word 文档）", cmd_notices)
    p.add_argument("--out", metavar="OUT.pdf|OUT.docx", required=True)
    p.add_argument("--number", metavar="文号", action="append", default=[], help="指定文号，可重复")
    p.add_argument("--year", metavar="YYYY", type=int, help="某年度的全部通知单")

    p = add_command(sub, "bulletin", "生成督查通报（PDF 公文、Word 文档 .docx 或 .xlsx）", cmd_bulletin)
    p.add_argument("--from", dest="start", metavar="YYYY-MM-DD", required=True)
    p.add_argument("--to", dest="end", metavar="YYYY-MM-DD", required=True)
    p.add_argument("--out", metavar="OUT.pdf|OUT.docx|OUT.xlsx", required=True)
    p.add_argument("--by", choices=list(supervision.BULLETIN_RANKED_BY), default=supervision.BULLETIN_BY_UNIT,
                   help="排名和逾期统计方式：unit 责任单位，group 专项推进组（默认 unit）")

    p = add_command(sub, "holidays-import", "导入某年的法定节假日安排（日期、类型 放假/上班、名称）",
                    cmd_holidays_import)
    p.add_argument("year", metavar="YYYY", type=int)
    p.add_argument("file", metavar="FILE.xlsx")


def cmd_findings_import(args, ctx) -> int:
    try:
        result = supervision.import_findings(ctx.db, args.file, add_types=args.add_types)
    except AppError as exc:
        save_problem_report(exc.problems, args.report)
        raise
    for warning in result["warnings"]:
        print(f"注意：{warning}", file=sys.stderr)
    print(f"导入完成：新增 {result['findings']} 个督查问题，更新 {result['updated']} 个，未变 {result['unchanged']} 个。")
    if result["created_sites"]:
        print("新加入点位库：" + "、".join(result["created_sites"]))
    if result["added_types"]:
        print("新加入点位类型：" + "、".join(result["added_types"]))
    return EXIT_OK


def cmd_findings_export(args, ctx) -> int:
    _require_suffix(args.out, ".xlsx")
    flt = supervision.FindingFilter(status=args.status or "", overdue=args.overdue, flagged=args.flagged,
                                    unit_id=units.resolve_one(ctx.db, args.unit) if args.unit else None)
    n = supervision.export_findings(ctx.db, args.out, flt)
    print(f"已导出 {n} 个督查问题到：{args.out}")
    return EXIT_OK


def _ids(text: str) -> list[int]:
    try:
        ids = [int(part) for part in text.replace("，", ",").split(",") if part.strip()]
    except ValueError:
        raise AppError(f"问题编号“{text}”无法识别，请写成 12,15,18（findings-export 的“编号”列）。") from None
    if not ids:
        raise AppError("请用 --findings 给出至少一个问题编号。")
    return ids


def cmd_notice_issue(args, ctx) -> int:
    if args.out:
        _require_document(args.out)
    unit_id = units.resolve_one(ctx.db, args.unit)
    notice = supervision.issue_notice(ctx.db, unit_id, _ids(args.findings), issued_on=args.date,
                                      requirement=args.requirement)
    print(notice["number"])
    print(f"整改期限：{notice['due_on']}", file=sys.stderr)
    for warning in notice["warnings"]:
        print(f"注意：{warning}", file=sys.stderr)
    if args.out:
        supervision.write_notices(ctx.db, [notice["id"]], args.out)
        print(f"通知单已保存到：{args.out}", file=sys.stderr)
    return EXIT_OK


def cmd_notices(args, ctx) -> int:
    _require_document(args.out)
    if args.number:
        ids = [supervision.find_notice(ctx.db, n) for n in args.number]
    else:
        ids = [n["id"] for n in reversed(supervision.list_notices(ctx.db, args.year))]
    if not ids:
        raise AppError("没有符合条件的督办通知单。" + (f"{args.year} 年尚未开具通知单。" if args.year else ""))
    progress = Progress()
    pages = supervision.write_notices(ctx.db, ids, args.out, progress=progress)
    progress.finish()
    print(f"已输出 {len(ids)} 份督办通知单（{'Word 文档' if pages is None else f'{pages} 页'}）到：{args.out}")
    return EXIT_OK


def cmd_bulletin(args, ctx) -> int:
    if not args.out.lower().endswith((".pdf", ".docx", ".xlsx")):
        raise AppError(f"不支持的通报格式：{args.out}。请使用 .pdf、.docx（Word 文档）或 .xlsx 文件名。")
    data = supervision.write_bulletin(ctx.db, args.start, args.end, args.out, by=args.by)
    c = data["counts"]
    print(f"通报已保存到：{args.out}（新发现 {c['new']}，销号 {c['closed']}，逾期 {c['overdue']}，挂牌 {c['flagged']}）")
    return EXIT_OK


def cmd_holidays_import(args, ctx) -> int:
    result = workdays.import_schedule(ctx.db, args.year, args.file)
    print(f"已录入 {args.year} 年放假安排：放假 {result['holidays']} 天，调休上班 {result['workdays']} 天。")
    return EXIT_OK


def _require_document(path: str) -> None:
    if not path.lower().endswith((".pdf", ".docx")):
        raise AppError(f"不支持的通知单格式：{path}。请使用 .pdf 或 .docx（Word 文档）文件名。")


def _require_suffix(path: str, suffix: str) -> None:
    if not path.lower().endswith(suffix):
        raise AppError(f"文件名“{path}”应以 {suffix} 结尾。")
