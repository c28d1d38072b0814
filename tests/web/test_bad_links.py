"""Bad links, form tokens and request states: each refused plainly, and nothing is stored.

The other half of the bad-input corpus (values, attachments, uploads) is test_bad_inputs.py.
"""

from __future__ import annotations

from sqlmodel import select

from campaign.replies.review import accept_submission
from models.link import ReplyLink
from models.request import ReportRequest
from models.submission import ReportSubmission
from web.conftest import Web
from web.helpers import (
    NOTHING,
    csrf_of,
    form_data,
    paragraphs,
    send_form,
    stored,
)

STALE = "页面已过期或来源不明，本次提交未保存。请重新打开邮件中的链接，填写后再提交。"


def test_another_bureaus_token_with_this_bureaus_form_token(web: Web) -> None:
    page = web.client.get(web.url("wuhan")).text
    response = web.client.post(web.url("huangshi"), data=form_data(csrf_of(page)))
    assert response.status_code == 403 and paragraphs(response.text) == [STALE]
    other = web.client.get(web.url("huangshi")).text
    assert "黄石市质量技术监督局" in other and "武汉市" not in other
    assert stored(web) == NOTHING


def test_a_post_without_form_token(web: Web) -> None:
    web.client.get(web.url())
    response = web.client.post(web.url(), data=form_data(""))
    assert response.status_code == 403 and paragraphs(response.text) == [STALE]
    assert stored(web) == NOTHING


def test_a_cross_site_post_without_the_cookie(web: Web) -> None:
    page = web.client.get(web.url()).text
    web.client.cookies.clear()
    response = web.client.post(web.url(), data=form_data(csrf_of(page)))
    assert response.status_code == 403 and paragraphs(response.text) == [STALE]
    assert stored(web) == NOTHING


def test_a_forged_form_token(web: Web) -> None:
    token = csrf_of(web.client.get(web.url()).text)
    nonce, issued, _ = token.split(".")
    forged = f"{nonce}.{issued}.{'0' * 32}"
    web.client.cookies.set("csrf", forged, path=f"/r/{web.world.tokens['wuhan']}")
    response = web.client.post(web.url(), data=form_data(forged))
    assert response.status_code == 403 and paragraphs(response.text) == [STALE]
    assert stored(web) == NOTHING


def _refused_page(web: Web) -> tuple[int, str]:
    response = web.client.get("/r/" + "A" * 43)
    return response.status_code, response.text


def test_forged_and_revoked_tokens_get_the_same_refusal(web: Web) -> None:
    """Expired links say why instead (test_link_expiry.py): only a genuine token gets there."""
    forged = _refused_page(web)
    assert forged[0] == 404 and "您打开的链接无效或已失效" in forged[1]
    link = web.session.exec(
        select(ReplyLink).where(ReplyLink.request_id == web.world.requests["huangshi"].id)
    ).one()
    link.revoked_at = link.created_at
    web.session.commit()
    revoked = web.client.get(web.url("huangshi"))
    posted = web.client.post(web.url("huangshi"), data=form_data("x"))
    uploaded = web.client.post(web.url("huangshi", "/xlsx"), data={"csrf_token": "x"})
    for response in (revoked, posted, uploaded):
        assert (response.status_code, response.text) == forged
    assert stored(web) == NOTHING


def test_a_closed_request_says_so_and_whom_to_contact(web: Web) -> None:
    page = web.client.get(web.url()).text
    request = web.session.get(ReportRequest, web.world.request.id)
    request.status = "closed"
    web.session.commit()
    response = web.client.post(web.url(), data=form_data(csrf_of(page)))
    assert response.status_code == 410
    assert paragraphs(response.text) == [
        "本次报送已关闭，不再接收。如有特殊情况，请联系省局产品质量和食品安全专项整治工作领导小组办公室"
        "（联系人：领导小组办公室联络员，电话：027-00000000，邮箱：zxzz-office@hbqts.example.org）。"
    ]
    assert "<dd>027-00000000</dd>" in response.text
    assert web.client.get(web.url()).status_code == 410
    assert stored(web) == NOTHING


def test_an_accepted_request_takes_no_new_version(web: Web) -> None:
    assert send_form(web).status_code == 200
    sid = web.session.exec(select(ReportSubmission.id)).one()
    accept_submission(session=web.session, submission_id=sid, reviewer="张三")
    web.session.commit()
    before = stored(web)
    response = web.client.get(web.url())
    assert response.status_code == 409
    assert paragraphs(response.text)[0].startswith(
        "本期报告已审核通过，不能再修改。如需更正，请联系"
    )
    assert stored(web) == before


def test_a_double_submit_stores_once(web: Web) -> None:
    page = web.client.get(web.url()).text
    first = web.client.post(web.url(), data=form_data(csrf_of(page)))
    again = web.client.post(web.url(), data=form_data(csrf_of(page), {"inspections": "99"}))
    assert first.status_code == again.status_code == 200
    assert "本次未重复保存" not in first.text
    assert "本表已于2007年9月13日10:00提交并收到，本次未重复保存。" in again.text
    assert stored(web) == {"submissions": 1, "attachments": 0, "mails": 1}


def test_script_in_the_narrative_is_stored_as_typed_and_shown_escaped(web: Web) -> None:
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = send_form(web, narrative=script, changes={"inspections": "<b>1</b>"})
    assert response.status_code == 422  # the count is not a number: shown back, escaped
    assert "<script>" not in response.text and "<b>1</b>" not in response.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in response.text
    assert stored(web) == NOTHING
    ok = send_form(web, narrative=script)
    assert ok.status_code == 200
    assert "<script>" not in ok.text and "&lt;img src=x onerror=alert(1)&gt;" in ok.text
    web.session.expire_all()
    assert web.session.exec(select(ReportSubmission.narrative)).one() == script
