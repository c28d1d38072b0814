"""Store messages in the outbox (idempotently) and read them back.

`store_message` inserts with ON CONFLICT DO NOTHING on (campaign, key, bureau), so two
ticks queueing the same notice at once still leave one row, and never roll back the
caller's transaction. Attachment bytes go to outbox_blob once per SHA-256.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from campaign.audit import record_audit
from campaign.mail.addresses import Address, header_text
from campaign.mail.errors import MailRefused
from campaign.mail.mime import make_message_id
from campaign.mail.render import RenderedNotice
from campaign.rows import detached, insert_ignore
from campaign.settings import get_settings
from models._common import utcnow
from models.audit import Channel
from models.outbox import MailState, OutboxBlob, OutboxMessage

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    content_type: str = "application/octet-stream"

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def find_message(
    *, session: Session, campaign_id: int, key: str, bureau_code: str
) -> OutboxMessage | None:
    """The message queued for (campaign, key, bureau), if any."""
    params = {"campaign_id": campaign_id, "key": key, "bureau_code": bureau_code}
    found = session.connection().execute(_FIND, params).scalar_one_or_none()
    return session.get(OutboxMessage, found) if found is not None else None


_table = OutboxMessage.__table__  # type: ignore[attr-defined]
_FIND = select(_table.c.id).where(
    _table.c.campaign_id == bindparam("campaign_id"),
    _table.c.key == bindparam("key"),
    _table.c.bureau_code == bindparam("bureau_code"),
)


def store_message(
    *,
    session: Session,
    campaign_id: int,
    bureau_code: str,
    key: str,
    notice: str,
    to: Sequence[Address],
    cc: Sequence[Address],
    rendered: RenderedNotice,
    attachments: Sequence[Attachment] = (),
    unaddressable: str | None = None,
) -> OutboxMessage:
    """The queued message for (campaign, key, bureau): inserted now, or the one already there.

    `unaddressable`: why the recipients cannot be written in a header (a bureau's name with
    a control character, a malformed address). The message is stored `failed` with that
    reason and an audit event `mail_failed`, never sent; the caller goes on with the others.
    """
    header_text(key, what="the message key")
    if not to:
        raise MailRefused("a message needs at least one recipient")
    if unaddressable is not None:
        attachments = ()  # never sent: its attachments (named after the bureau) are not kept
    for a in attachments:
        header_text(a.filename, what="an attachment name")
        if not a.filename.strip() or "/" in a.filename or "\\" in a.filename:
            raise MailRefused(f"bad attachment name {a.filename!r}")
        if not a.content or len(a.content) > MAX_ATTACHMENT_BYTES:
            raise MailRefused(f"attachment {a.filename!r} is empty or larger than 20 MB")
    _store_blobs(session=session, attachments=attachments)
    domain = get_settings().mail_from.rsplit("@", 1)[-1]
    row: dict[str, Any] = {
        "campaign_id": campaign_id,
        "bureau_code": bureau_code,
        "key": key,
        "notice": notice,
        "to_addrs": [a.to_json() for a in to],
        "cc_addrs": [a.to_json() for a in cc],
        "subject": rendered.subject,
        "text_body": rendered.text,
        "html_body": rendered.html,
        "attachments": [
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "sha256": a.sha256,
                "size": len(a.content),
            }
            for a in attachments
        ],
        "message_id": make_message_id(campaign_id=campaign_id, domain=domain),
        "state": MailState.pending.value,
        "attempts": 0,
        "created_at": utcnow(),
    }
    if unaddressable is not None:
        row.update(state=MailState.failed.value, last_error=f"cannot address: {unaddressable}")
    inserted = insert_ignore(session, OutboxMessage, row, ("campaign_id", "key", "bureau_code"))
    if inserted is not None:  # the row as stored, attached to the session without a SELECT
        if unaddressable is not None:
            record_audit(
                session=session,
                event="mail_failed",
                actor="system",
                channel=Channel.email,
                campaign_id=campaign_id,
                bureau_code=bureau_code,
                message=inserted,
                key=key,
                reason=row["last_error"],
            )
        return detached(OutboxMessage, row, inserted)
    stored = find_message(  # another writer queued it in the meantime
        session=session, campaign_id=campaign_id, key=key, bureau_code=bureau_code
    )
    if stored is None:
        raise MailRefused(f"the outbox did not take the message {key!r} for {bureau_code}")
    return stored


def load_blobs(*, session: Session, shas: Sequence[str]) -> dict[str, bytes]:
    if not shas:
        return {}
    rows = session.exec(select(OutboxBlob).where(col(OutboxBlob.sha256).in_(set(shas)))).all()
    return {r.sha256: r.content for r in rows}


def list_messages(
    *,
    session: Session,
    state: MailState | None = None,
    campaign_id: int | None = None,
    limit: int = 200,
) -> Sequence[OutboxMessage]:
    query = select(OutboxMessage).order_by(col(OutboxMessage.id).desc()).limit(limit)
    if state is not None:
        query = query.where(OutboxMessage.state == state)
    if campaign_id is not None:
        query = query.where(OutboxMessage.campaign_id == campaign_id)
    return session.exec(query).all()


def _store_blobs(*, session: Session, attachments: Sequence[Attachment]) -> None:
    # Blobs this transaction already stored (the same .docx goes to every bureau).
    transaction = session.get_transaction()
    cached = session.info.get("outbox_known_blobs")
    if cached is None or cached[0] is not transaction:
        cached = session.info["outbox_known_blobs"] = (transaction, set())
    known: set[str] = cached[1]
    for a in attachments:
        sha = a.sha256
        if sha in known:
            continue
        insert_ignore(
            session,
            OutboxBlob,
            {"sha256": sha, "size": len(a.content), "content": a.content, "created_at": utcnow()},
            ("sha256",),
        )
        known.add(sha)
