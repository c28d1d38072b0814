"""Which request a reply answers, and whether its sender may answer for that bureau.

In order: the hidden `_meta` sheet of the attached .xlsx (request and bureau); the reply's
In-Reply-To / References against the Message-IDs of the mail we sent (kept in the
outbox); a per-request reply address (office+m123.abcd1234@…, campaign.inbox.tags).
The sender must be the bureau's address or one registered for it (InboxSender).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree as ET

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
from models.request import ReportRequest, RequestKind
from models.submission import ReportSubmission

_BY_SUBMISSION = re.compile(r"^(receipt|returned|ad_hoc_alert):(\d+)$")
_BY_REQUEST = re.compile(r"^inbox:(\d+):")


@dataclass
class Match:
    request: ReportRequest | None
    via: str  # "meta", "thread", "tag" or ""


def find_request(*, session: Session, mail: ParsedMail) -> Match:
    meta = _meta_request(session, mail)
    if meta is not None:
        return Match(meta, "meta")
    thread = _thread_request(session, mail.thread_ids)
    if thread is not None:
        return Match(thread, "thread")
    tagged = _outbox_request(session, outbox_ids_in(mail.recipients))
    if tagged is not None:
        return Match(tagged, "tag")
    return Match(None, "")


def read_meta(data: bytes) -> dict[str, str]:
    """The _meta sheet of an .xlsx (empty when it has none or the file is not one).

    Read from the zip's XML directly (workbook, its relationships, shared strings, the
    one sheet): a few milliseconds, where opening the workbook with openpyxl costs tens.
    The table itself is read by the same parser as the web upload, later."""
    if not data.startswith(ZIP_MAGIC):
        return {}
    try:
        check_xlsx_bytes(data)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _meta_of(archive)
    except (UploadRejected, zipfile.BadZipFile, KeyError, ValueError, ET.ParseError):
        return {}


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _meta_of(archive: zipfile.ZipFile) -> dict[str, str]:
    workbook = ET.fromstring(archive.read("xl/workbook.xml"))
    sheet = next((s for s in workbook.iter(f"{_MAIN}sheet") if s.get("name") == META_SHEET), None)
    if sheet is None:
        return {}
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next(
        r.get("Target", "")
        for r in rels.iter(f"{_PKG}Relationship")
        if r.get("Id") == sheet.get(f"{_REL}id")
    )
    path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    shared: list[str] = []
    if "xl/sharedStrings.xml" in archive.namelist():
        strings = ET.fromstring(archive.read("xl/sharedStrings.xml"))
        shared = ["".join(t.text or "" for t in si.iter(f"{_MAIN}t")) for si in strings]
    meta: dict[str, str] = {}
    for row in list(ET.fromstring(archive.read(path)).iter(f"{_MAIN}row"))[:50]:
        cells = {c.get("r", "").rstrip("0123456789"): _cell_text(c, shared) for c in row}
        if cells.get("A"):
            meta[cells["A"]] = cells.get("B", "")
    return meta


def _cell_text(cell: ET.Element, shared: list[str]) -> str:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{_MAIN}t")).strip()
    value = cell.findtext(f"{_MAIN}v") or ""
    if kind == "s":
        return shared[int(value)].strip() if value.isdigit() and int(value) < len(shared) else ""
    if kind == "n" and value.endswith(".0"):
        value = value[:-2]
    return value.strip()


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
    if message.notice == "directive":  # directive:{window}: its 签收 request, if any
        window = message.key.split(":", 1)[-1]
        return next(
            (
                r
                for r in requests
                if r.kind == RequestKind.acknowledgement and r.period_key == window
            ),
            None,
        )
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
