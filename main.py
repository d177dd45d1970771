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


def _setup_logging(data) -> None:
    from logging.handlers import RotatingFileHandler

    handler = RotatingFileHandler(data.logs / "chuangcheng.log", maxBytes=2_000_000, backupCount=3,
                                  encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])


def main(argv: list[str] | None = None) -> int:
    from core.commands import EXIT_FAILED, EXIT_REFUSED, Context, build_parser

    from core.console import configure_output

    configure_output()  # Chinese output readable on a Windows console, in a file or a pipe
    parser = build_parser(GUI_COMMAND_MODULES)
    args = parser.parse_args(argv)
    operator = args.operator or os.environ.get("CHUANGCHENG_OPERATOR") or None

    from core.errors import AppError
    from core.paths import resolve_data_dir

    try:
        data = resolve_data_dir(args.data)
    except OSError as exc:
        print(f"无法使用数据文件夹 {args.data}：{exc.strerror}。请换一个可写的文件夹。", file=sys.stderr)
        return EXIT_REFUSED
    _setup_logging(data)

    if not args.command:
        try:
            from gui.app import run_gui
            return run_gui(data, operator)
        except Exception:  # before the window's error hook exists, or when Qt cannot start
            logging.exception("图形界面启动失败")
            raise

    ctx = Context(data, operator or "命令行")
    try:
        return args.func(args, ctx)
    except AppError as exc:
        print(exc.message_zh, file=sys.stderr)
        if exc.details:
            print(exc.details, file=sys.stderr)
        for p in exc.problems[:200]:
            print(f"第 {p.row} 行\t{p.column or ''}\t{p.message}" if p.row else f"{p.column or ''}\t{p.message}",
                  file=sys.stderr)
        if len(exc.problems) > 200:
            print(f"……另有 {len(exc.problems) - 200} 处问题", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print("已取消。", file=sys.stderr)
        return EXIT_REFUSED
    except Exception:
        logging.exception("命令 %s 意外失败", args.command)
        traceback.print_exc()
        print(f"程序内部错误，详情已写入日志：{data.logs / 'chuangcheng.log'}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        ctx.close()


if __name__ == "__main__":
    sys.exit(main())
