"""Store a unit's forwarding (转发) and set going what follows, in the caller's unit of
work: its record (one per campaign, directive and unit: a double submit or two tabs store
one), its forwarding request closed, its units' 签收 requests opened with their own links,
reminders and escalation (to the forwarding unit, their parent), and the mail to each unit
queued in the keyed outbox with the unit's 通知 and the directive attached.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from campaign.audit import record_audit
from campaign.clock import local_date, utc
from campaign.documents.directive import Directive
from campaign.forwarding.notice import Forwarding, default_title, forward_notice, recipients_line
from campaign.links import issue_link
from campaign.mail import notices
from campaign.mail.render import plan_templates_dir
from campaign.orchestration import requests
from campaign.orchestration.store import load_event, to_event, to_row
from campaign.plan.schema import Plan
from campaign.plan.stored import plan_of
from campaign.replies.request_lock import lock_request
from campaign.rows import insert_missing
from campaign.schedule import (
    ACK_DUTY,
    FORWARD_DUTY,
    Event,
    forwarded_chase,
    forwarded_period,
    obligation,
    offset_date,
    plan_workdays,
)
from models.audit import Channel
from models.bureau import Bureau
from models.campaign import Campaign, CampaignStatus
from models.forwarding import ForwardRecord
from models.link import LinkPurpose
from models.request import ReportRequest, RequestKind, RequestStatus
from models.schedule import ScheduledEvent


class ForwardError(ValueError):
    """Why a unit cannot forward (Chinese: shown as it is)."""


@dataclass(frozen=True)
class Draft:
    """What a unit forwards: the directive, its request to forward, its units below."""

    campaign: Campaign
    plan: Plan
    unit: Bureau
    event: Event
    directive: Directive
    request: ReportRequest
    children: list[Bureau]

    @property
    def window(self) -> str:
        return self.request.period_key

    def default_title(self) -> str:
        return default_title(
            issuer=self.plan.issuing_authority,
            directive=self.directive,
            plan_templates=plan_templates_dir(campaign=self.campaign, plan=self.plan),
        )

    def notice(self, forwarding: Forwarding, sent_on: date) -> Directive:
        """The unit's 通知 as it would go out on `sent_on` (its units 签收 it by the plan's
        acknowledge_within after that day)."""
        ack_by = None
        if self.plan.acknowledge_within is not None:
            work = plan_workdays(self.plan)
            ack_by = offset_date(sent_on, self.plan.acknowledge_within, work)
        return forward_notice(
            unit=self.unit,
            directive=self.directive,
            issuer=self.plan.issuing_authority,
            forwarding=forwarding,
            recipients=recipients_line(
                forwarding.recipients, self.children, self.plan.document.addressees
            ),
            acknowledge_by=ack_by,
            plan_templates=plan_templates_dir(campaign=self.campaign, plan=self.plan),
        )


def forward_requests(*, session: Session, campaign_id: int, unit_code: str) -> list[ReportRequest]:
    """The unit's requests to forward a directive of the campaign, oldest first."""
    return list(
        session.exec(
            select(ReportRequest)
            .where(
                col(ReportRequest.campaign_id) == campaign_id,
                col(ReportRequest.duty_key) == FORWARD_DUTY,
                col(ReportRequest.bureau_code) == unit_code,
            )
            .order_by(col(ReportRequest.opened_at), col(ReportRequest.id))
        ).all()
    )


def draft(*, session: Session, campaign_id: int, unit_code: str, window: str | None) -> Draft:
    """What the unit forwards for the directive of `window` (None: its only or latest one);
    ForwardError when it has nothing to forward."""
    campaign = session.get(Campaign, campaign_id)
    unit = session.get(Bureau, unit_code)
    if campaign is None or unit is None:
        raise ForwardError("没有这个工作方案或单位。")
    found = forward_requests(session=session, campaign_id=campaign_id, unit_code=unit_code)
    chosen = [r for r in found if window is None or r.period_key == window]
    if not chosen:
        raise ForwardError(f"{unit.name}没有需要转发的通知。")
    request = chosen[-1]
    plan = plan_of(campaign)
    key = f"directive:{request.period_key}"
    row = load_event(session=session, campaign_id=campaign_id, key=key)
    if row is None:
        raise ForwardError("所转发的通知不在本工作方案的日程中。")
    event = to_event(row)
    directive, _docx = notices.directive_document(campaign=campaign, plan=plan, event=event)
    children = list(
        session.exec(
            select(Bureau)
            .where(col(Bureau.parent_code) == unit_code, col(Bureau.active) == True)  # noqa: E712
            .order_by(col(Bureau.code))
        ).all()
    )
    return Draft(campaign, plan, unit, event, directive, request, children)


def find_record(
    *, session: Session, campaign_id: int, window: str, unit_code: str
) -> ForwardRecord | None:
    return session.exec(
        select(ForwardRecord).where(
            col(ForwardRecord.campaign_id) == campaign_id,
            col(ForwardRecord.window_key) == window,
            col(ForwardRecord.unit_code) == unit_code,
        )
    ).first()


@dataclass(frozen=True)
class Forwarded:
    record: ForwardRecord
    already: bool  # forwarded before: nothing changed now


def forward_directive(
    *,
    session: Session,
    target: Draft,
    forwarding: Forwarding,
    username: str,
    channel: Channel,
    now: datetime,
) -> Forwarded:
    """Forward the directive as the unit's 通知 (see the module's doc); once."""
    campaign, unit, request = target.campaign, target.unit, target.request
    assert campaign.id is not None and request.id is not None
    if campaign.status != CampaignStatus.active:
        raise ForwardError("工作方案未在进行中，不能转发。")
    now = utc(now)
    lock_request(session, request.id)  # two tabs at once: one stores, the other finds it
    existing = find_record(
        session=session, campaign_id=campaign.id, window=target.window, unit_code=unit.code
    )
    if existing is not None:
        return Forwarded(existing, already=True)
    row = dict(
        campaign_id=campaign.id,
        window_key=target.window,
        unit_code=unit.code,
        document_number=forwarding.document_number,
        title=forwarding.title,
        requirements="\n".join(forwarding.requirements),
        issued_on=forwarding.issued_on,
        recipients=[b.code for b in forwarding.recipients],
        forwarded_by=username,
        forwarded_at=now,
    )
    insert_missing(session, ForwardRecord, [row], ("campaign_id", "window_key", "unit_code"))
    record = find_record(
        session=session, campaign_id=campaign.id, window=target.window, unit_code=unit.code
    )
    assert record is not None
    today = local_date(now, campaign.timezone)
    session.refresh(request)
    request.late = request.due_date is not None and today > request.due_date
    request.status = RequestStatus.accepted
    request.answered_at = now
    session.add(request)
    _send(session, target, forwarding, record, today, now)
    record_audit(
        session=session,
        event="directive_forwarded",
        actor=username,
        channel=channel,
        campaign_id=campaign.id,
        bureau_code=unit.code,
        at=now,
        window=target.window,
        document_number=record.document_number,
        recipients=record.recipients,
        late=request.late,
    )
    session.flush()
    return Forwarded(record, already=False)


def _send(
    session: Session,
    target: Draft,
    forwarding: Forwarding,
    record: ForwardRecord,
    today: date,
    now: datetime,
) -> None:
    """The units' 签收 requests and their chasing, and the mail to each unit."""
    campaign, plan, unit = target.campaign, target.plan, target.unit
    assert campaign.id is not None
    notice = target.notice(forwarding, today)
    period = forwarded_period(target.window, unit.code)
    codes = [b.code for b in forwarding.recipients]
    ack_ids: dict[str, int] = {}
    if plan.acknowledge_within is not None and notice.acknowledge_by is not None:
        sent = obligation(
            target.event, ACK_DUTY, period, notice.acknowledge_by, label=record.title[:100]
        )
        ack_ids = requests.open_requests(
            session=session,
            campaign_id=campaign.id,
            event=sent,
            kind=RequestKind.acknowledgement,
            duty_key=ACK_DUTY,
            period_key=period,
            period_label=record.title[:100],
            bureau_codes=codes,
            opened_at=now,
            recipients={c: [{"name": unit.name, "code": unit.code}] for c in codes},
        )
        chase = forwarded_chase(plan, target.event, unit.code, today, None)
        rows = [to_row(campaign.id, e).model_dump(exclude={"id"}) for e in chase]
        insert_missing(session, ScheduledEvent, rows, ("campaign_id", "key"))
    notice_file = notices.forward_attachment(notice)
    for child in forwarding.recipients:
        link_url = None
        if child.code in ack_ids:
            link_url = issue_link(
                session=session,
                campaign_id=campaign.id,
                bureau_code=child.code,
                purpose=LinkPurpose.acknowledge,
                request_id=ack_ids[child.code],
            ).url
        notices.queue_forward(
            session=session,
            campaign=campaign,
            plan=plan,
            event=target.event,
            unit=unit,
            bureau=child,
            notice=notice,
            notice_file=notice_file,
            link_url=link_url,
        )


def chase_events(*, session: Session, campaign_id: int, plan: Plan) -> list[Event]:
    """The reminders and escalations of every forwarded 通知's 签收 (kept by an amendment,
    which rebuilds the schedule from the plan)."""
    found: list[Event] = []
    records = session.exec(
        select(ForwardRecord).where(col(ForwardRecord.campaign_id) == campaign_id)
    ).all()
    campaign = session.get_one(Campaign, campaign_id)
    for record in records:
        key = f"directive:{record.window_key}"
        row = load_event(session=session, campaign_id=campaign_id, key=key)
        if row is not None:
            on = local_date(utc(record.forwarded_at), campaign.timezone)
            found += forwarded_chase(plan, to_event(row), record.unit_code, on, None)
    return found
