"""Acceptance (检查验收): on-site inspections and 整改 orders.

A coordinator records what an on-site inspection of a unit found, and orders a unit to
put something right by a deadline (整改). The order IS a report request (kind
`rectification`, `request_id`): its link, reminders, escalation to the parent unit and
overdue marking are the reports' own; the unit's report that it is done is a submission,
and 销号 is its acceptance (a return sends it back with a new deadline). Its state is the
request's (campaign.acceptance.orders.OrderState), never stored twice.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models._common import long_text, timestamp


class Inspection(SQLModel, table=True):
    __tablename__ = "inspection"

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    bureau_code: str = Field(foreign_key="bureau.code", index=True)
    inspected_on: date
    inspector: str = Field(max_length=100)
    verdict: str = Field(max_length=32, description="合格, 基本合格 or 不合格 (the plan's words).")
    findings: str = long_text(default="")
    recorded_at: datetime = timestamp()


class RectificationOrder(SQLModel, table=True):
    __tablename__ = "rectification_order"
    __table_args__ = (UniqueConstraint("campaign_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    number: int = Field(description="1, 2, … per campaign: 整改通知第N号.")
    bureau_code: str = Field(foreign_key="bureau.code", index=True)
    inspection_id: int | None = Field(default=None, foreign_key="inspection.id")
    what: str = long_text(description="What is to be put right.")
    deadline: date = Field(description="The deadline first set (a return sets the request's).")
    request_id: int = Field(foreign_key="report_request.id", unique=True, index=True)
    ordered_by: str = Field(max_length=100)
    ordered_at: datetime = timestamp()
