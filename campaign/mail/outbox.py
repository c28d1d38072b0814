"""Store messages in the outbox (idempotently) and read them back.

`store_message` inserts with ON CONFLICT DO NOTHING on (campaign, key, bureau), so two
ticks queueing the same notice at once still leave one row, and never roll back the
caller's transaction. Attachment bytes go to outbox_blob once per SHA-256.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from campaign.audit import record_audit
from campaign.mail.addresses import Address, header_text
from campaign.mail.errors import MailRefused
from campaign.mail.mime import make_message_id
from campaign.mail.render import RenderedNotice
from campaign.rows import chunked, detached, insert_ignore
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


def find_messages(
    *, session: Session, campaign_id: int, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], OutboxMessage]:
    """The messages queued for these (key, bureau) of the campaign, by (key, bureau): their
    ids by one cached statement per key (usually none are there), then those rows."""
    by_key: dict[str, set[str]] = {}
    for key, code in keys:
        by_key.setdefault(key, set()).add(code)
    ids: list[int] = []
    connection = session.connection()
    for key, codes in by_key.items():
        for codes_chunk in chunked(sorted(codes), 500):
            params = {"campaign_id": campaign_id, "key": key, "codes": codes_chunk}
            ids += connection.execute(_FIND_MANY, params).scalars().all()
    found: dict[tuple[str, str], OutboxMessage] = {}
    for ids_chunk in chunked(ids, 500):
        rows = session.exec(select(OutboxMessage).where(col(OutboxMessage.id).in_(ids_chunk))).all()
        found |= {(m.key, m.bureau_code): m for m in rows}
    return found


_table = OutboxMessage.__table__  # type: ignore[attr-defined]
_FIND = select(_table.c.id).where(
    _table.c.campaign_id == bindparam("campaign_id"),
    _table.c.key == bindparam("key"),
    _table.c.bureau_code == bindparam("bureau_code"),
)
_FIND_MANY = select(_table.c.id).where(
    _table.c.campaign_id == bindparam("campaign_id"),
    _table.c.key == bindparam("key"),
    _table.c.bureau_code.in_(bindparam("codes", expanding=True)),
)


@dataclass(frozen=True)
class NewMessage:
    """A message to store: rendered, its recipients checked (or why they cannot be)."""

    bureau_code: str
    key: str
    notice: str
    to: Sequence[Address]
    cc: Sequence[Address]
    rendered: RenderedNotice
    attachments: Sequence[Attachment] = ()
    unaddressable: str | None = None


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
    message = NewMessage(bureau_code, key, notice, to, cc, rendered, attachments, unaddressable)
    return store_messages(session=session, campaign_id=campaign_id, messages=[message])[0]


def store_messages(
    *, session: Session, campaign_id: int, messages: Sequence[NewMessage]
) -> list[OutboxMessage]:
    """store_message for many messages in one INSERT … ON CONFLICT DO NOTHING; the stored
    messages in the order given. MailRefused (nothing stored) if any of them is refused."""
    checked: set[str] = set()
    for m in messages:
        if m.key not in checked:
            header_text(m.key, what="the message key")
            checked.add(m.key)
        if not m.to:
            raise MailRefused("a message needs at least one recipient")
        if m.unaddressable is None:
            for a in m.attachments:
                _check_attachment(a)
    _store_blobs(
        session=session,
        attachments=[a for m in messages if m.unaddressable is None for a in m.attachments],
    )
    domain = get_settings().mail_from.rsplit("@", 1)[-1]
    created = utcnow()
    rows = [_row(campaign_id, m, domain, created) for m in messages]
    keys = ("campaign_id", "key", "bureau_code")
    inserted = insert_ignore(
        session, OutboxMessage, sorted(rows, key=lambda r: (r["key"], r["bureau_code"])), keys
    )
    stored = []
    taken: set[Any] = set()
    for m, row in zip(messages, rows, strict=True):
        primary = inserted.get((campaign_id, m.key, m.bureau_code))
        if primary is None or primary in taken:  # another writer (or an earlier one) has it
            found = find_message(
                session=session, campaign_id=campaign_id, key=m.key, bureau_code=m.bureau_code
            )
            if found is None:
                raise MailRefused(
                    f"the outbox did not take the message {m.key!r} for {m.bureau_code}"
                )
            stored.append(found)
            continue
        taken.add(primary)
        # the row as stored, attached to the session without a SELECT
        stored.append(detached(OutboxMessage, row, primary))
        if m.unaddressable is not None:
            record_failure(session, stored[-1], row["last_error"])
    return stored


def record_failure(session: Session, message: OutboxMessage, reason: str) -> None:
    """The audit event `mail_failed` of a message that will not be sent, with the reason."""
    record_audit(
        session=session,
        event="mail_failed",
        actor="system",
        channel=Channel.email,
        campaign_id=message.campaign_id,
        bureau_code=message.bureau_code,
        message=message.id,
        key=message.key,
        reason=reason,
    )


def _check_attachment(a: Attachment) -> None:
    header_text(a.filename, what="an attachment name")
    if not a.filename.strip() or "/" in a.filename or "\\" in a.filename:
        raise MailRefused(f"bad attachment name {a.filename!r}")
    if not a.content or len(a.content) > MAX_ATTACHMENT_BYTES:
        raise MailRefused(f"attachment {a.filename!r} is empty or larger than 20 MB")


def _row(campaign_id: int, m: NewMessage, domain: str, created: datetime) -> dict[str, Any]:
    # never sent: the attachments (named after the bureau) of an unaddressable one are not kept
    attachments = m.attachments if m.unaddressable is None else ()
    row: dict[str, Any] = {
        "campaign_id": campaign_id,
        "bureau_code": m.bureau_code,
        "key": m.key,
        "notice": m.notice,
        "to_addrs": [a.to_json() for a in m.to],
        "cc_addrs": [a.to_json() for a in m.cc],
        "subject": m.rendered.subject,
        "text_body": m.rendered.text,
        "html_body": m.rendered.html,
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
        "created_at": created,
        "last_error": None,
    }
    if m.unaddressable is not None:
        row.update(state=MailState.failed.value, last_error=f"cannot address: {m.unaddressable}")
    return row


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
