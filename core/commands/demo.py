"""The demo command: an empty data folder filled with the demo district."""

from __future__ import annotations

from core import demo
from core.commands import EXIT_OK, add_command


def register(sub):
    add_command(sub, "demo", "在空的数据文件夹中加载示例区县数据", cmd_demo)


def cmd_demo(args, ctx) -> int:
    result = demo.load_demo(ctx.db)
    print(f"已加载示例数据：{result['units']} 个责任单位，{result['standards']} 条测评标准。")
    print(f"数据文件夹：{ctx.data.root}")
    return EXIT_OK
