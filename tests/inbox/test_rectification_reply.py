"""A 整改 order answered by replying to its notice: the reply is matched to the order's
request by its thread, its body is the report and its files the evidence (on both
databases, through a real IMAP server)."""

from __future__ import annotations

from datetime import date

from replies.factories import BEFORE_DUE
from sqlmodel import select

from campaign.acceptance.orders import order_rectification
from campaign.acceptance.state import OrderState, find_order
from campaign.inbox.fetch import fetch_inbox
from models.attachment import SubmissionAttachment
from models.outbox import OutboxMessage

from .checks import WUHAN
from .mails import reply


def test_a_reply_to_the_order_notice_reports_the_order_done(session, mail_world, imap):
    campaign_id = mail_world.world.campaign.id
    order_rectification(
        session=session, campaign_id=campaign_id, bureau_code="420100", what="台账不全",
        deadline=date(2007, 9, 28), ordered_by="李四", today=date(2007, 9, 13), at=BEFORE_DUE,
    )  # fmt: skip
    session.commit()
    notice = session.exec(
        select(OutboxMessage).where(OutboxMessage.key == "order:rectification:order-1")
    ).one()
    imap.append(
        reply(
            sender=WUHAN,
            subject="回复：【整改通知】第1号",
            body="台账已补齐，附整改报告。",
            in_reply_to=notice.message_id,
            attachments=[("整改报告.pdf", b"%PDF-1.4 x")],
        )  # fmt: skip
    )

    report = fetch_inbox()

    assert (report.read, report.accepted) == (1, 1), report
    session.expire_all()
    view = find_order(session, campaign_id, 1)  # type: ignore[arg-type]
    assert view.state(date(2007, 9, 14)) == OrderState.reported
    assert view.latest is not None and view.latest.channel == "email"
    assert "台账已补齐，附整改报告。" in view.latest.narrative
    files = session.exec(select(SubmissionAttachment.filename)).all()
    assert list(files) == ["整改报告.pdf"]
