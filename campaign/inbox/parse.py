"""Read an incoming message as Chinese mail clients write it.

- Bodies in GB2312 / GBK / GB18030 (Foxmail, Outlook, webmail) are decoded as GB18030,
  the superset: a GB2312-labelled body with GBK-only characters still reads.
- Attachment names: RFC 2231 (filename*=GBK''%D6%D0…, continuations), RFC 2047 encoded
  words inside quoted parameters (Outlook, Foxmail: name="=?gb2312?B?…?="), and raw 8-bit
  GBK or UTF-8 bytes in the header.
- The body (text, else HTML made text) without the quoted history below it.

The stdlib's compat32 parser is used (lenient, fast); names and charsets are decoded
here. Nothing is raised for malformed mail: a part that cannot be read is skipped.
"""

from __future__ import annotations

import email
import email.header
import email.utils
import hashlib
import html
import re
from dataclasses import dataclass, field
from email.message import Message

GB_CHARSETS = {"gb2312", "gbk", "x-gbk", "cp936", "gb_2312-80", "euc-cn", "x-euc-cn", "gb18030"}
SPREADSHEET_EXTENSIONS = (".xlsx", ".xls", ".xlsm", ".et")
MAX_REFERENCES = 20


@dataclass(frozen=True)
class MailPart:
    filename: str
    content_type: str
    data: bytes

    @property
    def is_table(self) -> bool:
        """A spreadsheet (the statistical table or an attempt at it)."""
        name = self.filename.lower()
        return (
            name.endswith(SPREADSHEET_EXTENSIONS)
            or "spreadsheet" in self.content_type
            or self.content_type in ("application/vnd.ms-excel", "application/x-excel")
        )


@dataclass
class ParsedMail:
    message_id: str
    from_addr: str
    from_name: str
    subject: str
    in_reply_to: list[str]
    references: list[str]
    recipients: list[str]  # To, Cc, Delivered-To, X-Original-To (lower case)
    headers: Message
    body: str = ""
    attachments: list[MailPart] = field(default_factory=list)

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this mail answers, nearest first."""
        return list(dict.fromkeys([*self.in_reply_to, *reversed(self.references)]))

    @property
    def tables(self) -> list[MailPart]:
        return [a for a in self.attachments if a.is_table]

    @property
    def other_files(self) -> list[MailPart]:
        return [a for a in self.attachments if not a.is_table]


def parse_mail(raw: bytes, *, headers_only: bool = False) -> ParsedMail:
    message = email.message_from_bytes(raw)
    for part in message.walk():
        _decode_8bit_headers(part)
    name, address = email.utils.parseaddr(decode_header_text(message.get("From", "")))
    parsed = ParsedMail(
        message_id=message_id_or_digest(message, raw),
        from_addr=address.strip().lower(),
        from_name=name.strip()[:200],
        subject=decode_header_text(message.get("Subject", ""))[:500],
        in_reply_to=_ids(message.get_all("In-Reply-To") or []),
        references=_ids(message.get_all("References") or [])[-MAX_REFERENCES:],
        recipients=_recipients(message),
        headers=message,
    )
    if not headers_only:
        parsed.body = _body(message)
        parsed.attachments = list(_attachments(message))
    return parsed


def header(message: Message, name: str) -> str:
    """A header's raw value as text ("" when absent; 8-bit bytes kept as surrogates)."""
    value = message.get(name)
    return "" if value is None else str(value)


def message_id_or_digest(message: Message, raw: bytes) -> str:
    """The Message-ID, or one made of the bytes' SHA-256 when the mail has none."""
    ids = _ids([message.get("Message-ID", "") or ""])
    if ids and len(ids[0]) <= 250:
        return ids[0]
    return f"<{hashlib.sha256(raw).hexdigest()}@inbox.invalid>"


def decode_text(data: bytes, charset: str | None) -> str:
    charset = (charset or "utf-8").strip().strip('"').lower()
    if charset in GB_CHARSETS:
        charset = "gb18030"
    try:
        return data.decode(charset, "replace")
    except LookupError:
        pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", "replace")


def decode_header_text(value: object) -> str:
    """A header's text: encoded words decoded (GB charsets as GB18030), raw 8-bit bytes
    read as UTF-8 or else GB18030, line breaks and control characters removed."""
    if isinstance(value, email.header.Header):
        value = str(value)
    text = _raw_bytes_text(str(value or ""))
    if "=?" in text:
        try:
            pieces = email.header.decode_header(text)
        except (email.errors.HeaderParseError, ValueError):
            pieces = [(text, None)]
        text = "".join(
            decode_text(piece, charset) if isinstance(piece, bytes) else piece
            for piece, charset in pieces
        )
    return re.sub(r"[\x00-\x1f\x7f]+", " ", text).strip()


def _decode_8bit_headers(part: Message) -> None:
    """Headers with raw 8-bit bytes (GBK or UTF-8 names as old clients write them) as text,
    before the stdlib turns them into replacement characters."""
    raw = part._headers  # type: ignore[attr-defined]  # the stdlib keeps no public setter
    if any(isinstance(v, str) and _has_8bit(v) for _, v in raw):
        part._headers = [  # type: ignore[attr-defined]
            (k, _raw_bytes_text(v) if isinstance(v, str) else v) for k, v in raw
        ]


_SURROGATE = re.compile("[\udc80-\udcff]")  # an undecoded 8-bit byte (surrogateescape)


def _has_8bit(text: str) -> bool:
    return not text.isascii() and _SURROGATE.search(text) is not None


def _raw_bytes_text(text: str) -> str:
    """Header text with undecoded 8-bit bytes (kept as surrogates) decoded."""
    if not _has_8bit(text):
        return text
    data = text.encode("ascii", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", "replace")


def _ids(values: list[str]) -> list[str]:
    found: list[str] = []
    for value in values:
        found += re.findall(r"<[^<>\s]+>", str(value))
    return found


def _recipients(message: Message) -> list[str]:
    fields = [
        str(v)
        for name in ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")
        for v in message.get_all(name) or []
    ]
    return [a.lower() for _, a in email.utils.getaddresses(fields) if "@" in a]


def _filename(part: Message) -> str | None:
    for param, header in (("filename", "content-disposition"), ("name", "content-type")):
        value = part.get_param(param, header=header)
        if value is None:
            continue
        if isinstance(value, tuple):  # RFC 2231: (charset, language, percent-decoded text)
            charset = value[0] or "utf-8"
            data = value[2].encode("latin-1", "surrogateescape")
            text = decode_text(data, charset)
        else:
            text = str(value)
        text = decode_header_text(email.utils.unquote(text))
        if text:
            return text
    return None


def _attachments(message: Message) -> list[MailPart]:
    parts: list[MailPart] = []
    for part in message.walk():
        if part.is_multipart() or part.get_content_type() == "message/rfc822":
            continue
        name = _filename(part)
        disposition = header(part, "Content-Disposition").lower()
        if name is None and not disposition.startswith("attachment"):
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes) or not payload:
            continue
        parts.append(
            MailPart(
                filename=(name or "未命名附件")[:255],
                content_type=part.get_content_type()[:100],
                data=payload,
            )
        )
    return parts


def _body(message: Message) -> str:
    plain = html_text = None
    for part in message.walk():
        if part.is_multipart() or _filename(part) is not None:
            continue
        if header(part, "Content-Disposition").lower().startswith("attachment"):
            continue
        kind = part.get_content_type()
        if kind not in ("text/plain", "text/html"):
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        text = decode_text(payload, part.get_content_charset())
        if kind == "text/plain" and plain is None:
            plain = text
        elif kind == "text/html" and html_text is None:
            html_text = html_to_text(text)
    return strip_quoted(plain if plain is not None and plain.strip() else html_text or "")


_BLOCK = re.compile(r"<\s*(br|/p|/div|/tr|/li|/h\d)\b[^>]*>", re.IGNORECASE)
_HIDDEN = re.compile(r"<(style|script|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_QUOTE_BLOCK = re.compile(r"<blockquote\b.*", re.IGNORECASE | re.DOTALL)


def html_to_text(markup: str) -> str:
    markup = _HIDDEN.sub("", markup)
    markup = _QUOTE_BLOCK.sub("", markup)  # the quoted history, as most clients mark it
    markup = _BLOCK.sub("\n", markup)
    return html.unescape(re.sub(r"<[^>]+>", "", markup)).replace("\xa0", " ")


# Where the quoted history starts, as Foxmail, QQ Mail, Outlook, 163/126 and others write it.
_HISTORY = re.compile(
    r"^\s*("
    r"-{2,}\s*(原始邮件|Original Message|转发邮件|Forwarded message)\s*-{2,}"
    r"|(发件人|From)\s*[:：].*"
    r"|在\s*.{4,80}写道\s*[:：]\s*"
    r"|On\s.{4,120}\swrote:\s*"
    r"|_{10,}\s*"
    r")$",
    re.IGNORECASE,
)


def strip_quoted(text: str) -> str:
    """The text above the quoted history; quoted lines ("> …") and a signature dropped."""
    lines: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if _HISTORY.match(line) or line.rstrip() == "--":
            break
        if line.lstrip().startswith(">"):
            continue
        lines.append(line.rstrip())
    return "\n".join(lines).strip()
