"""Reading back what an intake stored and answered (not a test module)."""

from __future__ import annotations

from sqlmodel import Session, select

from campaign.mail.addresses import Address
from campaign.mail.attempts import build
from campaign.mail.outbox import load_blobs
from models._common import utcnow
from models.audit import AuditEvent
from models.inbox import InboxMessage
from models.outbox import OutboxMessage

WUHAN = "b420100@bureaus.example.org"


def inbox_rows(session: Session) -> list[InboxMessage]:
    session.expire_all()
    return list(session.exec(select(InboxMessage).order_by(InboxMessage.id)).all())


def reply_mails(session: Session) -> list[OutboxMessage]:
    session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.notice.in_(["receipt", "rejection"]))  # type: ignore[attr-defined]
    return list(session.exec(query).all())


def sent_bytes(session: Session, message: OutboxMessage) -> bytes:
    shas = [a["sha256"] for a in message.attachments]
    data = build(message, load_blobs(session=session, shas=shas), Address("", "o@x.org"), utcnow())
    assert isinstance(data, bytes)
    return data


def email_audit(session: Session) -> list[tuple[str, str | None]]:
    session.expire_all()
    events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()  # type: ignore[arg-type]
    return [(e.event, e.bureau_code) for e in events if e.channel == "email"]
