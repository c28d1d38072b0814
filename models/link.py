"""Personal reply links: an unguessable token per bureau and purpose, stored only hashed.

The token is derived from the link's random `token_salt` with the secret key (HMAC), so
the same link can be sent again (a reminder) without the database holding the token."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models._common import enum_column, optional_timestamp, timestamp


class LinkPurpose(StrEnum):
    report = "report"  # answer one report request
    acknowledge = "acknowledge"  # 签收 a directive (its acknowledgement request)
    ad_hoc = "ad_hoc"  # a standing link for 重大情况随时报送


class ReplyLink(SQLModel, table=True):
    __tablename__ = "reply_link"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    token_salt: str | None = Field(
        default=None, max_length=32, description="None for links issued before 0008."
    )
    purpose: LinkPurpose = enum_column(LinkPurpose)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    bureau_code: str = Field(foreign_key="bureau.code", index=True)
    request_id: int | None = Field(default=None, foreign_key="report_request.id", index=True)
    created_at: datetime = timestamp()
    revoked_at: datetime | None = optional_timestamp()
