"""Campaign summaries: stage summaries (阶段小结) and the final acceptance (检查验收).

Each is the evaluation of the plan's targets over the bureaus' reports at a deadline,
stored once per campaign and key.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models._common import json_column, timestamp


class CampaignSummary(SQLModel, table=True):
    __tablename__ = "campaign_summary"
    __table_args__ = (UniqueConstraint("campaign_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    key: str = Field(max_length=200, description="The scheduled event's key.")
    kind: str = Field(max_length=32, description="summary or acceptance")
    window_end: date | None = Field(default=None, description="Reports up to this date count.")
    as_of: datetime = timestamp()
    result: dict[str, Any] = json_column(description="Targets and report counts, as JSON.")
