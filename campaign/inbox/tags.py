"""Per-message reply addresses: office+m{outbox id}.{signature}@domain.

With CAMPAIGN_INBOX_REPLY_TAGS on, request mail and reminders carry such a Reply-To, so a
reply names the mail it answers even when the bureau's client drops In-Reply-To and the
table lost its _meta sheet. The signature (HMAC of the secret key) keeps others from
making up tags. The mail server must deliver local+anything@domain to the mailbox.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

from campaign.settings import get_settings

TAGGED_NOTICES = frozenset({"request", "reminder", "rejection"})
_TAG = re.compile(r"^[^@+]+\+m(\d{1,12})\.([0-9a-f]{10})@", re.IGNORECASE)


def _signature(outbox_id: int) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"reply:m{outbox_id}".encode(), hashlib.sha256).hexdigest()[:10]


def reply_address(outbox_id: int) -> str:
    local, _, domain = get_settings().mail_from.partition("@")
    return f"{local}+m{outbox_id}.{_signature(outbox_id)}@{domain}"


def outbox_ids_in(addresses: list[str]) -> list[int]:
    """Ids of the outbox messages whose reply addresses are among addresses."""
    found = []
    for address in addresses:
        match = _TAG.match(address)
        if match and hmac.compare_digest(match[2].lower(), _signature(int(match[1]))):
            found.append(int(match[1]))
    return found


def reply_to_headers(message: Any) -> list[tuple[str, str]]:
    """[("Reply-To", …)] for an outbox message that should carry its own reply address."""
    if not get_settings().inbox_reply_tags or message.notice not in TAGGED_NOTICES:
        return []
    return [("Reply-To", reply_address(int(message.id)))]
