"""The sender: server down then up, crashes, refusals, retries, throttling, bad rows."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from campaign.mail.errors import SmtpUnavailable
from campaign.mail.notices import queue_notice, queue_request
from campaign.mail.outbox import find_message
from campaign.mail.sender import send_pending
from campaign.mail.server import running_mailserver
from campaign.mail.transport import SmtpTransport
from models._common import utcnow
from models.audit import AuditEvent
from models.bureau import Bureau
from models.outbox import MailState, OutboxMessage
from tests.conftest import RefusingHandler
from tests.mail.conftest import stored


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the English wording (CAMPAIGN_LANGUAGE=en); people see Chinese by
    default (tests/cli/test_language.py)."""
    monkeypatch.setenv("CAMPAIGN_LANGUAGE", "en")


def queue_requests(session, campaign, plan, bureaus, make_request) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    rows = []
    for bureau in bureaus:
        request = make_request(bureau)
        rows.append(
            queue_request(
                session=session,
                campaign=campaign,
                plan=plan,
                request=request,
                bureau=bureau,
                link_url=f"http://127.0.0.1:8000/r/token-{bureau.code}",
            )
        )
    session.commit()
    return rows


def states(session: Session) -> dict[str, MailState]:
    session.expire_all()
    return {m.bureau_code: m.state for m in session.exec(select(OutboxMessage)).all()}


def test_server_down_then_up_delivers_every_message_exactly_once(
    session: Session, db_url, campaign, cities, hubei_plan, make_request, smtp_port, tmp_path
) -> None:
    queue_requests(session, campaign, hubei_plan, cities[:6], make_request)
    with pytest.raises(SmtpUnavailable) as caught:
        send_pending(url=db_url)
    assert "cannot connect" in caught.value.reason
    assert set(states(session).values()) == {MailState.pending}
    assert {m.attempts for m in session.exec(select(OutboxMessage)).all()} == {0}

    handler = RefusingHandler(tmp_path / "maildir")
    with running_mailserver(port=smtp_port, maildir=tmp_path / "maildir", handler=handler):
        assert send_pending(url=db_url).sent == 6
        assert send_pending(url=db_url).sent == 0
    assert len(handler.received) == 6 == len(stored(handler))
    assert sorted(e.recipients[0] for e in handler.received) == sorted(b.email for b in cities[:6])
    assert set(states(session).values()) == {MailState.sent}


class _Crash(BaseException):
    """Stands for the process dying (kill -9) right after the server accepted a message."""


class CrashAfterSecond(SmtpTransport):
    def __init__(self, after: int = 2) -> None:
        super().__init__()
        self.count, self.after = 0, after

    def send(self, **kwargs):  # type: ignore[no-untyped-def]
        refused = super().send(**kwargs)
        self.count += 1
        if self.count == self.after:
            raise _Crash
        return refused


def test_crash_after_the_server_accepted_is_finished_without_a_duplicate(
    session: Session, db_url, campaign, cities, hubei_plan, make_request, mailserver
) -> None:
    rows = queue_requests(session, campaign, hubei_plan, cities[:5], make_request)
    with pytest.raises(_Crash):  # each result committed at once: one message in doubt
        send_pending(url=db_url, transport=CrashAfterSecond, connections=1)
    after_crash = states(session)
    assert after_crash[cities[0].code] == MailState.sent
    assert [after_crash[b.code] for b in cities[1:5]] == [MailState.sending] * 4
    assert len(mailserver.received) == 2  # the second was accepted, but not recorded

    # A fresh run leaves young claims alone (another sender may hold them) ...
    assert send_pending(url=db_url).sent == 0
    # ... and takes over stale ones, resending with the same Message-ID.
    report = send_pending(url=db_url, stale_after=timedelta(0))
    assert (report.recovered, report.sent) == (4, 4)
    assert set(states(session).values()) == {MailState.sent}
    in_doubt = rows[1].message_id
    transmissions = [e.message_id for e in mailserver.received]
    assert transmissions.count(in_doubt) == 2  # resent with the same Message-ID ...
    assert sorted(m["Message-ID"] for m in stored(mailserver)) == sorted(r.message_id for r in rows)
    assert len(stored(mailserver)) == 5  # ... and kept once


def test_refused_recipient_fails_with_reason_and_the_rest_goes_out(
    session: Session, db_url, campaign, cities, hubei_plan, make_request, mailserver
) -> None:
    cities[2].email = "nobody@refused.example.org"
    session.add(cities[2])
    session.commit()
    queue_requests(session, campaign, hubei_plan, cities[:4], make_request)
    report = send_pending(url=db_url)
    assert (report.sent, report.failed) == (3, 1)
    failed = session.exec(select(OutboxMessage).where(OutboxMessage.state == "failed")).one()
    assert failed.bureau_code == cities[2].code
    assert "550" in (failed.last_error or "") and "No such mailbox" in (failed.last_error or "")
    audit = session.exec(select(AuditEvent).where(AuditEvent.event == "mail_failed")).one()
    assert audit.bureau_code == cities[2].code
    assert send_pending(url=db_url).sent == 0  # not retried
    assert len(mailserver.received) == 3


def test_temporary_refusal_is_retried_with_backoff_then_given_up(
    session: Session, db_url, campaign, cities, hubei_plan, make_request, mailserver
) -> None:
    cities[0].email = "slow@busy.example.org"
    session.add(cities[0])
    session.commit()
    queue_requests(session, campaign, hubei_plan, cities[:2], make_request)
    report = send_pending(url=db_url, max_attempts=3)
    assert (report.sent, report.retrying) == (1, 1)
    row = find_message(
        session=session,
        campaign_id=campaign.id,
        key="request:weekly-progress:2007-W35",
        bureau_code=cities[0].code,
    )
    session.refresh(row)
    assert row.state == MailState.pending and row.attempts == 1 and row.next_attempt_at
    assert send_pending(url=db_url, max_attempts=3).retrying == 0  # backing off: not due yet
    for hours in (1, 2):  # later runs, once each back-off has passed
        later = utcnow() + timedelta(hours=hours)
        send_pending(url=db_url, max_attempts=3, clock=lambda later=later: later)
    session.refresh(row)
    assert row.state == MailState.failed and row.attempts == 3
    assert row.last_error.startswith("gave up after 3 attempts") and "450" in row.last_error
    assert send_pending(url=db_url, clock=lambda: utcnow() + timedelta(hours=9)).sent == 0
    assert len(mailserver.received) == 1


def test_an_unbuildable_row_fails_and_the_batch_goes_on(
    session: Session, db_url, campaign, cities, hubei_plan, make_request, mailserver
) -> None:
    rows = queue_requests(session, campaign, hubei_plan, cities[:3], make_request)
    # Written around queue_notice's checks, as a buggy or hostile writer might.
    rows[1].subject = "动态信息\r\nBcc: everyone@elsewhere.example.org"
    session.add(rows[1])
    session.commit()
    report = send_pending(url=db_url)
    assert (report.sent, report.failed) == (2, 1)
    session.refresh(rows[1])
    assert "line break" in rows[1].last_error
    # no header smuggled in (a bare "Bcc" may occur by chance in a base64 attachment)
    assert all(
        m["Bcc"] is None and "everyone@elsewhere" not in m.as_string() for m in stored(mailserver)
    )


def test_rate_limit_spaces_messages(
    session: Session, db_url, campaign, cities, hubei_plan, make_request, mailserver
) -> None:
    queue_requests(session, campaign, hubei_plan, cities[:6], make_request)
    started = time.monotonic()
    report = send_pending(url=db_url, rate_per_second=20)
    assert report.sent == 6
    assert time.monotonic() - started >= 5 / 20 * 0.9


def test_limit_and_one_connection_per_run(
    session: Session, db_url, campaign, cities, hubei_plan, make_request, mailserver
) -> None:
    queue_requests(session, campaign, hubei_plan, cities[:7], make_request)
    opened = []

    class Counting(SmtpTransport):
        def open(self) -> None:
            opened.append(1)
            super().open()

    report = send_pending(url=db_url, limit=5, batch_size=2, transport=Counting)
    assert report.sent == 5 and len(opened) == 1
    assert send_pending(url=db_url).sent == 2


def test_cc_and_to_override_reach_the_envelope(
    session: Session, db_url, campaign, cities, hubei_plan, mailserver
) -> None:
    bureau: Bureau = cities[0]
    queue_notice(
        session=session,
        campaign=campaign,
        plan=hubei_plan,
        bureau=bureau,
        notice="acknowledgement",
        key="acknowledgement:manual",
        context={
            "request": None,
            "directive_title": "关于做好全省质监系统产品质量和食品安全专项整治实施阶段工作的通知",
            "acknowledged_at": __import__("datetime").datetime(2007, 8, 21, 9, 30),
        },
        cc=["省局办公室 <office@hbqts.example.org>"],
    )
    session.commit()
    send_pending(url=db_url)
    (envelope,) = mailserver.received
    assert set(envelope.recipients) == {bureau.email, "office@hbqts.example.org"}
    message = stored(mailserver)[0]
    assert message["Cc"].addresses[0].addr_spec == "office@hbqts.example.org"
    assert message["Subject"].startswith("【签收回执】")


def test_bad_rows_fail_alone_with_their_reason_and_the_rest_goes_out(
    session: Session, db_url, campaign, cities, hubei_plan, make_request, mailserver
) -> None:
    """Rows written around queue_notice's checks (or before them): a display name with NUL
    or a vertical tab, a malformed address, a message whose MIME build raises. Each fails
    alone, with its reason and an audit event; the batch goes on."""
    rows = queue_requests(session, campaign, hubei_plan, cities[:6], make_request)
    rows[1].to_addrs = [{"name": "武汉市\x00质量技术监督局", "email": cities[1].email}]
    rows[2].to_addrs = [{"name": "Huangshi\x0bBureau", "email": cities[2].email}]
    rows[3].to_addrs = [{"name": "十堰市质量技术监督局", "email": "not-an-address"}]
    rows[4].attachments = [{**rows[4].attachments[0], "content_type": None}]
    for row in rows[1:5]:
        session.add(row)
    session.commit()
    report = send_pending(url=db_url)
    assert (report.sent, report.failed) == (2, 4)
    assert sorted(e.recipients[0] for e in mailserver.received) == sorted(
        [cities[0].email, cities[5].email]
    )
    session.expire_all()
    reasons = {m.bureau_code: m.last_error or "" for m in session.exec(select(OutboxMessage))}
    assert "control characters" in reasons[cities[1].code]
    assert "control characters" in reasons[cities[2].code]
    assert "not a valid e-mail address" in reasons[cities[3].code]
    assert "AttributeError" in reasons[cities[4].code]
    audits = session.exec(select(AuditEvent).where(AuditEvent.event == "mail_failed")).all()
    assert sorted(a.bureau_code for a in audits) == sorted(b.code for b in cities[1:5])
    assert send_pending(url=db_url).sent == 0  # failed rows are not retried


def test_a_long_run_claims_each_batch_at_its_own_time(
    session: Session, db_url, campaign, cities, hubei_plan, make_request, mailserver
) -> None:
    """A run longer than the stale window: its later batches are not stale when claimed,
    so another sender starting meanwhile does not take them over and send them twice."""
    queue_requests(session, campaign, hubei_plan, cities[:6], make_request)
    now = [utcnow()]
    others = []

    class SlowServer(SmtpTransport):
        def send(self, **kwargs):  # type: ignore[no-untyped-def]
            refused = super().send(**kwargs)
            now[0] += timedelta(minutes=6)  # 6 minutes a message, 10 minutes stale window
            if len(mailserver.received) == 3:  # a second sender starts meanwhile
                others.append(send_pending(url=db_url, clock=lambda: now[0]))
            return refused

    first = send_pending(url=db_url, batch_size=2, transport=SlowServer, clock=lambda: now[0])
    assert others[0].recovered == 0
    assert first.sent + others[0].sent == 6
    transmissions = [e.message_id for e in mailserver.received]
    assert len(transmissions) == len(set(transmissions)) == 6
    assert set(states(session).values()) == {MailState.sent}


def test_connections_side_by_side_lose_nothing_and_double_nothing(
    session: Session, db_url, campaign, cities, hubei_plan, make_request, mailserver, monkeypatch
) -> None:
    """Two connections at once: the server refuses one recipient; the second connection is
    lost once before a message went out and once after the server accepted one (its 250
    lost). Every message is stored once, only the accepted-then-lost one goes twice."""
    import smtplib
    import socket

    from campaign.mail import sender

    monkeypatch.setattr(sender, "RECONNECT_DELAYS", (0.01,))
    cities[3].email = "nobody@refused.example.org"
    session.add(cities[3])
    session.commit()
    rows = queue_requests(session, campaign, hubei_plan, cities, make_request)
    lines: list[Dropping] = []
    accepted_then_lost: list[str] = []

    lost_before, lost_after = cities[5].email, cities[9].email  # whichever line carries them

    class Dropping(SmtpTransport):
        def __init__(self) -> None:
            super().__init__()
            self.sends = 0
            lines.append(self)

        def send(self, **kwargs):  # type: ignore[no-untyped-def]
            self.sends += 1
            to = kwargs["recipients"]
            if lost_before in to and not self.dropped(lost_before):  # lost before it went out
                self._client.smtp.sock.shutdown(socket.SHUT_RDWR)  # type: ignore[union-attr]
            refused = super().send(**kwargs)
            if lost_after in to and not self.dropped(lost_after):  # accepted, the 250 lost
                accepted_then_lost.append(kwargs["data"])
                raise smtplib.SMTPServerDisconnected("connection lost after DATA")
            return refused

        @staticmethod
        def dropped(address: str) -> bool:
            """Each loss happens once: the retry of the message goes through."""
            if address in done:
                return True
            done.add(address)
            return False

    done: set[str] = set()
    report = send_pending(url=db_url, batch_size=4, connections=2, transport=Dropping)
    assert len(lines) >= 2 and sum(line.sends for line in lines) >= 17
    assert (report.sent, report.failed, report.retrying) == (14, 1, 2)
    later = utcnow() + timedelta(hours=1)
    assert send_pending(url=db_url, connections=2, clock=lambda: later).sent == 2
    final = states(session)
    assert final.pop(cities[3].code) == MailState.failed
    assert set(final.values()) == {MailState.sent}
    delivered = {r.message_id for r in rows if r.bureau_code != cities[3].code}
    transmitted = [e.message_id for e in mailserver.received]
    assert set(transmitted) == delivered
    twice = [mid for mid in delivered if transmitted.count(mid) > 1]
    assert len(twice) == 1 and twice[0].encode() in accepted_then_lost[0]
    kept = sorted(str(m["Message-ID"]) for m in stored(mailserver))
    assert kept == sorted(delivered)  # the copy was dropped by its Message-ID
