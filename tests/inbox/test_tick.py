"""Each tick reads the mailbox before it marks requests overdue."""

from __future__ import annotations

from datetime import UTC

from replies.factories import AFTER_DUE, BEFORE_DUE, NARRATIVE, numeric_entries
from sqlmodel import select

from campaign.orchestration.tick import run_tick
from models.inbox import InboxMessage, InboxOutcome
from models.request import ReportRequest, RequestStatus
from models.submission import ReportSubmission

from .mails import filled_table


def test_a_tick_takes_in_replies_before_marking_overdue(lite_session, lite_mail_world, imap):
    mw = lite_mail_world
    table = filled_table(mw.tables["wuhan"], numeric_entries(), NARRATIVE)
    imap.append(mw.reply("wuhan", ("统计表.xlsx", table)))
    report = run_tick(campaign_id=mw.world.campaign.id, as_of=AFTER_DUE)
    assert report.inbox is not None and report.inbox["accepted"] == 1, report.inbox
    lite_session.expire_all()
    row = lite_session.exec(select(InboxMessage)).one()
    assert row.outcome == InboxOutcome.accepted
    submission = lite_session.get_one(ReportSubmission, row.submission_id)
    assert submission.late  # answered at the tick's time, after the Friday due date
    wuhan = lite_session.get_one(ReportRequest, mw.world.requests["wuhan"].id)
    assert wuhan.status == RequestStatus.submitted and wuhan.late


def test_a_tick_without_a_mailbox_reads_none(lite_session, lite_mail_world):
    report = run_tick(campaign_id=lite_mail_world.world.campaign.id, as_of=AFTER_DUE)
    assert report.inbox is None


def test_a_tick_with_the_mailbox_down_goes_on(lite_session, lite_mail_world, monkeypatch):
    from campaign.settings import get_settings

    monkeypatch.setenv("CAMPAIGN_IMAP_HOST", "127.0.0.1")
    monkeypatch.setenv("CAMPAIGN_IMAP_PORT", "9")  # nothing listens
    monkeypatch.setenv("CAMPAIGN_IMAP_USER", "office")
    monkeypatch.setenv("CAMPAIGN_IMAP_PASSWORD", "x")
    get_settings.cache_clear()
    report = run_tick(campaign_id=lite_mail_world.world.campaign.id, as_of=AFTER_DUE)
    assert report.inbox is not None and "cannot log in" in report.inbox["unavailable"]
    assert report.refused is None


def test_a_reply_that_arrived_before_the_due_date_is_on_time_though_read_after(
    lite_session, lite_mail_world, imap
):
    mw = lite_mail_world
    table = filled_table(mw.tables["wuhan"], numeric_entries(), NARRATIVE)
    imap.append(mw.reply("wuhan", ("统计表.xlsx", table)), at=BEFORE_DUE)
    run_tick(campaign_id=mw.world.campaign.id, as_of=AFTER_DUE)
    lite_session.expire_all()
    row = lite_session.exec(select(InboxMessage)).one()
    submission = lite_session.get_one(ReportSubmission, row.submission_id)
    assert not submission.late
    assert submission.submitted_at.replace(tzinfo=None) == BEFORE_DUE.astimezone(UTC).replace(
        tzinfo=None
    )
