"""A batch of messages is one transaction, each message a savepoint of its own: a message
that breaks the intake is held alone, a database error keeps the whole batch for later."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from campaign.inbox import batch, intake
from campaign.inbox.fetch import fetch_inbox
from models.inbox import InboxMessage, InboxOutcome
from models.submission import ReportSubmission

from .checks import inbox_rows, reply_mails
from .test_durability import assert_exactly_once, replies

BROKEN, UNREADABLE = "<reply-2@bureaus.example.org>", "<reply-4@bureaus.example.org>"
MALFORMED = (
    b"Subject: =?gb2312?B?\xff\xfe?=\r\nFrom: <<@>>\r\nContent-Type: multipart/mixed\r\n\r\n\xff"
)


def test_a_message_that_breaks_the_intake_is_held_alone_the_batch_goes_on(
    session, mail_world, imap, monkeypatch
):
    """Of seven replies, the third fails after its submission and receipt were written (a
    bug): they are undone, it is held with the error; the fifth cannot even be read (a
    bug in reading mail): held likewise; a malformed mail beside them is held as
    unrecognised; the other five are accepted in the same batch."""
    record_decision, read = intake.record_decision, batch.read

    def failing(**kwargs):  # type: ignore[no-untyped-def]
        record_decision(**kwargs)
        if kwargs["record"].message_id == BROKEN:
            raise RuntimeError("a bug")

    def unreadable(fetched):  # type: ignore[no-untyped-def]
        if UNREADABLE.encode() in fetched.raw:
            raise ValueError("another bug")
        return read(fetched)

    monkeypatch.setattr(intake, "record_decision", failing)
    monkeypatch.setattr(batch, "read", unreadable)
    mails = replies(mail_world, 7)
    imap.append(*mails[:3], MALFORMED, *mails[3:])

    report = fetch_inbox()

    assert (report.read, report.accepted, report.held, report.failed) == (8, 5, 1, 2), report
    rows = {r.message_id: r for r in inbox_rows(session)}
    assert len(rows) == 8
    for message_id in (BROKEN, UNREADABLE):
        held = rows[message_id]
        assert held.outcome == InboxOutcome.held and "系统处理此邮件时出错" in held.reason
        assert held.raw is not None and held.submission_id is None and held.request_id is None
        assert "@" in held.from_addr and held.subject, held  # the coordinator sees who sent it
    assert sum(r.outcome == InboxOutcome.accepted for r in rows.values()) == 5
    submissions = session.exec(select(ReportSubmission)).all()
    assert len(submissions) == 5 and len(reply_mails(session)) == 5
    assert len({(s.request_id, s.version) for s in submissions}) == 5
    assert {r.submission_id for r in rows.values()} - {None} == {s.id for s in submissions}
    assert imap.counts() == {"INBOX": 0, "已处理": 5, "待人工处理": 3}


def test_a_database_error_keeps_the_whole_batch_for_the_next_run(
    session, mail_world, imap, monkeypatch
):
    take_in = batch.take_in_claimed
    calls = 0

    def unavailable(**kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OperationalError("UPDATE …", {}, Exception("database is locked"))
        take_in(**kwargs)

    monkeypatch.setattr(batch, "take_in_claimed", unavailable)
    imap.append(*replies(mail_world, 5))
    with pytest.raises(OperationalError):
        fetch_inbox()
    session.expire_all()
    assert session.exec(select(InboxMessage)).all() == []
    assert imap.counts()["INBOX"] == 5

    monkeypatch.setattr(batch, "take_in_claimed", take_in)
    report = fetch_inbox()
    assert (report.read, report.accepted) == (5, 5), report
    assert_exactly_once(session, imap, 5)


def test_the_same_mail_twice_in_one_batch_is_taken_in_once(session, mail_world, imap):
    first = replies(mail_world, 1)[0]
    imap.append(first, first)
    report = fetch_inbox()
    assert (report.read, report.accepted, report.duplicates) == (2, 1, 1), report
    assert len(inbox_rows(session)) == 1
    assert imap.counts() == {"INBOX": 0, "已处理": 2, "待人工处理": 0}
