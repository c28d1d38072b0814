"""One intake at a time per mailbox: two would race to MOVE the same message, and IMAP's
MOVE (copy, then expunge) can then leave a copy in the processed folder for each.

PostgreSQL: a session advisory lock (every machine sharing the database); SQLite: an
exclusive lock on a file next to the database (one machine). The database row per
message still guarantees that each message has effect once; the lock keeps the folders
tidy and spares a second intake the work.
"""

from __future__ import annotations

import fcntl
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from campaign.settings import get_settings

WAIT_STEP = 0.2


@contextmanager
def intake_lock(engine: Engine, *, wait: float = 60.0) -> Iterator[bool]:
    """Hold the mailbox's intake lock in the block; yields False if it stayed busy `wait` s."""
    key = zlib.crc32(f"campaign-inbox:{get_settings().imap_folder}".encode()) & 0x7FFFFFFF
    deadline = time.monotonic() + wait
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
                conn.rollback()
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(WAIT_STEP)
            conn.commit()
            try:
                yield True
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()
        return
    database = engine.url.database or ""
    folder = (
        Path(database).parent if database and database != ":memory:" else get_settings().data_dir
    )
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f".inbox-{key}.lock", "a+b") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(WAIT_STEP)
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
