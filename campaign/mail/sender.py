"""Send what the outbox holds: claim batches, several SMTP connections side by side,
throttle, record each result.

Crash safety (docs/mail.md, "Crashes and duplicates"; the claims in campaign.mail.claims):
- Every message has its Message-ID from the moment it is queued.
- Each connection works on a batch claimed for it alone (state `sending`, a token,
  `claimed_at` = the time of that claim, `claimed_by` = this process) in one commit before
  anything of it is transmitted, and the claims are renewed while they are worked on. The
  result of a message is committed before its connection gets the next one. So after a
  crash at most one message per connection (`smtp_connections`, 4) of the crashed sender
  is in doubt: the one whose 250 had not been read, the first `sending` row of its claim.
- A claim whose sender is gone (a dead process on this machine at once, any other once its
  claim is older than `stale_after`) is taken over by the next run, whoever starts it (a
  tick, the web process, the worker's scheduled delivery, `campaign outbox send`): the
  message in doubt is resent with the SAME Message-ID, which receiving systems use to
  drop the copy; the untried ones are simply sent.
- Every failure of one message (an address or name that cannot go in a header, a message
  that cannot be built, a 5xx refusal) fails that message alone, with its reason and an
  audit event; the rest of the batch goes out. 4xx and lost connections retry on later
  runs with backoff, until `max_attempts`, then fail.

Threads: each connection has one that builds a message's bytes and waits on the server;
the database is used only by the thread that called send_pending, which claims batches,
records the results (all that arrived, in one commit) and hands each connection its next
message. Waiting on one server reply no longer holds up the others.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from campaign.db import migrate
from campaign.mail import claims
from campaign.mail.addresses import Address
from campaign.mail.attempts import DeliveryOutcome, Results, SendReport, build, transmit
from campaign.mail.errors import SmtpUnavailable
from campaign.mail.mime import encode_base64
from campaign.mail.outbox import load_blobs
from campaign.mail.sender_session import quick_session
from campaign.mail.transport import SmtpTransport
from campaign.settings import get_settings
from models._common import utcnow
from models.outbox import MailState, OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
STALE_AFTER = timedelta(minutes=10)
BACKOFF_BASE = timedelta(seconds=30)
RECONNECT_DELAYS = (0.5, 2.0)
PER_CONNECTION = 8  # a further connection is opened only for this many more messages


def deliver_now(*, url: str | None = None) -> dict[str, Any]:
    """Send what the outbox holds, once, without raising when the server is unreachable.

    The tick calls this after its effects: a server that is down leaves the messages
    pending (counted as `unavailable`), and the next tick or a send-mail run delivers them.
    """
    try:
        report = send_pending(url=url)
        unavailable = None
    except SmtpUnavailable as exc:
        report = exc.report if isinstance(exc.report, SendReport) else SendReport()
        unavailable = exc.reason
    return {
        "sent": report.sent,
        "failed": report.failed,
        "retrying": report.retrying,
        "recovered": report.recovered,
        "seconds": round(report.seconds, 3),
        "problems": report.problems,
        "unavailable": unavailable,
    }


def send_pending(
    *,
    url: str | None = None,
    limit: int | None = None,
    batch_size: int = 100,
    rate_per_second: float | None = None,
    connections: int | None = None,
    max_attempts: int = MAX_ATTEMPTS,
    stale_after: timedelta = STALE_AFTER,
    backoff_base: timedelta = BACKOFF_BASE,
    transport: Callable[[], SmtpTransport] = SmtpTransport,
    clock: Callable[[], datetime] = utcnow,
) -> SendReport:
    """Send up to `limit` pending messages (all by default) over up to `connections` SMTP
    connections (settings.smtp_connections), each made by `transport()`.

    First takes over the claims of senders that are gone. Each result is committed before
    its connection sends the next message.

    Raises SmtpUnavailable (carrying the report so far) when the server cannot be reached;
    the claimed messages not tried are put back to pending first, so nothing is lost or
    doubled.
    """
    started = time.monotonic()
    migrate(url)
    settings = get_settings()
    report = SendReport()
    rate = settings.mail_rate_per_second if rate_per_second is None else rate_per_second
    wanted = settings.smtp_connections if connections is None else connections
    sender = Address("", settings.mail_from)
    with quick_session(url) as session:
        report.recovered = claims.recover(
            session, now=clock(), stale_after=stale_after, max_attempts=max_attempts
        )
        run_started = clock()  # messages deferred during this run wait for a later run
        due = _count_due(session, run_started, limit)
        if not due:
            report.seconds = time.monotonic() - started
            return report
        try:
            opened = _open(transport, min(wanted, max(1, math.ceil(due / PER_CONNECTION))))
        except SmtpUnavailable as exc:  # before anything is claimed
            report.seconds = time.monotonic() - started
            exc.report = report
            raise
        run = _Run(
            session=session,
            results=Results(session, report, max_attempts, backoff_base),
            max_attempts=max_attempts,
            renew_every=stale_after / 4,
            clock=clock,
            due_at=run_started,
            left=limit,
            size=max(1, min(batch_size, math.ceil(due / len(opened)))),
        )
        throttle = _Throttle(1.0 / rate if rate > 0 else 0.0)
        lines = [_Line(t, run.arrived, sender, clock, throttle) for t in opened]
        try:
            unavailable = run.drive(lines)
        finally:
            for line in lines:
                line.stop()
    report.seconds = time.monotonic() - started
    if unavailable is not None:
        raise SmtpUnavailable(unavailable, report)
    return report


@dataclass
class _Batch:
    token: str
    messages: deque[OutboxMessage]
    blobs: dict[str, bytes]


@dataclass
class _Run:
    """The database side of a run, all in the calling thread: claims, results, renewals."""

    session: Session
    results: Results
    max_attempts: int
    renew_every: timedelta
    clock: Callable[[], datetime]
    due_at: datetime
    left: int | None  # messages still to hand out under `limit`
    size: int  # messages per claim
    arrived: queue.SimpleQueue[_Done] = field(default_factory=queue.SimpleQueue)
    batches: dict[_Line, _Batch] = field(default_factory=dict)
    renewed: datetime | None = None

    def drive(self, lines: list[_Line]) -> str | None:
        """Send until nothing is due; the reason the server went away, if it did."""
        unavailable: str | None = None
        busy = 0
        self.renewed = self.clock()
        try:
            for line in lines:
                busy += self._feed(line)
            while busy:
                done = [self.arrived.get()]
                while not self.arrived.empty():
                    done.append(self.arrived.get())
                busy -= len(done)
                for item in done:
                    if item.crash is not None:
                        raise item.crash
                    self.results.add(item.message, item.outcome, self.clock())
                self.session.commit()
                self._renew()
                for item in done:
                    if item.gone and unavailable is None:
                        unavailable = item.outcome.error or "connection lost"
                    if unavailable is None:
                        busy += self._feed(item.line)
            if unavailable is not None:  # the untried messages of every claim go back
                for batch in self.batches.values():
                    claims.release(self.session, list(batch.messages))
        except Exception:
            for batch in self.batches.values():
                _abandon(self.session, batch.token, self.max_attempts)
            raise
        return unavailable

    def _feed(self, line: _Line) -> int:
        """Hand `line` its next message, claiming a batch for it if need be; 1 if it got one."""
        batch = self.batches.get(line)
        if batch is None or not batch.messages:
            self.batches.pop(line, None)
            size = self.size if self.left is None else min(self.size, self.left)
            if size <= 0:
                return 0
            token, claimed = claims.claim(self.session, size, due_at=self.due_at, now=self.clock())
            if not claimed:
                return 0
            if self.left is not None:
                self.left -= len(claimed)
            batch = self.batches[line] = _Batch(
                token, deque(claimed), _parts(self.session, claimed)
            )
        line.send(batch.messages.popleft(), batch.blobs)
        return 1

    def _renew(self) -> None:
        now = self.clock()
        if self.renewed is not None and now - self.renewed >= self.renew_every:
            self.renewed = now
            for batch in self.batches.values():
                claims.renew(self.session, batch.token, now)


@dataclass
class _Done:
    line: _Line
    message: OutboxMessage
    outcome: DeliveryOutcome
    gone: bool = False  # the connection was lost and could not be opened again
    crash: BaseException | None = None


class _Line:
    """One SMTP connection and its thread: builds a message's bytes, sends them, reports."""

    def __init__(
        self,
        transport: SmtpTransport,
        arrived: queue.SimpleQueue[_Done],
        sender: Address,
        clock: Callable[[], datetime],
        throttle: _Throttle,
    ) -> None:
        self.transport, self.arrived, self.sender = transport, arrived, sender
        self.clock, self.throttle = clock, throttle
        self.inbox: queue.SimpleQueue[tuple[OutboxMessage, dict[str, bytes]] | None] = (
            queue.SimpleQueue()
        )
        self.thread = threading.Thread(target=self._work, name="smtp", daemon=True)
        self.thread.start()

    def send(self, message: OutboxMessage, blobs: dict[str, bytes]) -> None:
        self.inbox.put((message, blobs))

    def stop(self) -> None:
        self.inbox.put(None)
        self.thread.join()

    def _work(self) -> None:
        try:
            while (job := self.inbox.get()) is not None:
                message, blobs = job
                try:
                    data = build(message, blobs, self.sender, self.clock())
                    self.throttle.wait()
                    outcome = transmit(self.transport, self.sender, message, data)
                    gone = outcome.connection_lost and not _reconnect(self.transport)
                    self.arrived.put(_Done(self, message, outcome, gone))
                except BaseException as exc:  # noqa: BLE001  re-raised by the calling thread
                    self.arrived.put(
                        _Done(self, message, DeliveryOutcome(MailState.pending), crash=exc)
                    )
                    return
        finally:
            self.transport.close()


class _Throttle:
    """Spaces the messages of all connections `interval` seconds apart (0: no limit)."""

    def __init__(self, interval: float) -> None:
        self.interval, self.lock, self.next = interval, threading.Lock(), time.monotonic()

    def wait(self) -> None:
        if not self.interval:
            return
        with self.lock:
            slot = max(self.next, time.monotonic())
            self.next = slot + self.interval
        time.sleep(max(0.0, slot - time.monotonic()))


def _open(transport: Callable[[], SmtpTransport], count: int) -> list[SmtpTransport]:
    """`count` open connections, at least the first (SmtpUnavailable if it fails)."""
    opened: list[SmtpTransport] = []
    for i in range(count):
        connection = transport()
        try:
            connection.open()
        except SmtpUnavailable as exc:
            if i == 0:
                raise
            log.warning("opened %d SMTP connections of %d: %s", i, count, exc.reason)
            break
        opened.append(connection)
    return opened


def _count_due(session: Session, now: datetime, limit: int | None) -> int:
    """How many messages this run has to send (at most `limit`)."""
    due = select(OutboxMessage.id).where(claims.due(now))
    if limit is not None:
        due = due.limit(limit)
    count = session.exec(select(func.count()).select_from(due.subquery())).one()
    session.rollback()
    return int(count)


def _abandon(session: Session, token: str, max_attempts: int) -> None:
    """The run failed (a database error, a bug): give its claim back at once rather than
    leave it to go stale. If even that fails, the claim is taken over once stale."""
    try:
        session.rollback()
        rows = session.exec(
            select(OutboxMessage).where(
                col(OutboxMessage.claim) == token, col(OutboxMessage.state) == MailState.sending
            )
        ).all()
        claims.give_back(session, rows, max_attempts=max_attempts)
    except Exception:  # noqa: BLE001  the original error is what the caller must see
        log.exception("could not give back the claim %s; it is taken over once stale", token)


def _parts(session: Session, batch: list[OutboxMessage]) -> dict[str, bytes]:
    shas = [a["sha256"] for m in batch for a in m.attachments]
    return {
        sha: encode_base64(content)
        for sha, content in load_blobs(session=session, shas=shas).items()
    }


def _reconnect(transport: SmtpTransport) -> bool:
    for delay in RECONNECT_DELAYS:
        time.sleep(delay)
        try:
            transport.open()
            return True
        except SmtpUnavailable as exc:
            log.warning("SMTP reconnect failed: %s", exc.reason)
    return False
