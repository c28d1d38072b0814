"""Mail goes out at once: after a page queued e-mail (a receipt, the alert to the office
about an ad-hoc report 重大情况, a 签收 receipt, a returned answer), the web process sends
the outbox in the background instead of leaving it for the next tick.

One delivery at a time per process, on a thread of its own; kicks that come during a run
make one more run, after a short pause that gathers a burst of answers into one SMTP
connection. An unreachable server leaves the messages pending (nothing is lost: they go
with the next run, the next tick or the worker's scheduled delivery) and is tried again
after `retry_after` seconds. Without any kick the process still delivers every
`sweep_every` seconds: mail another process left (a tick killed while delivering, whose
claim is taken over; a campaign stopped since) goes out without anyone running a
command. Several processes may deliver at once: `send_pending` claims rows atomically,
so no message goes twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from campaign.mail.sender import deliver_now

log = logging.getLogger(__name__)

SWEEP_EVERY = 300.0  # seconds between deliveries when no page asked for one


class MailDelivery:
    def __init__(
        self,
        *,
        url: str,
        enabled: bool,
        gather_s: float = 0.2,
        retry_after: float = 60.0,
        sweep_every: float = SWEEP_EVERY,
    ) -> None:
        self.url, self.enabled = url, enabled
        self.gather_s, self.retry_after, self.sweep_every = gather_s, retry_after, sweep_every
        self.last: dict[str, Any] | None = None  # what the last run reported
        self._wanted = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mail")

    def start(self) -> None:
        """Begin delivering (in the app's lifespan, on its event loop); a first run sends
        what earlier processes left pending."""
        if self.enabled and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._deliver())
            self.kick()

    def kick(self) -> None:
        """Ask for a delivery soon (from the event loop; cheap, repeated kicks coalesce)."""
        if self.enabled:
            self._wanted.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._executor.shutdown(wait=True)

    async def _deliver(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            with contextlib.suppress(TimeoutError):  # no kick for a while: sweep anyway
                await asyncio.wait_for(self._wanted.wait(), timeout=self.sweep_every)
            await asyncio.sleep(self.gather_s)
            self._wanted.clear()
            try:
                self.last = await loop.run_in_executor(self._executor, self._send)
            except Exception:  # a database error: log it, keep the loop for the next kick
                log.exception("delivering the outbox failed; messages stay pending")
                continue
            if self.last["unavailable"]:
                log.warning(
                    "mail server unavailable (%s); messages stay pending, retry in %.0f s",
                    self.last["unavailable"],
                    self.retry_after,
                )
                await asyncio.sleep(self.retry_after)  # kicks meanwhile wait for the retry
                self._wanted.set()
            elif self.last["retrying"]:  # deferred after a 4xx: look again later
                loop.call_later(self.retry_after, self._wanted.set)

    def _send(self) -> dict[str, Any]:
        return deliver_now(url=self.url)
