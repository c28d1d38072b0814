"""The coordinator's pages: login, the review queue, accept, return with a new deadline."""

from __future__ import annotations

import re
from datetime import date

from replies.factories import AFTER_DUE
from sqlmodel import select

from models.audit import AuditEvent
from models.outbox import OutboxMessage
from models.request import ReportRequest
from models.submission import ReportSubmission
from web.conftest import Web
from web.helpers import csrf_of, send_form, send_table

PASSWORD = "审核-口令-2007"


def login(web: Web, password: str = PASSWORD) -> object:
    page = web.client.get("/admin/login").text
    return web.client.post(
        "/admin/login",
        data={"name": "张三", "password": password, "csrf_token": csrf_of(page)},
        follow_redirects=False,
    )


def test_pages_need_a_login(web: Web) -> None:
    response = web.client.get("/admin/submissions", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin/login"
    assert (
        web.client.post("/admin/submissions/1/accept", data={"csrf_token": "x"}).status_code == 403
    )
    wrong = login(web, "guess")
    assert wrong.status_code == 401 and "密码不正确。" in wrong.text
    ok = login(web)
    assert ok.status_code == 303 and "HttpOnly" in ok.headers["set-cookie"]
    assert web.client.get("/admin/submissions").status_code == 200


def test_login_form_needs_its_token(web: Web) -> None:
    web.client.get("/admin/login")
    response = web.client.post("/admin/login", data={"password": PASSWORD, "csrf_token": "x"})
    assert response.status_code == 403


def test_accept_from_the_review_page(web: Web) -> None:
    assert send_form(web, narrative="<script>alert(1)</script>").status_code == 200
    login(web)
    queue = web.client.get("/admin/submissions").text
    sid = int(re.search(r'href="/admin/submissions/(\d+)"', queue).group(1))
    assert "武汉市质量技术监督局" in queue and "待审核" in queue
    assert re.search(r"2007-\d\d-\d\d \d\d:\d\d Asia/Shanghai", queue)  # local, zone named
    detail = web.client.get(f"/admin/submissions/{sid}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail and "<script>" not in detail
    response = web.client.post(
        f"/admin/submissions/{sid}/accept",
        data={"csrf_token": csrf_of(detail), "comment": "好"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    web.session.expire_all()
    submission = web.session.get(ReportSubmission, sid)
    assert (submission.review_status, submission.reviewer, submission.review_comment) == (
        "accepted",
        "张三",
        "好",
    )
    assert web.session.get(ReportRequest, submission.request_id).status == "accepted"
    again = web.client.post(
        f"/admin/submissions/{sid}/accept", data={"csrf_token": csrf_of(detail)}
    )
    assert again.status_code == 409 and "已审核" in again.text


def test_a_form_token_of_another_session_is_refused(web: Web) -> None:
    send_form(web)
    login(web)
    detail = web.client.get("/admin/submissions/1").text
    login(web)  # a new session
    response = web.client.post("/admin/submissions/1/accept", data={"csrf_token": csrf_of(detail)})
    assert response.status_code == 403


def test_return_reopens_with_a_new_deadline_and_tells_the_bureau(web: Web) -> None:
    send_form(web)
    login(web)
    detail = web.client.get("/admin/submissions/1").text
    empty = web.client.post(
        "/admin/submissions/1/return", data={"csrf_token": csrf_of(detail), "comment": " "}
    )
    assert empty.status_code == 409 and "退回时请填写退回意见" in empty.text
    response = web.client.post(
        "/admin/submissions/1/return",
        data={"csrf_token": csrf_of(detail), "comment": "抽查批次与上周不符，请核实"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    web.session.expire_all()
    request = web.session.get(ReportRequest, web.world.request.id)
    # 2007-09-13 (Thursday) + 3 working days: Friday 14, Monday 17, Tuesday 18.
    assert request.status == "returned" and request.due_date == date(2007, 9, 18)
    mail = web.session.exec(select(OutboxMessage).where(OutboxMessage.notice == "returned")).one()
    assert "抽查批次与上周不符，请核实" in mail.text_body
    new_link = re.search(r"http://testserver/r/[\w-]+", mail.text_body).group(0)
    old = web.client.get(web.url())  # the earlier link was replaced: it says so, not 404
    assert old.status_code == 410 and "链接已更换" in old.text
    assert "新的专用链接已于" in old.text and "通过电子邮件发送给你单位" in old.text
    page = web.client.get(new_link.removeprefix("http://testserver")).text
    assert "退回意见：" in page and "抽查批次与上周不符，请核实" in page
    assert "已退回，请修改后重新报送" in page
    web.clock.now = AFTER_DUE
    resubmit = web.client.post(
        new_link.removeprefix("http://testserver"),
        data={**{k: v for k, v in _form_fields(page).items()}, "csrf_token": csrf_of(page)},
    )
    assert resubmit.status_code == 200 and "第2版" in resubmit.text
    events = web.session.exec(select(AuditEvent.event).order_by(AuditEvent.id)).all()
    assert events == ["answer_received", "answer_returned", "answer_received"]


def test_return_with_a_given_date_and_download_the_table(web: Web) -> None:
    from replies.factories import numeric_entries, table_xlsx

    send_table(web, table_xlsx(entries=numeric_entries()))
    login(web)
    detail = web.client.get("/admin/submissions/1").text
    assert "上传的统计表" in detail
    attachment = re.search(r'href="(/admin/attachments/\d+)"', detail).group(1)
    download = web.client.get(attachment)
    assert download.status_code == 200 and download.content.startswith(b"PK")
    assert download.headers["content-disposition"].startswith("attachment")
    past = web.client.post(
        "/admin/submissions/1/return",
        data={"csrf_token": csrf_of(detail), "comment": "改", "due": "2007-09-01"},
    )
    assert past.status_code == 409 and "早于今天" in past.text
    ok = web.client.post(
        "/admin/submissions/1/return",
        data={"csrf_token": csrf_of(detail), "comment": "改", "due": "2007-09-25"},
    )
    assert ok.status_code == 200  # followed the redirect to the page
    web.session.expire_all()
    assert web.session.get(ReportRequest, web.world.request.id).due_date == date(2007, 9, 25)


def _form_fields(page: str) -> dict[str, str]:
    fields = dict(re.findall(r'name="(f_\w+)" value="([^"]*)"', page))
    fields["narrative"] = re.search(
        r'<textarea id="narrative"[^>]*>(.*?)</textarea>', page, re.S
    ).group(1)
    return fields
