"""Send what the outbox holds: claim a batch, one SMTP connection, throttle, record each result.

Crash safety (docs/mail.md, "Message-ID and crashes"):
- Every message has its Message-ID from the moment it is queued.
- A batch is claimed (state `sending`, a claim token, `claimed_at`) in one commit before
  anything is transmitted; results are committed every `commit_every` messages (20) or
  half second. So after a crash, the `sending` rows are the message in flight and the
  last few results not yet committed (perhaps delivered) plus those not yet tried: at
  most `commit_every` + 1 messages per crashed sender are in doubt (commit_every=1: one).
- A `sending` row whose claim is older than `stale_after` belongs to a dead sender: it is
  put back to pending (the attempt counted) and resent with the SAME Message-ID, which
  receiving systems use to drop the copy (the demo server campaign.mail.server does).
- 5xx refusals fail the message at once (reason kept, shown by `campaign outbox list
  --state failed`); 4xx and lost connections retry on later runs with backoff, until
  `max_attempts`, then fail.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, update
from sqlmodel import Session, col, select

from campaign.db import get_engine, migrate
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
COMMIT_EVERY = 20
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
    commit_every: int = COMMIT_EVERY,
    transport: SmtpTransport | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> SendReport:
    """Send up to `limit` pending messages (all by default) over one SMTP connection.

    Results are committed every `commit_every` messages (and at least every half second):
    after a crash at most that many sent messages are sent again, with the same Message-ID.
    A thread builds the next messages while the current one is on the wire.

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
    with Session(get_engine(url), expire_on_commit=False) as session:
        report.recovered = _recover_stale(session, clock(), stale_after, max_attempts)
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
        results = Results(session, report, max_attempts, backoff_base, commit_every)
        try:
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mime") as builder:
                while limit is None or _done(report) < limit:
                    size = batch_size if limit is None else min(batch_size, limit - _done(report))
                    batch = _claim(session, size, run_started)
                    if not batch:
                        break
                    blobs = _parts(session, batch)
                    built = [builder.submit(build, m, blobs, sender, clock()) for m in batch]
                    for i, (message, data) in enumerate(zip(batch, built, strict=True)):
                        if interval:
                            next_slot = max(next_slot, time.monotonic())
                            time.sleep(max(0.0, next_slot - time.monotonic()))
                            next_slot += interval
                        outcome = transmit(transport, sender, message, data.result())
                        results.add(message, outcome, clock())
                        if outcome.connection_lost and not _reconnect(transport):
                            for later in built[i + 1 :]:
                                later.cancel()
                            results.commit()
                            _release(session, batch[i + 1 :])
                            report.seconds = time.monotonic() - started
                            raise SmtpUnavailable(outcome.error or "connection lost", report)
                    results.commit()
                    session.expunge_all()
        finally:
            transport.close()
    report.seconds = time.monotonic() - started
    return report


def _done(report: SendReport) -> int:
    return report.sent + report.failed + report.retrying


def _due(now: datetime) -> ColumnElement[bool]:
    return and_(
        col(OutboxMessage.state) == MailState.pending,
        or_(
            col(OutboxMessage.next_attempt_at).is_(None),
            col(OutboxMessage.next_attempt_at) <= now,
        ),
    )


def _has_due(session: Session, now: datetime) -> bool:
    return session.exec(select(OutboxMessage.id).where(_due(now)).limit(1)).first() is not None


def _recover_stale(session: Session, now: datetime, stale_after: timedelta, bound: int) -> int:
    """Put messages of dead senders back to pending (same Message-ID); count the attempt."""
    stale = and_(
        col(OutboxMessage.state) == MailState.sending,
        col(OutboxMessage.claimed_at) <= now - stale_after,
    )
    note = "the sender stopped while this message was in flight; resent with the same Message-ID"
    gave_up = (
        session.connection()
        .execute(
            update(OutboxMessage)
            .where(stale, col(OutboxMessage.attempts) + 1 >= bound)
            .values(state=MailState.failed, attempts=OutboxMessage.attempts + 1, claim=None)
            .values(last_error=f"gave up after {bound} attempts: {note}")
            .execution_options(synchronize_session=False)
        )
        .rowcount
    )
    recovered = (
        session.connection()
        .execute(
            update(OutboxMessage)
            .where(stale)
            .values(state=MailState.pending, attempts=OutboxMessage.attempts + 1, claim=None)
            .values(last_error=note, next_attempt_at=None)
            .execution_options(synchronize_session=False)
        )
        .rowcount
    )
    session.commit()
    return int(recovered or 0) + int(gave_up or 0)


def _claim(session: Session, size: int, now: datetime) -> list[OutboxMessage]:
    """Atomically mark up to `size` due messages `sending` under a fresh claim token."""
    token = uuid.uuid4().hex
    ids = select(OutboxMessage.id).where(_due(now)).order_by(col(OutboxMessage.id)).limit(size)
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(ids.scalar_subquery()), _due(now))
        .values(state=MailState.sending, claim=token, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    query = (
        select(OutboxMessage)
        .where(col(OutboxMessage.claim) == token)
        .order_by(col(OutboxMessage.id))
        .execution_options(populate_existing=True)
    )
    return list(session.exec(query).all())


def _parts(session: Session, batch: list[OutboxMessage]) -> dict[str, bytes]:
    shas = [a["sha256"] for m in batch for a in m.attachments]
    return {
        sha: encode_base64(content)
        for sha, content in load_blobs(session=session, shas=shas).items()
    }


def _release(session: Session, messages: list[OutboxMessage]) -> None:
    """Claimed but never tried (the server went away): back to pending, no attempt counted."""
    ids = [m.id for m in messages]
    if ids:
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(ids), col(OutboxMessage.state) == MailState.sending)
            .values(state=MailState.pending, claim=None)
            .execution_options(synchronize_session=False)
        )
        session.commit()


def _reconnect(transport: SmtpTransport) -> bool:
    for delay in RECONNECT_DELAYS:
        time.sleep(delay)
        try:
            transport.open()
            return True
        except SmtpUnavailable as exc:
            log.warning("SMTP reconnect failed: %s", exc.reason)
    return False
