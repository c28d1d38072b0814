"""The one way rows are written where it matters: cached Core statements, no unit of work.

`insert_row`, `insert_rows` (many rows, their keys back), `insert_ignore` (one row or
many, unless its unique key exists; the new keys back), `insert_missing` (many rows,
skipping existing keys, nothing back) and
`update_row`; `chunked` cuts a long list of keys into transactions. Tables themselves
are in models/.

The ORM's flush costs about 0.3 ms per object (change tracking, dependency sorting,
events); a cached Core statement about 0.05 ms. A bureau's answer writes four rows and the
tick and the outbox write thousands, so those paths use these. The instances stay usable:
`detached` gives a just-inserted row as an instance that exists in the database but not in
the session (adding it to a session later inserts nothing), and `update_row` marks the new
values as the loaded ones, so no later flush writes them again.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any, Literal, TypeVar, overload

from sqlalchemy import bindparam, insert, inspect, update
from sqlalchemy.dialects.postgresql.dml import OnConflictDoNothing
from sqlalchemy.orm import Mapper, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict, set_committed_value
from sqlalchemy.sql.visitors import InternalTraversal
from sqlmodel import Session, SQLModel

Model = TypeVar("Model", bound=SQLModel)
T = TypeVar("T")

_statements: dict[tuple[Any, ...], Any] = {}


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _primary(model: type[SQLModel]) -> Any:
    return model.__table__.primary_key.columns.values()[0]  # type: ignore[attr-defined]


def insert_row(session: Session, model: type[SQLModel], row: dict[str, Any]) -> Any:
    """INSERT one row; returns its primary key."""
    key = ("insert", model, tuple(sorted(row)))
    statement = _statements.get(key)
    if statement is None:
        statement = insert(model.__table__).returning(_primary(model))  # type: ignore[attr-defined]
        _statements[key] = statement
    return session.execute(statement, row).scalar_one()


def insert_rows(
    session: Session, model: type[SQLModel], rows: list[dict[str, Any]], unique: str
) -> dict[Any, Any]:
    """INSERT the rows (all with the same keys) in as few statements as the database takes;
    the new primary keys by the value of each row's `unique` column. (Asking for them in
    the order given would make SQLite insert one row per statement.)"""
    if not rows:
        return {}
    key = ("insert-many", model, tuple(sorted(rows[0])), unique)
    statement = _statements.get(key)
    if statement is None:
        table = model.__table__  # type: ignore[attr-defined]
        statement = insert(table).returning(table.c[unique], _primary(model))
        _statements[key] = statement
    return dict(session.execute(statement, rows).tuples().all())


@overload
def insert_ignore(
    session: Session, model: type[SQLModel], row: dict[str, Any], keys: tuple[str, ...]
) -> Any: ...


@overload
def insert_ignore(
    session: Session, model: type[SQLModel], row: list[dict[str, Any]], keys: tuple[str, ...]
) -> dict[tuple[Any, ...], Any]: ...


def insert_ignore(
    session: Session,
    model: type[SQLModel],
    row: dict[str, Any] | list[dict[str, Any]],
    keys: tuple[str, ...],
) -> Any:
    """INSERT the row unless one with the same `keys` exists; returns the new row's primary
    key, or None when the row was already there.

    Given a list of rows (all with the same columns), one statement for all: returns the
    primary keys of the rows inserted by the values of their `keys` (a row already there
    is left out). Callers sort the rows (row locks in the same order, see insert_missing)."""
    if isinstance(row, list):
        if not row:
            return {}
        statement = _ignore_statement(_dialect(session), model, tuple(keys), returning="keys")
        # one row: a plain execute (its compiled form cached), not an executemany
        result = session.execute(statement, row[0] if len(row) == 1 else row)
        return {tuple(r[:-1]): r[-1] for r in result.tuples().all()}
    statement = _ignore_statement(_dialect(session), model, tuple(keys), returning="primary")
    return session.execute(statement, row).scalar_one_or_none()


def insert_missing(
    session: Session, model: type[SQLModel], rows: list[dict[str, Any]], keys: Sequence[str]
) -> None:
    """INSERT the rows, skipping any whose unique `keys` already exist (no error, no update).

    Rows are inserted in the order given; callers sort them so that two concurrent
    transactions take row locks in the same order (no deadlock on PostgreSQL).
    """
    if rows:
        statement = _ignore_statement(_dialect(session), model, tuple(keys), returning=None)
        session.execute(statement, rows)


def _ignore_statement(
    dialect: str,
    model: type[SQLModel],
    keys: tuple[str, ...],
    returning: Literal["primary", "keys"] | None,
) -> Any:
    """PostgreSQL: INSERT … ON CONFLICT (keys) DO NOTHING. SQLite: INSERT OR IGNORE. Both
    statements SQLAlchemy caches: its dialect ON CONFLICT constructs have no cache key and
    are compiled anew on every call (~0.3-0.5 ms, once per answer's receipt and per queued
    message), see _DoNothing."""
    cache_key = ("ignore", dialect, model, keys, returning)
    statement = _statements.get(cache_key)
    if statement is None:
        table = model.__table__  # type: ignore[attr-defined]
        if dialect == "postgresql":
            statement = insert(table)
            statement._post_values_clause = _DoNothing(index_elements=list(keys))
        elif dialect == "sqlite":
            statement = insert(table).prefix_with("OR IGNORE", dialect="sqlite")
        else:  # pragma: no cover - the product supports these two
            raise NotImplementedError(f"unsupported database {dialect!r}")
        if returning == "primary":
            statement = statement.returning(_primary(model))
        elif returning == "keys":
            statement = statement.returning(*(table.c[k] for k in keys), _primary(model))
        _statements[cache_key] = statement
    return statement


class _DoNothing(OnConflictDoNothing):
    """PostgreSQL's ON CONFLICT (keys) DO NOTHING, with a cache key. SQLAlchemy 2.0 gives
    its own clause none, which makes the whole INSERT uncacheable; this one keys on the
    conflict columns (names) and renders the same SQL as
    postgresql.insert(table).on_conflict_do_nothing(index_elements=keys)."""

    inherit_cache = True
    _traverse_internals = [
        ("inferred_target_elements", InternalTraversal.dp_string_list),
        ("inferred_target_whereclause", InternalTraversal.dp_clauseelement),
    ]


def detached(model: type[Model], row: dict[str, Any], primary_key: Any) -> Model:
    """The instance of a row just inserted, without a SELECT. Detached, not in the session:
    putting it there costs more than the INSERT, and session.add() of it inserts nothing."""
    mapper: Mapper[Any] = inspect(model)
    instance = mapper.class_manager.new_instance()  # as a loaded row: no validation
    values: dict[str, Any] = dict.fromkeys(_column_keys(mapper))  # left out: NULL
    values.update(row)
    values[_primary(model).key] = primary_key
    # The values as a query loads them: in the instance's dict, committed all at once by
    # make_transient_to_detached (set_committed_value per column costs ~10x as much).
    instance_dict(instance).update(values)
    make_transient_to_detached(instance)
    return instance


@cache
def _column_keys(mapper: Any) -> tuple[str, ...]:
    return tuple(c.key for c in mapper.column_attrs)


def update_row(session: Session, instance: SQLModel, **values: Any) -> None:
    """UPDATE the instance's row with values (one statement) and show them on the instance."""
    model = type(instance)
    primary = _primary(model)
    key = ("update", model, tuple(sorted(values)))
    statement = _statements.get(key)
    if statement is None:
        statement = (
            update(model.__table__)  # type: ignore[attr-defined]
            .where(primary == bindparam("_pk"))
            .values({name: bindparam(name) for name in values})
        )
        _statements[key] = statement
    session.execute(statement, {"_pk": getattr(instance, primary.key), **values})
    for name, value in values.items():
        set_committed_value(instance, name, value)


def chunked(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
