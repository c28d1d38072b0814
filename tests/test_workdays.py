"""Working days (工作日): official holidays, 调休 make-up days, years without data, overrides."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from campaign.workdays import MAX_COUNT, CalendarWarning, OverrideFileError, WorkCalendar


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the English wording (CAMPAIGN_LANGUAGE=en); people see Chinese by
    default (tests/cli/test_language.py)."""
    monkeypatch.setenv("CAMPAIGN_LANGUAGE", "en")


def test_example_from_the_issue() -> None:
    assert WorkCalendar().add_workdays(date(2026, 9, 30), 5) == date(2026, 10, 13)


def test_holiday_is_skipped() -> None:
    # 2007-10-01..07 National Day; the next working day after 09-30 is 10-08.
    assert WorkCalendar().add_workdays(date(2007, 9, 30), 1) == date(2007, 10, 8)


def test_tiaoxiu_saturday_counts_as_a_working_day() -> None:
    work = WorkCalendar()
    assert work.is_workday(date(2026, 10, 10))  # a Saturday, made up for the National Day week
    assert work.add_workdays(date(2026, 10, 9), 1) == date(2026, 10, 10)


def test_start_day_not_counted_and_zero_is_the_start() -> None:
    work = WorkCalendar()
    assert work.add_workdays(date(2026, 11, 20), 0) == date(2026, 11, 20)
    assert work.add_workdays(date(2026, 11, 20), 1) == date(2026, 11, 23)  # Fri → Mon


def test_negative_counts_backwards() -> None:
    assert WorkCalendar().add_workdays(date(2026, 10, 13), -5) == date(2026, 9, 30)


def test_year_outside_the_package_falls_back_to_weekends_with_a_warning() -> None:
    work = WorkCalendar()
    with pytest.warns(CalendarWarning, match="no official holiday data for 2027"):
        assert work.add_workdays(date(2027, 1, 1), 1) == date(2027, 1, 4)
    assert work.estimated_years == {2027}


def test_override_file_adds_holidays_and_make_up_days(tmp_path: Path) -> None:
    path = tmp_path / "holidays.yaml"
    path.write_text("holidays: [2027-01-01, 2027-01-04]\nworkdays: [2027-01-09]\n")
    work = WorkCalendar.from_file(path)
    with pytest.warns(CalendarWarning):
        assert work.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 5)
        assert work.is_workday(date(2027, 1, 9))  # a Saturday made a working day


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("holidays: [not-a-date]\n", "'not-a-date' is not a date"),
        (
            "holidays: [2027-01-01]\nworkdays: [2027-01-01]\n",
            "both holiday and working day: 2027-01-01",
        ),
        ("- 2027-01-01\n", "expected a mapping"),
        ("holidays: [2027-01-01\n", "cannot read the holiday override file"),
    ],
)
def test_bad_override_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "holidays.yaml"
    path.write_text(content)
    with pytest.raises(OverrideFileError, match=message):
        WorkCalendar.from_file(path)


def test_an_absurd_count_is_refused_at_once() -> None:
    started = time.perf_counter()
    with pytest.raises(ValueError, match=f"绝对值不得超过 {MAX_COUNT}"):
        WorkCalendar().add_workdays(date(2007, 1, 1), 100_000_000)
    with pytest.raises(ValueError, match="超出范围"):
        WorkCalendar().add_workdays(date(2007, 1, 1), -(MAX_COUNT + 1))
    assert time.perf_counter() - started < 0.5


def test_counting_past_the_last_date_is_refused_not_an_overflow() -> None:
    with pytest.warns(CalendarWarning), pytest.raises(ValueError, match="超出了可计算的日期范围"):
        WorkCalendar().add_workdays(date(9999, 12, 30), 5)
    with pytest.warns(CalendarWarning), pytest.raises(ValueError, match="超出了可计算的日期范围"):
        WorkCalendar().add_workdays(date(1, 1, 2), -5)
