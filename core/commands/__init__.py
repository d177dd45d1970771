"""The command line: every area registers its sub-commands here (see DESIGN.md for the contract).

Exit status: 0 success; 2 bad input or refused (Chinese message on stderr, nothing written);
3 a check that ran and found problems (listed on stdout); 1 an unexpected failure.
"""

from __future__ import annotations

import argparse
import importlib

from core import APP_NAME, __version__

# One module per area; each has register(subparsers) adding commands whose handler is
# `func(args, ctx) -> int`.
AREA_MODULES = ["core.commands.server", "core.commands.demo", "core.commands.units", "core.commands.framework",
                "core.commands.groups", "core.commands.letters", "core.commands.safety", "core.commands.scoring",
                "core.commands.supervision", "core.commands.materials", "core.commands.search", "core.commands.new_year",
                "core.commands.unit_packages", "core.commands.remind"]

EXIT_OK, EXIT_FAILED, EXIT_REFUSED, EXIT_PROBLEMS = 0, 1, 2, 3


ENV_SERVER = "CHUANGCHENG_SERVER"


def save_problem_report(problems, report: str | None) -> None:
    """An import's problems as a workbook (行号, 列, 问题) at --report, when asked, and where it went."""
    if problems and report:
        import sys

        from core.xlsx.writer import write_problems

        write_problems(report, problems)
        print(f"问题清单已保存到：{report}", file=sys.stderr)


class Context:
    """What a command needs: the data folder, the shared ledger's address (or None for the
    single-desk ledger in the data folder), and the store opened on first use."""

    def __init__(self, data_dir, operator: str, server: str | None = None, password: str | None = None):
        self.data = data_dir
        self.operator = operator
        self.server = server
        self.password = password  # remembered on this PC (keyring); otherwise libpq's rules
        self._db = None

    @property
    def db(self):
        if self._db is None:
            from core.store import open_store
            self._db = open_store(self.data, self.operator, server=self.server, password=self.password)
        return self._db

    def close(self):
        if self._db is not None:
            self._db.close()
            self._db = None


class ChineseHelpFormatter(argparse.RawDescriptionHelpFormatter):
    pass


def build_parser(extra_modules=()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="main.py", description=f"{APP_NAME}：创建全国文明城市工作台账（不带命令时打开图形界面）。",
        formatter_class=ChineseHelpFormatter, add_help=False)
    parser.add_argument("-h", "--help", action="help", help="显示帮助并退出")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}",
                        help="显示版本号并退出")
    parser.add_argument("--data", metavar="DIR", help="数据文件夹（默认：本机用户数据目录，或环境变量 CHUANGCHENG_DATA）")
    parser.add_argument("--server", metavar="URL",
                        help="共享台账服务器，如 postgresql://用户名@主机:5432/数据库名（默认：环境变量 CHUANGCHENG_SERVER；"
                             "不指定时使用数据文件夹中的本机台账）")
    parser.add_argument("--operator", metavar="NAME", help="操作人姓名，记入操作日志（默认：环境变量 CHUANGCHENG_OPERATOR，或“命令行”；"
                                                          "共享台账的操作人是登录账号）")
    sub = parser.add_subparsers(dest="command", metavar="命令", title="命令")
    for name in [*AREA_MODULES, *extra_modules]:
        importlib.import_module(name).register(sub)
    return parser


# Commands whose output carries the office's names or 机关代字 (the 通报 only as a PDF).
OFFICE_DOCUMENT_COMMANDS = {"letters", "catalogue", "notice-issue", "notices", "bulletin", "loss-report"}
PDF_ONLY = {"bulletin", "loss-report"}


def office_placeholder_warning(args, ctx) -> str:
    """The one warning a document command gives while the office is not set up: the command runs
    as it always did (never waiting for the first-run step), the placeholders are printed."""
    if args.command not in OFFICE_DOCUMENT_COMMANDS:
        return ""
    if args.command in PDF_ONLY and not str(args.out).lower().endswith(".pdf"):
        return ""
    from core import settings

    return settings.placeholder_warning(ctx.db)


def add_command(sub, name: str, help_zh: str, func):
    p = sub.add_parser(name, help=help_zh, description=help_zh, add_help=False,
                       formatter_class=ChineseHelpFormatter)
    p.add_argument("-h", "--help", action="help", help="显示帮助并退出")
    p.set_defaults(func=func)
    return p
