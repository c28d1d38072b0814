"""Scheduled events: a campaign's resolved schedule, stored at launch and recomputed on amendment.

One row per event of the plan (directive, request, reminder, escalation, summary, acceptance).
`completed_at` is set once every keyed action of the event is in the ledger; an amendment
replaces only rows that are not completed, so what was done stays done.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from models._common import optional_timestamp


class ScheduledEvent(SQLModel, table=True):
    __tablename__ = "scheduled_event"
    __table_args__ = (
        UniqueConstraint("campaign_id", "key"),
        Index("ix_scheduled_event_campaign_date", "campaign_id", "date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id")
    key: str = Field(max_length=200, description="e.g. request:weekly-progress:2007-W34")
    kind: str = Field(max_length=32)
    date: dt.date
    phase: str = Field(max_length=200, description="Name of the phase (阶段).")
    phase_key: str = Field(max_length=64)
    action: str | None = Field(default=None, max_length=200)
    action_key: str | None = Field(default=None, max_length=64)
    duty: str | None = Field(default=None, max_length=64)
    period: str | None = Field(default=None, max_length=64)
    period_label: str | None = Field(default=None, max_length=100)
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    due: dt.date | None = None
    template: str | None = Field(default=None, max_length=200)
    aggregate: bool = Field(
        default=False, description="About the relay units' aggregate reports of a routed duty."
    )
    completed_at: dt.datetime | None = optional_timestamp()
