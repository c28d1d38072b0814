"""Read the mailbox: take in the new messages, batch by batch, then move them out of the
folder.

Order per batch of up to BATCH messages: fetch → claim their rows (one statement) → each
message decided in a savepoint of its own → one commit → flag \\Seen and move the batch
to the processed or held folder (one STORE and one MOVE per folder). A message that
breaks its intake is rolled back to its savepoint and held; the others keep their work.
A message whose row exists but which is still in the folder (the run died between commit
and move) is only moved. Messages larger than inbox_max_message_bytes are not
downloaded; their headers are read instead.

`watch` stays connected and waits with IMAP IDLE, so a reply is taken in seconds after
it arrives; it reconnects after a lost connection.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from threading import Event
from typing import Any

from sqlmodel import Session, col, select

from campaign.db import get_engine, migrate
from campaign.inbox.batch import FetchReport, take_in_batch
from campaign.inbox.imap import IMAP_ERRORS, InboxUnavailable, Mailbox
from campaign.inbox.intake import Fetched
from campaign.inbox.lock import intake_lock
from campaign.settings import get_settings
from models.inbox import InboxMessage, InboxOutcome

log = logging.getLogger(__name__)

# Messages per transaction: a commit (and its fsync) per batch rather than per message;
# on SQLite the batch holds the database's one write lock, so it stays small enough for
# the web's answers to wait a fraction of a second at most.
BATCH = 25
RESOLVED = (
    InboxOutcome.accepted,
    InboxOutcome.rejected,
    InboxOutcome.ignored,
    InboxOutcome.dismissed,
)
RECONNECT_DELAYS = (2.0, 5.0, 15.0, 30.0)
SEEN, ANSWERED = b"\\Seen", b"\\Answered"
TICK_LOCK_WAIT = 5.0  # a tick does not wait long for another intake (watch) to finish


def fetch_inbox(
    *,
    url: str | None = None,
    now: datetime | None = None,
    limit: int | None = None,
    mailbox: Mailbox | None = None,
    lock_wait: float = 60.0,
) -> FetchReport:
    """Take in what the folder holds (up to `limit` messages). Raises InboxUnavailable.

    One intake at a time (campaign.inbox.lock): another one running for longer than
    `lock_wait` seconds makes this one return at once with busy=True."""
    started = time.monotonic()
    migrate(url)
    engine = get_engine(url)
    report = FetchReport()
    with intake_lock(engine, wait=lock_wait) as locked:
        if not locked:
            report.busy = True
            return report
        _fetch_locked(engine, mailbox or Mailbox(), now, limit, report)
    report.seconds = time.monotonic() - started
    return report


def _fetch_locked(
    engine: Any, box: Mailbox, now: datetime | None, limit: int | None, report: FetchReport
) -> None:
    settings = get_settings()
    opened_here = box.client is None
    if opened_here:
        box.open()
    try:
        folder = settings.imap_folder
        for name in (settings.imap_processed_folder, settings.imap_held_folder):
            box.ensure_folder(name)
        uidvalidity = box.select(folder)
        uids = box.uids()[:limit] if limit else box.uids()
        with Session(engine) as session:
            known = _known(session, folder, uidvalidity, uids)
        _move(box, known, report)
        report.moved_only = len(known)
        fresh = [u for u in uids if u not in known]
        sizes = box.sizes(fresh)
        batch: list[Fetched] = []
        for fetched in _fetch(box, folder, uidvalidity, fresh, sizes):
            batch.append(fetched)
            if len(batch) >= BATCH:
                _move(box, take_in_batch(engine, batch, now, report), report)
                batch = []
        if batch:
            _move(box, take_in_batch(engine, batch, now, report), report)
        _sweep_held(box, engine)
    except IMAP_ERRORS as exc:
        raise InboxUnavailable(f"the IMAP server {box.where} failed: {exc}") from exc
    finally:
        if opened_here:
            box.close()


def fetch_now(*, url: str | None = None, now: datetime | None = None) -> dict[str, Any] | None:
    """fetch_inbox for the tick: None when no mailbox is configured; never raises for an
    unreachable server (the next tick reads what is left)."""
    if not get_settings().imap_host:
        return None
    try:
        return fetch_inbox(url=url, now=now, lock_wait=TICK_LOCK_WAIT).to_json()
    except InboxUnavailable as exc:
        return FetchReport(unavailable=exc.reason).to_json()


def watch(
    *,
    url: str | None = None,
    idle_seconds: float = 120.0,
    stop: Event | None = None,
    on_report: Callable[[FetchReport], None] = lambda r: None,
) -> None:
    """Take in mail as it arrives (IMAP IDLE) until `stop` is set."""
    stop = stop or Event()
    failures = 0
    while not stop.is_set():
        try:
            with Mailbox() as box:
                failures = 0
                while not stop.is_set():
                    on_report(fetch_inbox(url=url, mailbox=box))
                    box.select(get_settings().imap_folder)
                    box.idle(idle_seconds)
        except (InboxUnavailable, *IMAP_ERRORS) as exc:
            delay = RECONNECT_DELAYS[min(failures, len(RECONNECT_DELAYS) - 1)]
            failures += 1
            log.warning("inbox: %s; reconnecting in %.0f s", exc, delay)
            on_report(FetchReport(unavailable=str(exc)))
            stop.wait(delay)


def _fetch(
    box: Mailbox,
    folder: str,
    uidvalidity: int,
    uids: list[int],
    sizes: dict[int, tuple[int, datetime | None]],
) -> Iterator[Fetched]:
    limit = get_settings().inbox_max_message_bytes
    small = [u for u in uids if sizes.get(u, (0, None))[0] <= limit]
    large = [u for u in uids if sizes.get(u, (0, None))[0] > limit]
    for uid, raw in box.bodies(small):
        size, arrived = sizes.get(uid, (len(raw), None))
        yield Fetched(folder, uidvalidity, uid, raw, size, arrived=arrived)
    for uid, head in box.headers(large).items():
        size, arrived = sizes[uid]
        yield Fetched(folder, uidvalidity, uid, head, size, complete=False, arrived=arrived)


def _known(
    session: Session, folder: str, uidvalidity: int, uids: list[int]
) -> dict[int, InboxOutcome]:
    found: dict[int, InboxOutcome] = {}
    for start in range(0, len(uids), 500):
        chunk = uids[start : start + 500]
        rows = session.exec(
            select(InboxMessage.uid, InboxMessage.outcome).where(
                InboxMessage.folder == folder,
                InboxMessage.uidvalidity == uidvalidity,
                col(InboxMessage.uid).in_(chunk),
            )
        ).all()
        found.update({int(uid): InboxOutcome(outcome) for uid, outcome in rows})
    return found


def _move(box: Mailbox, outcomes: dict[int, InboxOutcome], report: FetchReport) -> None:
    settings = get_settings()
    answered = (InboxOutcome.accepted, InboxOutcome.rejected)
    held = [u for u, o in outcomes.items() if o == InboxOutcome.held]
    replied = [u for u, o in outcomes.items() if o in answered]
    done = [u for u, o in outcomes.items() if o not in answered and o != InboxOutcome.held]
    box.move(replied, settings.imap_processed_folder, flags=(SEEN, ANSWERED))
    box.move(done, settings.imap_processed_folder, flags=(SEEN,))
    box.move(held, settings.imap_held_folder)  # unread: a person has yet to look at it


def _sweep_held(box: Mailbox, engine: Any) -> None:
    """Move mail a coordinator has dealt with from the held folder to the processed one."""
    settings = get_settings()
    box.select(settings.imap_held_folder)
    uids = box.uids()
    if not uids:
        return
    lines = box.message_ids(uids)
    by_id = {}
    for uid, line in lines.items():
        text = line.decode("ascii", "replace")
        start, end = text.find("<"), text.find(">")
        if 0 <= start < end:
            by_id[text[start : end + 1]] = uid
    with Session(engine) as session:
        rows = session.exec(
            select(InboxMessage.message_id).where(
                col(InboxMessage.message_id).in_(list(by_id)),
                col(InboxMessage.outcome).in_([o.value for o in RESOLVED]),
            )
        ).all()
    box.move([by_id[m] for m in rows], settings.imap_processed_folder, flags=(SEEN,))
