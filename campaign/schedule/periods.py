"""The reporting periods of a plan's duties, and dates offset by (working) days."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from campaign.plan.schema import (
    WEEKDAYS,
    Action,
    AfterEnd,
    ByDate,
    Duty,
    FixedDates,
    Monthly,
    Offset,
    Phase,
    Plan,
    Weekly,
)
from campaign.workdays import WorkCalendar


@dataclass(frozen=True)
class Period:
    """One reporting period of a duty: what a single report covers and when it is due."""

    key: str
    label: str
    start: date
    end: date
    opens: date
    due: date


Located = tuple[Period, Phase, Action | None]


def duty_periods(plan: Plan, duty: Duty, work: WorkCalendar) -> list[Located]:
    """Every period of a duty with the phase (and action) it belongs to; none for ad_hoc."""
    windows = plan.windows()
    schedule = duty.schedule
    if isinstance(schedule, AfterEnd):
        out: list[Located] = []
        for key in schedule.of:
            phase, action = windows[key]
            window = action or phase
            due = offset_date(window.end, schedule.within, work)
            period = Period(
                key, window.name, window.start, window.end, window.end + timedelta(1), due
            )
            out.append((period, phase, action))
        return out
    if duty.phase is not None:
        phase, action = windows[duty.phase]
        start, end = (action or phase).start, (action or phase).end
    else:
        phase, action, (start, end) = plan.phases[0], None, (plan.start, plan.end)
    if isinstance(schedule, Weekly):
        return [(p, phase, action) for p in weekly_periods(start, end, schedule)]
    if isinstance(schedule, Monthly):
        return [(p, phase, action) for p in monthly_periods(start, end, schedule)]
    if isinstance(schedule, FixedDates):
        return [
            (p, *(locate(plan, p.due) if duty.phase is None else (phase, action)))
            for p in fixed_periods(start, schedule)
        ]
    if isinstance(schedule, ByDate):
        if duty.phase is None:
            phase, action = locate(plan, schedule.due)
            start = phase.start
        opens = schedule.opens or start
        label = f"截至{_md(schedule.due)}"
        return [(Period("final", label, opens, schedule.due, opens, schedule.due), phase, action)]
    return []


def weekly_periods(start: date, end: date, schedule: Weekly) -> Iterator[Period]:
    weekday = WEEKDAYS.index(schedule.weekday)
    monday = start - timedelta(days=start.weekday())
    while monday <= end:
        first, last = max(monday, start), min(monday + timedelta(6), end)
        due = min(max(monday + timedelta(weekday), first), last)
        year, week, _ = monday.isocalendar()
        yield Period(f"{year}-W{week:02d}", f"{_md(first)}至{_md(last)}", first, last, first, due)
        monday += timedelta(7)


def monthly_periods(start: date, end: date, schedule: Monthly) -> Iterator[Period]:
    n = schedule.interval
    year, month = start.year, ((start.month - 1) // n) * n + 1
    while date(year, month, 1) <= end:
        last_year, last_month = _add_months(year, month, n - 1)
        first = max(date(year, month, 1), start)
        last = min(date(last_year, last_month, _month_days(last_year, last_month)), end)
        # Due dates follow the period as clipped to the window: a quarter cut short at the
        # campaign's end is due the month after its last day, not after the full quarter.
        if schedule.due_month == "next":
            due_year, due_month = _add_months(last.year, last.month, 1)
            opens = last + timedelta(1)
        else:
            due_year, due_month = last.year, last.month
            opens = first
        due = max(
            date(due_year, due_month, min(schedule.day, _month_days(due_year, due_month))), opens
        )
        if n == 1:
            key, label = f"{year}-{month:02d}", f"{year}年{month}月"
        elif n == 3:
            key, label = f"{year}-Q{(month - 1) // 3 + 1}", f"{year}年第{(month - 1) // 3 + 1}季度"
        else:
            key, label = f"{year}-{month:02d}+{n}", f"{year}年{month}月至{last_month}月"
        yield Period(key, label, first, last, opens, due)
        year, month = _add_months(year, month, n)


def fixed_periods(start: date, schedule: FixedDates) -> Iterator[Period]:
    previous = start - timedelta(1)
    for due in schedule.dates:
        first = previous + timedelta(1)
        yield Period(due.isoformat(), f"{_md(first)}至{_md(due)}", first, due, first, due)
        previous = due


def offset_date(day: date, offset: Offset, work: WorkCalendar) -> date:
    if offset.working_days is not None:
        return work.add_workdays(day, offset.working_days)
    return day + timedelta(days=offset.days or 0)


def locate(plan: Plan, day: date) -> tuple[Phase, Action | None]:
    """The phase (and action) a day falls in; the last phase starting on or before it."""
    candidates = [p for p in plan.phases if p.start <= day <= p.end]
    if not candidates:
        candidates = [p for p in plan.phases if p.start <= day] or plan.phases[:1]
    phase = max(candidates, key=lambda p: p.start)
    action = next((a for a in phase.actions if a.start <= day <= a.end), None)
    return phase, action


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + n
    return index // 12, index % 12 + 1


def _month_days(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _md(day: date) -> str:
    return f"{day.month}月{day.day}日"
