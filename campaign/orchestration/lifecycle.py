"""Pause, resume, cancel and amend a campaign; every change is audited.

Pausing and cancelling stop future actions (the tick refuses to act) and lose nothing
already recorded. An amendment changes a phase's or an action's dates, is validated like
a new plan, and recomputes the schedule keeping every event already done.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

import yaml
from sqlalchemy import update
from sqlmodel import Session, col

from campaign.audit import record_audit
from campaign.clock import local_date, utc
from campaign.forwarding.record import chase_events
from campaign.i18n import N_, _
from campaign.orchestration.launch import validated_plan
from campaign.orchestration.requests import CHASEABLE, close_requests, of_stage
from campaign.orchestration.store import ScheduleChange, replace_schedule
from campaign.plan import PlanError, Problem
from campaign.schedule import Event, build_schedule, is_request_kind
from campaign.workdays import WorkCalendar
from models._common import utcnow
from models.audit import Channel
from models.campaign import Campaign, CampaignStatus
from models.request import ReportRequest, RequestStatus

TRANSITIONS: dict[str, tuple[set[CampaignStatus], CampaignStatus]] = {
    "pause": ({CampaignStatus.active}, CampaignStatus.paused),
    "resume": ({CampaignStatus.paused}, CampaignStatus.active),
    "cancel": ({CampaignStatus.active, CampaignStatus.paused}, CampaignStatus.cancelled),
}
REFUSALS = {
    "pause": N_("Campaign {id} is {status}; it cannot be paused."),
    "resume": N_("Campaign {id} is {status}; it cannot be resumed."),
    "cancel": N_("Campaign {id} is {status}; it cannot be cancelled."),
}


class LifecycleError(Exception):
    pass


def change_status(
    *,
    session: Session,
    campaign: Campaign,
    command: str,
    actor: str,
    channel: Channel,
    reason: str = "",
) -> CampaignStatus:
    """Apply pause/resume/cancel; LifecycleError if the campaign is not in a state for it."""
    allowed, target = TRANSITIONS[command]
    if campaign.status not in allowed:
        raise LifecycleError(_(REFUSALS[command]).format(id=campaign.id, status=_(campaign.status)))
    previous = campaign.status
    campaign.status = target
    session.add(campaign)
    now = utcnow()
    closed = 0
    if target == CampaignStatus.cancelled:
        assert campaign.id is not None
        closed = close_requests(
            session=session,
            campaign_id=campaign.id,
            at=now,
            actor=actor,
            channel=channel,
            reason="campaign cancelled",
        )
    record_audit(
        session=session,
        event=f"campaign_{target.value}" if command != "resume" else "campaign_resumed",
        actor=actor,
        channel=channel,
        campaign_id=campaign.id,
        at=now,
        previous=previous,
        reason=reason,
        requests_closed=closed,
    )
    return target


@dataclass(frozen=True)
class Amendment:
    window: str
    old: tuple[date, date]
    new: tuple[date, date]
    schedule: ScheduleChange
    requests_moved: int


def amend_dates(
    *,
    session: Session,
    campaign: Campaign,
    window: str,
    end: date,
    start: date | None,
    work: WorkCalendar,
    actor: str,
    channel: Channel,
) -> Amendment:
    """Move a phase's or an action's dates; PlanError if the amended plan is not valid."""
    if campaign.status not in (CampaignStatus.active, CampaignStatus.paused):
        raise LifecycleError(
            _("Campaign {id} is {status}; it cannot be amended.").format(
                id=campaign.id, status=_(campaign.status)
            )
        )
    data = yaml.safe_load(campaign.plan_yaml)
    entry = _window_entry(data, window)
    if entry is None:
        raise PlanError(
            "amendment", [Problem(("phases",), _("no phase or action {key!r}").format(key=window))]
        )
    old = (date.fromisoformat(str(entry["start"])), date.fromisoformat(str(entry["end"])))
    entry["end"] = end
    if start is not None:
        entry["start"] = start
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    plan, text = validated_plan(text.encode("utf-8"), f"campaign {campaign.id} amended")
    assert campaign.id is not None
    events = build_schedule(plan, work)
    events += chase_events(session=session, campaign_id=campaign.id, plan=plan)
    change = replace_schedule(session=session, campaign_id=campaign.id, events=events)
    today = (
        local_date(utc(campaign.last_tick_at), campaign.timezone)
        if campaign.last_tick_at
        else date.min
    )
    moved = _move_due_dates(session, campaign.id, events, today)
    campaign.plan_yaml = text
    campaign.plan_sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    session.add(campaign)
    new = (start or old[0], end)
    record_audit(
        session=session,
        event="dates_amended",
        actor=actor,
        channel=channel,
        campaign_id=campaign.id,
        window=window,
        old=[d.isoformat() for d in old],
        new=[d.isoformat() for d in new],
        events_added=len(change.added),
        events_moved=len(change.moved),
        events_removed=len(change.removed),
        requests_moved=moved,
    )
    return Amendment(window, old, new, change, moved)


def _window_entry(data: dict, key: str) -> dict | None:
    for phase in data.get("phases") or []:
        if phase.get("key") == key:
            return phase
        for action in phase.get("actions") or []:
            if action.get("key") == key:
                return action
    return None


def _move_due_dates(session: Session, campaign_id: int, events: list[Event], today: date) -> int:
    """Unanswered requests follow their period's new due date (overdue ones reopen when
    the new date is still ahead)."""
    moved = 0
    for event in events:
        if not is_request_kind(event.kind) or event.due is None:
            continue
        base = update(ReportRequest).where(
            col(ReportRequest.campaign_id) == campaign_id,
            col(ReportRequest.duty_key) == event.duty,
            col(ReportRequest.period_key) == event.period,
            of_stage(event.aggregate),
            col(ReportRequest.status).in_(list(CHASEABLE)),
            col(ReportRequest.due_date) != event.due,
        )
        values: dict[str, object] = {"due_date": event.due, "period_end": event.period_end}
        if event.due >= today:
            reopen = base.where(col(ReportRequest.status) == RequestStatus.overdue.value)
            values_open = {**values, "status": RequestStatus.open.value}
            moved += session.execute(reopen.values(**values_open)).rowcount  # type: ignore[attr-defined]
        moved += session.execute(base.values(**values)).rowcount  # type: ignore[attr-defined]
    return moved
