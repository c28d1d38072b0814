"""Answering a reply by mail: its receipt or rejection, threaded under the bureau's mail.

Both go through the outbox, keyed (the receipt on the submission, the rejection on the
inbox row), so each is sent once. They carry In-Reply-To / References (mail clients show
them under the bureau's message) and Auto-Submitted: auto-replied with
X-Auto-Response-Suppress (RFC 3834; Outlook), so no auto-responder answers them back.
When the reply came from a further registered address, that address gets a copy.
"""

from __future__ import annotations

from sqlmodel import Session

from campaign.inbox.parse import ParsedMail
from campaign.mail.addresses import Address
from campaign.mail.notices import queue_notice
from campaign.mail.outbox import find_message
from campaign.plan.stored import plan_of
from campaign.rows import update_row
from models.bureau import Bureau
from models.campaign import Campaign
from models.outbox import MailState, OutboxMessage
from models.request import ReportRequest

MAX_REFERENCES_CHARS = 900


def thread_headers(mail: ParsedMail) -> list[list[str]]:
    references = [*mail.references, mail.message_id]
    while len(" ".join(references)) > MAX_REFERENCES_CHARS and len(references) > 1:
        references.pop(0)
    return [
        ["In-Reply-To", mail.message_id],
        ["References", " ".join(references)],
        ["Auto-Submitted", "auto-replied"],
        ["X-Auto-Response-Suppress", "All"],
    ]


def thread_receipt(
    *, session: Session, campaign_id: int, bureau: Bureau, submission_id: int, mail: ParsedMail
) -> OutboxMessage | None:
    """Put the receipt submit_report queued under the bureau's mail (same transaction)."""
    return thread_notice(
        session=session,
        campaign_id=campaign_id,
        bureau=bureau,
        key=f"receipt:{submission_id}",
        mail=mail,
    )


def thread_notice(
    *, session: Session, campaign_id: int, bureau: Bureau, key: str, mail: ParsedMail
) -> OutboxMessage | None:
    """Put the notice queued under `key` (a receipt, a 签收 receipt) under the bureau's
    mail, unless it was sent already (a second reply to a settled 签收)."""
    notice = find_message(
        session=session, campaign_id=campaign_id, key=key, bureau_code=bureau.code
    )
    if notice is None or notice.state != MailState.pending or notice.headers:
        return notice
    _thread(session, notice, bureau, mail)
    return notice


def queue_mail_rejection(
    *,
    session: Session,
    request: ReportRequest,
    bureau: Bureau,
    reasons: list[str],
    mail: ParsedMail,
    inbox_id: int,
) -> OutboxMessage:
    """未受理: every reason, and what to do (answer this mail with the corrected table)."""
    campaign = session.get_one(Campaign, request.campaign_id)
    plan = plan_of(campaign)
    duty = next((d for d in plan.duties if d.key == request.duty_key), None)
    message = queue_notice(
        session=session,
        campaign=campaign,
        plan=plan,
        bureau=bureau,
        notice="rejection",
        key=f"inbox:{request.id}:{inbox_id}",
        context={
            "request": request,
            "duty": duty,
            "duty_name": duty.name if duty else request.duty_key,
            "form": plan.form(duty.form) if duty and duty.form else None,
            "is_acknowledgement": False,
            "reasons": reasons,
            "link_url": None,
            "reply_by_mail": True,
        },
    )
    _thread(session, message, bureau, mail)
    return message


def _thread(session: Session, message: OutboxMessage, bureau: Bureau, mail: ParsedMail) -> None:
    copies = list(message.cc_addrs)
    if mail.from_addr and mail.from_addr != bureau.email.strip().lower():
        known = {a["email"].lower() for a in [*message.to_addrs, *copies]}
        if mail.from_addr not in known:
            copies.append(Address(mail.from_name, mail.from_addr).to_json())
    update_row(session, message, headers=thread_headers(mail), cc_addrs=copies)
