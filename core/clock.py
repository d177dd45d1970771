"""The one clock of the program: what day it is, what time it is.

Deadlines, overdue counts, 通报 periods and backup ages all ask here. Tests, demonstrations and the
command line can set the day with the environment variable CHUANGCHENG_TODAY=YYYY-MM-DD; the time
of day stays the real one.
"""

from __future__ import annotations

import datetime as dt
import os

ENV_TODAY = "CHUANGCHENG_TODAY"


def today() -> dt.date:
    fixed = os.environ.get(ENV_TODAY, "").strip()
    if fixed:
        try:
            return dt.date.fromisoformat(fixed)
        except ValueError:
            from core.errors import AppError

            raise AppError(f"环境变量 {ENV_TODAY} 的值“{fixed}”不是日期，请写成 2026-12-03 的形式，或删除它。") from None
    return dt.date.today()


def now() -> dt.datetime:
    """Now, on the clock's day (the real time of day)."""
    real = dt.datetime.now()
    day = today()
    return real if day == real.date() else dt.datetime.combine(day, real.time())


def stamp() -> str:
    """Now as the ledger stores it: 2026-12-03T09:30:00."""
    return now().isoformat(timespec="seconds")
