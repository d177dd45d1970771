"""Global search from the command line: the same hits as Ctrl+K in the program."""

from __future__ import annotations

import sys

from core import search
from core.commands import EXIT_OK, EXIT_REFUSED, add_command


def register(sub):
    p = add_command(sub, "search", "在标准、单位、材料、附件、督查问题、督办通知、测评结果中查找；"
                                   "每行一条：类别、编号、标题（以制表符分隔）", cmd_search)
    p.add_argument("text", metavar="TEXT", help="要查找的文字（一个字也可以；多个词用空格分开，须全部出现）")
    p.add_argument("--limit", type=int, default=50, metavar="N", help="最多列出 N 条（默认 50）")


def cmd_search(args, ctx) -> int:
    if args.limit < 1:
        print("--limit 应为正整数，例如 --limit 20。", file=sys.stderr)
        return EXIT_REFUSED
    if not args.text.strip():
        print("请给出要查找的文字，例如：search 农贸市场", file=sys.stderr)
        return EXIT_REFUSED
    for hit in search.search(ctx.db, args.text, args.limit):
        title = " ".join(hit.title.split())  # a tab or line break inside a title must not break the columns
        print(f"{hit.kind}\t{hit.id}\t{title}")
    return EXIT_OK
