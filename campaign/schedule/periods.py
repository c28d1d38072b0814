"""The reporting periods of a plan's duties, and dates offset by (working) days."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass, replace
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
CN_NUMBERS = "〇一二三四五六七八九十"


def duty_periods(plan: Plan, duty: Duty, work: WorkCalendar) -> list[Located]:
    """Every period of a duty with the phase (and action) it belongs to; none for ad_hoc.

    A due date on a holiday or weekend moves to the next working day unless the plan
    keeps due dates as written (due_on_holidays: as_written).
    """
    located = _duty_periods(plan, duty, work)
    if plan.due_on_holidays == "next_workday":
        located = [(replace(p, due=work.next_workday(p.due)), ph, a) for p, ph, a in located]
    return located


def plan_workdays(plan: Plan, work: WorkCalendar | None = None) -> WorkCalendar:
    """The working calendar with the holidays and working days the plan announces."""
    work = work or WorkCalendar()
    return work.with_days(plan.calendar.holidays, plan.calendar.workdays)


def duty_window(plan: Plan, duty: Duty) -> tuple[date, date, tuple[Phase, Action | None] | None]:
    """The days a duty spans, and its phase (and action) when one window bounds it (None:
    each period belongs to the phase it starts in)."""
    keys = duty.window_keys
    if not keys:
        return plan.start, plan.end, None
    windows = plan.windows()
    spans = [windows[key][1] or windows[key][0] for key in keys]
    start, end = min(s.start for s in spans), max(s.end for s in spans)
    return start, end, (windows[keys[0]] if len(keys) == 1 else None)


def _duty_periods(plan: Plan, duty: Duty, work: WorkCalendar) -> list[Located]:
    windows = plan.windows()
    schedule = duty.schedule
    with_year = plan.spans_years
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
    start, end, fixed = duty_window(plan, duty)

    def place(period: Period, day: date | None = None) -> Located:
        return (period, *(fixed or locate(plan, day or period.start)))

    if isinstance(schedule, Weekly):
        return [place(p) for p in weekly_periods(start, end, schedule, with_year)]
    if isinstance(schedule, Monthly):
        return [place(p) for p in monthly_periods(start, end, schedule)]
    if isinstance(schedule, FixedDates):
        return [place(p, p.due) for p in fixed_periods(start, schedule, with_year)]
    if isinstance(schedule, ByDate):
        if fixed is None:
            start = locate(plan, schedule.due)[0].start
        opens = schedule.opens or start
        label = f"截至{day_label(schedule.due, with_year)}"
        return [place(Period("final", label, opens, schedule.due, opens, schedule.due), opens)]
    return []


def weekly_periods(
    start: date, end: date, schedule: Weekly, with_year: bool = False
) -> Iterator[Period]:
    weekday = WEEKDAYS.index(schedule.weekday)
    monday = start - timedelta(days=start.weekday())
    while monday <= end:
        first, last = max(monday, start), min(monday + timedelta(6), end)
        due = min(max(monday + timedelta(weekday), first), last)
        year, week, _ = monday.isocalendar()
        label = span_label(first, last, with_year)
        yield Period(f"{year}-W{week:02d}", label, first, last, first, due)
        monday += timedelta(7)


def monthly_periods(start: date, end: date, schedule: Monthly) -> Iterator[Period]:
    """Periods of `interval` months aligned on the calendar year, clipped to [start, end];
    the first due by `first_due` when the plan sets one."""
    n = schedule.interval
    year, month = start.year, ((start.month - 1) // n) * n + 1
    first_period = True
    while date(year, month, 1) <= end:
        last_year, last_month = _add_months(year, month, n - 1)
        whole = (
            date(year, month, 1),
            date(last_year, last_month, _month_days(last_year, last_month)),
        )
        first, last = max(whole[0], start), min(whole[1], end)
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
        if first_period and schedule.first_due is not None:
            due = schedule.first_due
            opens = first if due < opens else opens
        label = months_label(first, last, whole, n)
        yield Period(_months_key(year, month, n), label, first, last, opens, due)
        year, month = _add_months(year, month, n)
        first_period = False


def months_label(first: date, last: date, whole: tuple[date, date], n: int) -> str:
    """2009年第一季度 / 2009年上半年 / 2009年 for a whole period; for one cut short, the
    months it covers (2009年4月, 2009年3月至4月) or, when it starts or ends within a
    month, its days (2009年8月20日至9月30日)."""
    if (first, last) == whole:
        if n == 3:
            return f"{first.year}年第{CN_NUMBERS[(first.month - 1) // 3 + 1]}季度"
        if n == 6:
            return f"{first.year}年{'上' if first.month == 1 else '下'}半年"
        if n == 12:
            return f"{first.year}年"
    if first.day == 1 and last.day == _month_days(last.year, last.month):
        if (first.year, first.month) == (last.year, last.month):
            return f"{first.year}年{first.month}月"
        if first.year == last.year:
            return f"{first.year}年{first.month}月至{last.month}月"
        return f"{first.year}年{first.month}月至{last.year}年{last.month}月"
    return span_label(first, last, with_year=True)


def fixed_periods(start: date, schedule: FixedDates, with_year: bool = False) -> Iterator[Period]:
    previous = start - timedelta(1)
    for due in schedule.dates:
        first = previous + timedelta(1)
        yield Period(due.isoformat(), span_label(first, due, with_year), first, due, first, due)
        previous = due


def day_label(day: date, with_year: bool) -> str:
    """8月20日, or 2009年8月20日 in a plan that spans years."""
    return f"{day.year}年{day.month}月{day.day}日" if with_year else f"{day.month}月{day.day}日"


def span_label(first: date, last: date, with_year: bool) -> str:
    """8月20日至8月26日; with the year: 2009年12月1日至12月7日, 2009年12月28日至2010年1月3日."""
    if not with_year:
        return f"{day_label(first, False)}至{day_label(last, False)}"
    tail = day_label(last, last.year != first.year)
    return f"{day_label(first, True)}至{tail}"


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


def _months_key(year: int, month: int, n: int) -> str:
    if n == 1:
        return f"{year}-{month:02d}"
    if n == 3:
        return f"{year}-Q{(month - 1) // 3 + 1}"
    if n == 6:
        return f"{year}-H{(month - 1) // 6 + 1}"
    if n == 12:
        return f"{year}"
    return f"{year}-{month:02d}+{n}"
