"""丢分分析: 测评轮次, their scored lines, the loss reports by unit / 测评项目 / 属地 / 点位类型, a unit's
own page, comparing two rounds, trends, and turning losses into a task list or 督查 findings.

page.py is the shell (the rounds and the attribution rules); each tab has its module (lines_tab,
report_tab, compare_tab, trend_tab); the forms are in dialogs.py and the lists' columns in columns.py.
"""

from gui.views.scoring.page import ScoringPage

__all__ = ["ScoringPage"]
