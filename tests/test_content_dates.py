"""Date expressions as government list and article pages write them."""

import time
from datetime import date

import pytest

from mgov.content.dates import find_dates, parse_date, strip_dates

TODAY = date(2026, 1, 5)


@pytest.mark.parametrize("text, expected", [
    ("2026-01-04", date(2026, 1, 4)),
    ("2025/11/26", date(2025, 11, 26)),
    ("2025.11.26", date(2025, 11, 26)),
    ("2025年11月26日", date(2025, 11, 26)),
    ("2025 年 11 月 26 日", date(2025, 11, 26)),
    ("2025年1月5日", date(2025, 1, 5)),
    ("2025-1-5", date(2025, 1, 5)),
    ("发布时间：2025-12-31 10:00:00", date(2025, 12, 31)),
    ("2025-12-31T10:00:00+08:00", date(2025, 12, 31)),
    ("[2025-12-31]", date(2025, 12, 31)),
    ("（2025.12.31）", date(2025, 12, 31)),
    # next year is still plausible (a scheduled notice), further is not
    ("2027-01-01", date(2027, 1, 1)),
    # full-width digits and separators
    ("２０２５年１２月３０日", date(2025, 12, 30)),
    ("２０２５－１２－３０", date(2025, 12, 30)),
    ("２０２５／１２／３０", date(2025, 12, 30)),
    # month-day forms take the latest year that is not after today
    ("01-03", date(2026, 1, 3)),
    ("12-30", date(2025, 12, 30)),
    ("12/30", date(2025, 12, 30)),
    ("[12-30]", date(2025, 12, 30)),
    ("11月26日", date(2025, 11, 26)),
    ("1月5日", date(2026, 1, 5)),
    ("1月6日", date(2025, 1, 6)),
    ("１２－３０", date(2025, 12, 30)),
    ("02-29", date(2024, 2, 29)),
])
def test_parse_date(text, expected):
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize("text", [
    "",
    "暂无信息",
    "2026-02-30",  # no such day
    "2026-13-01",  # no such month
    "2025年2月29日",  # not a leap year
    "13-01",
    "02-30",
    "1989-12-31",  # before the web
    "2028-01-01",  # too far ahead
    "010-12345678",  # a Beijing phone number
    "0571-87654321",
    "1.2.3.4",  # a version string
    "v2025.12.01.1",
    "3/4",  # a fraction: month-day needs two digits each
    "共3/10页",
    "比分3-1",
    "20251126",  # compact digits are not read
    "10:30",
    "12-30-01",  # part of a longer code
    "3月15",  # month-day without 日
])
def test_not_a_date(text):
    assert parse_date(text, TODAY) is None
    assert find_dates(text, TODAY) == []


def test_year_inference_around_new_year():
    # Early January: December items belong to last year, January ones to this one.
    assert find_dates("12-30 12-31 01-01 01-05 01-06", date(2026, 1, 5)) == [
        date(2025, 12, 30), date(2025, 12, 31), date(2026, 1, 1), date(2026, 1, 5), date(2025, 1, 6)]
    # Late December: every date is this year's up to today.
    assert find_dates("12-30 12-31 01-01", date(2025, 12, 31)) == [
        date(2025, 12, 30), date(2025, 12, 31), date(2025, 1, 1)]
    assert parse_date("12月31日", date(2026, 1, 1)) == date(2025, 12, 31)
    assert parse_date("1月1日", date(2026, 1, 1)) == date(2026, 1, 1)


def test_find_dates_in_order_and_skipping_impossible():
    text = "留言时间：2025-08-10 回复时间：2026-02-30 办结：2025年9月1日 更新 12-01"
    assert find_dates(text, TODAY) == [date(2025, 8, 10), date(2025, 9, 1), date(2025, 12, 1)]
    # An impossible full date is consumed whole: its tail is not re-read as a month-day.
    assert find_dates("2026-02-30", TODAY) == []
    assert parse_date("2026-02-30 2025-12-01", TODAY) == date(2025, 12, 1)


def test_first_date_wins():
    assert parse_date("2025-12-01 至 2025-12-31", TODAY) == date(2025, 12, 1)


def test_strip_dates():
    # The text comes back NFKC-folded (，→ ,): it is hashed, not shown.
    assert strip_dates("今天是2026年1月5日 星期一，更新于01-05").split() == ["今天是", "星期一,更新于"]


def test_fast_on_long_text():
    text = ("市政府召开常务会议 2025-12-30 电话 010-12345678 版本 1.2.3.4 " * 20000)
    start = time.process_time()
    found = find_dates(text, TODAY)
    assert len(found) == 20000 and found[0] == date(2025, 12, 30)
    assert time.process_time() - start < 5
