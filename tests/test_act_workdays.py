"""Working days with China's holidays and 调休, deadlines from profile deadlines."""

from __future__ import annotations

import datetime as dt

import pytest

from mgov.act.workdays import CalendarError, add_working_days, deadline_for, load_calendar
from mgov.profiles import Deadline

D = dt.date


@pytest.fixture(scope="module")
def cal():
    return load_calendar()


@pytest.mark.parametrize("shipped", [False, True])
def test_maintained_and_shipped_years_and_makeup_days(shipped):
    cal = load_calendar(shipped=shipped)  # chinesecalendar, or the tables once shipped: the same days
    assert {2025, 2026} <= cal.years
    assert not cal.is_working_day(D(2025, 1, 28))  # 除夕, a Tuesday, is a holiday since 2025
    assert cal.is_working_day(D(2025, 1, 26))  # Sunday worked (调休)
    assert cal.is_working_day(D(2026, 2, 14)) and cal.is_working_day(D(2026, 2, 28))  # Saturdays worked
    assert not cal.is_working_day(D(2026, 2, 23))  # Monday, last day of the 2026 春节 holiday
    assert not cal.is_working_day(D(2026, 10, 7)) and cal.is_working_day(D(2026, 10, 10))
    assert cal.is_working_day(D(2026, 3, 2)) and not cal.is_working_day(D(2026, 3, 7))  # ordinary week


def test_add_working_days_across_spring_festival(cal):
    # From Tue 2026-02-10: Wed 11, Thu 12, Fri 13, Sat 14 (调休) = 4; 15..23 off; Tue 24 = 5.
    assert add_working_days(D(2026, 2, 10), 5, cal) == D(2026, 2, 24)
    # ...25, 26, 27 = 8; Sat 28 (调休) = 9; Mar 2..6 = 14; Mon Mar 9 = 15.
    assert add_working_days(D(2026, 2, 10), 15, cal) == D(2026, 3, 9)
    assert add_working_days(D(2026, 2, 10), 0, cal) == D(2026, 2, 10)
    # 2025 国庆+中秋: Sun 9-28 worked; Oct 1..8 off; Sat 10-11 worked.
    assert add_working_days(D(2025, 9, 26), 1, cal) == D(2025, 9, 28)
    assert add_working_days(D(2025, 9, 30), 1, cal) == D(2025, 10, 9)
    assert add_working_days(D(2025, 9, 30), 3, cal) == D(2025, 10, 11)
    with pytest.raises(ValueError):
        add_working_days(D(2026, 1, 5), -1, cal)


def test_deadline_kinds(cal):
    opened = D(2026, 9, 30)
    assert deadline_for(Deadline.parse("immediate"), opened, cal) == opened
    assert deadline_for(Deadline.parse("5 working days"), opened, cal) == D(2026, 10, 13)  # 8, 9, 10 (Sat), 12, 13
    assert deadline_for(Deadline.parse("30 calendar days"), opened, cal) == D(2026, 10, 30)


def test_unknown_year_falls_back_to_statutory_holidays_with_a_warning(cal):
    # No 调休 known for 2027: Monday to Friday less the statutory 春节 days (8-10 February, from `holidays`).
    assert add_working_days(D(2027, 2, 5), 1, cal) == D(2027, 2, 11)
    assert add_working_days(D(2027, 3, 5), 1, cal) == D(2027, 3, 8)  # an ordinary Friday -> Monday
    assert cal.unknown_years(D(2026, 12, 28), D(2027, 1, 8)) == [2027]
    assert "2027" in (cal.warning(D(2026, 12, 28), D(2027, 1, 8)) or "")
    assert cal.warning(D(2026, 2, 10), D(2026, 3, 9)) is None


def test_user_file_replaces_a_year_and_adds_one(tmp_path):
    (tmp_path / "2027.toml").write_text(
        'year = 2027\nsource = "test"\n[[holidays]]\nname = "春节"\nstart = 2027-02-08\nend = 2027-02-10\n'
        "workdays = [2027-02-06]\n", encoding="utf-8")
    (tmp_path / "2026.toml").write_text('year = 2026\nsource = "mine"\n', encoding="utf-8")
    cal = load_calendar(tmp_path)
    assert 2027 in cal.years and cal.warning(D(2027, 1, 1), D(2027, 3, 1)) is None
    assert cal.is_working_day(D(2027, 2, 6)) and not cal.is_working_day(D(2027, 2, 8))
    assert cal.is_working_day(D(2026, 2, 16))  # the user's 2026 has no holidays: it replaced the shipped one
    assert "mine" in cal.sources[2026]


def test_bad_calendar_files_are_named(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('year = 2027\n[[holidays]]\nname = "x"\nstart = 2027-02-08\nend = 2027-02-10\n'
                   "workdays = [2027-02-09]\n", encoding="utf-8")
    with pytest.raises(CalendarError, match=r"bad.toml.*weekday"):
        load_calendar(bad)
    with pytest.raises(CalendarError, match="no such"):
        load_calendar(tmp_path / "missing.toml")
