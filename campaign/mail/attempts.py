"""One delivery attempt: build the bytes, hand them to the server, classify the answer, and
record the outcome. Used by campaign.mail.sender.send_pending."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, update
from sqlmodel import Session

from campaign.inbox.tags import reply_to_headers
from campaign.mail.addresses import Address, address
from campaign.mail.errors import MailRefused
from campaign.mail.mime import Part, build_message
from campaign.mail.outbox import record_failure
from campaign.mail.transport import SmtpTransport
from models.outbox import MailState, OutboxMessage

log = logging.getLogger(__name__)

BACKOFF_MAX = timedelta(hours=2)


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    recovered: int = 0
    seconds: float = 0.0
    problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class DeliveryOutcome:
    state: MailState
    error: str | None = None
    connection_lost: bool = False


def build(
    message: OutboxMessage, blobs: dict[str, bytes], sender: Address, now: datetime
) -> bytes | DeliveryOutcome:
    """The message bytes, or a failed outcome saying why they cannot be built.

    Whatever is stored (a name with control characters, a malformed address, a missing
    blob, a row written around queue_notice), only this message fails."""
    try:
        missing = [a["filename"] for a in message.attachments if a["sha256"] not in blobs]
        if missing:
            raise ValueError(f"attachment bytes missing from the outbox: {', '.join(missing)}")
        return build_message(
            sender=sender,
            to=[_recipient(a, "To") for a in message.to_addrs],
            cc=[_recipient(a, "Cc") for a in message.cc_addrs],
            subject=message.subject,
            message_id=message.message_id,
            date=now,
            text=message.text_body,
            html=message.html_body,
            attachments=[
                Part(a["filename"], a["content_type"], blobs[a["sha256"]])
                for a in message.attachments
            ],
            extra_headers=[
                ("X-Campaign-Key", f"{message.campaign_id}/{message.key}"),
                *((str(name), str(value)) for name, value in message.headers or ()),
                *reply_to_headers(message),
            ],
        )
    except Exception as exc:  # noqa: BLE001  one bad message must not stop the others
        reason = exc.reason if isinstance(exc, MailRefused) else f"{exc.__class__.__name__}: {exc}"
        return DeliveryOutcome(MailState.failed, f"cannot build the message: {reason}")


def _recipient(data: dict[str, str], field: str) -> Address:
    """A stored recipient, checked again: rows may have been written around the checks."""
    return address(str(data["email"]), str(data.get("name") or ""), what=f"the {field} address")


def transmit(
    transport: SmtpTransport, sender: Address, message: OutboxMessage, data: bytes | DeliveryOutcome
) -> DeliveryOutcome:
    if isinstance(data, DeliveryOutcome):
        return data
    recipients = [a["email"] for a in [*message.to_addrs, *message.cc_addrs]]
    try:
        refused = transport.send(sender=sender.email, recipients=recipients, data=data)
    except smtplib.SMTPRecipientsRefused as exc:
        reasons = "; ".join(f"{r}: {code} {_text(m)}" for r, (code, m) in exc.recipients.items())
        permanent = all(code >= 500 for code, _ in exc.recipients.values())
        return DeliveryOutcome(
            MailState.failed if permanent else MailState.pending, f"refused: {reasons}"
        )
    except smtplib.SMTPResponseException as exc:
        state = MailState.failed if exc.smtp_code >= 500 else MailState.pending
        return DeliveryOutcome(state, f"refused: {exc.smtp_code} {_text(exc.smtp_error)}")
    except (smtplib.SMTPException, OSError) as exc:
        return DeliveryOutcome(
            MailState.pending,
            f"connection lost: {exc.__class__.__name__}: {exc}",
            connection_lost=True,
        )
    except (ValueError, UnicodeError) as exc:  # smtplib refused an address: this one fails
        return DeliveryOutcome(
            MailState.failed,
            f"cannot send the message: {exc.__class__.__name__}: {exc}",
            connection_lost=True,  # the SMTP transaction may be half open: start afresh
        )
    except Exception as exc:  # noqa: BLE001  unforeseen: retried later, the others go on
        return DeliveryOutcome(
            MailState.pending,
            f"sending failed: {exc.__class__.__name__}: {exc}",
            connection_lost=True,
        )
    if refused:
        partial = "; ".join(f"{r}: {code} {_text(m)}" for r, (code, m) in refused.items())
        return DeliveryOutcome(MailState.sent, f"sent, but some recipients were refused: {partial}")
    return DeliveryOutcome(MailState.sent)


class Results:
    """Records outcomes (one UPDATE per message; the caller commits those that arrived
    together before their connections send again), so that a message the server accepted
    is never sent again by whoever takes over after a crash, except the ones whose 250 was
    on its way (docs/mail.md)."""

    def __init__(
        self, session: Session, report: SendReport, max_attempts: int, backoff_base: timedelta
    ) -> None:
        self.session, self.report = session, report
        self.max_attempts, self.backoff_base = max_attempts, backoff_base

    def add(self, message: OutboxMessage, outcome: DeliveryOutcome, now: datetime) -> None:
        report = self.report
        attempts = message.attempts + 1
        row: dict[str, Any] = {
            "row_id": message.id,
            "attempts": attempts,
            "last_error": outcome.error,
            "sent_at": None,
            "next_attempt_at": None,
        }
        state = outcome.state
        if state is MailState.pending and attempts >= self.max_attempts:
            state = MailState.failed
            row["last_error"] = f"gave up after {attempts} attempts: {outcome.error}"
        row["state"] = state.value
        if state is MailState.sent:
            row["sent_at"] = now
            report.sent += 1
        elif state is MailState.pending:
            row["next_attempt_at"] = now + min(self.backoff_base * 2 ** (attempts - 1), BACKOFF_MAX)
            report.retrying += 1
            report.problems.append((message.id or 0, outcome.error or ""))
        else:
            report.failed += 1
            report.problems.append((message.id or 0, row["last_error"] or ""))
            record_failure(self.session, message, row["last_error"])
        self.session.connection().execute(_RESULT, row)
        log.debug("outbox %s → %s %s", message.id, state, outcome.error or "")


_table = OutboxMessage.__table__  # type: ignore[attr-defined]
_RESULT = (
    update(_table)
    .where(_table.c.id == bindparam("row_id"))
    .values(
        state=bindparam("state"),
        attempts=bindparam("attempts"),
        claim=None,
        last_error=bindparam("last_error"),
        sent_at=bindparam("sent_at"),
        next_attempt_at=bindparam("next_attempt_at"),
    )
)


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
