"""The idempotency ledger: claim an action's keys before the effect, take them with it.

An action key is (campaign, action, period, bureau). A tick
1. claims the keys it means to act on: pending rows, committed on their own
   (`claim`), so the intent is durable before anything happens;
2. in the transaction that carries out the effect, takes the pending rows
   (`take`: pending -> done, first statement of that transaction) and acts only for
   the keys it took.
A tick killed between 1 and 2, or in the middle of 2, leaves pending rows: the next
tick takes and completes them. Two ticks at once both claim (the second insert is a
no-op), but each pending row is taken by exactly one transaction: PostgreSQL locks the
rows in key order and re-checks their state; SQLite serialises writers.

Effects must therefore write only to the database session (the mail outbox included),
never send anything themselves: the outbox sends after commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from campaign.rows import insert_missing
from models._common import utcnow
from models.ledger import ActionRecord, ActionState

CAMPAIGN_WIDE = ""
"""bureau_code of an action that concerns the campaign as a whole."""

KEY_COLUMNS = ("campaign_id", "action", "period", "bureau_code")


def claim(
    *,
    session: Session,
    campaign_id: int,
    action: str,
    period: str,
    bureau_codes: Sequence[str],
    scheduled_for: datetime | None = None,
) -> None:
    """Write a pending row for each key not in the ledger yet; existing keys are left alone."""
    now = utcnow()
    rows: list[dict[str, Any]] = [
        dict(
            campaign_id=campaign_id,
            action=action,
            period=period,
            bureau_code=code,
            state=ActionState.pending.value,
            scheduled_for=scheduled_for,
            created_at=now,
            attempts=0,
            detail={},
        )
        for code in sorted(set(bureau_codes))
    ]
    insert_missing(session=session, model=ActionRecord, rows=rows, keys=KEY_COLUMNS)


def pending_codes(*, session: Session, campaign_id: int, action: str, period: str) -> list[str]:
    """Bureaus whose key is claimed and not yet carried out (this tick's or a crashed one's)."""
    query = (
        select(col(ActionRecord.bureau_code))
        .where(
            col(ActionRecord.campaign_id) == campaign_id,
            col(ActionRecord.action) == action,
            col(ActionRecord.period) == period,
            col(ActionRecord.state) == ActionState.pending.value,
        )
        .order_by(col(ActionRecord.bureau_code))
    )
    return list(session.execute(query).scalars())


def take(
    *,
    session: Session,
    campaign_id: int,
    action: str,
    period: str,
    bureau_codes: Sequence[str],
) -> list[str]:
    """Mark the pending keys done and return the bureaus this transaction took.

    Must be the first statement of the effect's transaction; keys another transaction
    took (or already completed) are left out, so the effect runs exactly once per key.
    """
    if not bureau_codes:
        return []
    lock = (
        select(col(ActionRecord.id))
        .where(
            col(ActionRecord.campaign_id) == campaign_id,
            col(ActionRecord.action) == action,
            col(ActionRecord.period) == period,
            col(ActionRecord.bureau_code).in_(list(bureau_codes)),
            col(ActionRecord.state) == ActionState.pending.value,
        )
        .order_by(col(ActionRecord.bureau_code))
        .with_for_update()
    )
    stmt = (
        update(ActionRecord)
        .where(
            col(ActionRecord.id).in_(lock.scalar_subquery()),
            col(ActionRecord.state) == ActionState.pending.value,
        )
        .values(state=ActionState.done.value, completed_at=utcnow())
        .returning(col(ActionRecord.bureau_code))
        .execution_options(synchronize_session=False)
    )
    return sorted(session.execute(stmt).scalars())


def mark(
    *,
    session: Session,
    campaign_id: int,
    action: str,
    period: str,
    bureau_codes: Sequence[str],
    state: ActionState,
    **detail: object,
) -> None:
    """Record a different outcome (skipped, with a reason) for keys this transaction took."""
    if not bureau_codes:
        return
    session.execute(
        update(ActionRecord)
        .where(
            col(ActionRecord.campaign_id) == campaign_id,
            col(ActionRecord.action) == action,
            col(ActionRecord.period) == period,
            col(ActionRecord.bureau_code).in_(list(bureau_codes)),
        )
        .values(state=state.value, detail=dict(detail))
        .execution_options(synchronize_session=False)
    )
