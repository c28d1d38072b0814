"""Escalations (逾期督办): the late units of a tick, one notice per parent unit.

The "parent" a late request is escalated to is its relay unit when it has one (a reporter
of a routed duty: the city that reviews it), else the unit's parent in the registry.

The tick carries out all its due escalation events together, after the phases:
1. each event's targets (units whose request is still unanswered) are claimed in the
   ledger, as for any event;
2. parent unit by parent unit, one transaction takes the pending keys of that parent's
   late units for every event, re-checks each request and queues ONE notice to the
   parent listing every late unit and what it owes (`effects.queue_escalation`).
A key is recorded as skipped when its request was answered meanwhile, its unit has no
parent, or this very tick opened the request (`catchup.OPENED_THIS_TICK`). Keys are
taken in (action, period, bureau) order in every transaction, so concurrent ticks lock
alike; a tick killed halfway leaves pending keys the next tick escalates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time

from sqlmodel import Session, col, select

from campaign.clock import as_utc, local_date, local_today
from campaign.db import session_scope
from campaign.orchestration import effects, ledger, requests
from campaign.orchestration.actions import BATCH_SIZE, EventOutcome
from campaign.orchestration.catchup import ANSWERED, NO_PARENT, OPENED_THIS_TICK
from campaign.orchestration.events import ledger_key
from campaign.orchestration.store import complete_event, load_event, to_event
from campaign.plan.stored import plan_of
from campaign.rows import chunked
from campaign.schedule import Event
from models.bureau import Bureau
from models.campaign import Campaign, CampaignStatus
from models.ledger import ActionState
from models.request import ReportRequest

Pending = dict[tuple[str, str], list[str]]
"""Bureaus with a pending key, by (action, period) of the escalation event."""
Targets = dict[tuple[str, str], dict[str, str | None]]
"""To whom each pending bureau is escalated (None: nobody), by (action, period)."""


def carry_out_escalations(
    *, campaign_id: int, event_keys: Sequence[str], as_of: datetime, url: str | None = None
) -> list[EventOutcome]:
    """Escalate every late unit of the events to its parent, one notice per parent;
    safe to repeat at any point. Returns one outcome per event, in the order given."""
    with session_scope(url) as session:
        campaign = session.get(Campaign, campaign_id)
        rows = [load_event(session=session, campaign_id=campaign_id, key=k) for k in event_keys]
        if campaign is None or any(r is None for r in rows):
            raise LookupError(f"campaign {campaign_id} lacks one of the events {event_keys!r}")
        outcomes = {
            r.key: EventOutcome(key=r.key, kind=r.kind, phase_key=r.phase_key)
            for r in rows
            if r is not None
        }
        if campaign.status != CampaignStatus.active:
            return list(outcomes.values())  # paused or cancelled since the tick began
        plan, tz = plan_of(campaign), campaign.timezone
        at, today = as_utc(as_of, campaign.timezone), local_date(as_of, campaign.timezone)
        open_rows = [r for r in rows if r is not None and r.completed_at is None]
        events = sorted((to_event(r) for r in open_rows), key=ledger_key)
        for event in events:
            _claim(session, campaign_id, tz, event)
    with session_scope(url) as session:
        pending = _pending(session, campaign_id, events)
        targets = _escalate_to(session, campaign_id, events, pending)
    for batch in _batches(pending, targets):
        with session_scope(url) as session:
            late = _take(session, campaign_id, events, pending, batch, targets, tz, today, outcomes)
            for parent in sorted(late):
                effects.queue_escalation(
                    session=session,
                    campaign_id=campaign_id,
                    plan=plan,
                    parent_code=parent,
                    late=late[parent],
                    at=at,
                )
    with session_scope(url) as session:
        for row in open_rows:
            assert row.id is not None
            complete_event(session=session, event_id=row.id)
    return list(outcomes.values())


def _claim(session: Session, campaign_id: int, timezone: str, event: Event) -> None:
    assert event.duty is not None and event.period is not None
    action, period = ledger_key(event)
    found = requests.chaseable_requests(
        session=session,
        campaign_id=campaign_id,
        duty_key=event.duty,
        period_key=event.period,
        aggregate=event.aggregate,
    )
    ledger.claim(
        session=session,
        campaign_id=campaign_id,
        action=action,
        period=period,
        bureau_codes=sorted(found),
        scheduled_for=as_utc(datetime.combine(event.date, time(0)), timezone),
    )


def _pending(session: Session, campaign_id: int, events: Sequence[Event]) -> Pending:
    pending: Pending = {}
    for event in events:
        action, period = ledger_key(event)
        pending[(action, period)] = ledger.pending_codes(
            session=session, campaign_id=campaign_id, action=action, period=period
        )
    return pending


def _parents(session: Session, codes: Sequence[str]) -> dict[str, str | None]:
    """The parent of each bureau (None: a bureau without one)."""
    found: dict[str, str | None] = dict.fromkeys(codes)
    for chunk in chunked(codes, 500):
        query = select(col(Bureau.code), col(Bureau.parent_code)).where(
            col(Bureau.code).in_(list(chunk))
        )
        found.update(session.execute(query).tuples().all())
    return found


def _escalate_to(
    session: Session, campaign_id: int, events: Sequence[Event], pending: Pending
) -> Targets:
    """Per event, whom each pending bureau's late request goes to: the request's relay
    unit (a routed duty's reporter: its city), else the bureau's parent."""
    parents = _parents(session, sorted({c for codes in pending.values() for c in codes}))
    found: Targets = {}
    for event in events:
        key = ledger_key(event)
        relays = {} if event.aggregate else _relays(session, campaign_id, event, pending[key])
        found[key] = {code: relays.get(code) or parents.get(code) for code in pending[key]}
    return found


def _relays(
    session: Session, campaign_id: int, event: Event, codes: Sequence[str]
) -> dict[str, str]:
    """The relay unit of each bureau's request of the event's duty period, where it has one."""
    found: dict[str, str] = {}
    for chunk in chunked(sorted(codes), 500):
        query = select(col(ReportRequest.bureau_code), col(ReportRequest.relay_to)).where(
            col(ReportRequest.campaign_id) == campaign_id,
            col(ReportRequest.duty_key) == event.duty,
            col(ReportRequest.period_key) == event.period,
            requests.of_stage(False),
            col(ReportRequest.relay_to) != None,  # noqa: E711
            col(ReportRequest.bureau_code).in_(list(chunk)),
        )
        found.update((code, relay) for code, relay in session.execute(query).tuples() if relay)
    return found


def _batches(pending: Pending, targets: Targets) -> list[set[str]]:
    """Bureaus to take together: all the late units of a parent in one batch (so that
    its notice lists them all), about BATCH_SIZE keys a batch."""
    keys_by_parent: dict[str, list[str]] = defaultdict(list)
    for key, codes in pending.items():
        for code in codes:
            keys_by_parent[targets[key].get(code) or ""].append(code)
    batches: list[set[str]] = []
    size = BATCH_SIZE
    for parent in sorted(keys_by_parent):
        if size >= BATCH_SIZE:
            batches.append(set())
            size = 0
        batches[-1].update(keys_by_parent[parent])
        size += len(keys_by_parent[parent])
    return batches


def _take(
    session: Session,
    campaign_id: int,
    events: Sequence[Event],
    pending: Pending,
    batch: set[str],
    targets: Targets,
    timezone: str,
    today: date,
    outcomes: dict[str, EventOutcome],
) -> dict[str, list[effects.LateRequest]]:
    """Take the batch's keys of every event; the late requests by parent bureau."""
    late: dict[str, list[effects.LateRequest]] = defaultdict(list)
    for event in events:  # in ledger-key order: concurrent ticks lock rows alike
        assert event.duty is not None and event.period is not None
        action, period = ledger_key(event)
        taken = ledger.take(
            session=session,
            campaign_id=campaign_id,
            action=action,
            period=period,
            bureau_codes=[c for c in pending[(action, period)] if c in batch],
        )
        if not taken:
            continue
        ids = requests.chaseable_requests(
            session=session,
            campaign_id=campaign_id,
            duty_key=event.duty,
            period_key=event.period,
            bureau_codes=taken,
            aggregate=event.aggregate,
        )
        fresh = _opened_on(session, timezone, ids, today)
        skipped: dict[str, list[str]] = defaultdict(list)
        for code in taken:
            parent = targets[(action, period)].get(code)
            if code not in ids:
                skipped[ANSWERED].append(code)
            elif parent is None:
                skipped[NO_PARENT].append(code)
            elif code in fresh:
                skipped[OPENED_THIS_TICK].append(code)
            else:
                late[parent].append(effects.LateRequest(code, ids[code], event))
                outcomes[event.key].done.append(code)
        for reason, codes in skipped.items():
            ledger.mark(
                session=session,
                campaign_id=campaign_id,
                action=action,
                period=period,
                bureau_codes=codes,
                state=ActionState.skipped,
                reason=reason,
            )
            outcomes[event.key].skipped += codes
    return late


def _opened_on(
    session: Session, timezone: str, request_ids: dict[str, int], today: date
) -> set[str]:
    """The bureaus whose request was opened on `today` (campaign-local): by this tick."""
    fresh: set[str] = set()
    ids = sorted(request_ids.values())
    for chunk in chunked(ids, 500):
        query = select(col(ReportRequest.bureau_code), col(ReportRequest.opened_at)).where(
            col(ReportRequest.id).in_(list(chunk))
        )
        rows = session.execute(query).tuples().all()
        fresh |= {code for code, opened in rows if local_today(opened, timezone) >= today}
    return fresh
