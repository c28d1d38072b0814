"""Report submissions: every answer a bureau sends, kept as numbered versions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models._common import enum_column, json_column, long_text, optional_timestamp, timestamp


class ReviewStatus(StrEnum):
    pending = "pending"
    accepted = "accepted"
    returned = "returned"


class ReportSubmission(SQLModel, table=True):
    """One version of one bureau's answer to one request; never overwritten."""

    __tablename__ = "report_submission"
    __table_args__ = (UniqueConstraint("request_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="report_request.id", index=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    bureau_code: str = Field(foreign_key="bureau.code", index=True)
    version: int = Field(ge=1)
    values: dict[str, Any] = json_column(
        description="Field key → value as entered and validated (numbers as decimal strings)."
    )
    narrative: str = long_text(default="")
    channel: str = Field(max_length=16, description="web, xlsx, email, cli")
    submitted_at: datetime = timestamp()
    late: bool = False
    review_status: ReviewStatus = enum_column(ReviewStatus, default=ReviewStatus.pending)
    reviewed_at: datetime | None = optional_timestamp()
    reviewer: str | None = Field(default=None, max_length=100)
    review_comment: str | None = long_text(default=None)
