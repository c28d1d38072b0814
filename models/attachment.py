"""Files a bureau sent with an answer: attachments and the uploaded statistical table."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models._common import enum_column, timestamp


class AttachmentKind(StrEnum):
    attachment = "attachment"  # a file added to the web form
    source_xlsx = "source_xlsx"  # the .xlsx table the answer was read from


class SubmissionAttachment(SQLModel, table=True):
    """One stored file of one submission version; the bytes live under data_dir."""

    __tablename__ = "submission_attachment"

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="report_submission.id", index=True)
    kind: AttachmentKind = enum_column(AttachmentKind)
    filename: str = Field(max_length=255, description="The name as the bureau sent it.")
    content_type: str = Field(max_length=100)
    size: int = Field(ge=0)
    sha256: str = Field(max_length=64)
    stored_path: str = Field(max_length=500, description="Relative to data_dir.")
    created_at: datetime = timestamp()
