"""Working days (工作日) for 整改时限: official holidays and 调休 make-up days.

chinese_calendar knows the State Council's schedule for the years up to its release; for later
years the office enters the schedule itself (放假 days and 调休 上班 days), which also overrides the
package where both speak. A year neither knows is counted Monday to Friday and reported as
uncertain, so the user is told that a deadline in it may shift.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import chinese_calendar

from core import audit, clock
from core.errors import AppError

PACKAGE_YEARS = frozenset(d.year for d in chinese_calendar.holidays) & frozenset(
    d.year for d in chinese_calendar.workdays)


@dataclass
class Calendar:
    """A snapshot of the calendar: the package's data plus the office's overrides."""

    overrides: dict[dt.date, bool] = field(default_factory=dict)
    office_years: set[int] = field(default_factory=set)

    def known_year(self, year: int) -> bool:
        return year in PACKAGE_YEARS or year in self.office_years

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year in PACKAGE_YEARS:
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def add_workdays(self, start: dt.date, count: int) -> "Deadline":
        """The count-th working day after `start` (交办 day itself is not counted)."""
        if count < 1:
            raise AppError("整改时限至少为 1 个工作日。")
        day, left, unknown = start, count, set()
        while left:
            day += dt.timedelta(days=1)
            if not self.known_year(day.year):
                unknown.add(day.year)
            if self.is_workday(day):
                left -= 1
        return Deadline(day, sorted(unknown))

    def workdays_between(self, after: dt.date, until: dt.date) -> int:
        """Working days in (after, until]: how many working days `until` is past `after`."""
        n, day = 0, after
        while day < until:
            day += dt.timedelta(days=1)
            n += self.is_workday(day)
        return n

    def nth_workday_back(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day counting back from `day` (itself included when a working day)."""
        seen = 0
        while True:
            if self.is_workday(day):
                seen += 1
                if seen == n:
                    return day
            day -= dt.timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    due: dt.date
    unknown_years: list[int]

    @property
    def warning(self) -> str:
        if not self.unknown_years:
            return ""
        years = "、".join(f"{y}年" for y in self.unknown_years)
        return (f"{years}的法定节假日安排程序尚不知道，期限暂按周一至周五计算，可能有出入。"
                "请在“督查督办 → 点位/日历”中录入或导入国务院办公厅公布的放假安排。")


def load(db) -> Calendar:
    overrides = {dt.date.fromisoformat(r["day"]): bool(r["is_workday"])
                 for r in db.rows("SELECT day, is_workday FROM workday_overrides")}
    return Calendar(overrides, set(db.column("SELECT year FROM workday_years")))


def add_workdays(db, start: dt.date, count: int) -> Deadline:
    return load(db).add_workdays(start, count)


def _year_range(year: int) -> dict:
    return {"first": f"{year:04d}-01-01", "last": f"{year:04d}-12-31"}


def list_overrides(db, year: int | None = None) -> list[dict]:
    if year:
        return db.rows("SELECT day, is_workday, name FROM workday_overrides WHERE day BETWEEN :first AND :last"
                       " ORDER BY day", _year_range(year))
    return db.rows("SELECT day, is_workday, name FROM workday_overrides ORDER BY day")


def known_years(db) -> list[dict]:
    office = {r["year"]: r for r in db.rows("SELECT year, source FROM workday_years")}
    result = [{"year": y, "source": "chinese_calendar 内置"} for y in sorted(PACKAGE_YEARS)]
    result += [{"year": y, "source": office[y]["source"] or "办公室录入"} for y in sorted(office)]
    return result


def set_year_schedule(db, year: int, holidays: list[tuple[dt.date, str]],
                      workdays: list[tuple[dt.date, str]], source: str = "办公室录入") -> None:
    """Replace the office's schedule of one year (放假 days and 调休 上班 days) and mark it known."""
    for day, _name in [*holidays, *workdays]:
        if day.year != year:
            raise AppError(f"日期 {day.isoformat()} 不在 {year} 年内，请检查放假安排。")
    clash = {d for d, _ in holidays} & {d for d, _ in workdays}
    if clash:
        raise AppError(f"{min(clash).isoformat()} 同时被列为放假和上班，请检查放假安排。")
    with db.write():
        before = list_overrides(db, year)
        db.execute("DELETE FROM workday_overrides WHERE day BETWEEN :first AND :last", _year_range(year))
        db.executemany("INSERT INTO workday_overrides (day, is_workday, name) VALUES (:day, :is_workday, :name)",
                       [{"day": d.isoformat(), "is_workday": 0, "name": n} for d, n in holidays]
                       + [{"day": d.isoformat(), "is_workday": 1, "name": n} for d, n in workdays])
        db.upsert("workday_years", {"year": year, "source": source, "entered_at": clock.stamp()}, key=["year"])
        audit.log(db, "录入放假安排", "workday_years", year, len(before),
                  {"holidays": len(holidays), "workdays": len(workdays)}, f"{year}年 {source}")


def import_schedule(db, year: int, path) -> dict:
    """The State Council's schedule of one year from a sheet (日期, 类型 放假/上班, 名称)."""
    from core.xlsx import supervision_io

    holidays, workdays = supervision_io.read_schedule(path, year)
    set_year_schedule(db, year, holidays, workdays, f"导入：{getattr(path, 'name', str(path))}")
    return {"holidays": len(holidays), "workdays": len(workdays)}
