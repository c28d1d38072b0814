"""Report requests as the tick opens, chases, marks overdue and closes them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from campaign.audit import record_audit
from campaign.rows import chunked, insert_missing
from campaign.schedule import Event
from models.audit import Channel
from models.request import ReportRequest, RequestKind, RequestStatus

CHASEABLE = (RequestStatus.open.value, RequestStatus.overdue.value, RequestStatus.returned.value)
"""Requests a reminder or an escalation is about: no answer yet, or sent back."""

UNIQUE = ("campaign_id", "duty_key", "period_key", "bureau_code")


def open_requests(
    *,
    session: Session,
    campaign_id: int,
    event: Event,
    kind: str,
    duty_key: str,
    period_key: str,
    period_label: str,
    bureau_codes: Sequence[str],
    opened_at: datetime,
    recipients: Mapping[str, list[dict[str, str | None]]] | None = None,
    relay_to: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Create the bureaus' requests (existing ones are kept); returns request id by bureau.
    recipients: to whom each bureau's report goes (campaign.bureaus.report_recipients);
    relay_to: the unit that reviews each bureau's answer (a routed duty's via unit)."""
    rows = [
        dict(
            campaign_id=campaign_id,
            duty_key=duty_key,
            period_key=period_key,
            period_label=period_label,
            period_start=event.period_start or event.date,
            period_end=event.period_end or event.date,
            bureau_code=code,
            kind=kind,
            due_date=event.due,
            status=RequestStatus.open.value,
            opened_at=opened_at,
            late=False,
            recipients=(recipients or {}).get(code, []),
            relay_to=(relay_to or {}).get(code),
        )
        for code in sorted(set(bureau_codes))
    ]
    insert_missing(session=session, model=ReportRequest, rows=rows, keys=UNIQUE)
    return request_ids(
        session=session,
        campaign_id=campaign_id,
        duty_key=duty_key,
        period_key=period_key,
        bureau_codes=bureau_codes,
    )


def request_ids(
    *,
    session: Session,
    campaign_id: int,
    duty_key: str,
    period_key: str,
    bureau_codes: Sequence[str] | None = None,
    statuses: Sequence[str] | None = None,
    aggregate: bool | None = None,
) -> dict[str, int]:
    """Request id by bureau for one duty period (optionally only some bureaus / statuses;
    aggregate: only the via units' aggregate requests (True) or only the others (False))."""
    query = select(col(ReportRequest.bureau_code), col(ReportRequest.id)).where(
        col(ReportRequest.campaign_id) == campaign_id,
        col(ReportRequest.duty_key) == duty_key,
        col(ReportRequest.period_key) == period_key,
    )
    if aggregate is not None:
        query = query.where(of_stage(aggregate))
    if statuses is not None:
        query = query.where(col(ReportRequest.status).in_(list(statuses)))
    found: dict[str, int] = {}
    if bureau_codes is None:
        found.update(session.execute(query).tuples().all())
        return found
    for chunk in chunked(sorted(set(bureau_codes)), 500):
        chunk_query = query.where(col(ReportRequest.bureau_code).in_(list(chunk)))
        found.update(session.execute(chunk_query).tuples().all())
    return found


def of_stage(aggregate: bool) -> Any:
    """The requests of one stage of a duty period: the via units' aggregate requests of a
    routed duty (True), or every other request (False)."""
    is_aggregate = col(ReportRequest.kind) == RequestKind.aggregate.value
    return is_aggregate if aggregate else ~is_aggregate


def chaseable_requests(
    *,
    session: Session,
    campaign_id: int,
    duty_key: str,
    period_key: str,
    bureau_codes: Sequence[str] | None = None,
    aggregate: bool = False,
) -> dict[str, int]:
    """Requests of one duty period still open, overdue or returned: id by bureau (the via
    units' aggregate requests when `aggregate`, else the others)."""
    return request_ids(
        session=session,
        campaign_id=campaign_id,
        duty_key=duty_key,
        period_key=period_key,
        bureau_codes=bureau_codes,
        statuses=CHASEABLE,
        aggregate=aggregate,
    )


def mark_overdue(*, session: Session, campaign_id: int, today: date, at: datetime) -> int:
    """Requests past their due date with no answer become overdue; each change is audited."""
    waiting = [RequestStatus.open.value, RequestStatus.returned.value]
    lock = (
        select(col(ReportRequest.id))
        .where(
            col(ReportRequest.campaign_id) == campaign_id,
            col(ReportRequest.status).in_(waiting),
            col(ReportRequest.due_date) < today,
        )
        .order_by(col(ReportRequest.id))
        .with_for_update()
    )
    stmt = (
        update(ReportRequest)
        .where(
            col(ReportRequest.id).in_(lock.scalar_subquery()),
            col(ReportRequest.status).in_(waiting),
        )
        .values(status=RequestStatus.overdue.value)
        .returning(
            col(ReportRequest.id),
            col(ReportRequest.bureau_code),
            col(ReportRequest.duty_key),
            col(ReportRequest.period_key),
            col(ReportRequest.due_date),
        )
        .execution_options(synchronize_session=False)
    )
    changed = sorted(session.execute(stmt).tuples().all())
    for request_id, code, duty_key, period_key, due in changed:
        record_audit(
            session=session,
            event="request_overdue",
            actor="system",
            channel=Channel.tick,
            campaign_id=campaign_id,
            bureau_code=code,
            at=at,
            request_id=request_id,
            duty=duty_key,
            period=period_key,
            due=due.isoformat() if due else None,
        )
    return len(changed)


def close_requests(
    *, session: Session, campaign_id: int, at: datetime, actor: str, channel: Channel, reason: str
) -> int:
    """Requests still awaiting an answer can no longer be answered (campaign over)."""
    lock = (
        select(col(ReportRequest.id))
        .where(
            col(ReportRequest.campaign_id) == campaign_id,
            col(ReportRequest.status).in_(list(CHASEABLE)),
        )
        .order_by(col(ReportRequest.id))
        .with_for_update()
    )
    stmt = (
        update(ReportRequest)
        .where(
            col(ReportRequest.id).in_(lock.scalar_subquery()),
            col(ReportRequest.status).in_(list(CHASEABLE)),
        )
        .values(status=RequestStatus.closed.value)
        .returning(col(ReportRequest.id), col(ReportRequest.bureau_code))
        .execution_options(synchronize_session=False)
    )
    changed = sorted(session.execute(stmt).tuples().all())
    for request_id, code in changed:
        record_audit(
            session=session,
            event="request_closed",
            actor=actor,
            channel=channel,
            campaign_id=campaign_id,
            bureau_code=code,
            at=at,
            request_id=request_id,
            reason=reason,
        )
    return len(changed)
