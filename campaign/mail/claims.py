"""Claims on outbox rows: who is sending what, and taking over from a sender that died.

A sender claims a batch (state `sending`, a fresh token, `claimed_at` = the time of that
claim, `claimed_by` = this process) in one commit before it transmits anything, renews
`claimed_at` while it works, and records each result as soon as the server answered. So
the `sending` rows of a claim are, in id order, the message that was on the wire (perhaps
accepted by the server, its 250 never read) and the messages not tried yet.

A claim is taken over (`recover`) when its sender is gone:
- at once when the sender ran on this machine (same kernel boot and pid namespace) and
  that process no longer exists (or its pid now belongs to another process);
- otherwise when `claimed_at` is older than `stale_after` (a sender elsewhere, or on a
  system without /proc).
The first `sending` row of the claim is in doubt: it goes back to pending with an attempt
counted (a message that kills its sender every time gives up after `max_attempts`) and is
resent with the same Message-ID. The others were never tried: back to pending, no attempt.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, update
from sqlmodel import Session, col, select

from campaign.mail.outbox import record_failure
from models.outbox import MailState, OutboxMessage

IN_DOUBT = (
    "the sender stopped while this message was on the wire (the server may have it); "
    "resent with the same Message-ID"
)
NOT_TRIED = "the sender stopped before trying this message"


def due(now: datetime) -> ColumnElement[bool]:
    """Pending and not deferred past `now`."""
    return and_(
        col(OutboxMessage.state) == MailState.pending,
        or_(
            col(OutboxMessage.next_attempt_at).is_(None),
            col(OutboxMessage.next_attempt_at) <= now,
        ),
    )


def claim(
    session: Session, size: int, *, due_at: datetime, now: datetime
) -> tuple[str, list[OutboxMessage]]:
    """Atomically mark up to `size` messages due at `due_at` `sending` under a new token,
    stamped with `now` (the time of this claim) and this process."""
    token = uuid.uuid4().hex
    ids = select(OutboxMessage.id).where(due(due_at)).order_by(col(OutboxMessage.id)).limit(size)
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(ids.scalar_subquery()), due(due_at))
        .values(state=MailState.sending, claim=token, claimed_at=now, claimed_by=this_process())
        .execution_options(synchronize_session=False)
    )
    session.commit()
    # the state too: its index finds the claimed rows (no index holds `claim`; a scan reads
    # every message's bodies, which made the 3,000-unit simulation read 77 GB at 1,000)
    query = (
        select(OutboxMessage)
        .where(col(OutboxMessage.claim) == token, col(OutboxMessage.state) == MailState.sending)
        .order_by(col(OutboxMessage.id))
        .execution_options(populate_existing=True)
    )
    return token, list(session.exec(query).all())


def renew(session: Session, token: str, now: datetime) -> None:
    """The claim is still worked on: its rows are not stale before `now` + stale_after."""
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.claim) == token, col(OutboxMessage.state) == MailState.sending)
        .values(claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def release(session: Session, messages: Sequence[OutboxMessage]) -> None:
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


def recover(session: Session, *, now: datetime, stale_after: timedelta, max_attempts: int) -> int:
    """Take over the claims of senders that are gone; the number of messages put back."""
    owners = session.exec(
        select(OutboxMessage.claimed_by)
        .where(col(OutboxMessage.state) == MailState.sending)
        .distinct()
    ).all()
    if not owners:
        session.rollback()
        return 0
    dead = [o for o in owners if o is not None and is_dead(o)]
    gone = col(OutboxMessage.claimed_at) <= now - stale_after
    if dead:
        gone = or_(gone, col(OutboxMessage.claimed_by).in_(dead))
    rows = session.exec(
        select(OutboxMessage).where(col(OutboxMessage.state) == MailState.sending, gone)
    ).all()
    return give_back(session, rows, max_attempts=max_attempts)


def give_back(session: Session, rows: Iterable[OutboxMessage], *, max_attempts: int) -> int:
    """Return claimed rows to pending: per claim the first in doubt, the rest untried."""
    by_claim: dict[str | None, list[OutboxMessage]] = {}
    for row in rows:
        by_claim.setdefault(row.claim, []).append(row)
    returned = 0
    for token, claimed in by_claim.items():
        claimed.sort(key=lambda m: m.id or 0)
        for i, row in enumerate(claimed):
            values: dict[str, Any] = {"state": MailState.pending, "claim": None}
            if i == 0:
                values.update(attempts=row.attempts + 1, last_error=IN_DOUBT, next_attempt_at=None)
                if row.attempts + 1 >= max_attempts:
                    reason = f"gave up after {row.attempts + 1} attempts: {IN_DOUBT}"
                    values.update(state=MailState.failed, last_error=reason)
            else:
                values.update(last_error=NOT_TRIED)
            changed = session.execute(
                update(OutboxMessage)
                .where(
                    col(OutboxMessage.id) == row.id,
                    col(OutboxMessage.state) == MailState.sending,
                    col(OutboxMessage.claim) == token
                    if token is not None
                    else col(OutboxMessage.claim).is_(None),
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            ).rowcount  # type: ignore[attr-defined]
            if changed and values["state"] is MailState.failed:
                record_failure(session, row, values["last_error"])
            returned += int(changed or 0)
    session.commit()
    return returned


# The sending process ------------------------------------------------------------------------


@cache
def _machine() -> tuple[str, str] | None:
    """(kernel boot id, pid namespace) or None where /proc does not tell them."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.readlink("/proc/self/ns/pid").strip("pid:[]")
    except OSError:
        return None
    return boot, namespace


def _started(pid: int) -> str | None:
    """The start time of a live process (clock ticks after boot), None if there is none."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # fields[0] is the state, field 3 of stat(5)
    if fields[0] in ("Z", "X"):  # killed, not yet reaped by its parent
        return None
    return fields[19]  # field 22: starttime


def this_process() -> str | None:
    """`host|boot|pidns|pid|start` of the current process, None without /proc."""
    machine = _machine()
    started = _started(os.getpid()) if machine else None
    if machine is None or started is None:
        return None
    return "|".join((socket.gethostname()[:40], *machine, str(os.getpid()), started))


def is_dead(owner: str) -> bool:
    """Whether the process named by `owner` surely no longer runs (False when unsure)."""
    parts = owner.split("|")
    if len(parts) != 5 or _machine() != (parts[1], parts[2]) or not parts[3].isdigit():
        return False  # another machine or pid namespace: only its claim's age tells
    return _started(int(parts[3])) != parts[4]
