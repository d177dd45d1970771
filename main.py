"""创城工作台 — entry point.

`python main.py` opens the window; `python main.py [--data DIR] [--operator NAME] COMMAND …` runs a
command without one (see `--help`).
"""

from __future__ import annotations

import logging
import os
import sys
import traceback

# Commands that need the GUI register from gui/ but import Qt only when they run.
GUI_COMMAND_MODULES = ["gui.commands"]


def _setup_logging(data):
    """Log to logs/ in the data folder; in a read-only or full folder to a temporary folder instead,
    so that reading data never fails for want of a log. Returns the log file, or None."""
    from logging.handlers import RotatingFileHandler

    from core.paths import fallback_log_dir

    for folder in (data.logs, fallback_log_dir()):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handler = RotatingFileHandler(folder / "chuangcheng.log", maxBytes=2_000_000, backupCount=3,
                                          encoding="utf-8")
        except OSError:
            continue
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logging.basicConfig(level=logging.INFO, handlers=[handler])
        logging.raiseExceptions = False  # a log line lost to a full disk must not print a traceback
        return folder / "chuangcheng.log"
    return None


def _refuse(exc) -> int:
    """Print an AppError the way the command-line contract asks: the message on stderr, exit 2."""
    from core.commands import EXIT_REFUSED

    print(exc.message_zh, file=sys.stderr)
    if exc.details:
        print(exc.details, file=sys.stderr)
    for p in exc.problems[:200]:
        print(f"第 {p.row} 行\t{p.column or ''}\t{p.message}" if p.row else f"{p.column or ''}\t{p.message}",
              file=sys.stderr)
    if len(exc.problems) > 200:
        print(f"……另有 {len(exc.problems) - 200} 处问题", file=sys.stderr)
    return EXIT_REFUSED


def chosen_server(args) -> tuple[str | None, str | None]:
    """(server URL, remembered password): --server or CHUANGCHENG_SERVER; else, when no data folder
    is named (--data, CHUANGCHENG_DATA), the shared ledger saved on this PC (设置 → 共享台账)."""
    from core import connection
    from core.commands import ENV_SERVER
    from core.paths import ENV_DATA

    server = args.server or os.environ.get(ENV_SERVER)
    if server:
        return server, None
    if args.data or os.environ.get(ENV_DATA):
        return None, None
    return connection.command_line_server() or (None, None)


def main(argv: list[str] | None = None) -> int:
    from core.commands import (ENV_SERVER, EXIT_FAILED, EXIT_OK, EXIT_REFUSED, Context, build_parser,
                               office_placeholder_warning)

    from core.console import configure_output

    configure_output()  # Chinese output readable on a Windows console, in a file or a pipe
    parser = build_parser(GUI_COMMAND_MODULES)
    args = parser.parse_args(argv)
    operator = args.operator or os.environ.get("CHUANGCHENG_OPERATOR") or None

    from core.errors import AppError, storage_error
    from core.paths import resolve_data_dir

    try:
        data = resolve_data_dir(args.data)
    except OSError as exc:
        print(f"无法使用数据文件夹 {args.data}：{exc.strerror}。请换一个可写的文件夹。", file=sys.stderr)
        return EXIT_REFUSED
    log_file = _setup_logging(data)

    if not args.command:
        try:
            from gui.app import run_gui
            from core.paths import ENV_DATA

            # The window asks for the saved shared ledger's password itself (the 连接 dialog).
            named_server = args.server or os.environ.get(ENV_SERVER) or None
            named_folder = bool(args.data or os.environ.get(ENV_DATA))
            return run_gui(data, operator, server=named_server, saved_connection=not named_server and not named_folder)
        except Exception:  # before the window's error hook exists, or when Qt cannot start
            logging.exception("图形界面启动失败")
            raise

    server, password = chosen_server(args)
    if server and args.operator:
        print("共享台账的操作人是登录账号，--operator 已忽略。", file=sys.stderr)
    ctx = Context(data, operator or "命令行", server, password)
    try:
        code = args.func(args, ctx)
        warning = office_placeholder_warning(args, ctx) if code == EXIT_OK else ""
        if warning:
            print(warning, file=sys.stderr)
        return code
    except AppError as exc:
        return _refuse(exc)
    except KeyboardInterrupt:
        print("已取消。", file=sys.stderr)
        return EXIT_REFUSED
    except Exception as exc:
        # A full disk, a read-only folder or a locked file that no write path named: still the
        # user's to fix, never a traceback.
        refused = storage_error(exc, f"完成“{args.command}”")
        if refused is not None:
            logging.warning("命令 %s 因磁盘或文件问题未完成：%s", args.command, exc)
            return _refuse(refused)
        logging.exception("命令 %s 意外失败", args.command)
        traceback.print_exc()
        print(f"程序内部错误，详情已写入日志：{log_file or '（无法写入日志）'}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        ctx.close()


if __name__ == "__main__":
    sys.exit(main())
