"""Every dated event a plan implies: a pure function of the plan and the working calendar.

The tick of a campaign carries out these events when they fall due; `campaign schedule`
prints them before anything is sent.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from typing import Any, Literal

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

EventKind = Literal[
    "directive", "request", "reminder", "escalation", "stage_summary", "final_summary", "acceptance"
]
KIND_ORDER: tuple[EventKind, ...] = (
    "directive",
    "request",
    "stage_summary",
    "final_summary",
    "reminder",
    "escalation",
    "acceptance",
)
Day = date  # the type, for fields that follow Event.date (which shadows the name)
REQUEST_KINDS: frozenset[str] = frozenset({"request", "stage_summary", "final_summary"})


@dataclass(frozen=True)
class Period:
    """One reporting period of a duty: what a single report covers and when it is due."""

    key: str
    label: str
    start: date
    end: date
    opens: date
    due: date


@dataclass(frozen=True)
class Event:
    date: date
    kind: EventKind
    key: str
    phase: str
    phase_key: str
    action: str | None = None
    action_key: str | None = None
    duty: str | None = None
    period: str | None = None
    period_label: str | None = None
    period_start: Day | None = None
    period_end: Day | None = None
    due: Day | None = None
    template: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items()}


def build_schedule(plan: Plan, work: WorkCalendar | None = None) -> list[Event]:
    """All events of the plan in date order (then by kind, then key)."""
    work = work or WorkCalendar()
    events = [*_directives(plan), *_acceptances(plan)]
    for duty in plan.duties:
        for request in duty_requests(plan, duty, work):
            events.append(request)
            events.extend(_follow_ups(plan, duty, request, work))
    return sorted(events, key=lambda e: (e.date, KIND_ORDER.index(e.kind), e.key))


def events_due(events: list[Event], since: date | None, until: date) -> list[Event]:
    """The events dated after `since` (exclusive; None: from the start) up to `until`."""
    return [e for e in events if (since is None or e.date > since) and e.date <= until]


def duty_requests(plan: Plan, duty: Duty, work: WorkCalendar) -> list[Event]:
    """The request events of one duty, one per period."""
    kind: EventKind = {
        "progress": "request",
        "stage_summary": "stage_summary",
        "final_summary": "final_summary",
    }.get(duty.kind, "request")  # type: ignore[assignment]
    out = []
    for period, phase, action in duty_periods(plan, duty, work):
        out.append(
            Event(
                date=period.opens,
                kind=kind,
                key=f"{kind}:{duty.key}:{period.key}",
                phase=phase.name,
                phase_key=phase.key,
                action=action.name if action else None,
                action_key=action.key if action else None,
                duty=duty.key,
                period=period.key,
                period_label=period.label,
                period_start=period.start,
                period_end=period.end,
                due=period.due,
            )
        )
    return out


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
            (p, *(_locate(plan, p.due) if duty.phase is None else (phase, action)))
            for p in fixed_periods(start, schedule)
        ]
    if isinstance(schedule, ByDate):
        if duty.phase is None:
            phase, action = _locate(plan, schedule.due)
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


def _follow_ups(plan: Plan, duty: Duty, request: Event, work: WorkCalendar) -> Iterator[Event]:
    """Reminders before and after the due date, and the escalation, of one request."""
    assert request.due is not None
    policy = plan.reminder_policy(duty)
    prefix = f"{duty.key}:{request.period}"
    for days in sorted(set(policy.before_due), reverse=True):
        when = request.due - timedelta(days)
        if when > request.date:
            yield replace(request, date=when, kind="reminder", key=f"reminder:{prefix}:-{days}")
    for days in sorted(set(policy.after_due)):
        when = request.due + timedelta(days)
        yield replace(request, date=when, kind="reminder", key=f"reminder:{prefix}:+{days}")
    if policy.escalate_after is not None:
        when = offset_date(request.due, policy.escalate_after, work)
        yield replace(request, date=when, kind="escalation", key=f"escalation:{prefix}")


def _directives(plan: Plan) -> Iterator[Event]:
    for phase in plan.phases:
        if phase.directive:
            yield Event(
                date=phase.start,
                kind="directive",
                key=f"directive:{phase.key}",
                phase=phase.name,
                phase_key=phase.key,
                template=phase.directive,
            )
        for action in phase.actions:
            if action.directive:
                yield Event(
                    date=action.start,
                    kind="directive",
                    key=f"directive:{action.key}",
                    phase=phase.name,
                    phase_key=phase.key,
                    action=action.name,
                    action_key=action.key,
                    template=action.directive,
                )


def _acceptances(plan: Plan) -> Iterator[Event]:
    for phase in plan.phases:
        if phase.kind == "acceptance":
            yield Event(
                date=phase.end,
                kind="acceptance",
                key=f"acceptance:{phase.key}",
                phase=phase.name,
                phase_key=phase.key,
            )


def _locate(plan: Plan, day: date) -> tuple[Phase, Action | None]:
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
