"""The one module that owns database engines, sessions and migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from campaign.settings import get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

_engines: dict[str, Engine] = {}
_migrated: set[str] = set()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def get_engine(url: str | None = None) -> Engine:
    """The engine for url (default: the configured database), created once per process."""
    url = url or get_settings().resolved_database_url
    if url not in _engines:
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            # No pool_pre_ping: it costs a round trip (SELECT 1) on every checkout, i.e. on
            # every request. pool_recycle replaces connections before servers or firewalls
            # drop idle ones; a connection that died anyway fails one request, and the pool
            # then discards it (SQLAlchemy invalidates the pool on a disconnect error).
            engine = create_engine(url, pool_recycle=1800, pool_size=10, max_overflow=20)
        _engines[url] = engine
    return _engines[url]


def migrate(url: str | None = None) -> None:
    """Bring the database schema to the newest revision (alembic upgrade heads)."""
    from alembic import command
    from alembic.config import Config

    url = url or get_settings().resolved_database_url
    if url in _migrated:
        return
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = get_engine(url)
    command.upgrade(config, "heads")
    _migrated.add(url)


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """One session per unit of work: committed on success, rolled back on error."""
    migrate(url)
    with Session(get_engine(url), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def reset() -> None:
    """Forget engines and migration state (tests switch databases with this)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
    _migrated.clear()
    get_settings.cache_clear()
