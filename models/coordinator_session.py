"""Coordinator login sessions, kept server-side so that logging out ends them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

from models._common import timestamp


class CoordinatorSession(SQLModel, table=True):
    """One login. The cookie holds a random id; only its keyed hash is stored, so the table
    gives no usable cookie. Logging out deletes the row; an expired row is refused."""

    __tablename__ = "coordinator_session"

    id_hash: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=50)
    # The account logged in (console_account.username); None: the shared password
    # (the migration path before any account exists, campaign/accounts.py).
    username: str | None = Field(default=None, max_length=50)
    created_at: datetime = timestamp()
    expires_at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
