"""Used form tokens: one web form submission per token, so a double submit stores once."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models._common import timestamp


class FormNonce(SQLModel, table=True):
    """The nonce of a form token that produced a submission (or an acknowledgement)."""

    __tablename__ = "form_nonce"

    nonce: str = Field(primary_key=True, max_length=64)
    request_id: int = Field(foreign_key="report_request.id", index=True)
    submission_id: int | None = Field(default=None, foreign_key="report_submission.id")
    used_at: datetime = timestamp()
