"""What a bureau sends, before it is stored: the Create schemas of a report submission.

The web form, the uploaded .xlsx table and the CLI all build a ReportCreate; it holds
the entries as the bureau typed them (text), bounded in size. The plan's form decides
what they mean (campaign.replies.validation); only then is a ReportSubmission stored.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from models.attachment import AttachmentKind

MAX_ENTRY_CHARS = 5000
MAX_NARRATIVE_CHARS = 100_000


class AttachmentIn(BaseModel):
    """A file as received; its size and type are checked before anything is stored."""

    model_config = ConfigDict(frozen=True)

    filename: str = Field(max_length=255)
    content_type: str = Field(default="application/octet-stream", max_length=100)
    data: bytes = Field(repr=False)
    kind: AttachmentKind = AttachmentKind.attachment


class ReportCreate(BaseModel):
    """One answer to one report request, as entered (web, xlsx, cli)."""

    model_config = ConfigDict(frozen=True)

    values: dict[str, Annotated[str, Field(max_length=MAX_ENTRY_CHARS)]] = Field(
        default_factory=dict, max_length=300, description="Field key → the text entered."
    )
    narrative: str = Field(default="", max_length=MAX_NARRATIVE_CHARS)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=20)
    idempotency_key: str | None = Field(
        default=None,
        max_length=64,
        description="The form token's nonce: a second submit with it stores nothing new.",
    )

    @field_validator("values", mode="before")
    @classmethod
    def _as_text(cls, raw: Any) -> Any:
        if not isinstance(raw, dict):
            return raw
        out: dict[str, str] = {}
        for key, value in raw.items():
            if value is None:
                text = ""
            elif isinstance(value, bool):
                raise ValueError(f"{key}: not a figure")
            elif isinstance(value, int | Decimal):
                text = str(value)
            elif isinstance(value, float):
                text = repr(value)
            else:
                text = str(value)
            out[str(key)] = text
        return out


class ReportPublic(BaseModel):
    """A stored submission as shown to the coordinator (CLI --json, review pages)."""

    id: int
    request_id: int
    campaign_id: int
    bureau_code: str
    version: int
    values: dict[str, Any]
    narrative: str
    channel: str
    submitted_at: datetime
    late: bool
    review_status: str
    reviewer: str | None = None
    review_comment: str | None = None
