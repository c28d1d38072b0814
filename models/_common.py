"""Column helpers shared by the table modules."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Text
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
