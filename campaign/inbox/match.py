"""Which request a reply answers, and whether its sender may answer for that bureau.

In order: the hidden `_meta` sheet of the attached .xlsx (request and bureau); the reply's
In-Reply-To / References against the Message-IDs of the mail we sent (kept in the
outbox); a per-request reply address (office+m123.abcd1234@…, campaign.inbox.tags).
The sender must be the bureau's address or one registered for it (InboxSender).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import openpyxl
from sqlalchemy import func
from sqlmodel import Session, col, select

from campaign.inbox.parse import ParsedMail
from campaign.inbox.tags import outbox_ids_in
from campaign.replies.errors import UploadRejected
from campaign.replies.xlsx_parse import META_SHEET
from campaign.replies.xlsx_safety import ZIP_MAGIC, check_xlsx_bytes
from models.bureau import Bureau
from models.inbox import InboxSender
from models.outbox import OutboxMessage
from models.request import ReportRequest
from models.submission import ReportSubmission

_BY_SUBMISSION = re.compile(r"^(receipt|returned|ad_hoc_alert):(\d+)$")
_BY_REQUEST = re.compile(r"^inbox:(\d+):")


@dataclass
class Match:
    request: ReportRequest | None
    via: str  # "meta", "thread", "tag" or ""
    meta_request: ReportRequest | None = None
    thread_request: ReportRequest | None = None


def find_request(*, session: Session, mail: ParsedMail) -> Match:
    meta = _meta_request(session, mail)
    thread = _thread_request(session, mail.thread_ids)
    tagged = _outbox_request(session, outbox_ids_in(mail.recipients))
    if meta is not None:
        return Match(meta, "meta", meta, thread)
    if thread is not None:
        return Match(thread, "thread", None, thread)
    if tagged is not None:
        return Match(tagged, "tag", None, None)
    return Match(None, "")


def read_meta(data: bytes) -> dict[str, str]:
    """The _meta sheet of an .xlsx (empty when it has none or the file is not one)."""
    if not data.startswith(ZIP_MAGIC):
        return {}
    try:
        check_xlsx_bytes(data)
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (UploadRejected, Exception):  # noqa: BLE001 - unreadable: the parser says why later
        return {}
    try:
        if META_SHEET not in workbook.sheetnames:
            return {}
        rows = workbook[META_SHEET].iter_rows(min_row=1, max_row=50, max_col=2, values_only=True)
        return {
            str(r[0]).strip(): "" if len(r) < 2 or r[1] is None else str(r[1]).strip()
            for r in rows
            if r and r[0] is not None
        }
    finally:
        workbook.close()


def _meta_request(session: Session, mail: ParsedMail) -> ReportRequest | None:
    for table in mail.tables:
        meta = read_meta(table.data)
        request_id = meta.get("request_id", "")
        if not request_id.isdigit():
            continue
        request = session.get(ReportRequest, int(request_id))
        if (
            request is not None
            and meta.get("bureau_code", request.bureau_code) == request.bureau_code
            and meta.get("campaign_id", str(request.campaign_id)) == str(request.campaign_id)
        ):
            return request
    return None


def _thread_request(session: Session, ids: list[str]) -> ReportRequest | None:
    if not ids:
        return None
    rows = session.exec(select(OutboxMessage).where(col(OutboxMessage.message_id).in_(ids))).all()
    by_id = {r.message_id: r for r in rows}
    for message_id in ids:  # nearest first
        if message_id in by_id:
            request = request_of_message(session, by_id[message_id])
            if request is not None:
                return request
    return None


def _outbox_request(session: Session, ids: list[int]) -> ReportRequest | None:
    for outbox_id in ids:
        message = session.get(OutboxMessage, outbox_id)
        if message is not None:
            request = request_of_message(session, message)
            if request is not None:
                return request
    return None


def request_of_message(session: Session, message: OutboxMessage) -> ReportRequest | None:
    """The request a message we sent was about (request, reminder, receipt, rejection…)."""
    found = _BY_SUBMISSION.match(message.key)
    if found:
        submission = session.get(ReportSubmission, int(found[2]))
        return None if submission is None else session.get(ReportRequest, submission.request_id)
    found = _BY_REQUEST.match(message.key)
    if found:
        return session.get(ReportRequest, int(found[1]))
    requests = session.exec(
        select(ReportRequest).where(
            ReportRequest.campaign_id == message.campaign_id,
            ReportRequest.bureau_code == message.bureau_code,
        )
    ).all()
    for request in requests:  # request and reminder keys name duty and period
        if f"{request.duty_key}:{request.period_key}" in message.key:
            return request
    return None


def sender_allowed(*, session: Session, bureau: Bureau, address: str) -> bool:
    address = address.lower()
    if address == bureau.email.strip().lower():
        return True
    row = session.get(InboxSender, address)
    return row is not None and row.bureau_code == bureau.code


def bureau_of_sender(*, session: Session, address: str) -> Bureau | None:
    """The bureau a sender address belongs to, if the registry knows it."""
    address = address.lower()
    if not address:
        return None
    row = session.get(InboxSender, address)
    if row is not None:
        return session.get(Bureau, row.bureau_code)
    return session.exec(
        select(Bureau).where(func.lower(col(Bureau.email)) == address).limit(1)
    ).first()
