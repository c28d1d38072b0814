"""WriteTurn: the bureau pages' writes to one SQLite database take turns, across threads
and across the server's processes (`campaign serve --workers N`).

SQLite lets one transaction write at a time. A writer that finds the database locked
sleeps in SQLite's busy handler and polls (after 1, 2, 5, 10, 15, 20, 25 … ms), so with two
processes a page slept several times longer than the write it waited for (measured: two
processes no faster than one, p99 117 ms, bench/bench_submit.py --scale). The pages' write
sections queue instead on an exclusive flock of a file beside the database, which the
kernel hands to the next waiter the moment it is released; threads of one process queue
on a lock first. Writers that do not take it (the tick, the mail sender, the CLI) are
still ordered by SQLite's own locking: this only keeps the pages from polling each other.
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path
from types import TracebackType


class WriteTurn:
    """A context manager: held by one thread of all processes that use the same file.
    lock_file None (an in-memory database): within this process only."""

    def __init__(self, lock_file: Path | None) -> None:
        self._threads = threading.Lock()
        self._path = lock_file
        self._fd: int | None = None  # opened on first use, in the process that uses it

    def __enter__(self) -> WriteTurn:
        self._threads.acquire()
        try:
            if self._path is not None:
                if self._fd is None:
                    self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def close(self) -> None:
        with self._threads:  # after a write still under way
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


def sqlite_turn_file(database: str | None) -> Path | None:
    """The lock file of a SQLite database file ("{database}-writes"); None in memory."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(f"{database}-writes")
