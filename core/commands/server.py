"""Commands of the shared ledger on a PostgreSQL server: preparing it, its users, moving a ledger in."""

from __future__ import annotations

import sys

from core.commands import EXIT_OK, EXIT_REFUSED, add_command
from core.errors import AppError


def register(sub):
    add_command(sub, "server-init", "把服务器上的空数据库准备为共享台账（数据结构、三个角色及其权限；由数据库所有者或超级用户运行，"
                                    "再次运行不改变任何内容）", cmd_server_init)
    p = add_command(sub, "server-user", "共享台账的用户：add 新增、list 列出、disable 停用（由管理员运行）", cmd_server_user)
    p.add_argument("action", choices=["add", "list", "disable"], metavar="add|list|disable")
    p.add_argument("name", nargs="?", metavar="NAME", help="账号名（add、disable 时必填）")
    p.add_argument("--role", metavar="管理员|经办人|只读", help="新账号的角色（add 时必填）")
    p.add_argument("--password-stdin", action="store_true", help="从标准输入读入新账号的密码（一行）")
    p = add_command(sub, "server-import", "把单机台账（数据文件夹或 .ccbak 备份）连同全部附件迁入新建的空共享台账"
                                          "（一次完成，要么全做要么不做；由管理员运行）", cmd_server_import)
    p.add_argument("source", metavar="SOURCE", help="单机版的数据文件夹，或一个 .ccbak 备份文件")


def _server(ctx):
    if not ctx.server:
        raise AppError("这个命令用于共享台账：请用 --server postgresql://用户名@主机:端口/数据库名 指定服务器"
                       "（或设置环境变量 CHUANGCHENG_SERVER）。")
    from core.store import postgres

    try:
        return postgres.connect(ctx.server, ctx.password)
    except Exception as exc:  # noqa: BLE001 - any connection failure is named with what to check
        raise AppError(postgres.unreachable_message(ctx.server, exc), str(exc)) from None


def cmd_server_init(args, ctx) -> int:
    from core.store import server_admin

    store = _server(ctx)
    try:
        report = server_admin.initialize(store)
    finally:
        store.close()
    print("共享台账已准备好。" if report.created_schema else "共享台账已存在，数据未改动。")
    if report.created_roles:
        print("已建立角色：" + "、".join(server_admin.ROLE_LABELS[r] + f"（{r}）" for r in report.created_roles))
    print("搜索索引：" + ("pg_trgm" if report.trigram else "未使用扩展（逐条比对）"))
    for note in report.notes:
        print(note)
    print("下一步：用 server-user add 为每位同事建立账号。")
    return EXIT_OK


def cmd_server_user(args, ctx) -> int:
    from core.store import server_admin

    if args.action in ("add", "disable") and not args.name:
        print(f"server-user {args.action} 需要账号名，例如：server-user {args.action} zhangsan", file=sys.stderr)
        return EXIT_REFUSED
    if args.action == "add":
        if not args.role:
            print("请用 --role 指定角色：管理员、经办人或只读。", file=sys.stderr)
            return EXIT_REFUSED
        if not args.password_stdin:
            print("命令行不会等待输入密码：请加 --password-stdin，并从标准输入提供密码。", file=sys.stderr)
            return EXIT_REFUSED
        password = sys.stdin.readline().rstrip("\r\n")
    store = _server(ctx)
    try:
        if args.action == "list":
            for user in server_admin.list_users(store):
                print(f"{user['name']}\t{user['role']}\t{'可登录' if user['can_login'] else '已停用'}")
        elif args.action == "add":
            server_admin.add_user(store, args.name, args.role, password)
            print(f"已新增账号 {args.name}（{args.role}）。")
        else:
            server_admin.disable_user(store, args.name)
            print(f"已停用账号 {args.name}，该账号不能再登录（操作日志中的记录保留）。")
    finally:
        store.close()
    return EXIT_OK


def cmd_server_import(args, ctx) -> int:
    from core.safety import server_move

    if not ctx.server:
        _server(ctx)  # says how to name the server
    result = server_move.import_ledger(ctx.data, ctx.db, args.source)
    print(f"已迁入共享台账：{server_move.summary_text(result['summary'])}。")
    if result["missing_attachments"]:
        print(f"注意：迁入的台账引用的 {result['missing_attachments']} 个附件不在备份中（制作备份时已缺失），"
              "可运行“数据体检”（check）查看。")
    return EXIT_OK
