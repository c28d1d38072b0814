"""Carry out one due event for every bureau it concerns, keyed in the ledger.

One call handles one event (an action or a batch), however many bureaus: the targets
are claimed in the ledger, then taken and acted on in transactions of BATCH_SIZE
bureaus, each calling the event kind's seam in `effects`. A reminder a late tick must
not send (`catchup.stale_reminders`) is taken all the same and recorded as skipped.
Escalations are carried out together, per parent unit (`escalations`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlmodel import Session, col, select

from campaign.bureaus import load_registry, report_recipients, select_units
from campaign.clock import as_utc, local_date
from campaign.db import session_scope
from campaign.forwarding.reach import forwarding_units
from campaign.orchestration import effects, ledger, requests
from campaign.orchestration.catchup import ANSWERED, stale_reason
from campaign.orchestration.events import ledger_key
from campaign.orchestration.store import (
    complete_event,
    load_event,
    load_period_events,
    to_event,
)
from campaign.orchestration.summaries import compile_summary
from campaign.plan.routing import relay_units
from campaign.plan.schema import Plan
from campaign.plan.stored import plan_of
from campaign.plan.units import resolve_units
from campaign.rows import chunked
from campaign.schedule import (
    ACK_DUTY,
    FORWARD_DUTY,
    Event,
    acknowledgement_label,
    forward_due,
    forward_label,
    kind,
    obligation,
    plan_workdays,
    window_key,
)
from campaign.schedule.kinds import Audience, Effect
from models.bureau import Bureau
from models.campaign import Campaign, CampaignStatus
from models.ledger import ActionState
from models.request import RequestKind

BATCH_SIZE = 1000


@dataclass
class EventOutcome:
    key: str
    kind: str
    phase_key: str
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    summary_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Context:
    campaign_id: int
    plan: Plan
    event: Event
    action: str
    period: str
    at: datetime
    stale: str | None = None  # why a late tick does not send this reminder


def carry_out_event(
    *, campaign_id: int, event_key: str, as_of: datetime, url: str | None = None
) -> EventOutcome:
    """Do what the event asks of every bureau it concerns; safe to repeat at any point."""
    with session_scope(url) as session:
        campaign = session.get(Campaign, campaign_id)
        row = load_event(session=session, campaign_id=campaign_id, key=event_key)
        if campaign is None or row is None:
            raise LookupError(f"campaign {campaign_id} has no event {event_key!r}")
        event, event_id = to_event(row), row.id
        if kind(event.kind).effect is Effect.escalate:
            raise ValueError(f"{event_key!r}: escalations are carried out by carry_out_escalations")
        outcome = EventOutcome(key=event.key, kind=event.kind, phase_key=event.phase_key)
        if row.completed_at is not None or campaign.status != CampaignStatus.active:
            return outcome  # done already, or paused/cancelled since the tick began
        action, period = ledger_key(event)
        at, today = as_utc(as_of, campaign.timezone), local_date(as_of, campaign.timezone)
        stale = None
        if kind(event.kind).effect is Effect.remind:
            assert event.duty is not None and event.period is not None
            siblings = load_period_events(
                session=session,
                campaign_id=campaign_id,
                kind="reminder",
                duty=event.duty,
                period=event.period,
            )
            stale = stale_reason(event, siblings, today)
        context = Context(campaign_id, plan_of(campaign), event, action, period, at, stale)
        targets = _targets(session, context)
        scheduled = as_utc(datetime.combine(event.date, time(0)), campaign.timezone)
        ledger.claim(
            session=session,
            campaign_id=campaign_id,
            action=action,
            period=period,
            bureau_codes=targets,
            scheduled_for=scheduled,
        )
    with session_scope(url) as session:
        claimed = ledger.pending_codes(
            session=session, campaign_id=campaign_id, action=action, period=period
        )
    for batch in chunked(claimed, BATCH_SIZE):
        with session_scope(url) as session:
            taken = ledger.take(
                session=session,
                campaign_id=campaign_id,
                action=action,
                period=period,
                bureau_codes=batch,
            )
            if taken:
                EFFECTS[kind(event.kind).effect](session, context, taken, outcome)
    with session_scope(url) as session:
        assert event_id is not None
        complete_event(session=session, event_id=event_id)
    return outcome


def _targets(session: Session, c: Context) -> list[str]:
    """The bureaus the event concerns now ("" for a campaign-wide event)."""
    event, plan, audience = c.event, c.plan, kind(c.event.kind).audience
    if audience is Audience.campaign:
        return [ledger.CAMPAIGN_WIDE]
    if audience is Audience.directed:
        chosen = plan.directive_to
    elif audience is Audience.unanswered:
        assert event.duty is not None and event.period is not None
        found = requests.chaseable_requests(
            session=session,
            campaign_id=c.campaign_id,
            duty_key=event.duty,
            period_key=event.period,
            aggregate=event.aggregate,
        )
        return sorted(found)
    elif audience is Audience.relays:
        assert event.duty is not None
        return sorted(set(_relays(session, plan, event.duty).values()))
    else:
        assert event.duty is not None
        chosen = plan.duty(event.duty).reporters
    return select_units(session=session, plan=plan, chosen=chosen)


def _relays(session: Session, plan: Plan, duty_key: str) -> dict[str, str]:
    """Each reporter's relay unit of a routed duty, by reporter code (empty: not routed)."""
    duty = plan.duty(duty_key)
    if duty.routing is None:
        return {}
    registry = load_registry(session=session, plan=plan)
    codes = [u.code for u in resolve_units(duty.reporters, registry)]
    return relay_units(duty, registry, codes)


def _directive(session: Session, c: Context, codes: Sequence[str], out: EventOutcome) -> None:
    ack_ids: dict[str, int] = {}
    if c.plan.acknowledge_within is not None:
        ack_ids = requests.open_requests(
            session=session,
            campaign_id=c.campaign_id,
            event=c.event,
            kind=RequestKind.acknowledgement,
            duty_key=ACK_DUTY,
            period_key=window_key(c.event),
            period_label=acknowledgement_label(c.event),
            bureau_codes=codes,
            opened_at=c.at,
        )
    forwarding = _open_forwarding(session, c, codes)
    effects.queue_directive(
        session=session,
        campaign_id=c.campaign_id,
        plan=c.plan,
        event=c.event,
        bureau_codes=codes,
        ack_request_ids=ack_ids,
        forward_by=forwarding,
        at=c.at,
    )
    out.done += codes


def _open_forwarding(session: Session, c: Context, codes: Sequence[str]) -> dict[str, date]:
    """The forwarding requests (转发) of the directed units that forward the directive
    (plan document.forward), due `within` after it is issued: chased like a report, closed
    when the unit forwards (campaign.forwarding.record). Returns their due date by unit."""
    if c.plan.document.forward is None:
        return {}
    units = forwarding_units(c.plan, load_registry(session=session, plan=c.plan), codes)
    if not units:
        return {}
    due = forward_due(c.plan, c.event, plan_workdays(c.plan))
    window = window_key(c.event)
    requests.open_requests(
        session=session,
        campaign_id=c.campaign_id,
        event=obligation(c.event, FORWARD_DUTY, window, due),
        kind=RequestKind.forward,
        duty_key=FORWARD_DUTY,
        period_key=window,
        period_label=forward_label(c.event),
        bureau_codes=units,
        opened_at=c.at,
    )
    return dict.fromkeys(units, due)


def _request(session: Session, c: Context, codes: Sequence[str], out: EventOutcome) -> None:
    event = c.event
    assert event.duty is not None and event.period is not None
    relays = {} if event.aggregate else _relays(session, c.plan, event.duty)
    ids = requests.open_requests(
        session=session,
        campaign_id=c.campaign_id,
        event=event,
        kind=event.kind,
        duty_key=event.duty,
        period_key=event.period,
        period_label=event.period_label or "",
        bureau_codes=codes,
        opened_at=c.at,
        recipients=_recipients(session, c, codes),
        relay_to=relays,
    )
    effects.queue_request(
        session=session,
        campaign_id=c.campaign_id,
        plan=c.plan,
        event=event,
        request_ids=ids,
        at=c.at,
    )
    out.done += codes


def _recipients(
    session: Session, c: Context, codes: Sequence[str]
) -> dict[str, list[dict[str, str | None]]]:
    """To whom each unit's report goes: the duty's recipients, or, for a reporter of a
    routed duty, its relay unit (which reviews and aggregates it)."""
    assert c.event.duty is not None
    duty = c.plan.duty(c.event.duty)
    found = report_recipients(session=session, plan=c.plan, duty=duty, codes=codes)
    if duty.routing is None or c.event.aggregate:
        return found
    relays = _relays(session, c.plan, duty.key)
    names = dict(
        session.execute(
            select(col(Bureau.code), col(Bureau.name)).where(
                col(Bureau.code).in_(sorted(set(relays.values())))
            )
        )
        .tuples()
        .all()
    )
    for code in codes:
        if code in relays:
            found[code] = [{"name": names[relays[code]], "code": relays[code]}]
    return found


def _remind(session: Session, c: Context, codes: Sequence[str], out: EventOutcome) -> None:
    """Reminders: only for requests still unanswered when the key is taken, and only when
    the reminder is not stale (a late tick sends each request its latest reminder only)."""
    event = c.event
    assert event.duty is not None and event.period is not None
    ids: dict[str, int] = {}
    if c.stale is None:
        ids = requests.chaseable_requests(
            session=session,
            campaign_id=c.campaign_id,
            duty_key=event.duty,
            period_key=event.period,
            bureau_codes=codes,
            aggregate=event.aggregate,
        )
    skipped = [code for code in codes if code not in ids]
    ledger.mark(
        session=session,
        campaign_id=c.campaign_id,
        action=c.action,
        period=c.period,
        bureau_codes=skipped,
        state=ActionState.skipped,
        reason=c.stale or ANSWERED,
    )
    if ids:
        effects.queue_reminder(
            session=session,
            campaign_id=c.campaign_id,
            plan=c.plan,
            event=event,
            request_ids=ids,
            at=c.at,
        )
    out.done += sorted(ids)
    out.skipped += skipped


def _compile(session: Session, c: Context, codes: Sequence[str], out: EventOutcome) -> None:
    summary = compile_summary(
        session=session, campaign_id=c.campaign_id, plan=c.plan, event=c.event, as_of=c.at
    )
    assert summary.id is not None
    effects.record_compiled(
        session=session, campaign_id=c.campaign_id, event=c.event, summary_id=summary.id, at=c.at
    )
    out.done += codes
    out.summary_id = summary.id


EFFECTS: dict[Effect, Callable[[Session, Context, Sequence[str], EventOutcome], None]] = {
    Effect.directive: _directive,
    Effect.request: _request,
    Effect.remind: _remind,
    Effect.compile: _compile,
}
"""The handler of each effect of the kinds registry, but escalations (`escalations`)."""
