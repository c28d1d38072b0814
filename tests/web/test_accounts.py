"""Console accounts over HTTP: every /admin route tried with another city's account and
with a county's account against its city (the routes enumerated from the app, so a new
route cannot be forgotten); login rotation, logout, cookie flags; argon2 hashes.

Three levels: 湖北省局 420000 → 武汉 420100, 黄石 420200 → 江岸区 420102 (under 武汉)."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from campaign.accounts import add_account, any_account
from models.account import ConsoleAccount
from models.attachment import SubmissionAttachment
from models.audit import AuditEvent
from models.bureau import Bureau, BureauLevel
from models.coordinator_session import CoordinatorSession
from models.inbox import InboxMessage
from models.request import ReportRequest, RequestKind
from models.submission import ReportSubmission
from web.conftest import Web
from web.helpers import csrf_of, send_form

PASSWORD = "口令-足够长-2026"
DOMAIN = "testserver.local"  # where the test client's jar keeps the server's cookies
OPEN_TO_ALL = {"/admin/login", "/admin/logout", "/admin"}


def _accounts(web: Web) -> None:
    s = web.session
    s.add(
        Bureau(
            code="420102",
            name="江岸区质量技术监督局",
            parent_code="420100",
            level=BureauLevel.county,
            email="ja@example.org",
        )
    )
    s.flush()
    for name, unit, role in (
        ("office", "420000", "office"),
        ("wuhan", "420100", "coordinator"),
        ("huangshi", "420200", "coordinator"),
        ("jiangan", "420102", "coordinator"),
        ("wuhan-view", "420100", "viewer"),
    ):
        add_account(session=s, username=name, unit_code=unit, role=role, password=PASSWORD)
    s.commit()


def login(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    page = client.get("/admin/login").text
    return client.post(
        "/admin/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page)},
        follow_redirects=False,
    )


def _wuhan_world(web: Web, tmp_path: object) -> dict[str, object]:
    """武汉 answers (pending review), with an attachment; a held mail naming 武汉."""
    send_form(web)
    send_form(web, name="huangshi")
    s = web.session
    s.expire_all()
    wuhan = s.exec(select(ReportSubmission).where(ReportSubmission.bureau_code == "420100")).one()
    wuhan_request = s.get_one(ReportRequest, wuhan.request_id)
    stored = "attachments/wuhan.txt"
    path = web.client.app.state.data_dir / stored
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("武汉市的附件", encoding="utf-8")
    att = SubmissionAttachment(
        submission_id=wuhan.id,
        kind="attachment",
        filename="武汉.txt",
        content_type="text/plain",
        size=1,
        sha256="0" * 64,
        stored_path=stored,
    )
    s.add(att)
    held = s.exec(select(InboxMessage)).first()
    aggregate = ReportRequest(  # 武汉's own report of a duty routed through it
        campaign_id=web.world.campaign.id,
        duty_key=wuhan_request.duty_key,
        period_key="routed",
        bureau_code="420100",
        kind=RequestKind.aggregate,
        due_date=wuhan_request.due_date,
    )
    s.add(aggregate)
    s.commit()
    return {
        "campaign_id": web.world.campaign.id,
        "submission_id": wuhan.id,
        "attachment_id": att.id,
        "inbox_id": held.id if held else 1,
        "stage": "all",
        "username": "wuhan",
        "unit_code": "420100",
        "summary_id": 1,
        "document": "summary",
        "suffix": "xlsx",
        "number": 1,
        "window": "market-access",  # a directive to forward (campaign.forwarding)
        "request_id": aggregate.id,
    }


def _routes(web: Web) -> list[tuple[str, str]]:
    """Every /admin route of the app, as its OpenAPI schema lists them (a route left out
    of the schema would need its own line here: only the /admin redirect is)."""
    paths = web.client.app.openapi()["paths"]  # type: ignore[attr-defined]
    return [
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith("/admin")
        for method in operations
    ]


def _texts(response: object) -> str:
    body = response.content
    if body[:2] == b"PK":  # a workbook: every cell's text
        book = openpyxl.load_workbook(io.BytesIO(body))
        return " ".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row)
    return body.decode("utf-8", "replace")


@pytest.mark.parametrize("who", ["huangshi", "jiangan"])
def test_every_admin_route_refuses_or_hides_wuhan(
    web_on_both: Web, tmp_path: object, who: str
) -> None:
    """Another city's account (黄石) and a county's (江岸, under 武汉) against 武汉, on
    SQLite and PostgreSQL (the scope is in the queries)."""
    web = web_on_both
    _accounts(web)
    values = _wuhan_world(web, tmp_path)
    assert login(web.client, who).headers["location"] == "/admin/campaigns"
    token = csrf_of(web.client.get("/admin/submissions").text)
    routes = _routes(web)
    assert len(routes) >= 13 and ("GET", "/admin/accounts") in routes
    for method, path in routes:
        if path in OPEN_TO_ALL:
            continue
        names = re.findall(r"{(\w+)}", path)
        assert set(names) <= set(values), f"new parameter in {path}: add it to this test"
        url = path.format(**{n: values[n] for n in names})
        if method == "GET":
            response = web.client.get(url, follow_redirects=False)
        else:
            data = {"csrf_token": token, "comment": "越权", "request_id": "1"}
            response = web.client.post(url, data=data, follow_redirects=False)
        code = response.status_code
        assert code in (200, 403, 404), (method, url, code)
        if code == 200:
            assert method == "GET", (method, url)
            text = _texts(response)
            assert "武汉" not in text, (method, url)
    web.session.expire_all()
    wuhan = web.session.get(ReportSubmission, values["submission_id"])
    assert wuhan is not None and wuhan.review_status == "pending"  # nothing changed
    office = TestClient(web.client.app)  # type: ignore[arg-type]
    login(office, "office")  # the control: the same pages do show 武汉 to the office
    cid, sid = values["campaign_id"], values["submission_id"]
    for url in (
        f"/admin/campaigns/{cid}",
        "/admin/submissions",
        f"/admin/submissions/{sid}",
        f"/admin/campaigns/{cid}/stages/all/workbook.xlsx",
        f"/admin/attachments/{values['attachment_id']}",
        f"/admin/aggregates/{values['request_id']}",
        "/admin/aggregates",
    ):
        shown = office.get(url)
        assert shown.status_code == 200 and "武汉" in _texts(shown), url


def test_a_city_sees_its_county_and_a_viewer_cannot_act(web: Web, tmp_path: object) -> None:
    _accounts(web)
    values = _wuhan_world(web, tmp_path)
    login(web.client, "wuhan")
    queue = web.client.get("/admin/submissions").text
    assert "武汉" in queue and "黄石" not in queue
    sid = values["submission_id"]
    assert web.client.get(f"/admin/submissions/{sid}").status_code == 200
    token = csrf_of(web.client.get("/admin/submissions").text)
    web.client.post("/admin/logout", data={"csrf_token": token})
    login(web.client, "wuhan-view")
    token = csrf_of(web.client.get(f"/admin/submissions/{sid}").text)
    refused = web.client.post(f"/admin/submissions/{sid}/accept", data={"csrf_token": token})
    assert refused.status_code == 403 and "只能查看" in refused.text
    assert web.client.get("/admin/inbox").status_code == 403  # held mail: the office only
    login(web.client, "office")
    assert "黄石" in web.client.get("/admin/submissions").text


def test_login_rotates_logout_ends_cookie_flags(web_on_both: Web) -> None:
    web = web_on_both
    _accounts(web)
    planted = "chosen-by-someone-else-before-the-login"
    web.client.cookies.set("coord_session", planted, domain=DOMAIN, path="/admin")
    response = login(web.client, "huangshi")
    header = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("coord_session=")
    )
    assert "HttpOnly" in header and "SameSite=strict" in header and "Secure" not in header
    cookie = web.client.cookies.get("coord_session")
    assert cookie and cookie != planted
    web.session.expire_all()
    rows = web.session.exec(select(CoordinatorSession)).all()
    assert [r.username for r in rows] == ["huangshi"]  # the planted id never became one
    page = web.client.get("/admin/submissions")
    assert page.status_code == 200 and "huangshi" in page.text
    web.client.post("/admin/logout", data={"csrf_token": csrf_of(page.text)})
    web.session.expire_all()
    assert web.session.exec(select(CoordinatorSession)).all() == []  # ended on the server
    thief = TestClient(web.client.app)  # type: ignore[arg-type]
    thief.cookies.set("coord_session", cookie, domain=DOMAIN, path="/admin")
    again = thief.get("/admin/submissions", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/admin/login"
    https = TestClient(web.client.app, base_url="https://testserver")  # type: ignore[arg-type]
    over_tls = login(https, "huangshi")
    for flags in over_tls.headers.get_list("set-cookie"):
        assert "Secure" in flags and "HttpOnly" in flags and "SameSite=strict" in flags


def test_shared_password_only_until_the_first_account(web: Web) -> None:
    page = web.client.get("/admin/login").text
    data = {"name": "张三", "password": "审核-口令-2007", "csrf_token": csrf_of(page)}
    assert web.client.post("/admin/login", data=data, follow_redirects=False).status_code == 303
    assert web.client.get("/admin/submissions").status_code == 200
    _accounts(web)  # the first accounts end the shared password and its sessions
    assert web.client.get("/admin/submissions", follow_redirects=False).status_code == 303
    page = web.client.get("/admin/login").text
    assert 'name="username"' in page
    data["csrf_token"] = csrf_of(page)
    assert web.client.post("/admin/login", data=data).status_code == 401


def test_bad_passwords_slow_the_account_from_any_client(web: Web) -> None:
    _accounts(web)
    for _ in range(4):
        assert login(web.client, "huangshi", "wrong-password").status_code == 401
    assert web.throttle.wait("198.51.100.7", "another-device", "huangshi") > 0
    assert web.throttle.wait("198.51.100.7", "another-device", "wuhan") == 0


def test_only_the_argon2_hash_is_stored(web: Web) -> None:
    _accounts(web)
    row = web.session.get(ConsoleAccount, "wuhan")
    assert row is not None and row.password_hash.startswith("$argon2id$")
    assert PASSWORD not in row.password_hash and any_account(web.session)


def test_the_office_opens_and_disables_accounts_in_the_console(web: Web) -> None:
    _accounts(web)
    wuhan = TestClient(web.client.app)  # type: ignore[arg-type]
    login(wuhan, "wuhan")
    assert wuhan.get("/admin/submissions").status_code == 200
    assert "账号管理" not in wuhan.get("/admin/submissions").text
    login(web.client, "office")
    page = web.client.get("/admin/accounts")
    assert page.status_code == 200 and "武汉市质量技术监督局（420100）" in page.text
    form = {
        "csrf_token": csrf_of(page.text),
        "username": "xiaogan",
        "unit": "420200",
        "role": "viewer",
        "password": PASSWORD,
        "password_again": PASSWORD + "x",
    }
    differ = web.client.post("/admin/accounts", data=form)
    assert differ.status_code == 422 and "两次输入的密码不一致" in differ.text
    form["password_again"] = PASSWORD
    made = web.client.post("/admin/accounts", data=form, follow_redirects=False)
    assert made.status_code == 303
    bad = web.client.post(
        "/admin/accounts", data={**form, "unit": "nowhere", "password": "x", "password_again": "x"}
    )
    assert bad.status_code == 422 and "不在单位名录中" in bad.text and "至少需要" in bad.text
    token = csrf_of(web.client.get("/admin/accounts").text)
    web.client.post("/admin/accounts/wuhan/disable", data={"csrf_token": token})
    gone = wuhan.get("/admin/submissions", follow_redirects=False)
    assert gone.status_code == 303  # the disabled account's session stops at once
    assert login(wuhan, "wuhan").status_code == 401
    web.session.expire_all()
    events = web.session.exec(
        select(AuditEvent.event, AuditEvent.actor).where(AuditEvent.event.like("account_%"))  # type: ignore[attr-defined]
    ).all()
    assert ("account_added", "office") in events and ("account_disabled", "office") in events
    assert web.session.get(ConsoleAccount, "xiaogan") is not None


def test_a_review_is_audited_with_the_username(web: Web) -> None:
    _accounts(web)
    send_form(web)
    login(web.client, "wuhan")
    web.session.expire_all()
    sid = web.session.exec(select(ReportSubmission.id)).first()
    token = csrf_of(web.client.get(f"/admin/submissions/{sid}").text)
    web.client.post(f"/admin/submissions/{sid}/accept", data={"csrf_token": token})
    web.session.expire_all()
    actors = web.session.exec(select(AuditEvent.actor).where(AuditEvent.channel == "review")).all()
    assert "wuhan" in actors
