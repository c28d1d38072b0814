"""Exactly once: intakes killed halfway, intakes running at once, 500 replies at once.

Whatever happens, afterwards every reply has exactly one inbox row, one submission and
one receipt, and every message has left the inbox folder."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from replies.factories import NARRATIVE, numeric_entries
from sqlmodel import Session, select

from campaign.inbox.fetch import fetch_inbox
from campaign.settings import get_settings
from models.inbox import InboxMessage, InboxOutcome
from models.outbox import OutboxMessage
from models.submission import ReportSubmission

from .mails import filled_table
from .support import add_bureaus

SCRIPT = Path(__file__).with_name("intake_process.py")


def start(*options: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )


def replies(mw, n: int) -> list[bytes]:
    """n replies, alternating between the two bureaus, each a new version."""
    out = []
    for i in range(n):
        name = "wuhan" if i % 2 == 0 else "huangshi"
        entries = numeric_entries() | {"inspections": 85 + i}
        table = filled_table(mw.tables[name], entries, NARRATIVE)
        out.append(
            mw.reply(name, ("统计表.xlsx", table), message_id=f"<reply-{i}@bureaus.example.org>")
        )
    return out


def assert_exactly_once(session: Session, imap, n: int) -> None:
    session.expire_all()
    rows = session.exec(select(InboxMessage)).all()
    assert len(rows) == n and {r.outcome for r in rows} == {InboxOutcome.accepted}
    submissions = session.exec(select(ReportSubmission)).all()
    assert len(submissions) == n
    assert len({(s.request_id, s.version) for s in submissions}) == n
    assert sorted(int(s.values["inspections"]) for s in submissions) == list(range(85, 85 + n))
    receipts = Counter(
        m.key for m in session.exec(select(OutboxMessage)).all() if m.notice == "receipt"
    )
    assert len(receipts) == n and max(receipts.values()) == 1
    assert imap.counts() == {"INBOX": 0, "已处理": n, "待人工处理": 0}


def test_an_intake_killed_mid_batch_loses_nothing_and_repeats_nothing(session, mail_world, imap):
    imap.append(*replies(mail_world, 12))
    killed = start("--batch", "4", "--kill-in", "6")
    assert killed.wait(timeout=120) == -signal.SIGKILL, killed.stderr.read()  # type: ignore[union-attr]
    session.expire_all()
    assert len(session.exec(select(InboxMessage)).all()) == 4  # the second batch died uncommitted
    assert imap.counts() == {"INBOX": 8, "已处理": 4, "待人工处理": 0}  # the first was moved
    rerun = start()
    assert rerun.wait(timeout=120) == 0, rerun.stderr.read()  # type: ignore[union-attr]
    report = json.loads(rerun.stdout.read())  # type: ignore[union-attr]
    assert (report["moved_only"], report["accepted"]) == (0, 8)
    assert_exactly_once(session, imap, 12)


def test_an_intake_killed_before_moving_the_mail_only_moves_it_next_time(session, mail_world, imap):
    imap.append(*replies(mail_world, 6))
    killed = start("--kill-before-move", "1")
    assert killed.wait(timeout=120) == -signal.SIGKILL, killed.stderr.read()  # type: ignore[union-attr]
    assert imap.counts()["INBOX"] == 6
    rerun = start()
    assert rerun.wait(timeout=120) == 0, rerun.stderr.read()  # type: ignore[union-attr]
    report = json.loads(rerun.stdout.read())  # type: ignore[union-attr]
    assert (report["moved_only"], report["read"]) == (6, 0)
    assert_exactly_once(session, imap, 6)


def test_killed_between_a_batch_commit_and_its_move_the_next_run_only_moves_that_batch(
    session, mail_world, imap
):
    """Three batches: the first moved, the second committed but not moved, the third not
    read. The next run moves the second without taking it in again, takes in the third."""
    imap.append(*replies(mail_world, 10))
    killed = start("--batch", "4", "--kill-before-move", "2")
    assert killed.wait(timeout=120) == -signal.SIGKILL, killed.stderr.read()  # type: ignore[union-attr]
    session.expire_all()
    assert len(session.exec(select(InboxMessage)).all()) == 8
    assert imap.counts() == {"INBOX": 6, "已处理": 4, "待人工处理": 0}
    rerun = start("--batch", "4")
    assert rerun.wait(timeout=120) == 0, rerun.stderr.read()  # type: ignore[union-attr]
    report = json.loads(rerun.stdout.read())  # type: ignore[union-attr]
    assert (report["moved_only"], report["read"], report["accepted"]) == (4, 2, 2)
    assert_exactly_once(session, imap, 10)


def test_two_intakes_at_once_take_each_reply_in_once(session, mail_world, imap, tmp_path):
    imap.append(*replies(mail_world, 30))
    go = tmp_path / "go"
    runs = [start("--batch", "4", "--wait-for", str(go)) for _ in range(2)]
    go.touch()
    for run in runs:
        assert run.wait(timeout=180) == 0, run.stderr.read()  # type: ignore[union-attr]
    reports = [json.loads(run.stdout.read()) for run in runs]  # type: ignore[union-attr]
    assert sum(r["accepted"] for r in reports) == 30
    assert_exactly_once(session, imap, 30)


def test_500_replies_at_once(lite_session, lite_mail_world, imap):
    """500 bureaus answer within the same minute: one fetch takes every reply in."""
    mw = lite_mail_world
    codes = add_bureaus(lite_session, mw, 500)
    mails = [
        mw.reply(code, ("统计表.xlsx", filled_table(mw.tables[code], numeric_entries(), NARRATIVE)))
        for code in codes
    ]
    imap.append(*mails)
    report = fetch_inbox()
    assert (report.read, report.accepted, report.failed) == (500, 500, 0), report
    session = lite_session
    session.expire_all()
    assert len(session.exec(select(ReportSubmission)).all()) == 500
    receipts = [m for m in session.exec(select(OutboxMessage)).all() if m.notice == "receipt"]
    assert len(receipts) == 500
    assert imap.counts() == {"INBOX": 0, "已处理": 500, "待人工处理": 0}


def test_a_sender_answered_too_often_is_held_not_answered_again(
    lite_session, lite_mail_world, imap, monkeypatch
):
    """A loop guard: an auto-responder that slips through is not answered forever."""
    monkeypatch.setenv("CAMPAIGN_INBOX_REPLIES_PER_SENDER_PER_DAY", "3")
    get_settings.cache_clear()
    imap.append(*replies(lite_mail_world, 8)[::2])  # four from Wuhan
    report = fetch_inbox()
    assert (report.accepted, report.held) == (3, 1)
    lite_session.expire_all()
    held = lite_session.exec(select(InboxMessage).where(InboxMessage.outcome == "held")).one()
    assert "防止邮件循环" in held.reason
