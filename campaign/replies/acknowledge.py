"""签收: a bureau acknowledges receipt of a directive through its acknowledgement link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session

from campaign.audit import record_audit
from campaign.clock import utc
from campaign.plan.schema import Action, Phase, Plan
from campaign.replies.errors import WrongLink
from campaign.replies.notify import notify_acknowledged
from campaign.replies.reply_context import ensure_answerable, is_late, resolve_context
from campaign.replies.request_lock import lock_request
from campaign.schedule import is_forwarded_period
from models.audit import Channel
from models.form_nonce import FormNonce
from models.link import LinkPurpose, ReplyLink
from models.request import ReportRequest, RequestStatus


@dataclass(frozen=True)
class Acknowledgement:
    request: ReportRequest
    already: bool  # acknowledged before; nothing changed now


def acknowledge(
    *,
    session: Session,
    link_or_request: ReplyLink | ReportRequest,
    channel: Channel,
    now: datetime | None = None,
    idempotency_key: str | None = None,
) -> Acknowledgement:
    """Mark the directive's acknowledgement request accepted (once); audit it.

    The request is locked before its status is read again, so that of several 签收 sent
    at once one records it and the others find it done (campaign.replies.request_lock)."""
    now = utc(now or datetime.now(UTC))
    target = resolve_context(session=session, link_or_request=link_or_request)
    request = target.request
    if target.purpose != LinkPurpose.acknowledge or request is None:
        raise WrongLink("此链接不是签收链接。")
    ensure_answerable(target)
    if request.status == RequestStatus.accepted:
        return Acknowledgement(request=request, already=True)
    lock_request(session, request.id)  # type: ignore[arg-type]
    session.refresh(request)
    ensure_answerable(target)
    if request.status == RequestStatus.accepted:
        return Acknowledgement(request=request, already=True)
    late = is_late(request, now, target.timezone)
    request.status = RequestStatus.accepted
    request.answered_at = now
    request.late = late
    session.add(request)
    if idempotency_key and session.get(FormNonce, idempotency_key) is None:
        session.add(FormNonce(nonce=idempotency_key, request_id=request.id, used_at=now))  # type: ignore[arg-type]
    notify_acknowledged(
        session=session,
        target=target,
        directive_title=directive_title(target.plan, request, target.campaign.title),
        at=now,
    )
    record_audit(
        session=session,
        event="directive_acknowledged",
        actor=target.bureau.code,
        channel=channel,
        campaign_id=target.campaign.id,
        bureau_code=target.bureau.code,
        at=now,
        request_id=request.id,
        late=late,
    )
    session.flush()
    return Acknowledgement(request=request, already=False)


def directive_window(plan: Plan, request: ReportRequest) -> tuple[Phase, Action | None] | None:
    """The phase (and action) whose directive the request acknowledges, when it names one.

    The request's duty_key or period_key is expected to carry the window key, possibly
    behind a prefix such as "ack:" or "directive:".
    """
    windows = plan.windows()
    for candidate in (request.period_key, request.duty_key):
        for key in (candidate, candidate.rsplit(":", 1)[-1]):
            if key in windows:
                return windows[key]
    return None


def directive_title(plan: Plan, request: ReportRequest, fallback: str) -> str:
    """How the page and the 签收 receipt name the directive acknowledged (a unit's
    forwarded 通知: its title, kept as the request's label)."""
    if is_forwarded_period(request.period_key) and request.period_label:
        return request.period_label
    window = directive_window(plan, request)
    if window is None:
        return fallback
    phase, action = window
    return f"关于开展{action.name}的通知" if action else f"{phase.name}工作通知"
