"""lock_request: answers and 签收 to one request take turns, on both databases.

The lock is a statement of its own, and whatever depends on earlier answers (the next
version, whether the form token was used, whether the request was already acknowledged)
is read by a later statement. In one statement that locks and reads, PostgreSQL (READ
COMMITTED) takes the snapshot before it waits for the lock, and reads what the
transaction that held the lock had not committed yet: a stale version, then a unique
violation. A statement that starts after the lock is granted sees all of it.

PostgreSQL: SELECT … FOR UPDATE of the request's row. SQLite: an UPDATE of the row that
changes nothing, which begins the write transaction (one writer at a time, across
processes too); the statements after it read the newest data.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select, update
from sqlmodel import Session

from models.request import ReportRequest

_REQUESTS = ReportRequest.__table__  # type: ignore[attr-defined]
_BY_ID = _REQUESTS.c.id == bindparam("request_id")
_LOCKS: dict[str, Any] = {
    "postgresql": select(_REQUESTS.c.id).where(_BY_ID).with_for_update(),
    "sqlite": update(_REQUESTS).where(_BY_ID).values(late=_REQUESTS.c.late),
}


def lock_request(session: Session, request_id: int) -> None:
    """Hold the request until the session's transaction ends (waits for another holder up
    to the engine's lock wait, then OperationalError: see campaign.db.is_lock_conflict)."""
    dialect = session.get_bind().dialect.name
    session.execute(_LOCKS.get(dialect, _LOCKS["postgresql"]), {"request_id": request_id})
