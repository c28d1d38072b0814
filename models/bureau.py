"""Bureaus: the tree of units (province → city → county) that receive and answer."""

from __future__ import annotations

from enum import StrEnum

from pydantic import field_validator
from sqlmodel import Field, SQLModel

from models._common import enum_column

EMAIL_PATTERN = r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[A-Za-z]{2,}$"


class BureauLevel(StrEnum):
    province = "province"
    city = "city"
    county = "county"


class BureauBase(SQLModel):
    code: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=200)
    parent_code: str | None = Field(default=None, foreign_key="bureau.code", index=True)
    level: BureauLevel = enum_column(BureauLevel)
    email: str = Field(max_length=254)
    contact: str = Field(default="", max_length=100)
    phone: str = Field(default="", max_length=50)


class Bureau(BureauBase, table=True):
    active: bool = True


class BureauCreate(BureauBase):
    """A bureau as read from a CSV row: every field validated before anything is stored."""

    @field_validator("code", "name", "email")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be empty")
        return value

    @field_validator("code")
    @classmethod
    def _code_chars(cls, value: str) -> str:
        if not value.replace("-", "").replace("_", "").isalnum():
            raise ValueError("may hold letters, digits, '-' and '_' only")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        import re

        if not re.fullmatch(EMAIL_PATTERN, value):
            raise ValueError(f"{value!r} is not a valid e-mail address")
        return value

    @field_validator("name", "contact", "phone")
    @classmethod
    def _single_line(cls, value: str) -> str:
        if any(c in value for c in "\r\n"):
            raise ValueError("must be on one line")
        return value.strip()
