"""The coordinator's page of mail held by the inbox (/admin/inbox): sender, subject and
reason of each, assign to a request, dismiss."""

from __future__ import annotations

from inbox.mails import filled_table, reply
from replies.factories import NARRATIVE, numeric_entries, table_xlsx
from sqlmodel import select

from campaign.inbox.batch import FetchReport, take_in_batch
from campaign.inbox.intake import Fetched
from models.inbox import InboxMessage, InboxOutcome, InboxSender
from models.submission import ReportSubmission
from web.conftest import Web
from web.helpers import csrf_of
from web.test_admin import login

STRANGER = "wuhan-zjj@163.example.com"


def _hold(web: Web, raw: bytes, uid: int) -> InboxMessage:
    """The mail taken in as the intake does (a batch of one), which holds it."""
    fetched = Fetched("INBOX", 1, uid, raw, len(raw))
    outcomes = take_in_batch(web.session.get_bind(), [fetched], None, FetchReport())
    assert outcomes == {uid: InboxOutcome.held}, outcomes
    return web.session.exec(select(InboxMessage).where(InboxMessage.uid == uid)).one()


def test_held_mail_is_listed_then_assigned_or_dismissed(web: Web) -> None:
    table = table_xlsx(
        entries=numeric_entries(),
        meta={
            "campaign_id": web.world.campaign.id,
            "request_id": web.world.request.id,
            "bureau_code": "420100",
            "form_key": "progress",
        },
    )
    forged = _hold(web, reply(sender=STRANGER, attachments=[("统计表.xlsx", table)]), 1)
    spam = _hold(web, reply(sender="ads@example.com", subject="办公用品促销<script>"), 2)

    assert web.client.get("/admin/inbox", follow_redirects=False).status_code == 303
    login(web)
    page = web.client.get("/admin/inbox").text
    assert STRANGER in page and "不是武汉市质量技术监督局登记的邮箱" in page
    assert "办公用品促销&lt;script&gt;" in page  # escaped
    assert f'<option value="{web.world.request.id}" selected>' in page
    csrf = csrf_of(page)

    missing = web.client.post(f"/admin/inbox/{forged.id}/assign", data={"csrf_token": csrf})
    assert missing.status_code == 422 and "请选择" in missing.text
    stale = web.client.post(
        f"/admin/inbox/{forged.id}/assign",
        data={"csrf_token": "forged", "request_id": str(web.world.request.id)},
    )
    assert stale.status_code == 403

    done = web.client.post(
        f"/admin/inbox/{forged.id}/assign",
        data={"csrf_token": csrf, "request_id": str(web.world.request.id), "remember": "1"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    web.session.expire_all()
    row = web.session.get_one(InboxMessage, forged.id)
    assert row.outcome == InboxOutcome.accepted and row.resolved_by == "张三"
    submission = web.session.get_one(ReportSubmission, row.submission_id)
    assert submission.narrative == NARRATIVE and submission.channel == "email"
    assert web.session.get_one(InboxSender, STRANGER).bureau_code == "420100"

    twice = web.client.post(
        f"/admin/inbox/{forged.id}/assign",
        data={"csrf_token": csrf, "request_id": str(web.world.request.id)},
    )
    assert twice.status_code == 409 and "已处理" in twice.text

    gone = web.client.post(
        f"/admin/inbox/{spam.id}/dismiss", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert gone.status_code == 303
    page = web.client.get("/admin/inbox").text
    assert "没有待人工处理的来信" in page and "已忽略" in page and "已受理" in page
    assert web.session.exec(select(InboxMessage).where(InboxMessage.raw != None)).all() == []  # noqa: E711


def test_assigning_an_invalid_table_sends_the_reasons(web: Web) -> None:
    entries = numeric_entries() | {"qualified_batches": 99}
    raw = reply(sender=STRANGER, attachments=[("统计表.xlsx", table_xlsx(entries=entries))])
    held = _hold(web, raw, 3)
    login(web)
    csrf = csrf_of(web.client.get("/admin/inbox").text)
    web.client.post(
        f"/admin/inbox/{held.id}/assign",
        data={"csrf_token": csrf, "request_id": str(web.world.request.id)},
    )
    web.session.expire_all()
    row = web.session.get_one(InboxMessage, held.id)
    assert row.outcome == InboxOutcome.rejected and row.reply_message_id is not None
    assert web.session.exec(select(ReportSubmission)).all() == []
    _ = filled_table  # the request's own table is used in tests/inbox
