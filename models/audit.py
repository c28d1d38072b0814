"""The audit trail: every change of state, with when, what, by whom and through which channel."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Field, SQLModel

from models._common import json_column, timestamp


class Channel(StrEnum):
    """Through which a change came: the audit trail's and a submission's `channel`."""

    cli = "cli"
    web = "web"  # the web form
    xlsx = "xlsx"  # an uploaded statistical table (web or CLI)
    email = "email"  # the outbox sender
    tick = "tick"  # the campaign tick
    review = "review"  # a coordinator's review
    api = "api"  # a Prefect deployment run


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", index=True)
    bureau_code: str | None = Field(default=None, max_length=32, index=True)
    at: datetime = timestamp(index=True)
    event: str = Field(max_length=64, description="e.g. request_opened, answer_received")
    actor: str = Field(max_length=100, description="who: 'system', a coordinator, a bureau code")
    channel: str = Field(
        max_length=32, description="a Channel (cli, web, xlsx, email, tick, review, api)"
    )
    detail: dict[str, Any] = json_column()
