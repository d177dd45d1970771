"""Commands of 今日催办: the day's list (stdout, .xlsx or the 催办单 PDF) and recording a 催办."""

from __future__ import annotations

from core import remind, units
from core.commands import EXIT_OK, add_command
from core.commands.progress import Progress
from core.errors import AppError


def register(sub):
    p = add_command(sub, "remind", "今日催办：列出各单位需要催办的事项（或另存为 .xlsx / 催办单 PDF，或记录已催办）",
                    cmd_remind)
    p.add_argument("--date", metavar="YYYY-MM-DD", help="按哪一天列出（默认：今天）")
    p.add_argument("--out", metavar="OUT.xlsx|OUT.pdf",
                   help=".xlsx：每个事项一行；.pdf：每个单位一份催办单（公文格式）")
    p.add_argument("--record", metavar="UNIT", help="记录已催办该单位（全称或简称）当天的全部事项")
    p.add_argument("--method", choices=remind.METHODS, help="催办方式（与 --record 一起使用）：电话、短信或催办单")
    p.add_argument("--note", default="", metavar="TEXT", help="催办备注（与 --record 一起使用），如 对方答复本周办结")
    p.add_argument("--text", action="store_true", help="输出每个单位的催办短信（可复制到政务微信或短信）")


def cmd_remind(args, ctx) -> int:
    db = ctx.db
    day = remind.day_of(db, args.date)
    if args.record or args.method:
        return _record(args, ctx, day)
    if args.out and not args.out.lower().endswith((".xlsx", ".pdf")):
        raise AppError(f"不支持的输出格式：{args.out}。请使用 .xlsx（催办清单）或 .pdf（催办单）文件名。")
    entries = remind.collect(db, day)
    if args.out and args.out.lower().endswith(".xlsx"):
        n = remind.export_xlsx(db, args.out, entries=entries)
        print(f"{day.today.isoformat()}：{len(entries)} 个单位需要催办，共 {n} 项，已保存到：{args.out}")
        return EXIT_OK
    if args.out:
        progress = Progress()
        result = remind.render_pdf(db, args.out, entries=entries, progress=progress)
        progress.finish()
        print(f"已输出 {len(entries)} 个单位的催办单（{result.page_count} 页）到：{args.out}")
        return EXIT_OK
    for entry in entries:
        print(_line(entry))
        if args.text:
            print("　" + remind.message(db, entry))
    items = sum(len(e["items"]) for e in entries)
    print(f"{day.today.isoformat()}：{len(entries)} 个单位需要催办，共 {items} 项。")
    return EXIT_OK


def _line(entry: dict) -> str:
    """One unit: name, the counts by kind, overdue, the earliest 到期日, whom to call."""
    counts = "，".join(f"{label} {entry['counts'][kind]}" for kind, label in remind.KINDS.items()
                      if entry["counts"][kind])
    overdue = f"，逾期 {entry['overdue']} 项（最长 {entry['most_overdue']} 天）" if entry["overdue"] else ""
    earliest = f"，最早到期 {entry['earliest_due']}" if entry["earliest_due"] else ""
    contact = "　".join(x for x in (entry["liaison"], entry["phone"]) if x)
    return f"{entry['name']}\t{counts}{overdue}{earliest}" + (f"\t{contact}" if contact else "")


def _record(args, ctx, day) -> int:
    if not (args.record and args.method):
        raise AppError("记录已催办需要同时指定 --record 单位 和 --method 电话/短信/催办单。")
    if args.out:
        raise AppError("--record 与 --out 不能同时使用：请先记录，再另行输出。")
    unit_id = units.resolve_one(ctx.db, args.record)
    n = remind.record(ctx.db, unit_id, args.method, note=args.note, day=day)
    print(f"已记录：{units.get_unit(ctx.db, unit_id)['name']} {remind.action_of(args.method)}，共 {n} 项事项。")
    return EXIT_OK
