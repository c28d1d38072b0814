"""The one event model: every dated event of a campaign, a pure function of the plan and
the working calendar. `campaign schedule` prints these events and the tick carries out
exactly these (stored at launch, recomputed on amendment).

Besides the plan's directives, requests, reminders, escalations and acceptance, a
directive opens an acknowledgement (签收) when the plan asks for one, chased like a
report, and the reports of a summarised kind (kinds.Kind.summarised) are compiled into a
summary the day after they are due.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from typing import Any

from campaign.plan.schema import Action, Duty, Plan, ReminderPolicy
from campaign.schedule.kinds import kind, request_kind
from campaign.schedule.periods import duty_periods, offset_date, plan_workdays
from campaign.workdays import WorkCalendar

Day = date  # the type, for fields that follow Event.date (which shadows the name)
ACK_DUTY = "acknowledgement"
"""duty_key of the acknowledgement requests (签收) a directive opens."""
FORWARD_DUTY = "forward"
"""duty_key of the forwarding requests (转发) a directive opens for the units that forward
it (plan document.forward); their units' 签收 of the forwarded 通知 are acknowledgement
requests whose period is `forwarded_period` (the window and the forwarding unit)."""
FORWARDED_MARK = "@"  # never in a plan key: window@unit cannot be a window's own key
RECTIFY_DUTY = "rectification"
"""duty_key of the 整改 orders' requests (campaign.acceptance): not the plan's; their chase
events are stored when an order is given and kept through amendments."""
SUMMARY_KIND = "summary"


@dataclass(frozen=True)
class Event:
    date: date
    kind: str  # a name in kinds.KINDS
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
    aggregate: bool = False  # about the via units' aggregate reports of a routed duty

    def to_json(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items()}


def event_order(event: Event) -> tuple[date, int, str]:
    """Date, then the kind's place in the registry, then key."""
    return (event.date, kind(event.kind).order, event.key)


def build_schedule(plan: Plan, work: WorkCalendar | None = None) -> list[Event]:
    """Every event of the campaign, in the order the tick carries them out."""
    work = plan_workdays(plan, work)
    events: list[Event] = []
    for directive in _directives(plan, work):
        events.append(directive)
        if directive.due is not None:
            ack = obligation(directive, ACK_DUTY, window_key(directive), directive.due)
            events.extend(_chase(plan.reminders, ack, work))
        if plan.document.forward is not None:
            due = forward_due(plan, directive, work)
            forwarding = obligation(directive, FORWARD_DUTY, window_key(directive), due)
            events.extend(_chase(plan.reminders, forwarding, work))
    for duty in plan.duties:
        for request in duty_requests(plan, duty, work):
            events.append(request)
            assert request.period is not None
            policy = plan.reminder_policy(duty)
            events.extend(_chase(policy, request, work))
            relayed = aggregate_event(plan, duty, request, work)
            if relayed is not None:
                events.append(relayed)
                events.extend(_chase(policy, relayed, work))
            if kind(request.kind).summarised:
                events.append(summary_event(relayed or request))
    events.extend(_acceptances(plan, events))
    return sorted(events, key=event_order)


def events_due(events: list[Event], since: date | None, until: date) -> list[Event]:
    """The events dated after `since` (exclusive; None: from the start) up to `until`."""
    return [e for e in events if (since is None or e.date > since) and e.date <= until]


def duty_requests(plan: Plan, duty: Duty, work: WorkCalendar) -> list[Event]:
    """The request events of one duty, one per period."""
    name = request_kind(duty.kind)
    return [
        Event(
            date=period.opens,
            kind=name,
            key=f"{name}:{duty.key}:{period.key}",
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
        for period, phase, action in duty_periods(plan, duty, work)
    ]


AGGREGATE_KIND = "aggregate"


def aggregate_event(plan: Plan, duty: Duty, request: Event, work: WorkCalendar) -> Event | None:
    """A routed duty's period opens the via units' aggregate requests with the reporters'
    ones, due `relay_due` after the reporters' due date (None: the duty is not routed)."""
    if duty.routing is None or request.due is None:
        return None
    due = offset_date(request.due, duty.routing.relay_due, work)
    if plan.due_on_holidays == "next_workday":
        due = work.next_workday(due)
    return replace(
        request,
        kind=AGGREGATE_KIND,
        key=f"{AGGREGATE_KIND}:{duty.key}:{request.period}",
        due=due,
        aggregate=True,
    )


def window_key(event: Event) -> str:
    """The phase or action a directive opens."""
    return event.action_key or event.phase_key


def acknowledgement_label(event: Event) -> str:
    return f"{event.action or event.phase}通知签收"


def summary_event(request: Event) -> Event:
    """Compile a stage or final summary the day after the reports were due."""
    assert request.due is not None and request.duty is not None
    return replace(
        request,
        date=request.due + timedelta(days=1),
        kind=SUMMARY_KIND,
        key=f"{SUMMARY_KIND}:{request.duty}:{request.period}",
    )


def chase_events(plan: Plan, asked: Event, work: WorkCalendar | None = None) -> list[Event]:
    """The reminders and escalation of a request asked outside the plan's duties (a 整改
    order, `asked` with its duty, period and due date) under the plan's reminder policy."""
    return list(_chase(plan.reminders, asked, plan_workdays(plan, work)))


def forward_label(event: Event) -> str:
    return f"{event.action or event.phase}通知转发"


def forward_due(plan: Plan, directive: Event, work: WorkCalendar) -> date:
    """The day by which the forwarding units forward a directive (document.forward.within
    after the day it is issued)."""
    assert plan.document.forward is not None
    return offset_date(directive.date, plan.document.forward.within, work)


def forwarded_period(window: str, unit_code: str) -> str:
    """period_key of the 签收 of a unit's forwarded 通知 by the units below it."""
    return f"{window}{FORWARDED_MARK}{unit_code}"


def is_forwarded_period(period_key: str) -> bool:
    return FORWARDED_MARK in period_key


def obligation(
    directive: Event, duty: str, period: str, due: Day, *, label: str | None = None
) -> Event:
    """What a directive asks of its units beside it (签收, 转发), as the event whose
    reminders and escalation `_chase` derives: on that duty, for the window."""
    if label is None:
        label = (
            forward_label(directive) if duty == FORWARD_DUTY else acknowledgement_label(directive)
        )
    return replace(
        directive,
        duty=duty,
        period=period,
        period_label=label,
        period_start=directive.date,
        period_end=directive.date,
        due=due,
        template=None,
    )


def forwarded_chase(
    plan: Plan, directive: Event, unit_code: str, forwarded_on: Day, work: WorkCalendar | None
) -> list[Event]:
    """The reminders and escalation of the 签收 of a unit's forwarded 通知 (sent on
    `forwarded_on`), due plan.acknowledge_within after it; none when no 签收 is asked."""
    if plan.acknowledge_within is None:
        return []
    work = plan_workdays(plan, work)
    due = offset_date(forwarded_on, plan.acknowledge_within, work)
    sent = replace(directive, date=forwarded_on)
    period = forwarded_period(window_key(directive), unit_code)
    asked = obligation(sent, ACK_DUTY, period, due, label=acknowledgement_label(directive))
    return list(_chase(plan.reminders, asked, work))


def _chase(policy: ReminderPolicy, asked: Event, work: WorkCalendar) -> Iterator[Event]:
    """Reminders before and after the due date, and the escalation, of a request or of
    what a directive asks (`obligation`: 签收, 转发), on its duty and period."""
    due = asked.due
    assert due is not None and asked.duty is not None and asked.period is not None
    prefix = f"{asked.duty}:{asked.period}"
    suffix = f":{AGGREGATE_KIND}" if asked.aggregate else ""  # the via units' own chase
    offsets = [-d for d in sorted(set(policy.before_due), reverse=True)]
    sent = work.next_workday(asked.date)  # a request of a rest day goes out on the next one
    for days, when in _reminder_days(due, [*offsets, *sorted(set(policy.after_due))], work):
        if when > sent:  # never a reminder the same morning as what it reminds of
            key = f"reminder:{prefix}{suffix}:{days:+d}"
            yield replace(asked, date=when, kind="reminder", key=key)
    if policy.escalate_after is not None:
        when = work.next_workday(offset_date(due, policy.escalate_after, work))
        key = f"escalation:{prefix}{suffix}"
        yield replace(asked, date=when, kind="escalation", key=key)


def _reminder_days(due: date, offsets: list[int], work: WorkCalendar) -> list[tuple[int, date]]:
    """The day of each reminder (days from the due date, negative before it). A reminder is
    read by people at work: one falling on a weekend or a holiday moves to the working day
    before (before the due date) or after (after it), whatever the plan says of due dates.
    Two landing on one day are sent once, under the offset that falls there as written."""
    chosen: dict[date, tuple[int, bool]] = {}
    for days in offsets:
        written = due + timedelta(days)
        when = work.previous_workday(written) if days < 0 else work.next_workday(written)
        if when not in chosen or (chosen[when][1] and when == written):
            chosen[when] = (days, when != written)
    return sorted(((days, when) for when, (days, _moved) in chosen.items()), key=lambda x: x[1])


def _directives(plan: Plan, work: WorkCalendar) -> Iterator[Event]:
    """Directives of phases and actions, or the plan's one; due when the plan asks for an
    acknowledgement."""
    if plan.document.directives == "plan":  # one 通知, issued on its 成文日期
        first = min(plan.phases, key=lambda p: p.start)
        when = plan.document.issued_on
        due = offset_date(when, plan.acknowledge_within, work) if plan.acknowledge_within else None
        yield Event(
            date=when,
            kind="directive",
            key=f"directive:{first.key}",
            phase=first.name,
            phase_key=first.key,
            due=due,
            template=first.directive or "directive",
        )
        return
    for phase in plan.phases:
        windows: list[tuple[date, Action | None, str | None]] = [
            (phase.start, None, phase.directive)
        ]
        windows += [(a.start, a, a.directive) for a in phase.actions]
        for start, action, template in windows:
            if not template:
                continue
            due = None
            if plan.acknowledge_within is not None:
                due = offset_date(start, plan.acknowledge_within, work)
            yield Event(
                date=start,
                kind="directive",
                key=f"directive:{action.key if action else phase.key}",
                phase=phase.name,
                phase_key=phase.key,
                action=action.name if action else None,
                action_key=action.key if action else None,
                due=due,
                template=template,
            )


def _acceptances(plan: Plan, events: list[Event]) -> Iterator[Event]:
    """The acceptance (检查验收) at the end of each acceptance phase; a plan with targets and
    no such phase is evaluated at its end. It waits until the reports its targets rest on
    are due: the day after the last of them, as a summary."""
    phases = [p for p in plan.phases if p.kind == "acceptance"]
    if not phases and plan.targets:
        phases = [max(plan.phases, key=lambda p: p.end)]
    forms = {t.form for t in plan.targets}
    duties = {d.key for d in plan.duties if d.form in forms}
    dues = [e.due for e in events if e.duty in duties and e.due and kind(e.kind).opens_request]
    waits = max(dues) + timedelta(days=1) if dues else None
    for phase in phases:
        yield Event(
            date=max(phase.end, waits) if waits else phase.end,
            kind="acceptance",
            key=f"acceptance:{phase.key}",
            phase=phase.name,
            phase_key=phase.key,
        )
