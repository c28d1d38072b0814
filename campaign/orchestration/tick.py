"""One tick of a campaign for an `as_of` time, as plain functions (the flow composes them).

`plan_tick` lists what has fallen due and is not done, grouped into phase steps in date
order (missed ticks are caught up in order, without stale reminders: see `catchup`),
and the escalations, carried out together after the phases; `carry_out_event` does each
event, `carry_out_escalations` the escalations (one notice per parent unit);
`finish_tick` marks requests overdue, records the tick and completes the campaign once
nothing is left. `run_sequence` is the order of a tick's steps, shared by the Prefect flow
(flows.campaign_tick: a subflow per phase, tasks) and `run_tick` (plain calls, the
`--no-prefect` path).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import Session, col

from campaign.audit import record_audit
from campaign.clock import as_utc, local_date
from campaign.db import session_scope
from campaign.i18n import _
from campaign.inbox.fetch import fetch_now
from campaign.mail.sender import deliver_now
from campaign.orchestration.actions import carry_out_event
from campaign.orchestration.escalations import carry_out_escalations
from campaign.orchestration.events import moments, tick_times
from campaign.orchestration.requests import close_requests, mark_overdue
from campaign.orchestration.store import load_rows, to_event
from campaign.orchestration.summaries import refresh_summaries
from campaign.plan.stored import plan_of
from campaign.results.digest import queue_digests
from campaign.results.load import frames_once
from campaign.schedule import kind
from campaign.schedule.kinds import Effect
from campaign.tasks.store import refresh_task_ledger
from models.audit import Channel
from models.campaign import Campaign, CampaignStatus


@dataclass(frozen=True)
class PhaseStep:
    """Due events of one phase, carried out together by that phase's subflow."""

    phase_key: str
    phase_kind: str
    phase_name: str
    first_day: date
    last_day: date
    event_keys: tuple[str, ...]


@dataclass(frozen=True)
class TickPlan:
    campaign_id: int
    document_number: str
    as_of: datetime
    today: date
    refused: str | None = None
    active_phases: tuple[str, ...] = ()
    steps: tuple[PhaseStep, ...] = ()
    escalations: tuple[str, ...] = ()  # escalation events, carried out after the steps


@dataclass
class TickReport:
    campaign_id: int
    as_of: str
    refused: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    overdue: int = 0
    tasks_changed: int = 0  # tracked tasks whose state changed (campaign.tasks)
    completed: bool = False
    mail: dict[str, Any] | None = None  # what delivering the outbox after the tick did
    inbox: dict[str, Any] | None = None  # what reading the mailbox did (None: no mailbox)
    summary_versions: list[int] = field(default_factory=list)  # summaries recompiled

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def plan_tick(*, campaign_id: int, as_of: datetime, url: str | None = None) -> TickPlan:
    with session_scope(url) as session:
        campaign = _campaign(session, campaign_id)
        today = local_date(as_of, campaign.timezone)
        base = dict(campaign_id=campaign_id, document_number=campaign.document_number)
        if campaign.status != CampaignStatus.active:
            reason = _("Campaign {id} is {status}; the tick does nothing.").format(
                id=campaign_id, status=_(campaign.status)
            )
            return TickPlan(**base, as_of=as_of, today=today, refused=reason)  # type: ignore[arg-type]
        plan = plan_of(campaign)
        rows = load_rows(session=session, campaign_id=campaign_id, until=today, pending_only=True)
    phases = {p.key: p for p in plan.phases}
    active = tuple(p.key for p in plan.phases if p.start <= today <= p.end)
    steps: list[PhaseStep] = []
    gathered = {r.key for r in rows if kind(r.kind).effect is Effect.escalate}
    escalations = tuple(r.key for r in rows if r.key in gathered)
    for row in rows:  # tick order: date, kind, key
        if row.key in gathered:
            continue
        phase = phases[row.phase_key]
        last = steps[-1] if steps else None
        if last is not None and last.phase_key == phase.key:
            steps[-1] = PhaseStep(
                phase.key,
                phase.kind,
                phase.name,
                last.first_day,
                row.date,
                (*last.event_keys, row.key),
            )
        else:
            steps.append(
                PhaseStep(phase.key, phase.kind, phase.name, row.date, row.date, (row.key,))
            )
    return TickPlan(
        **base,  # type: ignore[arg-type]
        as_of=as_of,
        today=today,
        active_phases=active,
        steps=tuple(steps),
        escalations=escalations,
    )


def finish_tick(*, campaign_id: int, as_of: datetime, url: str | None = None) -> TickReport:
    """Mark overdue requests, record the tick, and complete the campaign when all is done.

    Every change is a conditional UPDATE, so two ticks finishing at once record each
    change once.
    """
    report = TickReport(campaign_id=campaign_id, as_of=as_of.isoformat())
    with session_scope(url) as session:
        campaign = _campaign(session, campaign_id)
        if campaign.status != CampaignStatus.active:
            report.refused = f"campaign {campaign_id} is {campaign.status}"
            return report
        at = as_utc(as_of, campaign.timezone)
        today = local_date(as_of, campaign.timezone)
        report.overdue = mark_overdue(session=session, campaign_id=campaign_id, today=today, at=at)
        report.tasks_changed = refresh_task_ledger(
            session=session, campaign_id=campaign_id, plan=plan_of(campaign), today=today, at=at
        )
        frames = frames_once(session=session, campaign_id=campaign_id)  # one load, shared
        recompiled = refresh_summaries(
            session=session,
            campaign_id=campaign_id,
            plan=plan_of(campaign),
            as_of=at,
            frames=frames,
        )
        report.summary_versions = [s.id for s in recompiled if s.id is not None]
        queue_digests(
            session=session, campaign=campaign, plan=plan_of(campaign), today=today, frames=frames
        )
        session.execute(
            update(Campaign)
            .where(
                col(Campaign.id) == campaign_id,
                or_(col(Campaign.last_tick_at) == None, col(Campaign.last_tick_at) < at),  # noqa: E711
            )
            .values(last_tick_at=at)
            .execution_options(synchronize_session=False)
        )
        if load_rows(session=session, campaign_id=campaign_id, pending_only=True):
            return report
        completed = session.execute(
            update(Campaign)
            .where(
                col(Campaign.id) == campaign_id,
                col(Campaign.status) == CampaignStatus.active.value,
            )
            .values(status=CampaignStatus.completed.value)
            .execution_options(synchronize_session=False)
        )
        if completed.rowcount:  # type: ignore[attr-defined]
            closed = close_requests(
                session=session,
                campaign_id=campaign_id,
                at=at,
                actor="system",
                channel=Channel.tick,
                reason="campaign completed",
            )
            record_audit(
                session=session,
                event="campaign_completed",
                actor="system",
                channel=Channel.tick,
                campaign_id=campaign_id,
                at=at,
                requests_closed=closed,
            )
            report.completed = True
    return report


Outcomes = list[dict[str, Any]]


@dataclass(frozen=True)
class TickSteps:
    """How each step of a tick is run: as plain calls (`PLAIN_STEPS`) or as Prefect
    subflows and tasks (flows.campaign_tick)."""

    phase: Callable[[TickPlan, PhaseStep], Outcomes]  # the due events of one phase step
    escalate: Callable[[int, list[str], datetime], Outcomes]  # all due escalations
    close: Callable[[int, datetime, Outcomes], TickReport]  # inbox, finish_tick, mail
    deliver: Callable[[], dict[str, Any]]  # deliver the outbox only (a refused tick)


def run_sequence(planned: TickPlan, steps: TickSteps) -> TickReport:
    """The tick's steps in order: each phase step in date order, the escalations
    together, then the close (overdue, completion, mail)."""
    if planned.refused:
        report = TickReport(planned.campaign_id, planned.as_of.isoformat(), refused=planned.refused)
        report.mail = steps.deliver()  # mail left by earlier runs goes out all the same
        return report
    outcomes: Outcomes = []
    for step in planned.steps:
        outcomes += steps.phase(planned, step)
    if planned.escalations:
        outcomes += steps.escalate(planned.campaign_id, list(planned.escalations), planned.as_of)
    report = steps.close(planned.campaign_id, planned.as_of, outcomes)
    report.events = outcomes
    return report


def carry_out_step(planned: TickPlan, step: PhaseStep, url: str | None = None) -> Outcomes:
    return [
        carry_out_event(
            campaign_id=planned.campaign_id, event_key=key, as_of=planned.as_of, url=url
        ).to_json()
        for key in step.event_keys
    ]


def plain_steps(url: str | None = None) -> TickSteps:
    def escalate(campaign_id: int, keys: list[str], as_of: datetime) -> Outcomes:
        done = carry_out_escalations(campaign_id=campaign_id, event_keys=keys, as_of=as_of, url=url)
        return [o.to_json() for o in done]

    def close(campaign_id: int, as_of: datetime, outcomes: Outcomes) -> TickReport:
        inbox = fetch_now(url=url, now=as_of)  # answers by e-mail count before overdue marking
        report = finish_tick(campaign_id=campaign_id, as_of=as_of, url=url)
        report.inbox = inbox
        report.mail = deliver_now(url=url)
        return report

    return TickSteps(
        phase=lambda p, s: carry_out_step(p, s, url),
        escalate=escalate,
        close=close,
        deliver=lambda: deliver_now(url=url),
    )


def run_tick(*, campaign_id: int, as_of: datetime, url: str | None = None) -> TickReport:
    """The whole tick as plain calls (what the flow does, without Prefect)."""
    planned = plan_tick(campaign_id=campaign_id, as_of=as_of, url=url)
    return run_sequence(planned, plain_steps(url))


def tick_moments(
    *, campaign_id: int, start: date, end: date | None, url: str | None = None
) -> list[datetime]:
    """The tick times between start and end (inclusive; None: through the campaign's last
    event, which may follow the plan's last day) when something falls due."""
    with session_scope(url) as session:
        campaign = _campaign(session, campaign_id)
        plan = plan_of(campaign)
        events = [to_event(r) for r in load_rows(session=session, campaign_id=campaign_id)]
    return tick_times(plan, moments(events, start, end or date.max))


def _campaign(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise LookupError(f"no campaign {campaign_id}")
    return campaign
