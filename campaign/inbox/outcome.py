"""The answer a recognised reply carries, for its request: stored (with the threaded
receipt) or rejected with every reason (a threaded rejection); a reply to a directive is
its 签收. Used by the intake and by a coordinator assigning held mail.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError
from sqlmodel import Session

from campaign.inbox import texts
from campaign.inbox.answers import queue_mail_rejection, thread_notice, thread_receipt
from campaign.inbox.parse import ParsedMail
from campaign.replies.acknowledge import acknowledge
from campaign.replies.aggregate import submit_answer
from campaign.replies.errors import ReplyError, ReportInvalid
from campaign.replies.reply_context import resolve_context
from campaign.replies.xlsx_answer import submit_xlsx_answer
from models.audit import Channel
from models.bureau import Bureau
from models.inbox import InboxKind, InboxOutcome
from models.outbox import OutboxMessage
from models.reply import AttachmentIn, ReportCreate
from models.request import ReportRequest, RequestKind

MAX_NARRATIVE = 20_000


@dataclass(frozen=True)
class Decision:
    outcome: InboxOutcome
    reason: str
    kind: InboxKind = InboxKind.reply
    request: ReportRequest | None = None
    submission_id: int | None = None
    reply: OutboxMessage | None = None


def answer(
    *,
    session: Session,
    mail: ParsedMail,
    request: ReportRequest,
    bureau: Bureau,
    inbox_id: int,
    complete: bool,
    size: int,
    now: datetime | None,
    actor: str | None = None,
) -> Decision:
    """Store the answer the mail carries for `request`, or reject it with every reason.
    A reply to a directive is its 签收 (acknowledgement), whatever it says."""
    if request.kind == RequestKind.acknowledgement:
        return _acknowledge(session, mail, request, bureau, inbox_id, now)
    problems = _mail_problems(mail, complete, size)
    submission_id = None
    if not problems:
        try:
            submission_id = _submit(session, mail, request, now, actor)
        except ReportInvalid as exc:
            problems = [p.message for p in exc.problems]
        except ReplyError as exc:
            problems = [exc.message]
        except ValidationError:
            problems = [texts.TOO_LONG]
    if submission_id is not None:
        receipt = thread_receipt(
            session=session,
            campaign_id=request.campaign_id,
            bureau=bureau,
            submission_id=submission_id,
            mail=mail,
        )
        return Decision(
            InboxOutcome.accepted,
            texts.ACCEPTED,
            request=request,
            submission_id=submission_id,
            reply=receipt,
        )
    rejection = queue_mail_rejection(
        session=session,
        request=request,
        bureau=bureau,
        reasons=problems,
        mail=mail,
        inbox_id=inbox_id,
    )
    return Decision(InboxOutcome.rejected, "；".join(problems), request=request, reply=rejection)


def _acknowledge(
    session: Session,
    mail: ParsedMail,
    request: ReportRequest,
    bureau: Bureau,
    inbox_id: int,
    now: datetime | None,
) -> Decision:
    try:
        done = acknowledge(session=session, link_or_request=request, channel=Channel.email, now=now)
    except ReplyError as exc:
        rejection = queue_mail_rejection(
            session=session,
            request=request,
            bureau=bureau,
            reasons=[exc.message],
            mail=mail,
            inbox_id=inbox_id,
        )
        return Decision(InboxOutcome.rejected, exc.message, request=request, reply=rejection)
    receipt = thread_notice(
        session=session,
        campaign_id=request.campaign_id,
        bureau=bureau,
        key=f"acknowledgement:{request.id}",
        mail=mail,
    )
    reason = texts.ALREADY_ACKNOWLEDGED if done.already else texts.ACKNOWLEDGED
    return Decision(InboxOutcome.accepted, reason, request=request, reply=receipt)


def _mail_problems(mail: ParsedMail, complete: bool, size: int) -> list[str]:
    if not complete:
        return [texts.too_large(size)]
    tables = mail.tables
    if len(tables) > 1:
        return [texts.two_tables([t.filename for t in tables])]
    return []


def _submit(
    session: Session,
    mail: ParsedMail,
    request: ReportRequest,
    now: datetime | None,
    actor: str | None,
) -> int:
    target = resolve_context(session=session, link_or_request=request)
    narrative = mail.body[:MAX_NARRATIVE]
    files = [
        AttachmentIn(filename=f.filename, content_type=f.content_type, data=f.data)
        for f in mail.other_files
    ]
    key = "mail:" + hashlib.sha256(mail.message_id.encode()).hexdigest()[:40]
    if not mail.tables:
        if target.form is not None and target.form.fields:
            raise ReplyError(texts.NO_TABLE)
        report_in = ReportCreate(narrative=narrative, attachments=files, idempotency_key=key)
        return int(
            submit_answer(
                session=session,
                link_or_request=request,
                report_in=report_in,
                channel=Channel.email,
                now=now,
                actor=actor,
                target=target,
            ).submission.id  # type: ignore[arg-type]
        )
    table = mail.tables[0]
    return int(
        submit_xlsx_answer(
            session=session,
            link_or_request=request,
            data=table.data,
            filename=table.filename,
            channel=Channel.email,
            narrative=narrative,
            attachments=files,
            idempotency_key=key,
            now=now,
            actor=actor,
            target=target,
        ).submission.id  # type: ignore[arg-type]
    )
