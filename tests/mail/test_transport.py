"""The SMTP connection hands the server the message bytes unchanged, however its lines begin."""

from __future__ import annotations

from campaign.mail.server import MaildirHandler
from campaign.mail.transport import SmtpTransport


def test_lines_starting_with_a_period_arrive_as_written(mailserver: MaildirHandler) -> None:
    body = b".leading\r\n..two\r\nmiddle .\r\n.\r\n.\r\nlast line without an end"
    data = b"Message-ID: <dots@example.org>\r\nSubject: dots\r\n\r\n" + body
    with SmtpTransport() as transport:
        transport.open()
        assert transport.send(sender="a@example.org", recipients=["b@example.org"], data=data) == {}
    (key,) = list(mailserver.box.iterkeys())
    with mailserver.box.get_file(key) as f:
        kept = f.read()
    assert kept.endswith(data + b"\r\n")
