"""Column helpers shared by the table modules."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, Text
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field


def utcnow() -> datetime:
    return datetime.now(UTC)


def timestamp(**kwargs: Any) -> Any:
    """A timezone-aware timestamp column, now by default."""
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), **kwargs)


def optional_timestamp(**kwargs: Any) -> Any:
    return Field(default=None, sa_type=DateTime(timezone=True), **kwargs)


def long_text(**kwargs: Any) -> Any:
    return Field(sa_type=Text, **kwargs)


def json_column(**kwargs: Any) -> Any:
    return Field(default_factory=dict, sa_type=JSON, **kwargs)


def enum_column(enum_type: type[StrEnum], default: Any = None, **kwargs: Any) -> Any:
    """A StrEnum stored as VARCHAR (no database ENUM type to migrate), loaded as the enum."""
    column_type = SAEnum(
        enum_type, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]
    )
    if default is None:
        return Field(sa_type=column_type, **kwargs)
    return Field(default=default, sa_type=column_type, **kwargs)
