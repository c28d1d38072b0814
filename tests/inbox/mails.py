"""Replies as bureaus' mail clients write them (not a test module).

`reply(...)` builds the raw bytes of a reply to one of our messages: the body in UTF-8,
GB2312, GBK or GB18030; attachment names RFC 2231 (Foxmail: filename*=GBK''…), RFC 2047
in a quoted parameter (Outlook: name="=?gb2312?B?…?="), or raw 8-bit GBK bytes.
`filled_table(...)` is the request mail's own .xlsx with the figures typed in.
"""

from __future__ import annotations

import base64
import io
import uuid
from datetime import UTC, datetime
from email.header import Header
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote

import openpyxl

CODECS = {"gb2312": "gbk"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filled_table(template: bytes, entries: dict[str, Any], narrative: str | None = "") -> bytes:
    """The request's table with the figures in the 填报数值 column (found by 指标代码)."""
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    for row in sheet.iter_rows(min_row=7):
        key = row[4].value
        if key in entries:
            row[3].value = entries[key]
        elif key == "__narrative__" and narrative is not None:
            row[3].value = narrative or None
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _encode_name(name: str, style: str, charset: str) -> bytes:
    if style == "rfc2231":  # Foxmail, Thunderbird: filename*=charset''percent-encoded
        encoded = quote(name.encode(charset), safe="")
        return f"attachment; filename*={charset}''{encoded}".encode()
    if style == "rfc2231-continued":
        encoded = quote(name.encode(charset), safe="")
        half = len(encoded) // 2
        if encoded[half - 1] == "%" or encoded[half - 2] == "%":
            half -= 2
        return (
            f"attachment;\r\n filename*0*={charset}''{encoded[:half]};\r\n"
            f" filename*1*={encoded[half:]}"
        ).encode()
    if style == "rfc2047":  # Outlook, Foxmail: an encoded word inside the quotes
        word = Header(name, charset).encode()
        return f'attachment; filename="{word}"'.encode()
    if style == "raw":  # old clients: the name's bytes as they are
        return b'attachment; filename="' + name.encode(charset) + b'"'
    raise ValueError(style)


def reply(
    *,
    sender: str,
    to: str = "zxzz-office@hbqts.example.org",
    subject: str = "回复：湖北省质监局关于报送工作进展情况的通知",
    body: str = "已填报，请查收。",
    charset: str = "utf-8",
    in_reply_to: str | None = None,
    attachments: list[tuple[str, bytes]] = (),  # type: ignore[assignment]
    name_style: str = "rfc2231",
    headers: dict[str, str] | None = None,
    message_id: str | None = None,
    html: bool = False,
) -> bytes:
    boundary = "----=_Part_" + uuid.uuid4().hex
    message_id = message_id or f"<{uuid.uuid4().hex}@bureaus.example.org>"
    lines = [
        f"From: {Header('信息报送员', charset).encode()} <{sender}>".encode(),
        f"To: <{to}>".encode(),
        b"Subject: " + Header(subject, charset).encode().encode(),
        f"Date: {format_datetime(datetime.now(UTC))}".encode(),
        f"Message-ID: {message_id}".encode(),
        b"MIME-Version: 1.0",
        b"X-Mailer: Foxmail 7.2.25.254[cn]",
    ]
    if in_reply_to:
        lines += [f"In-Reply-To: {in_reply_to}".encode(), f"References: {in_reply_to}".encode()]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}".encode())
    lines.append(f'Content-Type: multipart/mixed; boundary="{boundary}"'.encode())
    kind = "html" if html else "plain"
    text = body.replace("\n", "<br>\n") if html else body
    parts = [
        f"--{boundary}".encode(),
        f'Content-Type: text/{kind}; charset="{charset}"'.encode(),
        b"Content-Transfer-Encoding: base64",
        b"",
        # Clients label GBK text "gb2312" (their GB2312 is Windows' code page 936).
        base64.encodebytes(text.encode(CODECS.get(charset, charset))).replace(b"\n", b"\r\n"),
    ]
    for name, data in attachments:
        name_charset = charset if charset != "utf-8" else "utf-8"
        word = Header(name, name_charset).encode()
        content_type = XLSX_TYPE if name.endswith(".xlsx") else "application/octet-stream"
        parts += [
            f"--{boundary}".encode(),
            f'Content-Type: {content_type}; name="{word}"'.encode(),
            b"Content-Transfer-Encoding: base64",
            b"Content-Disposition: " + _encode_name(name, name_style, name_charset),
            b"",
            base64.encodebytes(data).replace(b"\n", b"\r\n"),
        ]
    parts.append(f"--{boundary}--".encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + b"\r\n".join(parts) + b"\r\n"


def bounce(*, original: bytes, recipient: str) -> bytes:
    """A delivery status notification from MAILER-DAEMON returning `original`."""
    boundary = "bounce-" + uuid.uuid4().hex
    head = original.split(b"\r\n\r\n", 1)[0]
    return b"\r\n".join(
        [
            b"From: Mail Delivery System <MAILER-DAEMON@bureaus.example.org>",
            b"To: zxzz-office@hbqts.example.org",
            b"Subject: Undelivered Mail Returned to Sender",
            f"Message-ID: <{uuid.uuid4().hex}@bureaus.example.org>".encode(),
            b"Auto-Submitted: auto-replied",
            b"MIME-Version: 1.0",
            b"Content-Type: multipart/report; report-type=delivery-status;",
            f' boundary="{boundary}"'.encode(),
            b"",
            f"--{boundary}".encode(),
            b"Content-Type: text/plain; charset=us-ascii",
            b"",
            f"<{recipient}>: host mx.bureaus.example.org said: 550 5.1.1 User unknown".encode(),
            f"--{boundary}".encode(),
            b"Content-Type: message/delivery-status",
            b"",
            f"Final-Recipient: rfc822; {recipient}".encode(),
            b"Action: failed",
            b"Status: 5.1.1",
            f"--{boundary}".encode(),
            b"Content-Type: text/rfc822-headers",
            b"",
            head,
            f"--{boundary}--".encode(),
            b"",
        ]
    )
