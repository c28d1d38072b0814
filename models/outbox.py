"""The mail outbox: every message is stored here before it is sent, then sent from here.

A message is unique per (campaign, key, bureau): `key` is the action and period it
belongs to (e.g. ``directive:mobilization``, ``request:weekly-progress:2007-W35``), so
queueing it twice is a no-op. Attachments live once per content hash in `outbox_blob`
(the same directive .docx goes to every bureau and is stored once).

State: pending → sending → sent | failed; sending → pending on a transient error
(4xx, connection lost) until `attempts` reaches the bound, or when its sender died. A
message whose recipient cannot be addressed is stored `failed` at once. See docs/mail.md.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, LargeBinary, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from models._common import long_text, optional_timestamp, timestamp


class MailState(StrEnum):
    pending = "pending"  # stored, waiting for the sender
    sending = "sending"  # claimed by a sender (or a sender crashed while holding it)
    sent = "sent"  # the SMTP server accepted it
    failed = "failed"  # refused (5xx), unbuildable, or out of attempts; never retried


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"
    __table_args__ = (UniqueConstraint("campaign_id", "key", "bureau_code"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    bureau_code: str = Field(foreign_key="bureau.code", index=True, max_length=32)
    key: str = Field(max_length=200, description="Action and period, e.g. directive:mobilization")
    notice: str = Field(max_length=32, description="directive, request, reminder, receipt, …")
    to_addrs: list[dict[str, str]] = Field(
        default_factory=list, sa_type=JSON, description="[{name, email}] of To."
    )
    cc_addrs: list[dict[str, str]] = Field(
        default_factory=list, sa_type=JSON, description="[{name, email}] of Cc."
    )
    subject: str = Field(max_length=500)
    text_body: str = long_text()
    html_body: str = long_text()
    attachments: list[dict[str, Any]] = Field(
        default_factory=list,
        sa_type=JSON,
        description="[{filename, content_type, sha256, size}]; bytes in outbox_blob.",
    )
    message_id: str = Field(
        max_length=250,
        index=True,
        unique=True,
        description="Message-ID, fixed when queued: <…@domain>.",
    )
    headers: list[list[str]] = Field(
        default_factory=list,
        sa_type=JSON,
        description="[[name, value]] added to the message, e.g. In-Reply-To of a reply by mail.",
    )
    state: MailState = Field(default=MailState.pending, sa_type=String(16), index=True)
    attempts: int = 0
    last_error: str | None = long_text(default=None)
    claim: str | None = Field(default=None, max_length=32, description="Token of the claim.")
    claimed_at: datetime | None = optional_timestamp()
    claimed_by: str | None = Field(
        default=None,
        max_length=120,
        description="The sending process (host, kernel boot, pid namespace, pid, start time), "
        "so that a sender on the same machine can tell that it died.",
    )
    next_attempt_at: datetime | None = optional_timestamp()
    created_at: datetime = timestamp()
    sent_at: datetime | None = optional_timestamp()


class OutboxBlob(SQLModel, table=True):
    """Attachment bytes, stored once per SHA-256 of the content."""

    __tablename__ = "outbox_blob"

    sha256: str = Field(primary_key=True, max_length=64)
    size: int
    content: bytes = Field(sa_type=LargeBinary)
    created_at: datetime = timestamp()
