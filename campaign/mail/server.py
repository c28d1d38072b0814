"""The demo mail server: a real SMTP server (aiosmtpd) on loopback that keeps every message
it accepts in a Maildir a person can open (mutt -f DIR, Thunderbird, Evolution).

Like a careful receiving system it drops a second copy of a Message-ID it already holds
(answering 250 all the same), so a message resent after a sender crash shows up once.
`received` counts every DATA transaction, duplicates included, for tests and the demo.

`campaign mailserver` runs it in the foreground; `running_mailserver()` in a thread.

In the demo, which fast-forwards a campaign, `simulated_now` holds the campaign's moment:
each message then gets an X-Campaign-Date header with it and its Date is set to it (the
real one kept as X-Original-Date), so a mail client lists the campaign in its own order.
"""

from __future__ import annotations

import mailbox
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

_MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(<[^>\r\n]+>)", re.IGNORECASE | re.MULTILINE)
_DATE = re.compile(rb"^Date:", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Envelope:
    mail_from: str
    recipients: tuple[str, ...]
    message_id: str | None
    stored: bool


def message_id_of(data: bytes) -> str | None:
    """The Message-ID header of raw message bytes (headers only are searched)."""
    head = data.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    match = _MESSAGE_ID.search(head)
    return match[1].decode("ascii", "replace") if match else None


class MaildirHandler:
    """aiosmtpd handler: store each new message in the Maildir, skip repeated Message-IDs.

    Lean per message: the file is written to tmp/ and renamed into new/ (the Maildir way)
    without the fsync of mailbox.Maildir.add, which took ~3 ms a message on the event loop
    (every connection waited for it): a demo server keeps what it got across a crash of the
    sender, not across one of the machine. The clock file is read again only when changed.
    """

    def __init__(self, maildir: Path, clock_file: Path | None = None) -> None:
        self.path = Path(maildir)
        self.clock_file = clock_file  # the simulated moment, written by a demo in another process
        self.path.parent.mkdir(parents=True, exist_ok=True)  # a fresh data dir
        self.box = mailbox.Maildir(self.path, create=True)
        self.lock = threading.Lock()
        self.received: list[Envelope] = []
        self.seen: set[str] = set()
        self.simulated_now: datetime | None = None
        self._clock: tuple[tuple[int, int], bytes | None] | None = None  # (mtime, size), date
        self._host = socket.gethostname().replace("/", r"\057").replace(":", r"\072")
        self._count = 0
        for key in self.box.iterkeys():
            with self.box.get_file(key) as f:
                mid = message_id_of(f.read(16384))
            if mid:
                self.seen.add(mid)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        data: bytes = envelope.original_content or envelope.content
        mid = message_id_of(data)
        recipients = tuple(envelope.rcpt_tos)
        with self.lock:
            fresh = mid is None or mid not in self.seen
            if fresh:
                delivered = b"X-Original-To: " + ", ".join(recipients).encode() + b"\r\n"
                self._store(delivered + self._dated(data))
                if mid:
                    self.seen.add(mid)
            self.received.append(Envelope(envelope.mail_from, recipients, mid, fresh))
        return "250 Message accepted for delivery"

    def _store(self, data: bytes) -> None:
        """Write tmp/NAME, rename it to new/NAME (names as mailbox.Maildir makes them)."""
        now = time.time()
        self._count += 1
        name = f"{int(now)}.M{int(now % 1 * 1e6)}P{os.getpid()}Q{self._count}.{self._host}"
        tmp = self.path / "tmp" / name
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, self.path / "new" / name)

    def _dated(self, data: bytes) -> bytes:
        """The message with the simulated date (demo), or as it came."""
        when = (
            format_datetime(self.simulated_now).encode()
            if self.simulated_now is not None
            else self._clock_from_file()
        )
        if when is None:
            return data
        head, sep, body = data.partition(b"\r\n\r\n")
        if not sep:
            head, sep, body = data.partition(b"\n\n")
        head = _DATE.sub(b"X-Original-Date:", head, count=1)
        return b"Date: " + when + b"\r\nX-Campaign-Date: " + when + b"\r\n" + head + sep + body

    def _clock_from_file(self) -> bytes | None:
        """The date the clock file holds, formatted; read again only when the file changed."""
        if self.clock_file is None:
            return None
        try:
            stat = self.clock_file.stat()
        except OSError:
            return None
        version = (stat.st_mtime_ns, stat.st_size)
        if self._clock is None or self._clock[0] != version:
            try:
                moment = datetime.fromisoformat(self.clock_file.read_text().strip())
                self._clock = (version, format_datetime(moment).encode())
            except (OSError, ValueError):
                self._clock = (version, None)
        return self._clock[1]

    def stored_messages(self) -> list[mailbox.MaildirMessage]:
        return [self.box.get_message(key) for key in sorted(self.box.iterkeys())]


@contextmanager
def running_mailserver(
    *,
    host: str = "127.0.0.1",
    port: int = 8025,
    maildir: Path,
    handler: MaildirHandler | None = None,
) -> Iterator[MaildirHandler]:
    """An SMTP server on host:port in a background thread for the duration of the block."""
    handler = handler or MaildirHandler(maildir)
    controller = Controller(handler, hostname=host, port=port, ready_timeout=10)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


def serve_forever(*, host: str, port: int, maildir: Path, clock_file: Path | None = None) -> None:
    """Run until interrupted (Ctrl-C). With clock_file, messages are dated with the moment
    it holds (a demo's simulated time, see MaildirHandler)."""
    stop = threading.Event()
    handler = MaildirHandler(maildir, clock_file)
    with running_mailserver(host=host, port=port, maildir=maildir, handler=handler):
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
