"""Retry policy of the flows' tasks: retry on database I/O errors only."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError

DB_RETRIES = 2
DB_RETRY_DELAY_SECONDS = 2


def on_database_error(task: Any, task_run: Any, state: Any) -> bool:
    """A lost connection, a lock timeout or a deadlock: worth one more try (tasks are
    idempotent); anything else is a bug or bad data and fails at once."""
    exception = state.result(raise_on_failure=False)
    if isinstance(exception, OperationalError):
        return True
    return isinstance(exception, DBAPIError) and exception.connection_invalidated
