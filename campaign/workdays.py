"""Working days (工作日) per China's official holidays and 调休 make-up days.

The `chinesecalendar` package knows the State Council's schedule for the years it
covers; a coordinator's override file (holidays and make-up working days) takes
precedence; years neither covers fall back to "Monday to Friday" and say so.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import yaml

from campaign.i18n import _

MAX_COUNT = 10_000  # working days one call may count: some forty years


class CalendarWarning(UserWarning):
    """Working days for a year were estimated from weekends only."""


class OverrideFileError(ValueError):
    pass


@dataclass
class WorkCalendar:
    holidays: set[date] = field(default_factory=set)
    workdays: set[date] = field(default_factory=set)
    estimated_years: set[int] = field(default_factory=set)

    @classmethod
    def from_file(cls, path: str | Path | None) -> WorkCalendar:
        """A calendar with the override file at path (None: the package's data only)."""
        if path is None:
            return cls()
        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise OverrideFileError(
                f"{path}: cannot read the holiday override file: {exc}"
            ) from exc
        if not isinstance(data, dict) or set(data) - {"holidays", "workdays"}:
            raise OverrideFileError(
                f"{path}: expected a mapping with the lists 'holidays' and 'workdays'"
            )
        try:
            holidays = {_as_date(d) for d in data.get("holidays") or []}
            workdays = {_as_date(d) for d in data.get("workdays") or []}
        except ValueError as exc:
            raise OverrideFileError(f"{path}: {exc}") from exc
        both = holidays & workdays
        if both:
            listed = ", ".join(map(str, sorted(both)))
            raise OverrideFileError(
                _("{path}: listed as both holiday and working day: {days}").format(
                    path=path, days=listed
                )
            )
        return cls(holidays=holidays, workdays=workdays)

    def with_days(self, holidays: Iterable[date], workdays: Iterable[date]) -> WorkCalendar:
        """This calendar with more holidays and working days (a plan's own); they win over
        the days this calendar lists."""
        holidays, workdays = set(holidays), set(workdays)
        if not holidays and not workdays:
            return self
        return WorkCalendar(
            holidays=(self.holidays - workdays) | holidays,
            workdays=(self.workdays - holidays) | workdays,
            estimated_years=self.estimated_years,
        )

    def next_workday(self, day: date) -> date:
        """The day itself if it is a working day, else the first working day after it."""
        return day if self.is_workday(day) else self.add_workdays(day, 1)

    def previous_workday(self, day: date) -> date:
        """The day itself if it is a working day, else the last working day before it."""
        return day if self.is_workday(day) else self.add_workdays(day, -1)

    def is_workday(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            if day.year not in self.estimated_years:
                self.estimated_years.add(day.year)
                warnings.warn(
                    _(
                        "no official holiday data for {year}: working days that year are "
                        "counted as Monday to Friday; give a holiday override file "
                        "(CAMPAIGN_HOLIDAYS_FILE) to correct them"
                    ).format(year=day.year),
                    CalendarWarning,
                    stacklevel=2,
                )
            return day.weekday() < 5

    def add_workdays(self, start: date, count: int) -> date:
        """The date `count` working days after start (start not counted); negative: before.

        ValueError if |count| exceeds MAX_COUNT or the date would leave the calendar.
        """
        if abs(count) > MAX_COUNT:
            raise ValueError(f"工作日数 {count} 超出范围：绝对值不得超过 {MAX_COUNT}")
        step = timedelta(days=1 if count >= 0 else -1)
        remaining = abs(count)
        day = start
        while remaining:
            try:
                day += step
            except OverflowError:
                raise ValueError(
                    f"从 {start} 起数 {count} 个工作日，超出了可计算的日期范围"
                ) from None
            if self.is_workday(day):
                remaining -= 1
        return day


def _as_date(value: object) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(_("{value!r} is not a date (YYYY-MM-DD)").format(value=value)) from None
