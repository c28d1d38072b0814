"""Replies by mail that are rejected (answered with every problem), held for a coordinator
or set aside unanswered (auto-replies, bounces, our own mail): nothing half-stored."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest
from replies.factories import NARRATIVE, count, numeric_entries, xls_bytes
from sqlmodel import Session

from campaign.inbox.fetch import fetch_inbox
from models.inbox import InboxKind, InboxMessage, InboxOutcome
from models.submission import ReportSubmission

from .checks import WUHAN, email_audit, inbox_rows, reply_mails, sent_bytes
from .mails import bounce, filled_table, reply


def _rejected(session: Session) -> tuple[InboxMessage, str]:
    [row] = inbox_rows(session)
    assert row.outcome == InboxOutcome.rejected, (row.outcome, row.reason)
    assert email_audit(session) == [("mail_rejected", "420100")]
    assert count(session, ReportSubmission) == 0  # nothing half-stored
    [rejection] = reply_mails(session)
    assert rejection.notice == "rejection" and rejection.id == row.reply_message_id
    sent = message_from_bytes(sent_bytes(session, rejection), policy=policy.default)
    assert sent["In-Reply-To"] and sent["Auto-Submitted"] == "auto-replied"
    return row, rejection.text_body


def test_no_attachment_is_rejected_with_what_to_do(session, mail_world, imap):
    imap.append(mail_world.reply("wuhan"))
    fetch_inbox()
    _, text = _rejected(session)
    assert "没有统计表附件" in text and "直接回复本邮件" in text
    assert imap.counts()["已处理"] == 1


def test_two_tables_are_rejected(session, mail_world, imap):
    table = filled_table(mail_world.tables["wuhan"], numeric_entries(), NARRATIVE)
    imap.append(mail_world.reply("wuhan", ("第一份.xlsx", table), ("第二份.xlsx", table)))
    fetch_inbox()
    _, text = _rejected(session)
    assert "2份统计表" in text and "第一份.xlsx" in text


def test_an_xls_is_rejected_saying_how_to_save_it(session, mail_world, imap):
    imap.append(mail_world.reply("wuhan", ("统计表.xls", xls_bytes())))
    fetch_inbox()
    _, text = _rejected(session)
    assert "旧版Excel（.xls）" in text


def test_a_table_with_problems_is_rejected_quoting_every_problem(session, mail_world, imap):
    entries = numeric_entries()
    entries["qualified_batches"] = 99  # more than sampled
    entries["inspections"] = "很多"
    table = filled_table(mail_world.tables["wuhan"], entries, NARRATIVE)
    imap.append(mail_world.reply("wuhan", ("统计表.xlsx", table)))
    fetch_inbox()
    row, text = _rejected(session)
    assert text.count("．") >= 2, text  # numbered reasons, one per problem


def test_another_bureaus_table_is_held_not_accepted(session, mail_world, imap):
    theirs = filled_table(mail_world.tables["huangshi"], numeric_entries(), NARRATIVE)
    imap.append(mail_world.reply("wuhan", ("统计表.xlsx", theirs)))
    fetch_inbox()
    [row] = inbox_rows(session)
    assert row.outcome == InboxOutcome.held
    assert "黄石市" in row.reason and "武汉市" in row.reason
    assert count(session, ReportSubmission) == 0 and reply_mails(session) == []
    assert row.raw is not None  # kept for the coordinator
    assert email_audit(session) == [("mail_held", "420200")]  # the request its table names
    assert imap.counts() == {"INBOX": 0, "已处理": 0, "待人工处理": 1}


def test_a_forged_sender_is_held_and_never_answered(session, mail_world, imap):
    table = filled_table(mail_world.tables["wuhan"], numeric_entries(), NARRATIVE)
    imap.append(
        mail_world.reply("wuhan", ("统计表.xlsx", table), sender="wuhan-zjj@163.example.com")
    )
    fetch_inbox()
    [row] = inbox_rows(session)
    assert row.outcome == InboxOutcome.held and "不是武汉市质量技术监督局登记的邮箱" in row.reason
    assert count(session, ReportSubmission) == 0 and reply_mails(session) == []


@pytest.mark.parametrize(
    "header",
    [
        (
            "Authentication-Results",
            "mx.hbqts.example.org; spf=fail smtp.mailfrom=bureaus.example.org; dmarc=fail",
        ),
        ("Received-SPF", "softfail (domain does not designate 203.0.113.9 as permitted sender)"),
    ],
)
def test_the_bureaus_address_forged_elsewhere_is_held(lite_session, lite_mail_world, imap, header):
    """From says the bureau, but the receiving server's SPF/DMARC check failed."""
    table = filled_table(lite_mail_world.tables["wuhan"], numeric_entries(), NARRATIVE)
    imap.append(lite_mail_world.reply("wuhan", ("统计表.xlsx", table), headers=dict([header])))
    fetch_inbox()
    [row] = inbox_rows(lite_session)
    assert row.outcome == InboxOutcome.held and "可能是冒用" in row.reason, row.reason
    assert count(lite_session, ReportSubmission) == 0 and reply_mails(lite_session) == []


def test_unrecognised_mail_is_held(session, mail_world, imap):
    imap.append(reply(sender=WUHAN, subject="关于近期工作的请示"))
    fetch_inbox()
    [row] = inbox_rows(session)
    assert row.outcome == InboxOutcome.held and "无法判断" in row.reason


def test_a_30_mb_attachment_is_not_downloaded_and_is_rejected(session, mail_world, imap):
    table = filled_table(mail_world.tables["wuhan"], numeric_entries(), NARRATIVE)
    video = bytes(range(256)) * (30 * 1024 * 4)  # 30 MB
    imap.append(mail_world.reply("wuhan", ("统计表.xlsx", table), ("检查现场录像.mp4", video)))
    fetch_inbox()
    row, text = _rejected(session)
    assert row.size > 30 * 1024 * 1024
    assert "邮件过大" in text


@pytest.mark.parametrize(
    "headers,subject",
    [
        ({"Auto-Submitted": "auto-replied"}, "Re: 通知"),
        ({"X-Autoreply": "yes"}, "Re: 通知"),
        ({"Precedence": "auto_reply"}, "Re: 通知"),
        ({}, "自动回复：我目前休假，将于下周一返岗"),
        ({}, "Automatic reply: Out of office"),
    ],
)
def test_auto_replies_are_never_answered(session, mail_world, imap, headers, subject):
    imap.append(mail_world.reply("wuhan", subject=subject, headers=headers))
    report = fetch_inbox()
    [row] = inbox_rows(session)
    assert (row.outcome, row.kind) == (InboxOutcome.ignored, InboxKind.auto_reply)
    assert report.ignored == 1 and reply_mails(session) == []
    assert imap.counts()["已处理"] == 1


def test_a_bounce_is_held_naming_the_bureau_and_never_answered(session, mail_world, imap):
    request_mail = sent_bytes(session, mail_world.requests["wuhan"])
    imap.append(bounce(original=request_mail, recipient=WUHAN))
    fetch_inbox()
    [row] = inbox_rows(session)
    assert (row.outcome, row.kind) == (InboxOutcome.held, InboxKind.bounce)
    assert "武汉市质量技术监督局" in row.reason and WUHAN in row.reason
    assert reply_mails(session) == []


def test_our_own_mail_is_ignored(session, mail_world, imap):
    imap.append(sent_bytes(session, mail_world.requests["wuhan"]))
    fetch_inbox()
    [row] = inbox_rows(session)
    assert (row.outcome, row.kind) == (InboxOutcome.ignored, InboxKind.own)
    assert reply_mails(session) == []
