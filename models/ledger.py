"""The action ledger: every side effect of a tick, keyed before it happens.

The key (campaign, action, period, bureau) is unique; a tick inserts the row first
(pending), does the side effect, then marks it done. A re-run, a second tick or a
tick after a crash finds the row and neither repeats nor forgets the action.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models._common import enum_column, json_column, optional_timestamp, timestamp


class ActionState(StrEnum):
    pending = "pending"
    done = "done"
    failed = "failed"
    skipped = "skipped"


class ActionRecord(SQLModel, table=True):
    __tablename__ = "action_record"
    __table_args__ = (UniqueConstraint("campaign_id", "action", "period", "bureau_code"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    action: str = Field(
        max_length=120, description="e.g. directive:mobilization, request:weekly-progress"
    )
    period: str = Field(default="", max_length=64)
    bureau_code: str = Field(default="", max_length=32, description="'' for campaign-wide actions")
    state: ActionState = enum_column(ActionState, default=ActionState.pending, index=True)
    scheduled_for: datetime | None = optional_timestamp()
    created_at: datetime = timestamp()
    completed_at: datetime | None = optional_timestamp()
    attempts: int = 0
    detail: dict[str, Any] = json_column()
