"""The office's mailbox over IMAP (imapclient): select, list, fetch, flag and move, IDLE.

Folder names are Chinese (已处理, 待人工处理); imapclient encodes them in IMAP's modified
UTF-7. MOVE is used when the server has it (RFC 6851), else COPY + \\Deleted + EXPUNGE.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from campaign.settings import Settings, get_settings

FETCH_CHUNK = 100


class InboxUnavailable(Exception):
    """The mailbox cannot be reached or logged in to; .reason says why (English, for logs)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


IMAP_ERRORS = (IMAPClientError, OSError, socket.timeout, ssl.SSLError)


class Mailbox:
    def __init__(self, *, settings: Settings | None = None, timeout: float = 60.0) -> None:
        self.settings = settings or get_settings()
        self.timeout = timeout
        self.client: IMAPClient | None = None

    @property
    def where(self) -> str:
        return f"{self.settings.imap_host}:{self.settings.imap_port}"

    def open(self) -> Mailbox:
        s = self.settings
        if not s.imap_host:
            raise InboxUnavailable("CAMPAIGN_IMAP_HOST is not set")
        if not s.imap_user or s.imap_password is None:
            raise InboxUnavailable("CAMPAIGN_IMAP_USER and CAMPAIGN_IMAP_PASSWORD must be set")
        try:
            client = IMAPClient(
                s.imap_host, port=s.imap_port, ssl=s.imap_security == "ssl", timeout=self.timeout
            )
            if s.imap_security == "starttls":
                client.starttls()
            client.login(s.imap_user, s.imap_password)
        except IMAP_ERRORS as exc:
            raise InboxUnavailable(f"cannot log in to the IMAP server {self.where}: {exc}") from exc
        self.client = client
        return self

    def __enter__(self) -> Mailbox:
        return self.open() if self.client is None else self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.logout()
            except IMAP_ERRORS:
                pass
            self.client = None

    @property
    def imap(self) -> IMAPClient:
        assert self.client is not None, "the mailbox is not open"
        return self.client

    def ensure_folder(self, name: str) -> None:
        if not self.imap.folder_exists(name):
            try:
                self.imap.create_folder(name)
            except IMAPClientError:
                if not self.imap.folder_exists(name):  # created meanwhile by another run
                    raise

    def select(self, folder: str) -> int:
        """Select the folder read-write; its UIDVALIDITY."""
        info = self.imap.select_folder(folder)
        return int(info[b"UIDVALIDITY"])

    def uids(self) -> list[int]:
        return sorted(int(u) for u in self.imap.search(["UNDELETED"]))

    def sizes(self, uids: list[int]) -> dict[int, tuple[int, datetime | None]]:
        """Each uid's size and INTERNALDATE (when the server received it)."""
        found: dict[int, tuple[int, datetime | None]] = {}
        self.imap.normalise_times = False  # keep the server's offset: aware datetimes
        for chunk in _chunks(uids, 1000):
            for uid, data in self.imap.fetch(chunk, ["RFC822.SIZE", "INTERNALDATE"]).items():
                arrived = data.get(b"INTERNALDATE")
                found[int(uid)] = (
                    int(data[b"RFC822.SIZE"]),
                    arrived if isinstance(arrived, datetime) else None,
                )
        return found

    def bodies(self, uids: list[int]) -> Iterator[tuple[int, bytes]]:
        """(uid, message bytes) of each uid still there, fetched in chunks, \\Seen untouched."""
        for chunk in _chunks(uids, FETCH_CHUNK):
            fetched = self.imap.fetch(chunk, ["BODY.PEEK[]"])
            for uid in chunk:
                data = fetched.get(uid)
                if data is not None and b"BODY[]" in data:
                    yield uid, bytes(data[b"BODY[]"])

    def headers(self, uids: list[int]) -> dict[int, bytes]:
        found: dict[int, bytes] = {}
        for chunk in _chunks(uids, FETCH_CHUNK):
            for uid, data in self.imap.fetch(chunk, ["BODY.PEEK[HEADER]"]).items():
                found[int(uid)] = bytes(data.get(b"BODY[HEADER]", b""))
        return found

    def message_ids(self, uids: list[int]) -> dict[int, bytes]:
        """The Message-ID header lines of uids (for the held folder's sweep)."""
        found: dict[int, bytes] = {}
        for chunk in _chunks(uids, 500):
            items = self.imap.fetch(chunk, ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
            for uid, data in items.items():
                value = next((v for k, v in data.items() if k.startswith(b"BODY[HEADER")), b"")
                found[int(uid)] = bytes(value or b"")
        return found

    def move(self, uids: list[int], folder: str, *, flags: tuple[bytes, ...] = ()) -> None:
        """Flag uids (e.g. \\Seen, \\Answered) and move them to folder."""
        if not uids:
            return
        for chunk in _chunks(sorted(uids), 500):
            if flags:
                self.imap.add_flags(chunk, list(flags), silent=True)
            if self.imap.has_capability("MOVE"):
                self.imap.move(chunk, folder)
            else:
                self.imap.copy(chunk, folder)
                self.imap.delete_messages(chunk, silent=True)
                if self.imap.has_capability("UIDPLUS"):
                    self.imap.uid_expunge(chunk)
                else:
                    self.imap.expunge()

    def idle(self, seconds: float) -> list[Any]:
        """Wait up to `seconds` for the server to report a change; what it reported."""
        self.imap.idle()
        try:
            return list(self.imap.idle_check(timeout=seconds))
        finally:
            self.imap.idle_done()


def _chunks(items: Iterable[int], size: int) -> Iterator[list[int]]:
    batch: list[int] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
