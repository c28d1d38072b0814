"""Demo bureaus that answer by e-mail: they reply to the request mail with its .xlsx filled
in, as Foxmail writes it (GB18030 body, RFC 2231 file name), into a real Dovecot; the
tick reads the mailbox and answers each reply with a threaded receipt.

Without Dovecot installed the demo says so and every bureau answers through the form.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import openpyxl
from imapclient import IMAPClient
from sqlmodel import Session, col, select

from campaign.inbox.dovecot import Dovecot, dovecot_installed, running_dovecot
from campaign.mail.outbox import load_blobs
from models.outbox import OutboxMessage
from models.reply import AttachmentIn
from models.request import ReportRequest

MAIL_BUREAUS = (2, 7, 12)  # indexes of the simulated bureaus that answer by e-mail
NO_DOVECOT = (
    "Dovecot (dovecot-imapd) is not installed: every simulated bureau answers through the "
    "web form. Install it (scripts/setup.sh --system) to see answers by e-mail."
)


@contextmanager
def mailbox(data_dir: Path) -> Iterator[Dovecot | None]:
    """A private Dovecot for the demo's office mailbox, or None when it is not installed."""
    if not dovecot_installed():
        yield None
        return
    with running_dovecot(data_dir / "imap") as server:
        yield server


def request_mail(session: Session, request: ReportRequest) -> OutboxMessage | None:
    """The request mail the bureau received for `request` (the one it replies to)."""
    key = f"{request.kind}:{request.duty_key}:{request.period_key}"
    return session.exec(
        select(OutboxMessage).where(
            col(OutboxMessage.campaign_id) == request.campaign_id,
            col(OutboxMessage.bureau_code) == request.bureau_code,
            col(OutboxMessage.key) == key,
        )
    ).first()


def send_reply(
    *,
    session: Session,
    server: Dovecot,
    request: ReportRequest,
    sender: str,
    office: str,
    values: dict[str, str],
    narrative: str,
    when: datetime,
    files: Sequence[AttachmentIn] = (),
) -> bool:
    """Put the bureau's reply with its filled-in table into the office mailbox, as
    received at `when`; False when there is no request mail with a table to answer."""
    original = request_mail(session, request)
    if original is None or not original.attachments:
        return False
    attachment = original.attachments[0]
    template = load_blobs(session=session, shas=[attachment["sha256"]])[attachment["sha256"]]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = office
    message["Subject"] = f"回复：{original.subject}"
    message["Date"] = format_datetime(when)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    message["In-Reply-To"] = original.message_id
    message["References"] = original.message_id
    message["X-Mailer"] = "Foxmail 7.2.25.254[cn]"
    message.set_content(narrative, charset="gb18030")  # the narrative: the mail's body
    message.add_attachment(
        _filled(template, values, narrative=""),
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename=("gb18030", "", attachment["filename"]),
    )
    for file in files:  # the evidence the form requires (佐证材料)
        maintype, _, subtype = file.content_type.partition("/")
        message.add_attachment(
            file.data,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=("gb18030", "", file.filename),
        )
    client = IMAPClient(server.host, port=server.port, ssl=False, timeout=30)
    try:
        client.login(server.user, server.password)
        client.append("INBOX", message.as_bytes(), msg_time=when)
    finally:
        client.logout()
    return True


def _filled(template: bytes, values: dict[str, str], narrative: str) -> bytes:
    """The table with the figures typed into the 填报数值 column, as a person would."""
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    for row in sheet.iter_rows(min_row=7):
        key = row[4].value
        if key in values:
            text = values[key]
            try:
                row[3].value = float(text) if "." in text else int(text)
            except ValueError:
                row[3].value = text
        elif key == "__narrative__" and narrative:
            row[3].value = narrative
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
