"""The audit trail: every change of state, with when, what, by whom and through which channel."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from models._common import json_column, timestamp


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", index=True)
    bureau_code: str | None = Field(default=None, max_length=32, index=True)
    at: datetime = timestamp(index=True)
    event: str = Field(max_length=64, description="e.g. request_opened, answer_received")
    actor: str = Field(max_length=100, description="who: 'system', a coordinator, a bureau code")
    channel: str = Field(max_length=32, description="cli, web, email, xlsx, tick, api")
    detail: dict[str, Any] = json_column()
