"""A city's aggregate request answered from its mail: the personal link shows what the
console's aggregate page shows (the computed aggregate, the counties' states), pre-filled
with the computed figures, and refuses as the console does (an unexplained difference, a
county left out unconfirmed), every problem at once beside its field, nothing stored; the
.xlsx upload and a reply by mail go through the same rules. Over HTTP on both databases,
and once in real Chromium."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from inbox.mails import filled_table, reply
from sqlmodel import Session, select

from campaign.accounts import scope_of
from campaign.documents.xlsx_table import write_table
from campaign.inbox.outcome import answer
from campaign.inbox.parse import parse_mail
from campaign.plan.stored import plan_of
from campaign.replies.aggregate import NOTE_HEADING
from campaign.replies.review import accept_submission
from campaign.web.app import create_app
from models.audit import AuditEvent
from models.bureau import Bureau
from models.campaign import Campaign
from models.inbox import InboxOutcome
from models.outbox import OutboxMessage
from models.request import ReportRequest
from models.submission import ReportSubmission
from tests.support.routed import request_of
from web.conftest import Clock
from web.helpers import csrf_of, errors, summary
from web.server import app_in_thread, public_port
from web.test_console_browser import without_js  # noqa: F401  (fixture)
from web.test_routing_console import NOW, login, relay_world, routed  # noqa: F401  (fixture)

JIA = "980100"
LINK = re.compile(r"/r/([A-Za-z0-9_-]{20,})")
# 甲市's counties: 东县 (1) and 北县 (3) accepted, 西县 (2) awaiting review: 1 + 3 = 4
COMPUTED = {"makers_checked": "4", "lots_tested": "40", "lots_failed": "1", "penalties": "1"}
DIFFERS = "“检查生产企业数”填报5，与下级审核通过数据的汇总4不一致，请填写差异说明"
LEFT_OUT = "尚有1个单位未纳入汇总：甲市西县质量技术监督局（待审核）；仍要报送须确认"


def city_link(session: Session) -> str:
    """The token of the link 甲市's aggregate request mail carries (which says so)."""
    mail = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.bureau_code == JIA, OutboxMessage.notice == "request"
        )
    ).all()
    (aggregate,) = [m for m in mail if "本报告为汇总报送" in m.text_body]
    found = LINK.search(aggregate.text_body)
    assert found, aggregate.text_body
    return found.group(1)


def stored(session: Session) -> list[ReportSubmission]:
    session.expire_all()
    return list(
        session.exec(select(ReportSubmission).where(ReportSubmission.bureau_code == JIA)).all()
    )


def text_of(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def city_table(session: Session, values: dict[str, str]) -> bytes:
    """甲市's aggregate table, as its request mail attaches it, filled in."""
    request = request_of(session, JIA, "aggregate")
    campaign = session.get_one(Campaign, request.campaign_id)
    plan = plan_of(campaign)
    raw = write_table(
        campaign_id=request.campaign_id,
        document_number=campaign.document_number,
        form=plan.form("monthly"),
        duty_key=request.duty_key,
        period_key=request.period_key,
        period_label=request.period_label or "",
        due=request.due_date,
        request_id=request.id,  # type: ignore[arg-type]
        bureau_code=JIA,
        bureau_name="甲市质量技术监督局",
    )
    return filled_table(raw, values, narrative=None)


def test_the_city_link_shows_the_aggregate_and_keeps_its_rules(
    routed: tuple[TestClient, Session],  # noqa: F811
) -> None:
    client, session = routed
    world = relay_world(session)
    url = f"/r/{city_link(session)}"
    page = client.get(url)
    assert page.status_code == 200, page.text
    shown = text_of(page.text)
    assert "已审核通过2个，待审核1个，已退回重报0个，未报0个" in shown
    assert "甲市西县质量技术监督局 待审核" in shown
    assert "/admin/submissions" not in page.text  # the counties' answers stay in the console
    for key, value in COMPUTED.items():  # pre-filled with the computed aggregate
        assert f'name="f_{key}" value="{value}"' in page.text, key
        assert f'id="computed_{key}">下级汇总：{value}<' in page.text, key
    # the console's page computes the same figures (one computation)
    console = TestClient(client.app)  # type: ignore[arg-type]
    login(console, "jia")
    aggregate = console.get(f"/admin/aggregates/{world['aggregates'][JIA]}").text
    for key, value in COMPUTED.items():
        assert f'name="v_{key}" value="{value}"' in aggregate, key

    # a difference without a note, a county left out unconfirmed, a form rule broken:
    # every problem at once, each beside its field, nothing stored
    entries = {"f_makers_checked": "5", "f_lots_tested": "40", "f_lots_failed": "1"}
    data = {"csrf_token": csrf_of(page.text), **entries, "f_penalties": "一万"}
    refused = client.post(url, data=data)
    assert refused.status_code == 422
    (number,) = [e for e in errors(refused.text) if e not in (DIFFERS, LEFT_OUT)]
    assert "罚没金额" in number and len(errors(refused.text)) == 3
    assert len(summary(refused.text)) == 3 and "共3处问题" in refused.text
    assert f'<p class="error" id="err_makers_checked">{DIFFERS}' in html.unescape(refused.text)
    assert f'<p class="error" id="err_confirm_missing">{LEFT_OUT}' in html.unescape(refused.text)
    assert 'name="f_makers_checked" value="5"' in refused.text  # what was typed is kept
    assert stored(session) == []

    # explained and confirmed: stored as the console stores it, with its receipt
    data.update(f_penalties="1", note="市局直接检查1家", confirm_missing="yes")
    done = client.post(url, data=data)
    assert done.status_code == 200, errors(done.text)
    (row,) = stored(session)
    assert row.values["makers_checked"] == "5" and row.channel == "web"
    assert row.narrative == f"{NOTE_HEADING}市局直接检查1家"
    audit = session.exec(
        select(AuditEvent).where(
            AuditEvent.event == "aggregate_submitted", AuditEvent.bureau_code == JIA
        )
    ).one()
    assert audit.actor == JIA and audit.detail["left_out"] == {"980102": "pending"}
    assert audit.detail["differences"] == {"makers_checked": ["4", "5"]}
    assert audit.detail["accepted"] == ["980101", "980103"]
    receipts = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.bureau_code == JIA, OutboxMessage.key == f"receipt:{row.id}"
        )
    ).all()
    assert len(receipts) == 1


def test_a_table_uploaded_on_the_link_meets_the_same_rules(
    routed: tuple[TestClient, Session],  # noqa: F811
) -> None:
    client, session = routed
    relay_world(session)
    url = f"/r/{city_link(session)}"
    page = client.get(url).text
    assert "统计表不能附带差异说明" in text_of(page)
    table = ("统计表.xlsx", city_table(session, {**COMPUTED, "makers_checked": "5"}))
    refused = client.post(f"{url}/xlsx", data={"csrf_token": csrf_of(page)}, files={"table": table})
    assert refused.status_code == 422
    assert set(errors(refused.text)) == {DIFFERS, LEFT_OUT}
    assert 'name="f_makers_checked" value="5"' in refused.text  # the table's figures, kept
    assert stored(session) == []
    same = ("统计表.xlsx", city_table(session, COMPUTED))
    refused = client.post(f"{url}/xlsx", data={"csrf_token": csrf_of(page)}, files={"table": same})
    assert errors(refused.text) == [LEFT_OUT]  # the computed figures: only the county left out
    jia = scope_of(session, "jia")
    assert jia is not None
    for row in session.exec(
        select(ReportSubmission).where(ReportSubmission.bureau_code == "980102")
    ).all():
        accept_submission(session=session, submission_id=row.id, reviewer="jia", scope=jia)  # type: ignore[arg-type]
    session.commit()
    all_in = {**COMPUTED, "makers_checked": "6", "lots_tested": "60", "lots_failed": "3"}
    table = ("统计表.xlsx", city_table(session, {**all_in, "penalties": "1.5"}))
    done = client.post(f"{url}/xlsx", data={"csrf_token": csrf_of(page)}, files={"table": table})
    assert done.status_code == 200, errors(done.text)
    (row,) = stored(session)
    assert (row.channel, row.values["makers_checked"]) == ("xlsx", "6")


def _mail_answer(session: Session, table: bytes, n: int) -> Any:
    request: ReportRequest = request_of(session, JIA, "aggregate")
    raw = reply(sender="jia@example.org", body="请查收。", attachments=[("汇总表.xlsx", table)])
    return answer(
        session=session, mail=parse_mail(raw), request=request,
        bureau=session.get_one(Bureau, JIA), inbox_id=n, complete=True, size=len(raw),
        now=NOW,
    )  # fmt: skip


def test_a_reply_by_mail_meets_the_same_rules_and_says_to_use_the_link(
    routed: tuple[TestClient, Session],  # noqa: F811
) -> None:
    _, session = routed
    relay_world(session)
    decision = _mail_answer(session, city_table(session, {**COMPUTED, "makers_checked": "5"}), 1)
    session.commit()
    assert decision.outcome == InboxOutcome.rejected
    assert decision.reason == f"{DIFFERS}；{LEFT_OUT}"
    body = decision.reply.text_body
    assert DIFFERS in body and LEFT_OUT in body
    assert "统计表和邮件无法附带差异说明和确认，请通过汇总报送通知邮件中的专用链接报送" in body
    assert stored(session) == []
    # nothing to explain or confirm: a reply by mail is taken as any answer
    jia = scope_of(session, "jia")
    assert jia is not None
    sid = session.exec(
        select(ReportSubmission.id).where(ReportSubmission.bureau_code == "980102")
    ).one()
    accept_submission(session=session, submission_id=sid, reviewer="jia", scope=jia)  # type: ignore[arg-type]
    session.commit()
    all_in = {"makers_checked": "6", "lots_tested": "60", "lots_failed": "3", "penalties": "1.5"}
    decision = _mail_answer(session, city_table(session, all_in), 2)
    session.commit()
    assert decision.outcome == InboxOutcome.accepted, decision.reason
    (row,) = stored(session)
    assert row.channel == "email"
    audit = session.exec(
        select(AuditEvent).where(
            AuditEvent.event == "aggregate_submitted", AuditEvent.bureau_code == JIA
        )
    ).one()
    assert (audit.channel, audit.detail["left_out"]) == ("email", {})


@pytest.mark.browser
@pytest.mark.parametrize("without_js", [390], indirect=True, ids=["phone"])
def test_the_city_answers_its_aggregate_link_in_chromium(
    lite_session: Session,
    monkeypatch: pytest.MonkeyPatch,
    without_js,  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    port, base = public_port(monkeypatch)
    relay_world(lite_session)
    token = city_link(lite_session)
    with app_in_thread(create_app(clock=Clock(NOW)), port):
        page = without_js.new_page()
        page.goto(f"{base}/r/{token}")
        assert page.input_value("#f_makers_checked") == "4"
        assert "已审核通过2个" in page.inner_text("#counts")
        page.fill("#f_makers_checked", "5")
        page.click("#report-form button[type=submit]")
        assert page.inner_text("#err_makers_checked") == DIFFERS
        assert page.inner_text("#err_confirm_missing") == LEFT_OUT
        page.fill("#note", "市局直接检查1家")
        page.check("#confirm_missing")
        page.click("#report-form button[type=submit]")
        assert "市局直接检查1家" in page.content()
    (row,) = stored(lite_session)
    assert row.values["makers_checked"] == "5" and row.channel == "web"
