"""Commands of the 目标责任书 area: generate letters, list and mark signing state."""

from __future__ import annotations

from core import framework, letters, settings, units
from core.commands import EXIT_OK, add_command
from core.errors import AppError


def register(sub):
    p = add_command(sub, "letters", "生成目标责任书 PDF（全部单位或指定单位；一个文件或每单位一个文件）", cmd_letters)
    p.add_argument("--year", type=int, metavar="YYYY", help="责任书年度（默认：设置中的当前年度）")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", metavar="OUT.pdf", help="全部责任书写入一个 PDF，每份另起一页")
    target.add_argument("--separate", metavar="OUT_DIR", help="每个单位一个 PDF，文件名为单位全称")
    p.add_argument("--unit", action="append", metavar="NAME", help="只生成这些单位（全称或简称，可重复）")
    p.add_argument("--edition", metavar="NAME", help="测评体系版本（默认：当前版本）")
    p.add_argument("--duplex", action="store_true", help="双面打印：每份责任书从奇数页开始")

    p = add_command(sub, "letters-status", "列出各单位目标责任书的签订情况", cmd_letters_status)
    p.add_argument("--year", type=int, metavar="YYYY", help="年度（默认：当前年度）")
    p.add_argument("--out", metavar="OUT.xlsx", help="另存为 Excel")
    p.add_argument("--unsigned", action="store_true", help="只列出尚未签订的单位")
    p.add_argument("--edition", metavar="NAME", help="测评体系版本（默认：当前版本）")

    p = add_command(sub, "letters-mark", "登记单位责任书的印发或签订（可附签订扫描件）", cmd_letters_mark)
    p.add_argument("--year", type=int, metavar="YYYY", help="年度（默认：当前年度）")
    p.add_argument("--unit", required=True, action="append", metavar="NAME", help="单位（可重复）")
    p.add_argument("--state", required=True, choices=letters.STATES, help="未印发、已印发或已签订")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="印发或签订日期（默认：今天）")
    p.add_argument("--signer", metavar="NAME", help="签字人（标记已签订时必填）")
    p.add_argument("--scan", metavar="FILE", help="签订扫描件（PDF 或图片），存为附件")


def _year(ctx, year) -> int:
    return letters.check_year(year or settings.get(ctx.db, "current_year"))


def cmd_letters(args, ctx) -> int:
    db = ctx.db
    year = _year(ctx, args.year)
    edition_id = framework.resolve_edition(db, args.edition)
    unit_ids = [units.resolve_one(db, name) for name in args.unit] if args.unit else None
    if args.out:
        if not args.out.lower().endswith(".pdf"):
            raise AppError(f"输出文件应为 .pdf：{args.out}。")
        result = letters.generate_letters(db, year, args.out, unit_ids=unit_ids, edition_id=edition_id,
                                          duplex=args.duplex)
        print(f"已生成 {len(result.letters)} 份责任书，共 {result.pages} 页：{args.out}")
    else:
        result = letters.generate_separate(db, year, args.separate, unit_ids=unit_ids, edition_id=edition_id)
        print(f"已生成 {len(result.letters)} 个文件，共 {result.pages} 页，保存在：{args.separate}")
    if result.changes:
        print(f"以下 {len(result.changes)} 个单位的任务自上次生成以来有变化：")
        for name, text in result.changes.items():
            print(f"{name}：{text}")
    if result.without_tasks:
        print(f"以下 {len(result.without_tasks)} 个单位在本版本中没有任务，未生成责任书：")
        for name in result.without_tasks:
            print(name)
    return EXIT_OK


def cmd_letters_status(args, ctx) -> int:
    db = ctx.db
    year = _year(ctx, args.year)
    edition_id = framework.resolve_edition(db, args.edition)
    every = letters.with_letters(letters.status_rows(db, year, edition_id))
    found = letters.with_letters(every, unsigned_only=True) if args.unsigned else every
    print("\t".join(["责任单位", "任务数", "签订状态", "印发日期", "签订日期", "签字人", "分解表变化"]))
    for r in found:
        print("\t".join([r["name"], str(r["task_count"]), r["state"], r["issued_on"], r["signed_on"],
                         r["signed_by"], r["change_text"]]))
    # The summary counts every unit with a letter, also when only the unsigned ones are listed.
    signed = letters.signed_of(every)
    print(f"{year}年度：{len(every)} 个单位，已签订 {signed} 个，未签订 {len(every) - signed} 个。")
    if args.out:
        n = letters.export_status(db, args.out, year, edition_id, unsigned_only=args.unsigned)
        print(f"已导出 {n} 行到：{args.out}")
    return EXIT_OK


def cmd_letters_mark(args, ctx) -> int:
    db = ctx.db
    year = _year(ctx, args.year)
    unit_ids = [units.resolve_one(db, name) for name in args.unit]
    letters.set_states(db, year, unit_ids, args.state, on=args.date, signed_by=args.signer or "", scan=args.scan)
    print(f"已将 {len(unit_ids)} 个单位的 {year} 年度责任书标记为“{args.state}”。")
    return EXIT_OK
