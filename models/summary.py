"""Campaign summaries: stage summaries (阶段小结) and the final acceptance (检查验收).

Each is the compilation of the campaign's reports over a stage (campaign.results),
stored as versions: the first when its event falls due, a new one whenever a late
report or a review changes what it says (the earlier kept, `changes` saying what moved).
A version is unique per campaign, key and number, so concurrent compilations store it once.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from models._common import json_column, timestamp


class CampaignSummary(SQLModel, table=True):
    __tablename__ = "campaign_summary"
    __table_args__ = (UniqueConstraint("campaign_id", "key", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    key: str = Field(max_length=200, description="The scheduled event's key.")
    version: int = Field(default=1, description="1 when first compiled, then 2, 3, …")
    kind: str = Field(max_length=32, description="summary or acceptance")
    window_end: date | None = Field(default=None, description="Reports up to this date count.")
    as_of: datetime = timestamp()
    digest: str = Field(default="", max_length=64, description="Hash of the figures compared.")
    basis: str = Field(
        default="", max_length=200, description="The answers and requests it was compiled from."
    )
    result: dict[str, Any] = json_column(description="The compiled summary, as JSON.")
    changes: list[dict[str, Any]] = Field(
        default_factory=list,
        sa_type=JSON,
        description="What changed since the previous version: item, before, after.",
    )
