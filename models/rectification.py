"""Acceptance (检查验收): on-site inspections and 整改 orders.

A coordinator records what an on-site inspection of a unit found, and orders a unit to
put something right by a deadline (整改). The order is chased like a report (the plan's
reminder policy: reminders before and after the deadline, escalation to the parent
unit) until the unit reports it done and the coordinator closes it (销号).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models._common import enum_column, long_text, optional_timestamp, timestamp


class OrderStatus(StrEnum):
    open = "open"  # ordered, not yet reported done
    reported = "reported"  # the unit reports it done; the coordinator has not closed it
    closed = "closed"  # 销号


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
    deadline: date
    status: OrderStatus = enum_column(OrderStatus, default=OrderStatus.open, index=True)
    ordered_by: str = Field(max_length=100)
    ordered_at: datetime = timestamp()
    reported_at: datetime | None = optional_timestamp()
    report: str = long_text(default="", description="What the unit says it did.")
    closed_at: datetime | None = optional_timestamp()
    closed_by: str = Field(default="", max_length=100)
    escalated_at: datetime | None = optional_timestamp()
