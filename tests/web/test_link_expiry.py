"""Links expire: read-only for the grace period after their request is settled or their
campaign ended, then a page that says why and whom to contact. Reminders re-send the same
link, and a target never has more than LIVE_LINKS_PER_TARGET live links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from campaign import db as dbmod
from campaign.links import (
    LIVE_LINKS_PER_TARGET,
    issue_link,
    issue_links,
    resend_link,
    resend_links,
    resolve_token,
)
from campaign.orchestration.lifecycle import change_status
from campaign.replies.review import accept_submission
from models.link import LinkPurpose, ReplyLink
from models.submission import ReportSubmission
from web.conftest import Web
from web.helpers import csrf_of, paragraphs, send_form

CONTACT = "请联系省局产品质量和食品安全专项整治工作领导小组办公室"


def _expired_text(response: object) -> str:
    assert response.status_code == 410, response.text  # type: ignore[attr-defined]
    assert "链接已失效" in response.text  # type: ignore[attr-defined]
    assert "<dd>027-00000000</dd>" in response.text  # type: ignore[attr-defined]
    return paragraphs(response.text)[0]  # type: ignore[attr-defined]


def test_an_accepted_report_shows_its_status_then_expires(web: Web) -> None:
    assert send_form(web).status_code == 200
    sid = web.session.exec(select(ReportSubmission.id)).one()
    accept_submission(session=web.session, submission_id=sid, reviewer="张三", now=web.clock())
    web.session.commit()
    accepted_at = web.clock.now
    web.clock.now = accepted_at + timedelta(days=30) - timedelta(minutes=1)
    within = web.client.get(web.url())
    assert within.status_code == 409 and "本期报告已审核通过" in within.text
    assert 'name="csrf_token"' not in within.text  # read-only: no form
    web.clock.now = accepted_at + timedelta(days=30)
    text = _expired_text(web.client.get(web.url()))
    assert text == (
        "本期报告已于2007年9月13日审核通过，此链接此后保留30日供查看，已于2007年10月13日失效，"
        "不能再打开。如需查询报送情况或更正已报送的内容，"
        + CONTACT
        + "（联系人：领导小组办公室联络员，电话：027-00000000，"
        "邮箱：zxzz-office@hbqts.example.org）。"
    )
    posted = web.client.post(web.url(), data={"csrf_token": "x"})
    assert posted.status_code == 410 and "链接已失效" in posted.text
    assert web.limiter.failures("testclient") == 0  # a genuine link is no bad token


def test_the_grace_period_is_a_setting(web: Web, monkeypatch: pytest.MonkeyPatch) -> None:
    send_form(web)
    sid = web.session.exec(select(ReportSubmission.id)).one()
    accept_submission(session=web.session, submission_id=sid, reviewer="张三", now=web.clock())
    web.session.commit()
    monkeypatch.setenv("CAMPAIGN_LINK_GRACE_DAYS", "2")
    dbmod.get_settings.cache_clear()
    web.clock.now += timedelta(days=2)
    assert "此链接此后保留2日供查看" in _expired_text(web.client.get(web.url()))


def test_an_acknowledgement_link_expires_after_the_ack(web: Web) -> None:
    page = web.client.get(web.url("ack")).text
    done = web.client.post(web.url("ack", "/ack"), data={"csrf_token": csrf_of(page)})
    assert done.status_code == 200 and "签收" in done.text
    assert web.client.get(web.url("ack")).status_code == 200  # still shows it was signed
    web.clock.now += timedelta(days=31)
    assert _expired_text(web.client.get(web.url("ack"))).startswith("本通知已于2007年9月13日签收")


def test_an_ended_campaign_shows_the_status_then_expires(web_on_both: Web) -> None:
    web = web_on_both
    change_status(
        session=web.session,
        campaign=web.world.campaign,
        command="cancel",
        actor="张三",
        channel="cli",
    )
    web.session.commit()
    ended = datetime.now(UTC)
    web.clock.now = ended + timedelta(days=29)
    for name in ("wuhan", "ad_hoc"):
        within = web.client.get(web.url(name))
        assert within.status_code == 410 and "本次报送已关闭，不再接收" in within.text
        assert 'name="csrf_token"' not in within.text
    web.clock.now = ended + timedelta(days=31)
    for name in ("wuhan", "ad_hoc", "ack"):
        assert _expired_text(web.client.get(web.url(name))).startswith("本次工作已于")
    assert "终止" in _expired_text(web.client.get(web.url()))
    assert web.limiter.failures("testclient") == 0


def _live(web: Web, request_id: int) -> list[ReplyLink]:
    web.session.expire_all()
    return list(
        web.session.exec(
            select(ReplyLink).where(
                ReplyLink.request_id == request_id,
                ReplyLink.revoked_at == None,  # noqa: E711
            )
        ).all()
    )


def _wuhan_report_link(web: Web) -> dict[str, Any]:
    """The arguments of issue_link and resend_link naming Wuhan's report link."""
    request = web.world.requests["wuhan"]
    return dict(
        session=web.session,
        campaign_id=web.world.campaign.id,
        bureau_code=request.bureau_code,
        purpose=LinkPurpose.report,
        request_id=request.id,
    )


def test_a_reminder_resends_the_same_link(web_on_both: Web) -> None:
    web = web_on_both
    request = web.world.requests["wuhan"]
    target = _wuhan_report_link(web)
    first = resend_link(**target)
    again = resend_link(**target)
    web.session.commit()
    assert first.token == again.token == web.world.tokens["wuhan"]
    assert first.url == f"http://testserver/r/{web.world.tokens['wuhan']}"
    assert [link.id for link in _live(web, request.id)] == [first.link.id]
    assert web.client.get(web.url()).status_code == 200


def test_live_links_per_request_are_bounded(web_on_both: Web) -> None:
    web = web_on_both
    request = web.world.requests["wuhan"]
    target = _wuhan_report_link(web)
    # A link issued before tokens were derived cannot be sent again: a reminder then
    # issues one new link and keeps the old one working, and re-sends that one after.
    legacy = _live(web, request.id)[0]
    legacy.token_salt = None
    web.session.add(legacy)
    web.session.commit()
    reminder = resend_link(**target)
    assert resend_link(**target).token == reminder.token != web.world.tokens["wuhan"]
    web.session.commit()
    assert {link.id for link in _live(web, request.id)} == {legacy.id, reminder.link.id}
    tokens = [issue_link(**target, revoke_previous=False).token for _ in range(4)]
    web.session.commit()
    assert len(_live(web, request.id)) == LIVE_LINKS_PER_TARGET == 2
    assert resolve_token(session=web.session, token=tokens[-1]) is not None
    assert resolve_token(session=web.session, token=tokens[-2]) is not None
    assert resolve_token(session=web.session, token=web.world.tokens["wuhan"]) is None
    reissued = issue_link(**target)  # a reissue: the only live link
    web.session.commit()
    assert [link.id for link in _live(web, request.id)] == [reissued.link.id]


def test_links_issued_in_one_batch_replace_only_their_targets(web_on_both: Web) -> None:
    web = web_on_both
    wuhan, huangshi = web.world.requests["wuhan"], web.world.requests["huangshi"]
    kept = [link.id for link in _live(web, huangshi.id)]
    urls = issue_links(
        session=web.session,
        campaign_id=web.world.campaign.id,
        purpose=LinkPurpose.report,
        targets=[(wuhan.bureau_code, wuhan.id)],
    )
    web.session.commit()
    (new,) = _live(web, wuhan.id)  # the earlier link revoked, the new one live
    token = urls[(wuhan.bureau_code, wuhan.id)].token
    assert resolve_token(session=web.session, token=token).id == new.id  # type: ignore[union-attr]
    assert resolve_token(session=web.session, token=web.world.tokens["wuhan"]) is None
    assert [link.id for link in _live(web, huangshi.id)] == kept  # not a target
    assert (new.purpose, new.bureau_code, new.created_at is not None) == (
        LinkPurpose.report,
        wuhan.bureau_code,
        True,
    )


def test_reminders_in_one_batch_resend_the_same_links(web_on_both: Web) -> None:
    web = web_on_both
    wuhan, huangshi = web.world.requests["wuhan"], web.world.requests["huangshi"]
    legacy = _live(web, huangshi.id)[0]  # issued before tokens were derived: a new one
    legacy.token_salt = None
    web.session.add(legacy)
    web.session.commit()
    urls = resend_links(
        session=web.session,
        campaign_id=web.world.campaign.id,
        purpose=LinkPurpose.report,
        targets=[(wuhan.bureau_code, wuhan.id), (huangshi.bureau_code, huangshi.id)],
    )
    web.session.commit()
    assert (
        urls[(wuhan.bureau_code, wuhan.id)].url
        == f"http://testserver/r/{web.world.tokens['wuhan']}"
    )
    assert len(_live(web, huangshi.id)) == 2  # the old one kept working, a new one sent
    assert (
        urls[(huangshi.bureau_code, huangshi.id)].url
        != f"http://testserver/r/{web.world.tokens['huangshi']}"
    )
