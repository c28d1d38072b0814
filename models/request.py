"""Report requests: one bureau's duty to answer for one period of one reporting duty."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from models._common import enum_column, optional_timestamp, timestamp


class RequestKind(StrEnum):
    """What a request asks for (the column is a string of these values)."""

    request = "request"  # a periodic progress report
    stage_summary = "stage_summary"
    final_summary = "final_summary"
    acknowledgement = "acknowledgement"  # 签收 of a directive
    ad_hoc = "ad_hoc"  # a report a bureau sends unasked
    task_progress = "task_progress"  # progress of a tracked task (campaign.tasks)
    forward = "forward"  # 转发 of a directive to the unit's own units (campaign.forwarding)
    aggregate = "aggregate"  # a relay unit's report of a routed duty (its reporters' aggregate)
    rectification = "rectification"  # a 整改 order: the unit reports it done (campaign.acceptance)


class RequestStatus(StrEnum):
    open = "open"  # sent, no answer yet
    overdue = "overdue"  # past due, no answer yet
    submitted = "submitted"  # answered (on time or late), awaiting review
    accepted = "accepted"
    returned = "returned"  # sent back with a comment: open again with a new due date
    closed = "closed"  # no longer answerable (campaign closed or cancelled)


# The console's tallies read only these columns (campaign.web.console_data), grouped in
# these orders: counted from the index alone, in order, never the rows (migration 0018).
UNIT_TALLY = ("campaign_id", "duty_key", "bureau_code", "kind", "status", "late", "due_date")
PERIOD_TALLY = ("campaign_id", "duty_key", "period_key", "kind", "status", "late", "due_date")


class ReportRequest(SQLModel, table=True):
    __tablename__ = "report_request"
    __table_args__ = (
        UniqueConstraint("campaign_id", "duty_key", "period_key", "bureau_code"),
        Index("ix_report_request_units", *UNIT_TALLY, "period_end", "period_key"),
        Index("ix_report_request_periods", *PERIOD_TALLY, "period_end", "period_label"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    duty_key: str = Field(max_length=64)
    period_key: str = Field(max_length=64)
    period_label: str = Field(default="", max_length=100)
    period_start: date | None = None
    period_end: date | None = None
    bureau_code: str = Field(foreign_key="bureau.code", index=True)
    kind: str = Field(
        max_length=32,
        description="request, stage_summary, final_summary, acknowledgement, ad_hoc, "
        "task_progress, forward, aggregate, rectification",
    )
    due_date: date | None = None
    status: RequestStatus = enum_column(RequestStatus, default=RequestStatus.open, index=True)
    opened_at: datetime = timestamp()
    answered_at: datetime | None = optional_timestamp()
    late: bool = False
    relay_to: str | None = Field(
        default=None,
        foreign_key="bureau.code",
        index=True,
        max_length=32,
        description="The unit that reviews this request's answers and aggregates them (a "
        "routed duty's via unit); null: the answers go to the office directly.",
    )
    recipients: list[dict[str, str | None]] = Field(
        default_factory=list,
        sa_type=JSON,
        description="To whom the report goes: [{name, code}] (code null: the plan's office).",
    )
