"""Replies by e-mail through a real IMAP server (Dovecot): recognised, checked, answered
by mail under the bureau's message, processed once, moved to a folder."""

from __future__ import annotations

from email import message_from_bytes, policy

from replies.factories import NARRATIVE, count, numeric_entries, table_xlsx
from sqlmodel import Session, select

from campaign.inbox.fetch import fetch_inbox
from models.attachment import AttachmentKind, SubmissionAttachment
from models.inbox import InboxOutcome
from models.outbox import OutboxMessage
from models.submission import ReportSubmission

from .checks import WUHAN, email_audit, inbox_rows, reply_mails, sent_bytes
from .mails import filled_table, reply


def test_a_reply_with_the_filled_table_is_accepted_and_answered_in_its_thread(
    session, mail_world, imap
):
    table = filled_table(mail_world.tables["wuhan"], numeric_entries(), NARRATIVE)
    raw = mail_world.reply(
        "wuhan",
        ("工作进展情况统计表（武汉）.xlsx", table),
        message_id="<reply-1@bureaus.example.org>",
    )
    imap.append(raw)

    report = fetch_inbox()

    assert (report.read, report.accepted) == (1, 1), report
    [row] = inbox_rows(session)
    assert row.outcome == InboxOutcome.accepted and row.raw is None
    submission = session.get_one(ReportSubmission, row.submission_id)
    assert submission.channel == "email"
    assert submission.values["inspections"] == "85"
    assert submission.narrative == NARRATIVE
    source = session.exec(
        select(SubmissionAttachment).where(SubmissionAttachment.kind == AttachmentKind.source_xlsx)
    ).one()
    assert source.filename == "工作进展情况统计表（武汉）.xlsx"
    [receipt] = reply_mails(session)
    assert receipt.notice == "receipt" and receipt.id == row.reply_message_id
    sent = message_from_bytes(sent_bytes(session, receipt), policy=policy.default)
    assert sent["In-Reply-To"] == "<reply-1@bureaus.example.org>"
    assert "<reply-1@bureaus.example.org>" in sent["References"]
    assert sent["Auto-Submitted"] == "auto-replied"
    assert imap.counts() == {"INBOX": 0, "已处理": 1, "待人工处理": 0}
    assert {b"\\Seen", b"\\Answered"} <= set(imap.flags("已处理")[0])

    assert email_audit(session) == [("answer_received", "420100"), ("mail_accepted", "420100")]
    again = fetch_inbox()  # nothing left, nothing done twice
    assert again.read == 0
    assert count(session, ReportSubmission) == 1 and len(reply_mails(session)) == 1


def test_the_body_is_the_narrative_when_the_table_has_none(session, mail_world, imap):
    table = filled_table(mail_world.tables["wuhan"], numeric_entries(), narrative="")
    body = (
        "本周检查企业85家次，立案6件。\n\n"
        "------------------ 原始邮件 ------------------\n"
        "发件人: 湖北省质监局\n> 请于周五前报送"
    )
    imap.append(mail_world.reply("wuhan", ("统计表.xlsx", table), body=body))
    fetch_inbox()
    [row] = inbox_rows(session)
    assert row.outcome == InboxOutcome.accepted, row.reason
    assert session.get_one(ReportSubmission, row.submission_id).narrative == (
        "本周检查企业85家次，立案6件。"
    )


def test_the_same_message_twice_is_taken_in_once(session, mail_world, imap):
    table = filled_table(mail_world.tables["wuhan"], numeric_entries(), NARRATIVE)
    raw = mail_world.reply("wuhan", ("统计表.xlsx", table))
    imap.append(raw, raw)  # delivered twice: two UIDs, one Message-ID
    report = fetch_inbox()
    assert (report.accepted, report.duplicates) == (1, 1)
    assert count(session, ReportSubmission) == 1 and len(reply_mails(session)) == 1
    assert imap.counts()["已处理"] == 2


def test_a_table_without_meta_is_matched_by_the_thread(session, mail_world, imap):
    table = table_xlsx(entries=numeric_entries())  # no _meta sheet
    imap.append(mail_world.reply("wuhan", ("统计表.xlsx", table)))
    fetch_inbox()
    [row] = inbox_rows(session)
    assert row.outcome == InboxOutcome.accepted, row.reason
    assert row.request_id == mail_world.world.requests["wuhan"].id


def test_a_reply_to_the_per_message_reply_address_is_matched(
    lite_session, lite_mail_world, imap, monkeypatch
):
    """Plus-addressing: the request mail's Reply-To names it, even when the client drops
    In-Reply-To and the table lost its _meta sheet; a made-up tag matches nothing."""
    from campaign.settings import get_settings

    monkeypatch.setenv("CAMPAIGN_INBOX_REPLY_TAGS", "true")
    get_settings.cache_clear()
    sent = message_from_bytes(
        sent_bytes(lite_session, lite_mail_world.requests["wuhan"]), policy=policy.default
    )
    reply_to = str(sent["Reply-To"])
    assert reply_to.startswith("zxzz-office+m") and reply_to.endswith("@hbqts.example.org")
    table = table_xlsx(entries=numeric_entries())  # no _meta
    imap.append(reply(sender=WUHAN, to=reply_to, attachments=[("统计表.xlsx", table)]))
    forged = reply_to.split(".")[0] + ".0000000000@hbqts.example.org"  # a made-up signature
    imap.append(reply(sender=WUHAN, to=forged, attachments=[("统计表.xlsx", table)]))
    fetch_inbox()
    first, second = inbox_rows(lite_session)
    assert first.outcome == InboxOutcome.accepted, first.reason
    assert first.request_id == lite_mail_world.world.requests["wuhan"].id
    assert second.outcome == InboxOutcome.held


def test_a_reply_to_our_rejection_is_matched_to_its_request(lite_session, lite_mail_world, imap):
    mw = lite_mail_world
    imap.append(mw.reply("wuhan"))
    fetch_inbox()
    [rejection] = reply_mails(lite_session)
    table = filled_table(mw.tables["wuhan"], numeric_entries(), NARRATIVE)
    imap.append(
        reply(sender=WUHAN, in_reply_to=rejection.message_id, attachments=[("统计表.xlsx", table)])
    )
    fetch_inbox()
    rejected, accepted = inbox_rows(lite_session)
    assert rejected.outcome == InboxOutcome.rejected
    assert accepted.outcome == InboxOutcome.accepted
    assert accepted.request_id == rejected.request_id == mw.world.requests["wuhan"].id


def test_a_reply_to_a_directive_is_its_acknowledgement(lite_session, lite_mail_world, imap):
    """回复“收到”即签收: a reply to the directive mail acknowledges it, with a receipt."""
    from campaign.mail.addresses import Address as To
    from campaign.mail.outbox import store_message
    from campaign.mail.render import RenderedNotice
    from models.request import ReportRequest, RequestStatus

    mw = lite_mail_world
    directive = store_message(
        session=lite_session,
        campaign_id=mw.world.campaign.id,
        bureau_code="420100",
        key="directive:market-access",
        notice="directive",
        to=[To("武汉市质量技术监督局", WUHAN)],
        cc=[],
        rendered=RenderedNotice("关于开展市场准入集中检查的通知", "通知正文", "<p>通知正文</p>"),
    )
    lite_session.commit()
    for _ in range(2):  # the second reply finds it acknowledged: no second receipt
        imap.append(reply(sender=WUHAN, body="收到。", in_reply_to=directive.message_id))
    fetch_inbox()
    first, second = inbox_rows(lite_session)
    assert (first.outcome, second.outcome) == (InboxOutcome.accepted, InboxOutcome.accepted)
    assert "签收" in first.reason and "此前已签收" in second.reason
    ack = lite_session.get_one(ReportRequest, mw.world.requests["ack"].id)
    assert ack.status == RequestStatus.accepted
    receipts = [m for m in _all_outbox(lite_session) if m.notice == "acknowledgement"]
    assert len(receipts) == 1 and receipts[0].id == first.reply_message_id
    assert dict(map(tuple, receipts[0].headers))["In-Reply-To"] == first.message_id


def _all_outbox(session: Session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.exec(select(OutboxMessage)).all())
