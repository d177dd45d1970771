"""Commands that keep data safe: backup, verify, restore, check."""

from __future__ import annotations

import sys

from core import audit, safety
from core.commands import EXIT_OK, EXIT_PROBLEMS, EXIT_REFUSED, add_command
from core.errors import StorageError
from core.safety import health
from core.safety.instance_lock import is_held


def register(sub):
    p = add_command(sub, "backup", "备份数据库和全部附件到一个 .ccbak 文件（打印文件路径）", cmd_backup)
    p.add_argument("--out", metavar="DIR", help="保存备份的文件夹（默认：数据文件夹中的 backups）")
    p.add_argument("--allow-missing", action="store_true",
                   help="附件缺失或已被改动时仍制作备份（清单中记下缺少的文件；不算成功备份）")
    p = add_command(sub, "verify", "校验备份文件（0 完好，2 损坏或被拒绝）", cmd_verify)
    p.add_argument("file", metavar="FILE")
    p = add_command(sub, "restore", "从备份恢复（会先自动备份当前数据）；必须加 --yes 确认", cmd_restore)
    p.add_argument("file", metavar="FILE")
    p.add_argument("--yes", action="store_true", help="确认用备份替换当前数据")
    p.add_argument("--force", action="store_true", help="程序窗口仍打开着这个数据文件夹时也恢复（窗口中之后的修改会丢失）")
    p.add_argument("--foreign", action="store_true", help="确认用其他安装制作的备份替换现有台账")
    p = add_command(sub, "check", "数据体检：数据库完整性、外键、附件（0 健康，3 发现问题）", cmd_check)
    p.add_argument("--repair", action="store_true", help="执行安全的修复（从镜像补回附件、把无引用文件移入隔离区）；需同时加 --yes")
    p.add_argument("--yes", action="store_true", help="确认执行修复")


def cmd_backup(args, ctx) -> int:
    path = safety.make_backup(ctx.data, ctx.db, args.out, allow_missing=args.allow_missing)
    missing = safety.verify_backup(path, hashes=False).get("missing_attachments", [])
    if missing:
        print(f"注意：这个备份不完整，缺少 {len(missing)} 个附件（清单中已记下），不算一次成功的备份。"
              "请运行“数据体检”（check）处理后再备份。")
    print(path)
    return EXIT_OK


def cmd_verify(args, ctx) -> int:
    manifest = safety.verify_backup(args.file)
    print(f"备份完好：制作于 {manifest['created_at']}，程序版本 {manifest['version']}，数据版本 {manifest['schema_version']}，"
          f"附件 {manifest['attachment_files']} 个。")
    if safety.is_own_backup(ctx.data, args.file):
        print("由本机制作且未被改动。")
    else:
        print("内容完好，但由其他安装制作（或清单被改动过），无法确认来源。")
    missing = manifest.get("missing_attachments", [])
    if missing:
        print(f"注意：这个备份不完整，缺少 {len(missing)} 个附件（制作时已缺失或被改动）。")
    for name, n in audit.record_counts(dict(sorted(manifest["counts"].items()))):
        print(f"{name}\t{n}")
    return EXIT_OK


def cmd_restore(args, ctx) -> int:
    if not args.yes:
        print("恢复会用备份替换当前全部数据（之前会自动备份当前数据）。确认请加 --yes。", file=sys.stderr)
        return EXIT_REFUSED
    if ctx.server:
        return _restore_server(args, ctx)
    # The one command that may not overlap with an open window: the window would go on writing
    # to the replaced files (Linux) or hold them open (Windows).
    if is_held(ctx.data.root) and not args.force:
        print(f"程序窗口正打开着数据文件夹 {ctx.data.root}。请先关闭程序窗口再恢复"
              "（或在窗口的“数据安全”页中恢复）；确认窗口已不再使用时，可加 --force。", file=sys.stderr)
        return EXIT_REFUSED
    ctx.close()
    result = safety.restore_backup(ctx.data, args.file, operator=ctx.operator, allow_foreign=args.foreign)
    print(f"已从 {args.file} 恢复（制作于 {result['manifest']['created_at']}）。")
    copy = result["safety_backup"]
    if copy and copy.suffix == ".db":
        print(f"原数据库无法打开，已原样复制到：{copy}")
    elif copy:
        print(f"恢复前的数据已备份到：{copy}")
    if result["kept"]:
        print(f"原有附件已保留在：{result['kept']}")
    if result["missing_attachments"]:
        print(f"注意：恢复的数据引用的 {result['missing_attachments']} 个附件不在备份中（制作备份时已缺失），"
              "可运行“数据体检”（check）查看。")
    return EXIT_OK


def _restore_server(args, ctx) -> int:
    from core.safety import server_move

    result = server_move.restore_to_server(ctx.data, ctx.db, args.file, allow_foreign=args.foreign)
    print(f"已用 {args.file} 替换共享台账（备份制作于 {result['manifest']['created_at']}）。")
    if result["safety_backup"]:
        print(f"替换前的共享台账已备份到：{result['safety_backup']}")
    if result["missing_attachments"]:
        print(f"注意：恢复的数据引用的 {result['missing_attachments']} 个附件不在备份中（制作备份时已缺失），"
              "可运行“数据体检”（check）查看。")
    return EXIT_OK


def cmd_check(args, ctx) -> int:
    removed, size = safety.clean_leftovers(ctx.data)
    try:
        problems = health.check(ctx.db)
    except StorageError as exc:  # the database cannot be opened or read: say why, change nothing
        problems = [health.unopenable(exc)]
    for p in problems:
        print(f"{p['area']}\t{p['problem']}\t{p['detail']}")
    if not problems:
        print("数据体检通过：数据库完整，附件齐全。")
    _print_cleaned(removed, size)
    if not args.repair:
        return EXIT_PROBLEMS if problems else EXIT_OK
    if not args.yes:
        if not problems:
            return EXIT_OK
        print("修复需要同时加 --yes 确认。", file=sys.stderr)
        return EXIT_REFUSED
    if any(p.get("fatal") for p in problems):
        print("数据库无法打开或读取，体检不做任何修复。", file=sys.stderr)
        return EXIT_REFUSED
    n = health.repair(ctx.db, problems)  # also empties quarantine days past their keeping time
    if problems:
        print(f"已修复 {n} 项（移走的文件在数据文件夹的“{health.QUARANTINE}”中保留 {health.QUARANTINE_DAYS} 天）。")
    return EXIT_PROBLEMS if health.check(ctx.db) else EXIT_OK


def _print_cleaned(removed: int, size: int) -> None:
    if removed:
        print(f"已清理 {removed} 个中断的备份或恢复留下的临时文件（{size / 1024 ** 2:.1f} MB）。")
