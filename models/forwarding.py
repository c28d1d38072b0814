"""Forwardings (转发): a unit's own 通知 forwarding a directive to the units below it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from models._common import long_text, timestamp


class ForwardRecord(SQLModel, table=True):
    """One per (campaign, directive, forwarding unit): a double submit stores one."""

    __tablename__ = "forward_record"
    __table_args__ = (UniqueConstraint("campaign_id", "window_key", "unit_code"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    window_key: str = Field(max_length=64, description="The directive's phase or action key.")
    unit_code: str = Field(foreign_key="bureau.code", max_length=32, index=True)
    document_number: str = Field(max_length=100, description="The unit's 发文字号.")
    title: str = Field(max_length=300)
    requirements: str = long_text(default="", description="增加的要求: paragraphs.")
    issued_on: date = Field(description="成文日期.")
    recipients: list[str] = Field(
        default_factory=list, sa_type=JSON, description="主送: codes of the units below."
    )
    forwarded_by: str = Field(max_length=50, description="Account username (or CLI user).")
    forwarded_at: datetime = timestamp()
