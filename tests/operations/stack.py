"""The scaled stack (campaign/ops/stack.py) for a test: a missing part skips it, or fails
it under CI (tests/support/parts.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from campaign.ops import stack as ops
from campaign.ops.stack import POOL, Stack
from tests.support.parts import missing_part

__all__ = ["POOL", "Stack", "scaled_stack"]


@contextmanager
def scaled_stack(base_url: str, tmp_path: Path, app_env: dict[str, str]) -> Iterator[Stack]:
    try:
        with ops.scaled_stack(base_url, tmp_path, app_env) as stack:
            yield stack
    except ops.StackMissing as exc:
        missing_part(str(exc))
