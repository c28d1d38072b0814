"""campaign.rows: insert_ignore on both databases, and the PostgreSQL statement SQLAlchemy
caches (its own ON CONFLICT construct is compiled anew on every execution)."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql
from sqlmodel import Session, select

from campaign.rows import _ignore_statement, detached, insert_ignore
from models._common import utcnow
from models.outbox import OutboxBlob, OutboxMessage


def test_insert_ignore_inserts_once_and_keeps_the_first_row(session: Session) -> None:
    first = {"sha256": "a" * 64, "size": 1, "content": b"1", "created_at": utcnow()}
    assert insert_ignore(session, OutboxBlob, first, ("sha256",)) == "a" * 64
    again = {**first, "size": 2, "content": b"22"}
    assert insert_ignore(session, OutboxBlob, again, ("sha256",)) is None
    session.commit()
    rows = session.exec(select(OutboxBlob)).all()
    assert [(r.sha256, r.size, r.content) for r in rows] == [("a" * 64, 1, b"1")]


def test_the_postgresql_statement_is_cacheable_and_the_same_sql() -> None:
    keys = ("campaign_id", "key", "bureau_code")
    ours = _ignore_statement("postgresql", OutboxMessage, keys, returning="primary")
    assert ours._generate_cache_key() is not None
    other_keys = _ignore_statement("postgresql", OutboxMessage, keys[:2], returning="primary")
    assert ours._generate_cache_key() != other_keys._generate_cache_key()
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    theirs = (
        postgresql.insert(table)
        .on_conflict_do_nothing(index_elements=list(keys))
        .returning(table.c.id)
    )
    dialect = postgresql.dialect()
    assert str(ours.compile(dialect=dialect)) == str(theirs.compile(dialect=dialect))


def test_detached_is_a_loaded_row_outside_the_session(session: Session) -> None:
    row = {"sha256": "b" * 64, "size": 3, "content": b"abc", "created_at": utcnow()}
    blob = detached(OutboxBlob, row, insert_ignore(session, OutboxBlob, row, ("sha256",)))
    assert (blob.sha256, blob.size, blob.content) == ("b" * 64, 3, b"abc")
    assert blob not in session and not session.dirty
    session.add(blob)  # inserts nothing: the row is there
    session.commit()
    assert session.exec(select(OutboxBlob)).one().size == 3
