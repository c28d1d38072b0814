"""Campaigns: a launched plan, stored whole, and its lifecycle status."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models._common import enum_column, long_text, optional_timestamp, timestamp


class CampaignStatus(StrEnum):
    active = "active"
    paused = "paused"
    cancelled = "cancelled"
    completed = "completed"


class Campaign(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    document_number: str = Field(index=True, unique=True, max_length=100)
    title: str = Field(max_length=300)
    plan_yaml: str = long_text(description="The plan as launched (amendments included).")
    plan_sha256: str = Field(max_length=64)
    plan_source: str | None = Field(default=None, max_length=1000)
    timezone: str = Field(default="Asia/Shanghai", max_length=64)
    status: CampaignStatus = enum_column(CampaignStatus, default=CampaignStatus.active, index=True)
    created_at: datetime = timestamp()
    last_tick_at: datetime | None = optional_timestamp(
        description="as_of of the newest tick that finished."
    )
