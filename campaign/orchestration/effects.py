"""The seams where a tick's side effects happen: one function per kind of notice.

The audit entry each records is its event kind's (`campaign.schedule.kinds`).

The tick calls each function inside the transaction that takes the action's ledger
keys, with everything the notice needs in its arguments. Each records the notice in
the audit trail and queues the e-mail in the outbox (campaign.mail): rows in `session`
only, never I/O, so the transaction makes the effect happen exactly once. The outbox
sender delivers the messages afterwards (flows.mail).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from campaign.audit import record_audit
from campaign.clock import local_date
from campaign.forwarding.links import forward_page_url
from campaign.links import IssuedLink, Target, issue_links, resend_links
from campaign.mail import notices
from campaign.plan.schema import Plan
from campaign.replies.history import last_accepted
from campaign.schedule import Event, kind, window_key
from models.audit import Channel
from models.bureau import Bureau
from models.campaign import Campaign
from models.link import LinkPurpose
from models.request import ReportRequest, RequestKind

ACTOR = "system"
CHANNEL = Channel.tick


def queue_directive(
    *,
    session: Session,
    campaign_id: int,
    plan: Plan,
    event: Event,
    bureau_codes: Sequence[str],
    ack_request_ids: Mapping[str, int],
    at: datetime,
    forward_by: Mapping[str, date] | None = None,
) -> None:
    """A directive (通知) to each bureau, with its acknowledgement (签收) link when the
    plan asks for one (ack_request_ids: request id by bureau; empty when it does not),
    and to a unit that forwards it (forward_by: its deadline by unit) its 转发 page."""
    campaign = _campaign(session, campaign_id)
    bureaus = _bureaus(session, bureau_codes)
    links = issue_links(
        session=session,
        campaign_id=campaign_id,
        purpose=LinkPurpose.acknowledge,
        targets=[(c, ack_request_ids[c]) for c in sorted(bureau_codes) if c in ack_request_ids],
    )
    for code in bureau_codes:
        ack_id = ack_request_ids.get(code)
        link = links.get((code, ack_id)) if ack_id is not None else None
        forward_on = (forward_by or {}).get(code)
        notices.queue_directive(
            session=session,
            campaign=campaign,
            plan=plan,
            event=event,
            bureau=bureaus[code],
            link_url=link.url if link is not None else None,
            forward_by=forward_on,
            forward_url=forward_page_url(campaign_id, window_key(event)) if forward_on else None,
        )
        _audit(
            session,
            campaign_id,
            code,
            at,
            event,
            template=event.template,
            ack_request_id=ack_id,
            ack_due=_iso(event.due),
        )


def queue_request(
    *,
    session: Session,
    campaign_id: int,
    plan: Plan,
    event: Event,
    request_ids: Mapping[str, int],
    at: datetime,
) -> None:
    """A report request (报送通知) for one duty period to each bureau (request id by bureau),
    with its personal link and the statistical table, cumulative figures pre-filled."""
    campaign, bureaus, requests = _load(session, campaign_id, request_ids)
    form = plan.form(plan.duty(event.duty).form or "") if event.duty else None
    targets = sorted(request_ids.items())
    links = issue_links(
        session=session, campaign_id=campaign_id, purpose=LinkPurpose.report, targets=targets
    )
    items = []
    for code, request_id in targets:
        request = requests[request_id]
        baseline = None
        if form is not None:
            baseline = last_accepted(session=session, plan=plan, form=form, request=request)
        link = links[(code, request_id)].url
        items.append(
            notices.RequestFor(request, bureaus[code], link, baseline.values if baseline else None)
        )
    notices.queue_requests(
        session=session, campaign=campaign, plan=plan, items=items, key=event.key
    )
    for code, request_id in targets:
        _audit(session, campaign_id, code, at, event, request_id=request_id)


def queue_reminder(
    *,
    session: Session,
    campaign_id: int,
    plan: Plan,
    event: Event,
    request_ids: Mapping[str, int],
    at: datetime,
) -> None:
    """A reminder (催报, or 催签收 for a directive) to each bureau still unanswered."""
    campaign, bureaus, requests = _load(session, campaign_id, request_ids)
    today = local_date(at, campaign.timezone)
    targets = sorted(request_ids.items())
    # a forwarding request links to the unit's console page (转发), not to a personal link
    linked = [t for t in targets if requests[t[1]].kind != RequestKind.forward]
    links: dict[Target, IssuedLink] = {}
    for purpose in sorted({_purpose(requests[t[1]]) for t in linked}):
        links |= resend_links(
            session=session,
            campaign_id=campaign_id,
            purpose=purpose,
            targets=[t for t in linked if _purpose(requests[t[1]]) == purpose],
        )
    items = []
    for code, request_id in targets:
        request = requests[request_id]
        if request.kind == RequestKind.forward:
            link_url = forward_page_url(campaign_id, request.period_key)
        else:
            link_url = links[(code, request_id)].url
        items.append(notices.ReminderFor(request, bureaus[code], link_url))
    notices.queue_reminders(
        session=session, campaign=campaign, plan=plan, items=items, as_of=today, key=event.key
    )
    for code, request_id in targets:
        _audit(session, campaign_id, code, at, event, request_id=request_id)


@dataclass(frozen=True)
class LateRequest:
    """A late unit's unanswered request, and the escalation event about it."""

    bureau_code: str
    request_id: int
    event: Event


def queue_escalation(
    *,
    session: Session,
    campaign_id: int,
    plan: Plan,
    parent_code: str,
    late: Sequence[LateRequest],
    at: datetime,
) -> None:
    """One notice to a parent unit listing every late unit under it and what each owes,
    and an audit entry per late request."""
    campaign = _campaign(session, campaign_id)
    items = sorted(late, key=lambda i: (i.bureau_code, i.event.key))
    bureaus = _bureaus(session, [parent_code, *(i.bureau_code for i in items)])
    requests = _requests(session, [i.request_id for i in items])
    today = local_date(at, campaign.timezone)
    digest = hashlib.sha256("\n".join(f"{i.event.key}|{i.bureau_code}" for i in items).encode())
    key = f"escalation:{today.isoformat()}:{digest.hexdigest()[:12]}"  # one per set of keys
    notices.queue_escalation(
        session=session,
        campaign=campaign,
        plan=plan,
        parent=bureaus[parent_code],
        late=[(bureaus[i.bureau_code], requests[i.request_id]) for i in items],
        as_of=today,
        key=key,
    )
    for item in items:
        _audit(
            session,
            campaign_id,
            item.bureau_code,
            at,
            item.event,
            request_id=item.request_id,
            parent=parent_code,
            message_key=key,
        )


def record_compiled(
    *, session: Session, campaign_id: int, event: Event, summary_id: int, at: datetime
) -> None:
    """A summary (阶段小结) or the acceptance (检查验收) was compiled: summary_id is its
    CampaignSummary. Audit only: nothing is mailed."""
    _audit(session, campaign_id, None, at, event, summary_id=summary_id)


def _campaign(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise LookupError(f"no campaign {campaign_id}")
    return campaign


def _load(
    session: Session,
    campaign_id: int,
    request_ids: Mapping[str, int],
) -> tuple[Campaign, dict[str, Bureau], dict[int, ReportRequest]]:
    """The campaign, the bureaus with requests, and the requests."""
    bureaus = _bureaus(session, list(request_ids))
    return _campaign(session, campaign_id), bureaus, _requests(session, list(request_ids.values()))


def _bureaus(session: Session, codes: Sequence[str]) -> dict[str, Bureau]:
    rows = session.exec(select(Bureau).where(col(Bureau.code).in_(list(set(codes))))).all()
    return {b.code: b for b in rows}


def _requests(session: Session, ids: Sequence[int]) -> dict[int, ReportRequest]:
    rows = session.exec(select(ReportRequest).where(col(ReportRequest.id).in_(list(ids)))).all()
    return {r.id: r for r in rows if r.id is not None}


def _purpose(request: ReportRequest) -> LinkPurpose:
    """The purpose of a request's link: 签收 for an acknowledgement, else its report."""
    if request.kind == RequestKind.acknowledgement:
        return LinkPurpose.acknowledge
    return LinkPurpose.report


def _audit(
    session: Session,
    campaign_id: int,
    bureau_code: str | None,
    at: datetime,
    event: Event,
    **detail: object,
) -> None:
    record_audit(
        session=session,
        event=kind(event.kind).audit,
        actor=ACTOR,
        channel=CHANNEL,
        campaign_id=campaign_id,
        bureau_code=bureau_code,
        at=at,
        action=event.key,
        **detail,
    )


def _iso(value: object) -> str | None:
    return value.isoformat() if value is not None else None  # type: ignore[attr-defined]
