"""The events a campaign carries out: the plan's schedule plus what orchestration adds.

`build_schedule` gives directives, requests, reminders, escalations and the acceptance.
A launched campaign also chases the acknowledgement (签收) of each directive like a
report, and compiles each stage or final summary the day after its deadline. All of it
is a pure function of the plan and the working calendar.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cronsim import CronSim

from campaign.plan.schema import Plan
from campaign.schedule import REQUEST_KINDS, Event, build_schedule, offset_date
from campaign.workdays import WorkCalendar

ACK_DUTY = "acknowledgement"
"""duty_key of the acknowledgement requests (签收) a directive opens."""

SUMMARY_KIND = "summary"
ORDER: tuple[str, ...] = (
    "directive",
    "request",
    "stage_summary",
    "final_summary",
    "reminder",
    "escalation",
    SUMMARY_KIND,
    "acceptance",
)
CHASE_KINDS = frozenset({"reminder", "escalation"})
CAMPAIGN_WIDE_KINDS = frozenset({SUMMARY_KIND, "acceptance"})


def event_order(event: Event) -> tuple[date, int, str]:
    return (event.date, ORDER.index(event.kind), event.key)


def campaign_events(plan: Plan, work: WorkCalendar | None = None) -> list[Event]:
    """Every event of a launched campaign, in the order the tick carries them out."""
    work = work or WorkCalendar()
    events: list[Event] = []
    for event in build_schedule(plan, work):
        if event.kind == "directive" and plan.acknowledge_within is not None:
            event = replace(event, due=offset_date(event.date, plan.acknowledge_within, work))
            events.append(event)
            events.extend(acknowledgement_follow_ups(plan, event, work))
        elif event.kind in ("stage_summary", "final_summary"):
            events += [event, summary_event(event)]
        else:
            events.append(event)
    return sorted(events, key=event_order)


def window_key(event: Event) -> str:
    """The phase or action a directive opens."""
    return event.action_key or event.phase_key


def acknowledgement_label(event: Event) -> str:
    return f"{event.action or event.phase}通知签收"


def acknowledgement_follow_ups(plan: Plan, directive: Event, work: WorkCalendar) -> list[Event]:
    """Reminders and the escalation of a directive's acknowledgement, per the plan's policy."""
    assert directive.due is not None
    policy = plan.reminders
    period = window_key(directive)
    base = dict(
        phase=directive.phase,
        phase_key=directive.phase_key,
        action=directive.action,
        action_key=directive.action_key,
        duty=ACK_DUTY,
        period=period,
        period_label=acknowledgement_label(directive),
        period_start=directive.date,
        period_end=directive.date,
        due=directive.due,
    )
    out = [
        Event(
            date=directive.due - timedelta(days),
            kind="reminder",
            key=f"reminder:{ACK_DUTY}:{period}:-{days}",
            **base,  # type: ignore[arg-type]
        )
        for days in sorted(set(policy.before_due), reverse=True)
        if directive.due - timedelta(days) > directive.date
    ]
    out += [
        Event(
            date=directive.due + timedelta(days),
            kind="reminder",
            key=f"reminder:{ACK_DUTY}:{period}:+{days}",
            **base,  # type: ignore[arg-type]
        )
        for days in sorted(set(policy.after_due))
    ]
    if policy.escalate_after is not None:
        out.append(
            Event(
                date=offset_date(directive.due, policy.escalate_after, work),
                kind="escalation",
                key=f"escalation:{ACK_DUTY}:{period}",
                **base,  # type: ignore[arg-type]
            )
        )
    return out


def summary_event(request: Event) -> Event:
    """Compile a stage or final summary the day after the reports were due."""
    assert request.due is not None and request.duty is not None
    return replace(
        request,
        date=request.due + timedelta(days=1),
        kind=SUMMARY_KIND,  # type: ignore[arg-type]
        key=f"{SUMMARY_KIND}:{request.duty}:{request.period}",
    )


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


def is_request_kind(kind: str) -> bool:
    return kind in REQUEST_KINDS


def tick_time(plan: Plan, day: date) -> datetime:
    """When the campaign's tick runs on `day` (first tick_cron time that day, else 00:00)."""
    zone = ZoneInfo(plan.timezone)
    midnight = datetime.combine(day, time(0), tzinfo=zone)
    first = next(CronSim(plan.tick_cron, midnight - timedelta(microseconds=1)))
    return first if first.date() == day else midnight


def moments(events: list[Event], start: date, end: date) -> list[date]:
    """Every day in [start, end] when something falls due: an event, or a request turning
    overdue (the day after its due date)."""
    days = {e.date for e in events}
    days |= {e.due + timedelta(days=1) for e in events if is_request_kind(e.kind) and e.due}
    days |= {e.due + timedelta(days=1) for e in events if e.kind == "directive" and e.due}
    return sorted(d for d in days if start <= d <= end)
