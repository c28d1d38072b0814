"""Slow down bad link tokens, and space out bad coordinator passwords.

FailureLimiter (bureau links, /r/{token}): failures are counted per client address AND
token prefix (the first PREFIX characters), so the typos of one bureau's link slow down
and then block that link's prefix from that address, not the other bureaus behind the
same address (a provincial NAT). After `free` failures of a key within `window` seconds
each further request waits `step` seconds more (up to `max_delay`); after `block_after`
it is refused (429) until the window passes. Across prefixes the address as a whole is
only slowed, never refused: after `address_free` failures each request from it waits
`step` per failure over that (up to `max_delay`), so random tokens cannot be tried fast
from one address either, and a genuine link still opens.

LoginThrottle (coordinator password): see its docstring.

Both count in the process: with several server processes each keeps its own count; put
the limit in the reverse proxy or a shared store (Redis INCR with EXPIRE) instead.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable
from threading import Lock

PREFIX = 8


class _Counts:
    """Failure times per key within a window, for a bounded number of keys (oldest go)."""

    def __init__(self, window: float, max_keys: int, clock: Callable[[], float]) -> None:
        self.window, self.max_keys, self.clock = window, max_keys, clock
        self.failures: OrderedDict[str, deque[float]] = OrderedDict()
        self.lock = Lock()

    def _recent(self, key: str, now: float) -> deque[float] | None:
        failures = self.failures.get(key)
        if failures is None:
            return None
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self.failures[key]
            return None
        return failures

    def count(self, key: str) -> int:
        with self.lock:
            recent = self._recent(key, self.clock())
            return len(recent) if recent else 0

    def add(self, key: str) -> int:
        """Record a failure of key now; how many it has within the window."""
        with self.lock:
            now = self.clock()
            failures = self._recent(key, now)
            if failures is None:
                failures = self.failures[key] = deque()
            failures.append(now)
            self.failures.move_to_end(key)
            while len(self.failures) > self.max_keys:
                self.failures.popitem(last=False)
            return len(failures)

    def forget(self, key: str) -> None:
        with self.lock:
            self.failures.pop(key, None)

    def clear(self) -> None:
        with self.lock:
            self.failures.clear()


class FailureLimiter:
    def __init__(
        self,
        *,
        free: int = 5,
        window: float = 600.0,
        step: float = 0.5,
        max_delay: float = 5.0,
        block_after: int = 50,
        address_free: int = 200,
        max_addresses: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free, self.step, self.max_delay = free, step, max_delay
        self.block_after, self.address_free = block_after, address_free
        self._counts = _Counts(window, max_addresses, clock)
        self._failures = self._counts.failures

    @staticmethod
    def _key(address: str, token: str | None) -> str:
        return address if token is None else f"{address}|{token[:PREFIX]}"

    def failures(self, address: str, token: str | None = None) -> int:
        """Failures of the address with this token's prefix (of the address as a whole
        when token is None)."""
        return self._counts.count(self._key(address, token))

    def record_failure(self, address: str, token: str | None = None) -> None:
        if token is not None:
            self._counts.add(self._key(address, token))
        self._counts.add(address)

    def _delay(self, failures: int, free: int) -> float:
        over = failures - free
        return 0.0 if over < 0 else min(self.max_delay, self.step * (over + 1))

    def delay_for(self, address: str, token: str | None = None) -> float:
        """Seconds to hold this request (0 while within the free failures)."""
        whole = self.failures(address)
        if token is None:
            return self._delay(whole, self.free)
        own = self._delay(self.failures(address, token), self.free)
        return max(own, self._delay(whole, self.address_free))

    def blocked(self, address: str, token: str | None = None) -> bool:
        return self.failures(address, token) >= self.block_after

    def clear(self) -> None:
        self._counts.clear()


class LoginThrottle:
    """Exponential spacing of coordinator login attempts after bad passwords.

    Each bad password counts for the client's address and for all addresses together
    (`overall`); a browser that logged in before presents its signed device cookie
    instead and is counted on its own. After more than `free` bad passwords of a key within
    `window` seconds, the next attempt of that key is not taken before
    base * 2**(failures - free - 1) seconds (at most `cap`) after the last failure: an attempt
    earlier is refused (429) without looking at the password, so parallel guesses gain
    nothing. A success forgets the failures of the key it was counted under (the device,
    or else the address; never the overall ones). The real coordinator is never locked
    out for good: the spacing is bounded, failures are forgotten after the window, and a
    browser with the device cookie is not held by an attacker's failures from elsewhere.
    """

    def __init__(
        self,
        *,
        free: int = 3,
        free_overall: int = 20,
        base: float = 1.0,
        cap: float = 300.0,
        cap_overall: float = 60.0,
        window: float = 3600.0,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free, self.free_overall, self.base = free, free_overall, base
        self.cap, self.cap_overall = cap, cap_overall
        self.clock = clock
        self._counts = _Counts(window, max_keys, clock)
        self._not_before: OrderedDict[str, float] = OrderedDict()
        self.max_keys = max_keys

    def spacing(self, failures: int, *, overall: bool = False) -> float:
        """Seconds between the failures-th bad password and the next attempt."""
        free, cap = (self.free_overall, self.cap_overall) if overall else (self.free, self.cap)
        if failures <= free:
            return 0.0
        return min(cap, self.base * 2.0 ** min(failures - free - 1, 62))

    @staticmethod
    def _keys(address: str, device: str | None, account: str | None = None) -> list[str]:
        keys = [f"device:{device}"] if device else [f"address:{address}", "overall"]
        return [*keys, f"account:{account}"] if account else keys

    def wait(self, address: str, device: str | None = None, account: str | None = None) -> float:
        """Seconds before an attempt from this client (on this account) is taken (0: now).
        The account's own count applies to every client, device cookie or not, so one
        account's password cannot be tried faster from many places; its wait is bounded
        by `cap`, so its owner is never locked out for good."""
        now = self.clock()
        keys = self._keys(address, device, account)
        with self._counts.lock:
            until = max(self._not_before.get(k, 0.0) for k in keys)
        return max(0.0, until - now)

    def failed(self, address: str, device: str | None = None, account: str | None = None) -> float:
        """Record a bad password; the wait it imposes on this client."""
        now = self.clock()
        for key in self._keys(address, device, account):
            failures = self._counts.add(key)
            spacing = self.spacing(failures, overall=key == "overall")
            with self._counts.lock:
                self._not_before[key] = now + spacing
                self._not_before.move_to_end(key)
                while len(self._not_before) > self.max_keys:
                    self._not_before.popitem(last=False)
        return self.wait(address, device, account)

    def succeeded(
        self, address: str, device: str | None = None, account: str | None = None
    ) -> None:
        for key in self._keys(address, device, account):
            if key == "overall":
                continue
            self._counts.forget(key)
            with self._counts.lock:
                self._not_before.pop(key, None)

    def clear(self) -> None:
        self._counts.clear()
        with self._counts.lock:
            self._not_before.clear()
