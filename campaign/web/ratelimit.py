"""Slow down an address that keeps presenting bad link tokens (or bad passwords).

In-process and per address: after `free` failures within `window` seconds each further
request from that address waits `step` seconds more (up to `max_delay`); after `block_after`
failures it is refused outright (429) until the window passes. With several server
processes each keeps its own count: put the limit in the reverse proxy (e.g. nginx
limit_req on /r/) or in a shared store (Redis INCR with EXPIRE) instead.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable
from threading import Lock


class FailureLimiter:
    def __init__(
        self,
        *,
        free: int = 5,
        window: float = 600.0,
        step: float = 0.5,
        max_delay: float = 5.0,
        block_after: int = 50,
        max_addresses: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free, self.window, self.step = free, window, step
        self.max_delay, self.block_after = max_delay, block_after
        self.max_addresses = max_addresses
        self.clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = Lock()

    def _recent(self, address: str, now: float) -> deque[float] | None:
        failures = self._failures.get(address)
        if failures is None:
            return None
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self._failures[address]
            return None
        return failures

    def failures(self, address: str) -> int:
        with self._lock:
            recent = self._recent(address, self.clock())
            return len(recent) if recent else 0

    def record_failure(self, address: str) -> None:
        with self._lock:
            now = self.clock()
            failures = self._recent(address, now)
            if failures is None:
                failures = self._failures[address] = deque()
            failures.append(now)
            self._failures.move_to_end(address)
            while len(self._failures) > self.max_addresses:
                self._failures.popitem(last=False)

    def delay_for(self, address: str) -> float:
        """Seconds to hold this address's next request (0 while within the free failures)."""
        over = self.failures(address) - self.free
        return 0.0 if over < 0 else min(self.max_delay, self.step * (over + 1))

    def blocked(self, address: str) -> bool:
        return self.failures(address) >= self.block_after

    def clear(self) -> None:
        with self._lock:
            self._failures.clear()
