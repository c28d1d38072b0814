"""Take in messages: claim their rows, decide, and do what follows, in the caller's
transaction.

`claim` records a batch of messages in one INSERT … ON CONFLICT DO NOTHING on their
Message-IDs: a message already recorded, by an earlier run or by a run going on now
(PostgreSQL makes the second insert wait for the first transaction), is not claimed and
not processed again. `take_in_claimed` then decides one claimed message and writes what
follows (the submission, the outgoing receipt or rejection, the outcome on its row); the
intake runs it in a savepoint per message (campaign.inbox.batch), so a message that
breaks it is held without undoing the others. The caller commits the batch, and only
then is the mail moved out of the folder, so a crash at any point either leaves no trace
(the messages are read again) or rows that say what was done (the messages are only
moved).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from campaign.audit import record_audit
from campaign.inbox import texts
from campaign.inbox.classify import bounced_message_ids, classify, failed_authentication
from campaign.inbox.match import bureau_of_sender, find_request, sender_allowed
from campaign.inbox.outcome import Decision, answer
from campaign.inbox.parse import ParsedMail, parse_mail
from campaign.rows import detached, insert_ignore, update_row
from campaign.settings import get_settings
from models._common import utcnow
from models.audit import Channel
from models.bureau import Bureau
from models.inbox import InboxKind, InboxMessage, InboxOutcome
from models.outbox import OutboxMessage


def as_utc_aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class Fetched:
    """One message as read from the mailbox; `complete` is False when only its headers
    were downloaded (it is larger than inbox_max_message_bytes)."""

    folder: str
    uidvalidity: int
    uid: int
    raw: bytes
    size: int
    complete: bool = True
    arrived: datetime | None = None  # INTERNALDATE: when the mail server received it

    def received(self, now: datetime | None) -> datetime:
        """When the answer counts as received: its arrival at the mail server (a reply
        sent before the due date is on time though read at the next tick), never later
        than `now` (the tick's as_of, or the clock)."""
        now = now or utcnow()
        if self.arrived is None:
            return now
        return min(as_utc_aware(self.arrived), as_utc_aware(now))


def read(fetched: Fetched) -> ParsedMail:
    """The message parsed (its headers only when it was too large to download)."""
    return parse_mail(fetched.raw, headers_only=not fetched.complete)


def claim(
    *,
    session: Session,
    messages: Sequence[tuple[Fetched, ParsedMail]],
    now: datetime | None = None,
) -> dict[int, InboxMessage]:
    """Insert the rows of messages not recorded before (one statement); the claimed rows
    by uid. A Message-ID already recorded, or met earlier in `messages`, is left out."""
    rows: dict[str, dict[str, Any]] = {}
    uids: dict[str, int] = {}
    for fetched, mail in messages:
        if mail.message_id in rows:
            continue  # the same mail twice in the folder: the first one is taken in
        uids[mail.message_id] = fetched.uid
        rows[mail.message_id] = {
            "message_id": mail.message_id,
            "folder": fetched.folder,
            "uidvalidity": fetched.uidvalidity,
            "uid": fetched.uid,
            "from_addr": mail.from_addr[:254],
            "from_name": mail.from_name,
            "subject": mail.subject,
            "size": fetched.size,
            "kind": InboxKind.reply.value,
            "outcome": InboxOutcome.held.value,
            "reason": "",
            "received_at": fetched.received(now),
        }
    # In the folder's order (UIDs ascending): the rows' ids follow the mail's arrival, and
    # two intakes at once would take the rows' locks in the same order.
    inserted = insert_ignore(session, InboxMessage, list(rows.values()), ("message_id",))
    return {
        uids[message_id]: detached(InboxMessage, rows[message_id], inbox_id)
        for (message_id,), inbox_id in inserted.items()
    }


def take_in_claimed(
    *,
    session: Session,
    fetched: Fetched,
    mail: ParsedMail,
    record: InboxMessage,
    now: datetime | None = None,
) -> None:
    """Decide the claimed message and write what follows, its outcome on `record`."""
    received = fetched.received(now)
    assert record.id is not None
    decision = decide(session=session, mail=mail, fetched=fetched, inbox_id=record.id, now=received)
    record_decision(session=session, record=record, decision=decision, raw=fetched.raw)


def record_decision(
    *,
    session: Session,
    record: InboxMessage,
    decision: Decision,
    raw: bytes | None,
    actor: str | None = None,
) -> None:
    """Store the outcome on the message's row, and in the audit trail (`campaign log`)."""
    request = decision.request
    record_audit(
        session=session,
        event=f"mail_{decision.outcome.value}",
        actor=actor or (request.bureau_code if request else "inbox"),
        channel=Channel.email,
        campaign_id=request.campaign_id if request else None,
        bureau_code=request.bureau_code if request else None,
        at=None if actor else record.received_at,
        inbox_id=record.id,
        message_id=record.message_id,
        sender=record.from_addr,
        subject=record.subject[:200],
        reason=decision.reason[:500],
        submission_id=decision.submission_id,
    )
    update_row(
        session,
        record,
        kind=decision.kind,
        outcome=decision.outcome,
        reason=decision.reason[:4000],
        campaign_id=request.campaign_id if request else None,
        request_id=request.id if request else None,
        bureau_code=request.bureau_code if request else None,
        submission_id=decision.submission_id,
        reply_message_id=decision.reply.id if decision.reply else None,
        raw=raw if decision.outcome == InboxOutcome.held else None,
    )


def decide(
    *,
    session: Session,
    mail: ParsedMail,
    fetched: Fetched,
    inbox_id: int,
    now: datetime | None,
) -> Decision:
    settings = get_settings()
    own = {settings.mail_from.lower(), (settings.imap_user or "").lower()}
    kind = classify(mail, own_addresses=own)
    if kind == InboxKind.own:
        return Decision(InboxOutcome.ignored, texts.OWN_MAIL, kind)
    if kind == InboxKind.auto_reply:
        return Decision(InboxOutcome.ignored, texts.AUTO_REPLY, kind)
    if kind == InboxKind.bounce:
        return Decision(InboxOutcome.held, _bounce_reason(session, mail), kind)
    match = find_request(session=session, mail=mail)
    request = match.request
    if request is None:
        return Decision(InboxOutcome.held, texts.unrecognised(mail, fetched.complete))
    bureau = session.get_one(Bureau, request.bureau_code)
    if not sender_allowed(session=session, bureau=bureau, address=mail.from_addr):
        return Decision(
            InboxOutcome.held, _sender_reason(session, mail, bureau, match), request=request
        )
    failed = failed_authentication(mail)
    if failed:
        reason = texts.failed_authentication(mail.from_addr, failed)
        return Decision(InboxOutcome.held, reason, request=request)
    if _replies_today(session, mail.from_addr) >= settings.inbox_replies_per_sender_per_day:
        reason = texts.too_many_replies(settings.inbox_replies_per_sender_per_day)
        return Decision(InboxOutcome.held, reason, request=request)
    return answer(
        session=session,
        mail=mail,
        request=request,
        bureau=bureau,
        inbox_id=inbox_id,
        complete=fetched.complete,
        size=fetched.size,
        now=now,
    )


def _replies_today(session: Session, address: str) -> int:
    since = utcnow() - timedelta(days=1)
    return int(
        session.exec(
            select(func.count()).where(
                col(InboxMessage.from_addr) == address,
                col(InboxMessage.reply_message_id).is_not(None),
                col(InboxMessage.received_at) >= since,
            )
        ).one()
    )


def _sender_reason(session: Session, mail: ParsedMail, bureau: Bureau, match: Any) -> str:
    other = bureau_of_sender(session=session, address=mail.from_addr)
    if other is not None and other.code != bureau.code:
        return texts.other_bureau(mail.from_addr, other.name, bureau.name, match.via)
    return texts.unknown_sender(mail.from_addr, bureau.name)


def _bounce_reason(session: Session, mail: ParsedMail) -> str:
    ids = bounced_message_ids(mail)
    sent = (
        session.exec(select(OutboxMessage).where(col(OutboxMessage.message_id).in_(ids))).first()
        if ids
        else None
    )
    if sent is None:
        return texts.BOUNCE
    bureau = session.get(Bureau, sent.bureau_code)
    return texts.bounced(sent.subject, bureau.name if bureau else sent.bureau_code, sent.to_addrs)
