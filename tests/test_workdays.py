"""Working days: chinese_calendar's real 2026 data (国庆, 调休 Saturdays) and office schedules."""

import datetime as dt

import chinese_calendar
import pytest

from core.supervision import workdays
from core.errors import AppError

D = dt.date


def test_package_knows_2026_national_day_and_makeup_days():
    # The State Council's 2026 schedule as the package carries it: 10月1日至7日 放假,
    # 9月20日（周日）and 10月10日（周六）上班.
    assert all(not chinese_calendar.is_workday(D(2026, 10, d)) for d in range(1, 8))
    assert D(2026, 10, 10).weekday() == 5 and chinese_calendar.is_workday(D(2026, 10, 10))
    assert D(2026, 9, 20).weekday() == 6 and chinese_calendar.is_workday(D(2026, 9, 20))
    assert 2026 in workdays.PACKAGE_YEARS and 2027 not in workdays.PACKAGE_YEARS


def test_deadline_across_national_day_counts_the_makeup_saturday(db):
    # 交办 on Wed 30 Sep: the day after is a holiday; 8, 9 (Thu, Fri), 10 (调休 Sat) are working days.
    deadline = workdays.add_workdays(db, D(2026, 9, 30), 3)
    assert deadline.due == D(2026, 10, 10) and deadline.warning == ""
    assert workdays.add_workdays(db, D(2026, 9, 30), 4).due == D(2026, 10, 12)  # Sun 11th is off
    # Counting starts the day after 交办: 交办 on Fri 9 Oct, 1 working day → the 调休 Saturday.
    assert workdays.add_workdays(db, D(2026, 10, 9), 1).due == D(2026, 10, 10)


def test_makeup_sunday_in_september(db):
    # Fri 18 Sep + 1 → Sun 20 Sep is a 调休 working day.
    assert workdays.add_workdays(db, D(2026, 9, 18), 1).due == D(2026, 9, 20)


def test_unknown_year_warns_and_office_schedule_fixes_it(db):
    deadline = workdays.add_workdays(db, D(2026, 12, 30), 5)
    assert deadline.unknown_years == [2027] and "2027年" in deadline.warning
    assert deadline.due == D(2027, 1, 6)  # Mon–Fri guess: 31 Dec, 1, 4, 5, 6 Jan
    workdays.set_year_schedule(db, 2027, [(D(2027, 1, 1), "元旦"), (D(2027, 1, 4), "元旦")],
                               [(D(2027, 1, 9), "元旦调休")])
    deadline = workdays.add_workdays(db, D(2026, 12, 30), 5)
    assert deadline.warning == ""
    assert deadline.due == D(2027, 1, 8)  # 31 Dec, 5, 6, 7, 8 Jan
    assert workdays.add_workdays(db, D(2027, 1, 8), 1).due == D(2027, 1, 9)  # the entered 调休 Saturday


def test_schedule_refuses_bad_input(db):
    with pytest.raises(AppError, match="不在 2027 年内"):
        workdays.set_year_schedule(db, 2027, [(D(2026, 1, 1), "元旦")], [])
    with pytest.raises(AppError, match="同时被列为放假和上班"):
        workdays.set_year_schedule(db, 2027, [(D(2027, 1, 1), "元旦")], [(D(2027, 1, 1), "")])
    with pytest.raises(AppError):
        workdays.add_workdays(db, D(2026, 1, 1), 0)


def test_schedule_import_from_excel(db, tmp_path):
    from core.xlsx.writer import Sheet, write_workbook

    path = tmp_path / "2027放假安排.xlsx"
    write_workbook(path, [Sheet("放假安排", ["日期", "类型", "名称"],
                                [["2027.1.1", "放假", "元旦"], ["2027-02-06", "上班", "春节调休"]])])
    assert workdays.import_schedule(db, 2027, path) == {"holidays": 1, "workdays": 1}
    assert 2027 in [y["year"] for y in workdays.known_years(db)]
    assert workdays.load(db).is_workday(D(2027, 2, 6))
    bad = tmp_path / "bad.xlsx"
    write_workbook(bad, [Sheet("放假安排", ["日期", "类型"], [["2027-01-01", "休班?"]])])
    with pytest.raises(AppError) as err:
        workdays.import_schedule(db, 2027, bad)
    assert err.value.problems[0].column == "类型"


def test_schedule_import_reports_a_date_formula_saved_without_its_value(db, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["日期", "类型", "名称"])
    wb.active.append(["2027-01-01", "放假", "元旦"])
    wb.active.append(["=DATE(2027,2,11)", "放假", "春节"])  # openpyxl saves formulas without their values
    wb.save(tmp_path / "formula.xlsx")
    with pytest.raises(AppError) as refused:
        workdays.import_schedule(db, 2027, tmp_path / "formula.xlsx")
    assert [(p.row, p.column) for p in refused.value.problems] == [(3, "日期")]
    assert "=DATE(2027,2,11)" in refused.value.problems[0].message
    assert workdays.list_overrides(db, 2027) == []


def test_overdue_cutoff_counts_working_days_back(db):
    cal = workdays.load(db)
    # Working days counted back from Mon 12 Oct 2026: 12, 10 (调休 Sat), 9, 8, then 30 Sep.
    assert cal.nth_workday_back(D(2026, 10, 12), 4) == D(2026, 10, 8)
    assert cal.nth_workday_back(D(2026, 10, 12), 5) == D(2026, 9, 30)
    assert cal.workdays_between(D(2026, 9, 30), D(2026, 10, 12)) == 4
