"""The demo server keeps mail in a Maildir and keeps one copy per Message-ID, across restarts."""

from __future__ import annotations

import mailbox
import smtplib
from pathlib import Path

from campaign.mail.server import message_id_of, running_mailserver
from tests.support.ports import free_port


def raw(message_id: str, subject: str = "test") -> bytes:
    return (
        f"From: a@b.org\r\nTo: c@d.org\r\nSubject: {subject}\r\nMessage-ID: {message_id}\r\n"
        "\r\nbody\r\n"
    ).encode()


def test_maildir_and_duplicates(tmp_path: Path) -> None:
    folder = tmp_path / "maildir"
    port = free_port()
    with running_mailserver(port=port, maildir=folder) as handler:
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.sendmail("a@b.org", ["c@d.org"], raw("<1@b.org>"))
            smtp.sendmail("a@b.org", ["c@d.org"], raw("<1@b.org>", "again"))
            smtp.sendmail("a@b.org", ["c@d.org", "e@f.org"], raw("<2@b.org>"))
        assert [e.stored for e in handler.received] == [True, False, True]
    box = mailbox.Maildir(folder, create=False)
    assert len(box) == 2
    subjects = sorted(m["Subject"] for m in box)
    assert subjects == ["test", "test"]
    assert any(m["X-Original-To"] == "c@d.org, e@f.org" for m in box)
    with running_mailserver(port=free_port(), maildir=folder) as restarted:
        assert restarted.seen == {"<1@b.org>", "<2@b.org>"}


def test_message_id_is_read_from_the_headers_only() -> None:
    assert message_id_of(b"Subject: x\r\nMessage-Id: <a@b>\r\n\r\nMessage-ID: <c@d>\r\n") == "<a@b>"
    assert message_id_of(b"Subject: x\r\n\r\nMessage-ID: <c@d>\r\n") is None


def test_messages_carry_the_moment_of_the_clock_file_as_it_changes(tmp_path: Path) -> None:
    import os

    from campaign.mail.server import MaildirHandler

    clock = tmp_path / "simulated-now.txt"
    clock.write_text("2007-08-28T08:30:00+08:00")
    handler = MaildirHandler(tmp_path / "maildir", clock)
    port = free_port()
    with running_mailserver(port=port, maildir=tmp_path / "maildir", handler=handler):
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.sendmail("a@b.org", ["c@d.org"], raw("<1@b.org>", "first"))
            smtp.sendmail("a@b.org", ["c@d.org"], raw("<2@b.org>", "second"))
            clock.write_text("2007-09-04T08:30:00+08:00")  # the next tick
            later = clock.stat().st_mtime + 1  # a distinct mtime, however coarse the clock
            os.utime(clock, (later, later))
            smtp.sendmail("a@b.org", ["c@d.org"], raw("<3@b.org>", "third"))
    dates = {m["Subject"]: m["X-Campaign-Date"] for m in mailbox.Maildir(tmp_path / "maildir")}
    assert dates == {
        "first": "Tue, 28 Aug 2007 08:30:00 +0800",
        "second": "Tue, 28 Aug 2007 08:30:00 +0800",
        "third": "Tue, 04 Sep 2007 08:30:00 +0800",
    }
