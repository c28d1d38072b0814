"""Replies by e-mail through a real IMAP server (Dovecot): recognised, checked, answered
by mail under the bureau's message, processed once, moved to a folder."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest
from replies.factories import NARRATIVE, count, numeric_entries, table_xlsx, xls_bytes
from sqlmodel import Session, select

from campaign.inbox.fetch import fetch_inbox
from campaign.mail.addresses import Address
from campaign.mail.attempts import build
from campaign.mail.outbox import load_blobs
from models._common import utcnow
from models.attachment import AttachmentKind, SubmissionAttachment
from models.audit import AuditEvent
from models.inbox import InboxKind, InboxMessage, InboxOutcome
from models.outbox import OutboxMessage
from models.submission import ReportSubmission

from .mails import bounce, filled_table, reply

WUHAN = "b420100@bureaus.example.org"


def _rows(session: Session) -> list[InboxMessage]:
    session.expire_all()
    return list(session.exec(select(InboxMessage).order_by(InboxMessage.id)).all())


def _replies(session: Session) -> list[OutboxMessage]:
    session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.notice.in_(["receipt", "rejection"]))  # type: ignore[attr-defined]
    return list(session.exec(query).all())


def _sent_bytes(session: Session, message: OutboxMessage) -> bytes:
    shas = [a["sha256"] for a in message.attachments]
    data = build(message, load_blobs(session=session, shas=shas), Address("", "o@x.org"), utcnow())
    assert isinstance(data, bytes)
    return data


def test_a_reply_with_the_filled_table_is_accepted_and_answered_in_its_thread(
    session, mail_world, imap
):
    table = filled_table(mail_world.tables["wuhan"], numeric_entries(), NARRATIVE)
    raw = reply(
        sender=WUHAN,
        in_reply_to=mail_world.requests["wuhan"].message_id,
        attachments=[("工作进展情况统计表（武汉）.xlsx", table)],
        message_id="<reply-1@bureaus.example.org>",
    )
    imap.append(raw)

    report = fetch_inbox()

    assert (report.read, report.accepted) == (1, 1), report
    [row] = _rows(session)
    assert row.outcome == InboxOutcome.accepted and row.raw is None
    submission = session.get_one(ReportSubmission, row.submission_id)
    assert submission.channel == "email"
    assert submission.values["inspections"] == "85"
    assert submission.narrative == NARRATIVE
    source = session.exec(
        select(SubmissionAttachment).where(SubmissionAttachment.kind == AttachmentKind.source_xlsx)
    ).one()
    assert source.filename == "工作进展情况统计表（武汉）.xlsx"
    [receipt] = _replies(session)
    assert receipt.notice == "receipt" and receipt.id == row.reply_message_id
    sent = message_from_bytes(_sent_bytes(session, receipt), policy=policy.default)
    assert sent["In-Reply-To"] == "<reply-1@bureaus.example.org>"
    assert "<reply-1@bureaus.example.org>" in sent["References"]
    assert sent["Auto-Submitted"] == "auto-replied"
    assert imap.counts() == {"INBOX": 0, "已处理": 1, "待人工处理": 0}
    assert {b"\\Seen", b"\\Answered"} <= set(imap.flags("已处理")[0])

    assert _audit(session) == [("answer_received", "420100"), ("mail_accepted", "420100")]
    again = fetch_inbox()  # nothing left, nothing done twice
    assert again.read == 0
    assert count(session, ReportSubmission) == 1 and len(_replies(session)) == 1


def test_the_body_is_the_narrative_when_the_table_has_none(session, mail_world, imap):
    table = filled_table(mail_world.tables["wuhan"], numeric_entries(), narrative="")
    body = (
        "本周检查企业85家次，立案6件。\n\n"
        "------------------ 原始邮件 ------------------\n"
        "发件人: 湖北省质监局\n> 请于周五前报送"
    )
    imap.append(
        reply(
            sender=WUHAN,
            body=body,
            in_reply_to=mail_world.requests["wuhan"].message_id,
            attachments=[("统计表.xlsx", table)],
        )
    )
    fetch_inbox()
    [row] = _rows(session)
    assert row.outcome == InboxOutcome.accepted, row.reason
    assert session.get_one(ReportSubmission, row.submission_id).narrative == (
        "本周检查企业85家次，立案6件。"
    )


def _audit(session: Session) -> list[tuple[str, str | None]]:
    session.expire_all()
    events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()  # type: ignore[arg-type]
    return [(e.event, e.bureau_code) for e in events if e.channel == "email"]


def _rejected(session: Session) -> tuple[InboxMessage, str]:
    [row] = _rows(session)
    assert row.outcome == InboxOutcome.rejected, (row.outcome, row.reason)
    assert _audit(session) == [("mail_rejected", "420100")]
    assert count(session, ReportSubmission) == 0  # nothing half-stored
    [rejection] = _replies(session)
    assert rejection.notice == "rejection" and rejection.id == row.reply_message_id
    sent = message_from_bytes(_sent_bytes(session, rejection), policy=policy.default)
    assert sent["In-Reply-To"] and sent["Auto-Submitted"] == "auto-replied"
    return row, rejection.text_body


def test_no_attachment_is_rejected_with_what_to_do(session, mail_world, imap):
    imap.append(reply(sender=WUHAN, in_reply_to=mail_world.requests["wuhan"].message_id))
    fetch_inbox()
    _, text = _rejected(session)
    assert "没有统计表附件" in text and "直接回复本邮件" in text
    assert imap.counts()["已处理"] == 1


def test_two_tables_are_rejected(session, mail_world, imap):
    table = filled_table(mail_world.tables["wuhan"], numeric_entries(), NARRATIVE)
    imap.append(
        reply(
            sender=WUHAN,
            in_reply_to=mail_world.requests["wuhan"].message_id,
            attachments=[("第一份.xlsx", table), ("第二份.xlsx", table)],
        )
    )
    fetch_inbox()
    _, text = _rejected(session)
    assert "2份统计表" in text and "第一份.xlsx" in text


def test_an_xls_is_rejected_saying_how_to_save_it(session, mail_world, imap):
    imap.append(
        reply(
            sender=WUHAN,
            in_reply_to=mail_world.requests["wuhan"].message_id,
            attachments=[("统计表.xls", xls_bytes())],
        )
    )
    fetch_inbox()
    _, text = _rejected(session)
    assert "旧版Excel（.xls）" in text


def test_a_table_with_problems_is_rejected_quoting_every_problem(session, mail_world, imap):
    entries = numeric_entries()
    entries["qualified_batches"] = 99  # more than sampled
    entries["inspections"] = "很多"
    table = filled_table(mail_world.tables["wuhan"], entries, NARRATIVE)
    imap.append(
        reply(
            sender=WUHAN,
            in_reply_to=mail_world.requests["wuhan"].message_id,
            attachments=[("统计表.xlsx", table)],
        )
    )
    fetch_inbox()
    row, text = _rejected(session)
    assert text.count("．") >= 2, text  # numbered reasons, one per problem


def test_another_bureaus_table_is_held_not_accepted(session, mail_world, imap):
    theirs = filled_table(mail_world.tables["huangshi"], numeric_entries(), NARRATIVE)
    imap.append(
        reply(
            sender=WUHAN,
            in_reply_to=mail_world.requests["wuhan"].message_id,
            attachments=[("统计表.xlsx", theirs)],
        )
    )
    fetch_inbox()
    [row] = _rows(session)
    assert row.outcome == InboxOutcome.held
    assert "黄石市" in row.reason and "武汉市" in row.reason
    assert count(session, ReportSubmission) == 0 and _replies(session) == []
    assert row.raw is not None  # kept for the coordinator
    assert _audit(session) == [("mail_held", "420200")]  # the request its table names
    assert imap.counts() == {"INBOX": 0, "已处理": 0, "待人工处理": 1}


def test_a_forged_sender_is_held_and_never_answered(session, mail_world, imap):
    table = filled_table(mail_world.tables["wuhan"], numeric_entries(), NARRATIVE)
    imap.append(
        reply(
            sender="wuhan-zjj@163.example.com",
            in_reply_to=mail_world.requests["wuhan"].message_id,
            attachments=[("统计表.xlsx", table)],
        )
    )
    fetch_inbox()
    [row] = _rows(session)
    assert row.outcome == InboxOutcome.held and "不是武汉市质量技术监督局登记的邮箱" in row.reason
    assert count(session, ReportSubmission) == 0 and _replies(session) == []


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
    imap.append(
        reply(
            sender=WUHAN,
            headers=dict([header]),
            in_reply_to=lite_mail_world.requests["wuhan"].message_id,
            attachments=[("统计表.xlsx", table)],
        )
    )
    fetch_inbox()
    [row] = _rows(lite_session)
    assert row.outcome == InboxOutcome.held and "可能是冒用" in row.reason, row.reason
    assert count(lite_session, ReportSubmission) == 0 and _replies(lite_session) == []


def test_unrecognised_mail_is_held(session, mail_world, imap):
    imap.append(reply(sender=WUHAN, subject="关于近期工作的请示"))
    fetch_inbox()
    [row] = _rows(session)
    assert row.outcome == InboxOutcome.held and "无法判断" in row.reason


def test_a_30_mb_attachment_is_not_downloaded_and_is_rejected(session, mail_world, imap):
    table = filled_table(mail_world.tables["wuhan"], numeric_entries(), NARRATIVE)
    video = bytes(range(256)) * (30 * 1024 * 4)  # 30 MB
    imap.append(
        reply(
            sender=WUHAN,
            in_reply_to=mail_world.requests["wuhan"].message_id,
            attachments=[("统计表.xlsx", table), ("检查现场录像.mp4", video)],
        )
    )
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
    imap.append(
        reply(
            sender=WUHAN,
            subject=subject,
            headers=headers,
            in_reply_to=mail_world.requests["wuhan"].message_id,
        )
    )
    report = fetch_inbox()
    [row] = _rows(session)
    assert (row.outcome, row.kind) == (InboxOutcome.ignored, InboxKind.auto_reply)
    assert report.ignored == 1 and _replies(session) == []
    assert imap.counts()["已处理"] == 1


def test_a_bounce_is_held_naming_the_bureau_and_never_answered(session, mail_world, imap):
    request_mail = _sent_bytes(session, mail_world.requests["wuhan"])
    imap.append(bounce(original=request_mail, recipient=WUHAN))
    fetch_inbox()
    [row] = _rows(session)
    assert (row.outcome, row.kind) == (InboxOutcome.held, InboxKind.bounce)
    assert "武汉市质量技术监督局" in row.reason and WUHAN in row.reason
    assert _replies(session) == []


def test_our_own_mail_is_ignored(session, mail_world, imap):
    imap.append(_sent_bytes(session, mail_world.requests["wuhan"]))
    fetch_inbox()
    [row] = _rows(session)
    assert (row.outcome, row.kind) == (InboxOutcome.ignored, InboxKind.own)
    assert _replies(session) == []


def test_the_same_message_twice_is_taken_in_once(session, mail_world, imap):
    table = filled_table(mail_world.tables["wuhan"], numeric_entries(), NARRATIVE)
    raw = reply(
        sender=WUHAN,
        in_reply_to=mail_world.requests["wuhan"].message_id,
        attachments=[("统计表.xlsx", table)],
    )
    imap.append(raw, raw)  # delivered twice: two UIDs, one Message-ID
    report = fetch_inbox()
    assert (report.accepted, report.duplicates) == (1, 1)
    assert count(session, ReportSubmission) == 1 and len(_replies(session)) == 1
    assert imap.counts()["已处理"] == 2


def test_a_table_without_meta_is_matched_by_the_thread(session, mail_world, imap):
    table = table_xlsx(entries=numeric_entries())  # no _meta sheet
    imap.append(
        reply(
            sender=WUHAN,
            in_reply_to=mail_world.requests["wuhan"].message_id,
            attachments=[("统计表.xlsx", table)],
        )
    )
    fetch_inbox()
    [row] = _rows(session)
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
        _sent_bytes(lite_session, lite_mail_world.requests["wuhan"]), policy=policy.default
    )
    reply_to = str(sent["Reply-To"])
    assert reply_to.startswith("zxzz-office+m") and reply_to.endswith("@hbqts.example.org")
    table = table_xlsx(entries=numeric_entries())  # no _meta
    imap.append(reply(sender=WUHAN, to=reply_to, attachments=[("统计表.xlsx", table)]))
    forged = reply_to.split(".")[0] + ".0000000000@hbqts.example.org"  # a made-up signature
    imap.append(reply(sender=WUHAN, to=forged, attachments=[("统计表.xlsx", table)]))
    fetch_inbox()
    first, second = _rows(lite_session)
    assert first.outcome == InboxOutcome.accepted, first.reason
    assert first.request_id == lite_mail_world.world.requests["wuhan"].id
    assert second.outcome == InboxOutcome.held


def test_a_reply_to_our_rejection_is_matched_to_its_request(lite_session, lite_mail_world, imap):
    mw = lite_mail_world
    imap.append(reply(sender=WUHAN, in_reply_to=mw.requests["wuhan"].message_id))
    fetch_inbox()
    [rejection] = _replies(lite_session)
    table = filled_table(mw.tables["wuhan"], numeric_entries(), NARRATIVE)
    imap.append(
        reply(sender=WUHAN, in_reply_to=rejection.message_id, attachments=[("统计表.xlsx", table)])
    )
    fetch_inbox()
    rejected, accepted = _rows(lite_session)
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
    first, second = _rows(lite_session)
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
