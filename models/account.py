"""Console accounts: one person of one unit, a role, an argon2 password hash."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models._common import enum_column, timestamp


class AccountRole(StrEnum):
    office = "office"  # the issuing office: every unit, every action
    coordinator = "coordinator"  # its unit and the units below: read and act
    viewer = "viewer"  # its unit and the units below: read only


class ConsoleAccount(SQLModel, table=True):
    """Only the argon2 hash of the password is kept; a disabled account cannot log in and
    its open sessions stop working at once (the session is checked against it)."""

    __tablename__ = "console_account"

    username: str = Field(primary_key=True, max_length=50)
    unit_code: str = Field(foreign_key="bureau.code", max_length=32, index=True)
    role: AccountRole = enum_column(AccountRole)
    password_hash: str = Field(max_length=200)
    disabled: bool = False
    created_at: datetime = timestamp()
