"""The sender's database session: one connection of its own for a run, its commits quick.

The sender commits each group of results as soon as the server answered (docs/mail.md,
"Crashes and duplicates"); these settings keep those commits from each waiting on an fsync.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session

from campaign.db import get_engine

log = logging.getLogger(__name__)


# Statements that let a commit return before the disk has it, and restore the default. The
# commit is then safe against a crash of the sender (our case: SQLite's WAL is written,
# PostgreSQL's server has it), not against a crash of the machine or database server in the
# same instant, which could lose the last results: those messages go again, with the same
# Message-ID. Without this, committing each result costs an fsync (~1.5-3.5 ms here).
_QUICK_COMMITS = {
    "sqlite": ("PRAGMA synchronous=NORMAL", "PRAGMA synchronous={previous}", "PRAGMA synchronous"),
    "postgresql": ("SET synchronous_commit TO off", "RESET synchronous_commit", None),
}


@contextmanager
def quick_session(url: str | None) -> Iterator[Session]:
    """A session on one connection of its own for the run, its commits quick (above)."""
    with get_engine(url).connect() as connection:
        quick, restore, read = _QUICK_COMMITS.get(connection.dialect.name, (None, None, None))
        previous = connection.exec_driver_sql(read).scalar() if read else None
        if quick:
            connection.exec_driver_sql(quick)
            connection.commit()
        try:
            with Session(bind=connection, expire_on_commit=False) as session:
                yield session
        finally:
            try:
                connection.rollback()
                if restore:
                    connection.exec_driver_sql(
                        restore.format(previous=2 if previous is None else int(previous))
                    )
                    connection.commit()
            except Exception:  # noqa: BLE001  a broken connection: never back to the pool
                log.warning("could not restore the sender's connection; discarding it")
                connection.invalidate()
