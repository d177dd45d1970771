"""The columns of 丢分分析's lists. A report's columns come from core with a key and a kind, and are
formatted by kind: rates as percentages, points and counts as plain numbers."""

from __future__ import annotations

from core import scoring
from gui.models.table import Col, fmt_points

_RATE_KINDS = (scoring.RATE, scoring.RATE_CHANGE)


def fmt_rate(value) -> str:
    return "" if value is None else f"{value * 100:.2f}%"


ROUND_COLUMNS = [Col("name", "测评轮次", width=130), Col("kind", "类型", width=70), Col("held_on", "日期", width=88),
                 Col("line_count", "条数", align_right=True, width=48)]
LINE_COLUMNS = [Col("category_name", "测评项目", width=150), Col("code", "标准编号", width=62),
                Col("unit_names", "责任单位", width=170), Col("site", "点位", width=130),
                Col("site_type", "点位类型", width=80), Col("locality", "属地", width=80),
                Col("full_points", "满分", fmt=fmt_points, align_right=True, width=48),
                Col("score", "得分", fmt=fmt_points, align_right=True, width=48),
                Col("loss", "失分", fmt=fmt_points, align_right=True, width=48), Col("reason", "问题描述")]
TREND_COLUMNS = [Col("round", "测评轮次", width=150), Col("kind", "类型", width=80), Col("held_on", "日期", width=95),
                 Col("full", "应得分", fmt=fmt_points, align_right=True, width=70),
                 Col("score", "实得分", fmt=fmt_points, align_right=True, width=70),
                 Col("loss", "失分", fmt=fmt_points, align_right=True, width=70),
                 Col("rate", "得分率", fmt=fmt_rate, align_right=True, width=80),
                 Col("rank", "排名", align_right=True)]


def header_width(title: str) -> int:
    """A column wide enough for its title (“2025年市测得分率”), at the base font size."""
    return 13 * len(title) + 16


IN_SIGHT = ("unit_names", "status")  # moved to the front on screen: in sight at a large 界面字号


def table_columns(table: scoring.ReportTable) -> list[Col]:
    """Columns for a report table, keyed as core keys its rows and formatted as on paper (but for
    责任单位 and 状态, brought forward on screen)."""
    cols = []
    keep = [c for c in table.columns if c.key in IN_SIGHT]
    columns = [c for c in table.columns if c.key not in IN_SIGHT]
    columns[2:2] = keep
    for i, column in enumerate(columns):
        if not column.numeric:
            cols.append(Col(column.key, column.title, width=160 if i == 0 else 140))
            continue
        fmt = fmt_rate if column.kind in _RATE_KINDS else fmt_points
        cols.append(Col(column.key, column.title, fmt=fmt, align_right=True,
                        width=160 if i == 0 else max(66, header_width(column.title))))
    return cols
