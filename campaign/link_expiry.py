"""When a personal link expires: its request settled or its campaign ended, plus a grace.

A link stays usable while its request takes answers. Once the request is accepted (a
report accepted on review, a directive 签收), closed, or its campaign completed or
cancelled, the link shows the status read-only for `link_grace_days` (a setting, 30 by
default); after that it has expired and shows why and whom to contact. The moment of
closing comes from what is already stored: the accepted version's review time, the
签收 time, the audit event that ended the campaign or closed the request. Only links of
settled requests pay for these look-ups; an open request costs nothing here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from campaign.clock import utc
from campaign.links import LiveLink
from campaign.replies.reply_context import LIVE_CAMPAIGN
from campaign.settings import get_settings
from models.audit import AuditEvent
from models.link import LinkPurpose
from models.request import RequestStatus
from models.submission import ReportSubmission, ReviewStatus


@dataclass(frozen=True)
class Closure:
    """Why and since when a link's target takes no answers."""

    reason: str  # accepted, acknowledged, completed, cancelled, closed
    at: datetime

    @property
    def expires_at(self) -> datetime:
        return utc(self.at) + timedelta(days=get_settings().link_grace_days)


def closure(*, session: Session, found: LiveLink) -> Closure | None:
    """Why the link's target is settled and since when; None while it takes answers."""
    link, campaign, request, _ = found
    if campaign.status not in LIVE_CAMPAIGN:
        reason = campaign.status.value  # completed or cancelled
        return Closure(reason, _event_time(session, found, f"campaign_{reason}"))
    if request is None:
        return None
    if request.status == RequestStatus.closed:
        return Closure("closed", _event_time(session, found, "request_closed"))
    if request.status != RequestStatus.accepted:
        return None
    if link.purpose == LinkPurpose.acknowledge:
        return Closure("acknowledged", request.answered_at or link.created_at)
    reviewed = session.exec(
        select(func.max(col(ReportSubmission.reviewed_at))).where(
            ReportSubmission.request_id == request.id,
            ReportSubmission.review_status == ReviewStatus.accepted,
        )
    ).one()
    return Closure("accepted", reviewed or request.answered_at or link.created_at)


def _event_time(session: Session, found: LiveLink, event: str) -> datetime:
    """When the campaign ended (or the request was closed), from the audit trail; the
    link's own creation when no such event was recorded (it then expires soonest)."""
    query = select(AuditEvent.at, AuditEvent.detail).where(
        AuditEvent.campaign_id == found.campaign.id, AuditEvent.event == event
    )
    if event == "request_closed":
        query = query.where(AuditEvent.bureau_code == found.link.bureau_code)
    times = [
        at
        for at, detail in session.exec(query).all()
        if event != "request_closed" or detail.get("request_id") == found.link.request_id
    ]
    return max(times, key=utc) if times else found.link.created_at


def expired(*, session: Session, found: LiveLink, now: datetime) -> Closure | None:
    """The closure of a link whose grace period has passed; None while it may be opened."""
    closed = closure(session=session, found=found)
    if closed is None or utc(now) < closed.expires_at:
        return None
    return closed
