"""The scaled stack (campaign/ops/stack.py) for a test: a missing part skips it, or fails
it under CI (tests/support/parts.py). Each xdist worker has its own Redis database (13, gw1
12, ...): Prefect's message streams have fixed names (message:events, ...), so two stacks on
one database would share them; and its own ports (tests/support/ports.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from campaign.ops import stack as ops
from campaign.ops.stack import POOL, Stack
from tests.support.parts import missing_part
from tests.support.ports import free_port, worker_index

__all__ = ["POOL", "REDIS_DB", "Stack", "scaled_stack"]

REDIS_DB = ops.REDIS_DB - worker_index()


@contextmanager
def scaled_stack(base_url: str, tmp_path: Path, app_env: dict[str, str]) -> Iterator[Stack]:
    try:
        with ops.scaled_stack(
            base_url, tmp_path, app_env, redis_db=REDIS_DB, pick_port=free_port
        ) as stack:
            yield stack
    except ops.StackMissing as exc:
        missing_part(str(exc))
