"""Mail read from the office's mailbox (answers by e-mail) and the extra sender addresses.

Every message read is one `inbox_message` row, written in the same transaction as its
effects (the submission, the receipt or rejection in the outbox): the row is the proof
that the message was processed. `message_id` is unique (a message without one gets
`<sha256 of its bytes@inbox.invalid>`), so a message seen twice (a retried fetch, a copy
delivered twice, a second intake running at once) has effect once; (folder, uidvalidity,
uid) finds the row of a message still in the folder after a crash before it was moved.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Index, LargeBinary
from sqlmodel import Field, SQLModel

from models._common import enum_column, long_text, optional_timestamp, timestamp


class InboxOutcome(StrEnum):
    accepted = "accepted"  # stored as an answer; a receipt was queued
    rejected = "rejected"  # refused with reasons; a rejection was queued
    held = "held"  # waits for a coordinator (unrecognised, unknown sender, bounce, …)
    ignored = "ignored"  # auto-reply, our own mail: nothing to do, no answer (no loop)
    dismissed = "dismissed"  # was held; a coordinator dismissed it


class InboxKind(StrEnum):
    reply = "reply"
    auto_reply = "auto_reply"
    bounce = "bounce"
    own = "own"  # sent by this system (a copy, a loop)


class InboxMessage(SQLModel, table=True):
    __tablename__ = "inbox_message"
    __table_args__ = (Index("ix_inbox_message_place", "folder", "uidvalidity", "uid"),)

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(max_length=250, unique=True, description="Message-ID header.")
    folder: str = Field(max_length=200, description="Folder it was read from.")
    uidvalidity: int = Field(sa_type=BigInteger)
    uid: int = Field(sa_type=BigInteger)
    from_addr: str = Field(default="", max_length=254, index=True)
    from_name: str = Field(default="", max_length=200)
    subject: str = Field(default="", max_length=500)
    size: int = 0
    kind: InboxKind = enum_column(InboxKind, default=InboxKind.reply)
    outcome: InboxOutcome = enum_column(InboxOutcome, index=True)
    reason: str = long_text(default="", description="Why (Chinese, shown to the coordinator).")
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", index=True)
    request_id: int | None = Field(default=None, foreign_key="report_request.id", index=True)
    bureau_code: str | None = Field(default=None, foreign_key="bureau.code", max_length=32)
    submission_id: int | None = Field(default=None, foreign_key="report_submission.id")
    reply_message_id: int | None = Field(
        default=None, foreign_key="outbox_message.id", description="Receipt or rejection sent."
    )
    raw: bytes | None = Field(
        default=None, sa_type=LargeBinary, description="The message, kept while it is held."
    )
    received_at: datetime = timestamp()
    resolved_by: str | None = Field(default=None, max_length=100)
    resolved_at: datetime | None = optional_timestamp()


class InboxSender(SQLModel, table=True):
    """A further address a bureau answers from (besides bureau.email)."""

    __tablename__ = "inbox_sender"

    email: str = Field(primary_key=True, max_length=254, description="Lower case.")
    bureau_code: str = Field(foreign_key="bureau.code", index=True, max_length=32)
    added_by: str = Field(default="", max_length=100)
    added_at: datetime = timestamp()
