"""The one module that owns database engines, sessions and migrations."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine

from campaign.settings import get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

LOCK_WAIT_MS = 30_000  # how long a statement waits for another transaction's lock, by default

_engines: dict[tuple[str, int], Engine] = {}
_migrated: set[str] = set()


def _sqlite_pragmas(lock_wait_ms: int) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(lock_wait_ms)}")
        cursor.close()

    return on_connect


def _postgres_lock_timeout(lock_wait_ms: int) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {int(lock_wait_ms)}")
        dbapi_connection.commit()

    return on_connect


def get_engine(url: str | None = None, *, lock_wait_ms: int = LOCK_WAIT_MS) -> Engine:
    """The engine for url (default: the configured database), created once per process.

    lock_wait_ms bounds how long a statement waits for a lock another transaction holds
    (SQLite's busy timeout, PostgreSQL's lock_timeout) before it fails with
    OperationalError (see is_lock_conflict). The web pages use a short wait and retry from
    the event loop, so that no page thread sits behind a long transaction.
    """
    url = url or get_settings().resolved_database_url
    key = (url, lock_wait_ms)
    if key not in _engines:
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(
                url, connect_args={"check_same_thread": False, "timeout": lock_wait_ms / 1000}
            )
            event.listen(engine, "connect", _sqlite_pragmas(lock_wait_ms))
        else:
            # No pool_pre_ping: it costs a round trip (SELECT 1) on every checkout, i.e. on
            # every request. pool_recycle replaces connections before servers or firewalls
            # drop idle ones; a connection that died anyway fails one request, and the pool
            # then discards it (SQLAlchemy invalidates the pool on a disconnect error).
            engine = create_engine(url, pool_recycle=1800, pool_size=10, max_overflow=20)
            if lock_wait_ms != LOCK_WAIT_MS:
                event.listen(engine, "connect", _postgres_lock_timeout(lock_wait_ms))
        _engines[key] = engine
    return _engines[key]


def is_lock_conflict(exc: BaseException) -> bool:
    """Whether exc is a statement that gave up waiting for another transaction's lock."""
    if not isinstance(exc, OperationalError):
        return False
    if getattr(exc.orig, "sqlstate", None) == "55P03":  # PostgreSQL lock_not_available
        return True
    return "database is locked" in str(exc.orig) or "database table is locked" in str(exc.orig)


def migrate(url: str | None = None) -> None:
    """Bring the database schema to the newest revision (alembic upgrade head)."""
    from alembic import command
    from alembic.config import Config

    url = url or get_settings().resolved_database_url
    if url in _migrated:
        return
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = get_engine(url)
    command.upgrade(config, "head")
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
