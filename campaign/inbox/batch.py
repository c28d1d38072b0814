"""Take in a batch of fetched messages in one transaction, each in a savepoint of its own.

The batch's rows are claimed in one statement (campaign.inbox.intake.claim); each claimed
message is then decided in a savepoint: a message that breaks the intake (a bug) is
rolled back to it and held with the error as reason, and the others keep their work. A
database error (OperationalError: unavailable, busy) rolls the whole batch back and
stops the run; its messages are still in the folder and are read again next time.
`FetchReport` counts what an intake did, batch by batch once each is committed.
"""

from __future__ import annotations

import email
import logging
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from campaign.inbox.intake import Fetched, claim, read, take_in_claimed
from campaign.inbox.parse import ParsedMail, message_id_or_digest, parse_mail
from campaign.rows import insert_ignore, update_row
from models._common import utcnow
from models.inbox import InboxKind, InboxMessage, InboxOutcome

log = logging.getLogger(__name__)


@dataclass
class FetchReport:
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    held: int = 0
    ignored: int = 0
    duplicates: int = 0  # the same Message-ID was taken in before
    moved_only: int = 0  # recorded by an earlier run that stopped before moving them
    failed: int = 0  # an unexpected error: held with the error as reason
    seconds: float = 0.0
    unavailable: str | None = None
    busy: bool = False  # another intake held the mailbox; nothing was done
    problems: list[str] = field(default_factory=list)

    def count(self, outcome: InboxOutcome) -> None:
        name = outcome.value
        setattr(self, name, getattr(self, name) + 1)

    def add(self, other: FetchReport) -> None:
        """Add another report's counts and problems to this one."""
        for name in _COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.problems += other.problems

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# the counted fields (annotations are strings here: from __future__ import annotations)
_COUNTS = tuple(f.name for f in fields(FetchReport) if f.type == "int")


def take_in_batch(
    engine: Any, batch: list[Fetched], now: datetime | None, report: FetchReport
) -> dict[int, InboxOutcome]:
    """Take the batch in, in one transaction; each message's outcome by uid. The report
    counts them once committed (a database error rolls the batch back and raises)."""
    outcomes: dict[int, InboxOutcome] = {}
    tally = FetchReport(read=len(batch))
    with Session(engine, expire_on_commit=False) as session:
        parsed: list[tuple[Fetched, ParsedMail]] = []
        unreadable: list[tuple[Fetched, Exception]] = []
        for fetched in batch:
            try:
                parsed.append((fetched, read(fetched)))
            except Exception as exc:  # noqa: BLE001 - a bug in reading mail: held
                unreadable.append((fetched, exc))
        records = claim(session=session, messages=parsed, now=now)
        for fetched, mail in parsed:
            record = records.get(fetched.uid)
            if record is None:
                tally.duplicates += 1
                outcomes[fetched.uid] = InboxOutcome.ignored
                continue
            try:
                with session.begin_nested():
                    take_in_claimed(
                        session=session, fetched=fetched, mail=mail, record=record, now=now
                    )
            except OperationalError:
                raise  # the database is unavailable or busy: the batch waits for the next run
            except Exception as exc:  # noqa: BLE001 - a message that breaks the intake is held
                session.expire_all()  # what the savepoint's rollback undid
                _failed(tally, fetched, exc)
                _hold_broken(session, record, fetched, exc)
            else:
                tally.count(record.outcome)
            outcomes[fetched.uid] = record.outcome
        for fetched, error in unreadable:
            _failed(tally, fetched, error)
            outcomes[fetched.uid] = _hold_unreadable(session, fetched, error)
        session.commit()
    report.add(tally)
    return outcomes


def _failed(tally: FetchReport, fetched: Fetched, exc: Exception) -> None:
    log.error("inbox: message uid %s could not be taken in", fetched.uid, exc_info=exc)
    tally.failed += 1
    tally.problems.append(f"uid {fetched.uid}: {exc!r}")


def _broken_reason(exc: Exception) -> str:
    return f"系统处理此邮件时出错（{exc.__class__.__name__}），请人工处理"


def _hold_broken(session: Session, record: InboxMessage, fetched: Fetched, exc: Exception) -> None:
    """The claimed row, held with the error as reason (whatever the savepoint undid)."""
    update_row(
        session,
        record,
        kind=InboxKind.reply,
        outcome=InboxOutcome.held,
        reason=_broken_reason(exc),
        campaign_id=None,
        request_id=None,
        bureau_code=None,
        submission_id=None,
        reply_message_id=None,
        raw=fetched.raw,
    )


def _hold_unreadable(session: Session, fetched: Fetched, exc: Exception) -> InboxOutcome:
    """A row for a message that could not be read, held with the error as reason; its
    sender and subject from its headers when they can be read alone, for the coordinator."""
    try:
        mail = parse_mail(fetched.raw, headers_only=True)
        message_id, sender, subject = mail.message_id, mail.from_addr, mail.subject
    except Exception:  # noqa: BLE001 - not even the headers: the raw mail is kept
        message_id = message_id_or_digest(email.message_from_bytes(fetched.raw), fetched.raw)
        sender, subject = "", ""
    row = {
        "message_id": message_id,
        "folder": fetched.folder,
        "uidvalidity": fetched.uidvalidity,
        "uid": fetched.uid,
        "from_addr": sender[:254],
        "from_name": "",
        "subject": subject,
        "size": fetched.size,
        "kind": InboxKind.reply.value,
        "outcome": InboxOutcome.held.value,
        "reason": _broken_reason(exc),
        "raw": fetched.raw,
        "received_at": utcnow(),
    }
    insert_ignore(session, InboxMessage, row, ("message_id",))
    return InboxOutcome.held
