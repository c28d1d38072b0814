"""The answers awaiting review that a scope reviews (the office's, a city's): the queue's
length and its newest entries, found through the requests' status."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from campaign.web.console_data import within
from models.bureau import Bureau
from models.request import ReportRequest, RequestStatus
from models.submission import ReportSubmission, ReviewStatus


def reviewed_here(units: frozenset[str] | None) -> Any:
    """The answers a scope reviews (campaign.replies.review.review_queue): the office's,
    those sent to the office (relay_to None); a unit's, those too (of its units) and those
    relayed to a unit within it. A county's answer awaiting its city is the city's."""
    relay = col(ReportRequest.relay_to)
    if units is None:
        return relay.is_(None)
    return or_(relay.is_(None), relay.in_(sorted(units)))


def pending_count(
    *, session: Session, campaign_id: int, units: frozenset[str] | None = None
) -> int:
    """The answers awaiting review that this scope reviews (the queue's length)."""
    r = ReportRequest
    query = select(func.count()).where(
        col(r.campaign_id) == campaign_id,
        col(r.status) == RequestStatus.submitted,
        within(units),
        reviewed_here(units),
    )
    return int(session.connection().execute(query).scalar_one())


def pending_queue(
    *,
    session: Session,
    campaign_id: int,
    limit: int = 10,
    units: frozenset[str] | None = None,
) -> list[tuple[ReportSubmission, ReportRequest, str]]:
    """The newest `limit` answers awaiting review, with their request and unit name (the
    count is Tally.pending). Found through the requests' status, not every answer."""
    r, s = ReportRequest, ReportSubmission
    query = (
        select(s, r, col(Bureau.name))
        .join(r, col(r.id) == col(s.request_id))
        .join(Bureau, col(Bureau.code) == col(r.bureau_code))
        .where(
            col(r.campaign_id) == campaign_id,
            col(r.status) == RequestStatus.submitted,
            col(s.review_status) == ReviewStatus.pending,
            within(units),
            reviewed_here(units),
        )
        .order_by(col(r.answered_at).desc().nulls_last(), col(s.id).desc())
        .limit(limit)
    )
    return [(a, b, c) for a, b, c in session.exec(query).all()]  # type: ignore[call-overload]
