"""Writing the audit trail (the table is models.audit.AuditEvent): one row per change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from campaign.rows import insert_row
from models._common import utcnow
from models.audit import AuditEvent, Channel


def record_audit(
    *,
    session: Session,
    event: str,
    actor: str,
    channel: Channel,
    campaign_id: int | None = None,
    bureau_code: str | None = None,
    at: datetime | None = None,
    **detail: Any,
) -> None:
    """Write one audit event in the session's transaction (committed with the unit of work)."""
    insert_row(
        session,
        AuditEvent,
        {
            "campaign_id": campaign_id,
            "bureau_code": bureau_code,
            "event": event,
            "actor": actor,
            "channel": channel,
            "detail": detail,
            "at": at or utcnow(),
        },
    )
