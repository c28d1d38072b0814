"""SQL that must behave the same on SQLite and PostgreSQL: inserts that skip existing keys."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel

T = TypeVar("T")


def insert_missing(
    *, session: Session, model: type[SQLModel], rows: list[dict[str, Any]], keys: Sequence[str]
) -> None:
    """INSERT the rows, skipping any whose unique `keys` already exist (no error, no update).

    Rows are inserted in the order given; callers sort them so that two concurrent
    transactions take row locks in the same order (no deadlock on PostgreSQL).
    """
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    table = model.__table__  # type: ignore[attr-defined]
    if dialect == "postgresql":
        pg_insert = postgresql.insert(table).on_conflict_do_nothing(index_elements=list(keys))
        session.execute(pg_insert, rows)
    elif dialect == "sqlite":
        lite_insert = sqlite.insert(table).on_conflict_do_nothing(index_elements=list(keys))
        session.execute(lite_insert, rows)
    else:  # pragma: no cover - the product supports these two
        raise NotImplementedError(f"unsupported database {dialect!r}")


def chunked(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
