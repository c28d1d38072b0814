"""The seams where a tick's side effects happen: one function per kind of notice.

The tick calls each function inside the transaction that takes the action's ledger
keys, with everything the notice needs in its arguments. Today each records the
notice in the audit trail; the mail outbox (campaign.mail.queue_notice) is wired in
here. Whatever is added must only write to `session` (e.g. an outbox row), never do
I/O itself: the transaction is what makes the effect happen exactly once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlmodel import Session

from campaign.plan.schema import Plan
from campaign.schedule import Event
from models.audit import record_audit

ACTOR = "system"
CHANNEL = "tick"


def send_directive(
    *,
    session: Session,
    campaign_id: int,
    plan: Plan,
    event: Event,
    bureau_codes: Sequence[str],
    ack_request_ids: Mapping[str, int],
    at: datetime,
) -> None:
    """A directive (通知) to each bureau, with its acknowledgement (签收) request when the
    plan asks for one (ack_request_ids: request id by bureau; empty when it does not)."""
    for code in bureau_codes:
        _audit(
            session,
            "directive_issued",
            campaign_id,
            code,
            at,
            event,
            template=event.template,
            ack_request_id=ack_request_ids.get(code),
            ack_due=_iso(event.due),
        )


def send_report_request(
    *,
    session: Session,
    campaign_id: int,
    plan: Plan,
    event: Event,
    request_ids: Mapping[str, int],
    at: datetime,
) -> None:
    """A report request (报送通知) for one duty period to each bureau (request id by bureau)."""
    for code, request_id in sorted(request_ids.items()):
        _audit(session, "request_opened", campaign_id, code, at, event, request_id=request_id)


def send_reminder(
    *,
    session: Session,
    campaign_id: int,
    plan: Plan,
    event: Event,
    request_ids: Mapping[str, int],
    at: datetime,
) -> None:
    """A reminder (催报) to each bureau whose request is still unanswered."""
    for code, request_id in sorted(request_ids.items()):
        _audit(session, "reminder_sent", campaign_id, code, at, event, request_id=request_id)


def send_escalation(
    *,
    session: Session,
    campaign_id: int,
    plan: Plan,
    event: Event,
    request_ids: Mapping[str, int],
    parent_codes: Mapping[str, str],
    at: datetime,
) -> None:
    """Tell each late bureau's parent bureau (parent_codes: parent by late bureau)."""
    for code, request_id in sorted(request_ids.items()):
        _audit(
            session,
            "escalation_sent",
            campaign_id,
            code,
            at,
            event,
            request_id=request_id,
            parent=parent_codes[code],
        )


def publish_summary(
    *,
    session: Session,
    campaign_id: int,
    plan: Plan,
    event: Event,
    summary_id: int,
    at: datetime,
) -> None:
    """A stage or final summary (阶段小结) was compiled; summary_id is its CampaignSummary."""
    _audit(session, "summary_compiled", campaign_id, None, at, event, summary_id=summary_id)


def publish_acceptance(
    *,
    session: Session,
    campaign_id: int,
    plan: Plan,
    event: Event,
    summary_id: int,
    at: datetime,
) -> None:
    """The final acceptance (检查验收) was compiled; summary_id is its CampaignSummary."""
    _audit(session, "acceptance_compiled", campaign_id, None, at, event, summary_id=summary_id)


def _audit(
    session: Session,
    name: str,
    campaign_id: int,
    bureau_code: str | None,
    at: datetime,
    event: Event,
    **detail: object,
) -> None:
    record_audit(
        session=session,
        event=name,
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
