"""The words and rules of 督查督办: statuses, sources and severities, and the overdue and 挂牌督办
rules bound to one day.

Overdue and 挂牌 are computed at query time from the thresholds in settings, so changing a
threshold takes effect at once and nothing stored goes stale.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core import clock, settings

# A finding's statuses, in the order it passes through them.
PENDING = "待交办"
ISSUED = "已交办"
SIGNED = "已签收"
FIXING = "整改中"
REPORTED = "已反馈"
CLOSED = "已销号"
STATUSES = [PENDING, ISSUED, SIGNED, FIXING, REPORTED, CLOSED]
OPEN = tuple(s for s in STATUSES if s != CLOSED)
# Statuses in which the unit still owes the fix: a deadline passed here means overdue.
OWING = (ISSUED, SIGNED, FIXING)

PASSED, FAILED = "通过", "未通过"  # the result of a 复查
REVIEW_RESULTS = (PASSED, FAILED)

SOURCES = ["明察暗访", "点位检查", "市级督查", "测评反馈", "群众举报", "其他"]
NORMAL, SERIOUS, GRAVE = "一般", "较重", "严重"
SEVERITIES = [NORMAL, SERIOUS, GRAVE]


@dataclass(frozen=True)
class Rules:
    """The thresholds and the dates they give for one day, ready to bind into SQL."""

    today: str
    overdue_cutoff: str  # overdue by more than N working days ⇔ due_on < this date
    count_limit: int
    repeat_days: int

    def params(self) -> dict:
        return {"today": self.today, "cutoff": self.overdue_cutoff, "count_limit": self.count_limit,
                "repeat_days": self.repeat_days}


def day_rules(db, today: dt.date | None = None) -> Rules:
    from core.supervision import workdays

    today = today or clock.today()
    limit = settings.get(db, "flag_overdue_workdays")
    # Working days in (due, today] exceed `limit` exactly when due is before the (limit+1)-th
    # working day counted back from today.
    cutoff = workdays.load(db).nth_workday_back(today, limit + 1)
    return Rules(today.isoformat(), cutoff.isoformat(), settings.get(db, "flag_supervision_count"),
                 settings.get(db, "flag_repeat_days"))


def _sql_list(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


def status_in(statuses) -> str:
    """A condition on the status of findings `f` (the statuses are the constants above, never a
    user's text, so they are written into the SQL where the planner sees them)."""
    return f"f.status IN ({_sql_list(statuses)})"


# The rules as SQL over findings `f`, against the dates of one day bound as :today and :cutoff (never
# stored: they depend on the day). Statuses are listed with IN rather than <> so that the index
# findings_flags (status, due_on, supervision_count, found_on, prev_at_site; m009) answers both the
# filters and the counts without reading the table. is_overdue and flag_reasons are the same rules per row.
OPEN_SQL = status_in(OPEN)
OVERDUE_SQL = f"({status_in(OWING)} AND f.due_on < :today)"
FLAG_COUNT_SQL = "(f.supervision_count >= :count_limit)"
FLAG_OVERDUE_SQL = f"({status_in(OWING)} AND f.due_on < :cutoff)"


def flag_repeat_sql(db) -> str:
    """Found again at the same 点位 within :repeat_days (the engines count days differently)."""
    return f"(f.prev_at_site IS NOT NULL AND {db.days_between('f.found_on', 'f.prev_at_site')} <= :repeat_days)"


def flagged_sql(db) -> str:
    return f"({OPEN_SQL} AND ({FLAG_COUNT_SQL} OR {FLAG_OVERDUE_SQL} OR {flag_repeat_sql(db)}))"


def as_flag(condition: str) -> str:
    """A condition selected as a value: 1 or 0 on both engines (PostgreSQL would give a boolean)."""
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


def count_where(condition: str) -> str:
    """How many rows of the group meet the condition (0, never NULL, for a group with rows)."""
    return f"SUM({as_flag(condition)})"


def is_overdue(row: dict, r: Rules) -> bool:
    return row["status"] in OWING and bool(row["due_on"]) and row["due_on"] < r.today


def flag_reasons(row: dict, r: Rules) -> list[str]:
    if row["status"] == CLOSED:
        return []
    reasons = []
    if row["supervision_count"] >= r.count_limit:
        reasons.append(f"督办{row['supervision_count']}次")
    if row["status"] in OWING and row["due_on"] and row["due_on"] < r.overdue_cutoff:
        reasons.append("严重逾期")
    if row["prev_at_site"] and (dt.date.fromisoformat(row["found_on"])
                                - dt.date.fromisoformat(row["prev_at_site"])).days <= r.repeat_days:
        reasons.append("同一点位重复出现")
    return reasons


def limit_days(db, finding: dict) -> int:
    """整改时限 in working days: as entered, else the default for the finding's severity."""
    if finding["limit_days"]:
        return finding["limit_days"]
    return int(settings.get(db, "deadline_days").get(finding["severity"], 5))
