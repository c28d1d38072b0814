"""Send what the outbox holds: claim a batch, one SMTP connection, throttle, record each result.

Crash safety (docs/mail.md, "Crashes and duplicates"; the claims in campaign.mail.claims):
- Every message has its Message-ID from the moment it is queued.
- A batch is claimed (state `sending`, a token, `claimed_at` = the time of that claim,
  `claimed_by` = this process) in one commit before anything is transmitted, and the claim
  is renewed while the batch is worked on. Each result is committed as soon as the server
  answered, before the next message goes out. So after a crash at most one message per
  crashed sender is in doubt: the one whose 250 had not been read.
- A claim whose sender is gone (a dead process on this machine at once, any other once its
  claim is older than `stale_after`) is taken over by the next run, whoever starts it (a
  tick, the web process, the worker's scheduled delivery, `campaign outbox send`): the
  message in doubt is resent with the SAME Message-ID, which receiving systems use to
  drop the copy; the untried ones are simply sent.
- Every failure of one message (an address or name that cannot go in a header, a message
  that cannot be built, a 5xx refusal) fails that message alone, with its reason and an
  audit event; the rest of the batch goes out. 4xx and lost connections retry on later
  runs with backoff, until `max_attempts`, then fail.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from campaign.db import get_engine, migrate
from campaign.mail import claims
from campaign.mail.addresses import Address
from campaign.mail.attempts import Results, SendReport, build, transmit
from campaign.mail.errors import SmtpUnavailable
from campaign.mail.mime import encode_base64
from campaign.mail.outbox import load_blobs
from campaign.mail.transport import SmtpTransport
from campaign.settings import get_settings
from models._common import utcnow
from models.outbox import MailState, OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
STALE_AFTER = timedelta(minutes=10)
BACKOFF_BASE = timedelta(seconds=30)
RECONNECT_DELAYS = (0.5, 2.0)


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
    max_attempts: int = MAX_ATTEMPTS,
    stale_after: timedelta = STALE_AFTER,
    backoff_base: timedelta = BACKOFF_BASE,
    transport: SmtpTransport | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> SendReport:
    """Send up to `limit` pending messages (all by default) over one SMTP connection.

    First takes over the claims of senders that are gone. Each result is committed as soon
    as it is known. A thread builds the next messages while the current one is on the wire.

    Raises SmtpUnavailable (carrying the report so far) when the server cannot be reached;
    the claimed messages are put back to pending first, so nothing is lost or doubled.
    """
    started = time.monotonic()
    migrate(url)
    report = SendReport()
    rate = get_settings().mail_rate_per_second if rate_per_second is None else rate_per_second
    interval = 1.0 / rate if rate > 0 else 0.0
    transport = transport or SmtpTransport()
    sender = Address("", get_settings().mail_from)
    with _session(url) as session:
        report.recovered = claims.recover(
            session, now=clock(), stale_after=stale_after, max_attempts=max_attempts
        )
        run_started = clock()  # messages deferred during this run wait for a later run
        if not _has_due(session, run_started):
            report.seconds = time.monotonic() - started
            return report
        try:
            transport.open()  # fails before anything is claimed
        except SmtpUnavailable as exc:
            report.seconds = time.monotonic() - started
            exc.report = report
            raise
        next_slot = time.monotonic()
        results = Results(session, report, max_attempts, backoff_base)
        renew_every = stale_after / 4
        try:
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mime") as builder:
                while limit is None or _done(report) < limit:
                    size = batch_size if limit is None else min(batch_size, limit - _done(report))
                    renewed = clock()
                    token, batch = claims.claim(session, size, due_at=run_started, now=renewed)
                    if not batch:
                        break
                    try:
                        blobs = _parts(session, batch)
                        built = [builder.submit(build, m, blobs, sender, clock()) for m in batch]
                        for i, (message, data) in enumerate(zip(batch, built, strict=True)):
                            if interval:
                                next_slot = max(next_slot, time.monotonic())
                                time.sleep(max(0.0, next_slot - time.monotonic()))
                                next_slot += interval
                            if clock() - renewed >= renew_every:
                                renewed = clock()
                                claims.renew(session, token, renewed)
                            outcome = transmit(transport, sender, message, data.result())
                            results.add(message, outcome, clock())
                            if outcome.connection_lost and not _reconnect(transport):
                                for later in built[i + 1 :]:
                                    later.cancel()
                                claims.release(session, batch[i + 1 :])
                                report.seconds = time.monotonic() - started
                                raise SmtpUnavailable(outcome.error or "connection lost", report)
                    except SmtpUnavailable:
                        raise
                    except Exception:
                        _abandon(session, token, max_attempts)
                        raise
                    session.expunge_all()
        finally:
            transport.close()
    report.seconds = time.monotonic() - started
    return report


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
def _session(url: str | None) -> Iterator[Session]:
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


def _done(report: SendReport) -> int:
    return report.sent + report.failed + report.retrying


def _has_due(session: Session, now: datetime) -> bool:
    found = session.exec(select(OutboxMessage.id).where(claims.due(now)).limit(1)).first()
    return found is not None


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
