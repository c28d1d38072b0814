"""What the tick derives from the schedule's events: ledger keys, tick times, due days.

The events themselves (and the registry of their kinds) are `campaign.schedule`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cronsim import CronSim

from campaign.plan.schema import Plan
from campaign.schedule import Event, is_request_kind


def ledger_key(event: Event) -> tuple[str, str]:
    """(action, period) of the event's ledger rows: the event key with its period apart.

    request:weekly-progress:2007-W34 -> (request:weekly-progress, 2007-W34);
    reminder:weekly-progress:2007-W34:-1 -> (reminder:weekly-progress:-1, 2007-W34);
    directive:mobilization -> (directive:mobilization, "").
    """
    if event.period is None:
        return event.key, ""
    parts = event.key.split(":")
    assert len(parts) >= 3 and parts[2] == event.period, event.key
    return ":".join(parts[:2] + parts[3:]), event.period


def tick_time(plan: Plan, day: date) -> datetime:
    """When the campaign's tick first runs on or after `day`: the first tick_cron time that
    day, or, when the cron does not run that day (weekdays only, say), its next run."""
    zone = ZoneInfo(plan.timezone)
    midnight = datetime.combine(day, time(0), tzinfo=zone)
    return next(CronSim(plan.tick_cron, midnight - timedelta(microseconds=1)))


def tick_times(plan: Plan, days: list[date]) -> list[datetime]:
    """The tick times that carry out what falls due on these days, each once, in order."""
    return sorted({tick_time(plan, day) for day in days})


def moments(events: list[Event], start: date, end: date) -> list[date]:
    """Every day in [start, end] when something falls due: an event, or a request turning
    overdue (the day after its due date)."""
    days = {e.date for e in events}
    days |= {e.due + timedelta(days=1) for e in events if is_request_kind(e.kind) and e.due}
    days |= {e.due + timedelta(days=1) for e in events if e.kind == "directive" and e.due}
    return sorted(d for d in days if start <= d <= end)
