"""Mail held for a coordinator: list it, assign it to a request, dismiss it, and register
further sender addresses of a bureau. Shared by `campaign inbox …` and the /admin pages.

Assigning runs the same answer step as the intake (checks, submission, threaded receipt
or rejection) in the caller's transaction, for the request the coordinator chose, and
may register the sender for that bureau so its next mail is taken in directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from campaign.audit import record_audit
from campaign.inbox import texts
from campaign.inbox.intake import record_decision
from campaign.inbox.outcome import Decision, answer
from campaign.inbox.parse import parse_mail
from models._common import utcnow
from models.audit import Channel
from models.bureau import Bureau
from models.inbox import InboxMessage, InboxOutcome, InboxSender
from models.request import ReportRequest


class HeldError(Exception):
    """A coordinator's action that cannot be done; the message is Chinese."""


def list_messages(
    *, session: Session, outcome: InboxOutcome | None = InboxOutcome.held, limit: int = 200
) -> Sequence[InboxMessage]:
    query = select(InboxMessage).order_by(col(InboxMessage.id).desc()).limit(limit)
    if outcome is not None:
        query = query.where(InboxMessage.outcome == outcome)
    return session.exec(query).all()


def _held(session: Session, inbox_id: int) -> InboxMessage:
    message = session.get(InboxMessage, inbox_id)
    if message is None:
        raise HeldError(f"没有编号为{inbox_id}的来信")
    if message.outcome != InboxOutcome.held:
        raise HeldError(f"来信{inbox_id}已处理（{message.outcome.value}），不能再次处理")
    return message


def _claim(session: Session, message: InboxMessage, outcome: InboxOutcome, actor: str) -> None:
    """Mark the held message resolved; only one coordinator action wins."""
    done = session.execute(
        update(InboxMessage)
        .where(col(InboxMessage.id) == message.id, col(InboxMessage.outcome) == "held")
        .values(outcome=outcome.value, resolved_by=actor[:100], resolved_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if not done.rowcount:  # type: ignore[attr-defined]
        raise HeldError(f"来信{message.id}已由他人处理")


def assign(
    *,
    session: Session,
    inbox_id: int,
    request_id: int,
    actor: str,
    remember_sender: bool = False,
    now: datetime | None = None,
) -> Decision:
    """Take the held message in as the answer to `request_id` (checked like any answer)."""
    message = _held(session, inbox_id)
    request = session.get(ReportRequest, request_id)
    if request is None:
        raise HeldError(f"没有编号为{request_id}的报送事项")
    if message.raw is None:
        raise HeldError(f"来信{inbox_id}的内容未保存，无法指定，只能忽略")
    bureau = session.get_one(Bureau, request.bureau_code)
    _claim(session, message, InboxOutcome.accepted, actor)
    if remember_sender and message.from_addr:
        allow_sender(session=session, bureau_code=bureau.code, email=message.from_addr, actor=actor)
    mail = parse_mail(message.raw)
    complete = message.size <= len(message.raw) + 1024  # only headers were kept if larger
    decision = answer(
        session=session,
        mail=mail,
        request=request,
        bureau=bureau,
        inbox_id=inbox_id,
        complete=complete,
        size=message.size,
        now=now,
        actor=actor,
    )
    record_decision(session=session, record=message, decision=decision, raw=None, actor=actor)
    return decision


def dismiss(*, session: Session, inbox_id: int, actor: str) -> None:
    message = _held(session, inbox_id)
    _claim(session, message, InboxOutcome.dismissed, actor)
    record_audit(
        session=session,
        event="mail_dismissed",
        actor=actor,
        channel=Channel.email,
        campaign_id=message.campaign_id,
        bureau_code=message.bureau_code,
        inbox_id=message.id,
        message_id=message.message_id,
        sender=message.from_addr,
    )
    session.execute(
        update(InboxMessage)
        .where(col(InboxMessage.id) == inbox_id)
        .values(raw=None, reason=f"{message.reason}（{texts.DISMISSED.format(actor=actor)}）")
        .execution_options(synchronize_session=False)
    )


def allow_sender(*, session: Session, bureau_code: str, email: str, actor: str) -> InboxSender:
    """Register `email` as a further address of the bureau (replaces an earlier owner)."""
    if session.get(Bureau, bureau_code) is None:
        raise HeldError(f"没有代码为{bureau_code}的单位")
    email = email.strip().lower()
    if "@" not in email or any(c.isspace() for c in email):
        raise HeldError(f"“{email}”不是有效的邮箱地址")
    row = session.get(InboxSender, email)
    if row is None:
        row = InboxSender(email=email, bureau_code=bureau_code, added_by=actor[:100])
        session.add(row)
    else:
        row.bureau_code, row.added_by = bureau_code, actor[:100]
    session.flush()
    return row
