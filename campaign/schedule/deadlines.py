"""Deadlines that run from an event the unit itself reports (a decision taken, an accident):
N days or working days after the day it happened, or N hours after the moment.

They are not dated events of the schedule (nobody knows when the event will happen); the
report gives the moment in the duty's `field` and its lateness is judged when it arrives.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from campaign.plan.schema import AfterEvent, Duty, Plan, Within
from campaign.workdays import WorkCalendar


def event_deadline(
    occurred: datetime, within: Within, work: WorkCalendar, *, next_workday: bool = True
) -> datetime:
    """The last moment a report on an event at `occurred` is on time. Hours count from the
    moment itself; days end at midnight of the last day, which moves to the next working
    day when it is a holiday (unless next_workday is False); working days never need to."""
    if within.hours is not None:
        return occurred + timedelta(hours=within.hours)
    day = occurred.date()
    if within.working_days is not None:
        last = work.add_workdays(day, within.working_days)
    else:
        last = day + timedelta(days=within.days or 0)
        if next_workday:
            last = work.next_workday(last)
    return datetime.combine(last, time.max, tzinfo=occurred.tzinfo)


def event_moment(value: Any, zone: ZoneInfo) -> datetime | None:
    """The moment a report gives for its event: a date (the day's start) or a date and
    time, as a value or ISO text (2009-05-12, 2009-05-12 14:30); None if it gives none."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=zone)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("T", " ")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def reported_late(
    *, plan: Plan, duty: Duty | None, values: dict[str, Any], at: datetime, work: WorkCalendar
) -> bool:
    """Whether a report of an after-event duty, arriving at `at`, is past its deadline."""
    if duty is None or not isinstance(duty.schedule, AfterEvent):
        return False
    zone = ZoneInfo(plan.timezone)
    occurred = event_moment(values.get(duty.schedule.field), zone)
    if occurred is None:
        return False
    deadline = event_deadline(
        occurred,
        duty.schedule.within,
        work,
        next_workday=plan.due_on_holidays == "next_workday",
    )
    return at.astimezone(zone) > deadline
