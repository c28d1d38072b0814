"""What kind of mail this is before anything else: a bounce, an auto-reply, our own mail.

None of these is ever answered (RFC 3834): answering an out-of-office notice or a bounce
is how mail loops start. Bounces are held for a coordinator (the bureau's address may be
wrong); auto-replies and our own mail are recorded and set aside.
"""

from __future__ import annotations

import re

from campaign.inbox.parse import ParsedMail, header
from models.inbox import InboxKind

_AUTO_SUBJECT = re.compile(
    r"^\s*(自动回复|自动答复|自动应答|休假|外出|不在办公室|"
    r"auto(matic)?[ -]?(reply|response|antwort)|out of (the )?office|abwesenheit)",
    re.IGNORECASE,
)
_BOUNCE_SENDERS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon)@", re.IGNORECASE)
_BOUNCE_SUBJECT = re.compile(
    r"(undeliver|delivery status notification|mail delivery (failed|failure)|"
    r"returned mail|退信|投递失败|未送达|无法投递|系统退信)",
    re.IGNORECASE,
)


def classify(mail: ParsedMail, *, own_addresses: set[str]) -> InboxKind:
    h = mail.headers
    if header(h, "X-Campaign-Key") or mail.from_addr in own_addresses:
        return InboxKind.own
    content_type = header(h, "Content-Type").lower()
    if (
        "multipart/report" in content_type
        or _BOUNCE_SENDERS.match(mail.from_addr)
        or (not mail.from_addr and _BOUNCE_SUBJECT.search(mail.subject))
        or (header(h, "Return-Path").strip() == "<>" and _BOUNCE_SUBJECT.search(mail.subject))
    ):
        return InboxKind.bounce
    auto_submitted = (header(h, "Auto-Submitted") or "no").strip().lower()
    precedence = header(h, "Precedence").strip().lower()
    if (
        auto_submitted != "no"
        or header(h, "X-Autoreply")
        or header(h, "X-Autorespond")
        or header(h, "X-Auto-Response-Suppress").lower() in ("all", "oof")
        and _AUTO_SUBJECT.search(mail.subject)
        or precedence in ("auto_reply", "bulk", "junk", "list")
        or _AUTO_SUBJECT.search(mail.subject)
    ):
        return InboxKind.auto_reply
    return InboxKind.reply


def bounced_message_ids(mail: ParsedMail) -> list[str]:
    """Message-IDs of our mail a bounce returns (from its attached headers, if any)."""
    found: list[str] = []
    for part in mail.headers.walk():
        if part.get_content_type() in ("message/rfc822", "text/rfc822-headers"):
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else payload
            text = inner.as_string() if hasattr(inner, "as_string") else str(inner)
            found += re.findall(r"(?im)^Message-ID:\s*(<[^>\s]+>)", text)
    return found


_AUTH_FAIL = re.compile(r"\b(dmarc|spf|dkim)\s*=\s*(fail|softfail|permerror)\b", re.IGNORECASE)


def failed_authentication(mail: ParsedMail) -> str | None:
    """What the receiving mail server found wrong with the sender (SPF, DKIM, DMARC), from
    its Authentication-Results / Received-SPF headers; None when nothing failed."""
    found = []
    for value in mail.headers.get_all("Authentication-Results") or []:
        found += [f"{m[1].upper()}={m[2].lower()}" for m in _AUTH_FAIL.finditer(str(value))]
    for value in mail.headers.get_all("Received-SPF") or []:
        verdict = str(value).strip().split(None, 1)[0].lower() if str(value).strip() else ""
        if verdict in ("fail", "softfail"):
            found.append(f"SPF={verdict}")
    return "、".join(dict.fromkeys(found)) or None
