"""The coordinator's login: sessions held server-side, a new one at each login, cookie
flags, and bad passwords spaced out without locking the coordinator out."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from campaign.web.admin_auth import DEVICE_COOKIE, SESSION_COOKIE
from campaign.web.ratelimit import LoginThrottle
from models.coordinator_session import CoordinatorSession
from web.conftest import Web
from web.helpers import csrf_of

PASSWORD = "审核-口令-2007"
DOMAIN = "testserver.local"  # where the test client's jar keeps the server's cookies


def login(client: TestClient, password: str = PASSWORD) -> object:
    page = client.get("/admin/login").text
    return client.post(
        "/admin/login",
        data={"name": "张三", "password": password, "csrf_token": csrf_of(page)},
        follow_redirects=False,
    )


def _other_client(web: Web, **kwargs: object) -> TestClient:
    return TestClient(web.client.app, **kwargs)  # type: ignore[arg-type]


def _opens_admin(client: TestClient, cookie: str) -> bool:
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, cookie, domain=DOMAIN, path="/admin")
    response = client.get("/admin/submissions", follow_redirects=False)
    assert response.status_code in (200, 303)
    return response.status_code == 200


def test_a_copied_cookie_stops_working_at_logout(web_on_both: Web) -> None:
    web = web_on_both
    assert login(web.client).status_code == 303  # type: ignore[attr-defined]
    cookie = web.client.cookies.get(SESSION_COOKIE)
    thief = _other_client(web)
    assert _opens_admin(thief, cookie)
    page = web.client.get("/admin/submissions").text
    out = web.client.post(
        "/admin/logout", data={"csrf_token": csrf_of(page)}, follow_redirects=False
    )
    assert out.status_code == 303 and out.headers["location"] == "/admin/login"
    assert not _opens_admin(thief, cookie)
    refused = thief.post("/admin/submissions/1/accept", data={"csrf_token": csrf_of(page)})
    assert refused.status_code == 403 and "请先登录" in refused.text
    web.session.expire_all()
    assert web.session.exec(select(CoordinatorSession)).all() == []


def test_each_login_makes_a_new_session_and_ends_the_one_presented(web: Web) -> None:
    planted = "chosen-by-someone-else-before-the-login"
    web.client.cookies.set(SESSION_COOKIE, planted, domain=DOMAIN, path="/admin")
    login(web.client)
    first = web.client.cookies.get(SESSION_COOKIE)
    assert first and first != planted
    probe = _other_client(web)
    assert not _opens_admin(probe, planted)
    assert _opens_admin(probe, first)
    login(web.client)  # again, while logged in: rotated
    second = web.client.cookies.get(SESSION_COOKIE)
    assert second != first and _opens_admin(probe, second)
    assert not _opens_admin(probe, first)


def test_a_session_ends_after_twelve_hours(web: Web) -> None:
    from datetime import timedelta

    login(web.client)
    assert web.client.get("/admin/submissions", follow_redirects=False).status_code == 200
    web.clock.now += timedelta(hours=12)
    assert web.client.get("/admin/submissions", follow_redirects=False).status_code == 303


def test_cookie_flags(web: Web) -> None:
    response = login(web.client)
    cookies = response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    session = next(c for c in cookies if c.startswith(SESSION_COOKIE))
    assert "HttpOnly" in session and "SameSite=strict" in session and "Path=/admin" in session
    assert "Secure" not in session  # served over http
    https = _other_client(web, base_url="https://testserver")
    over_tls = login(https)
    for cookie in over_tls.headers.get_list("set-cookie"):  # type: ignore[attr-defined]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_bad_passwords_are_spaced_out_as_documented(web: Web) -> None:
    """The fixture's policy is the default one in tenths of a second (base 0.1 s, cap
    0.4 s): three free bad passwords, then 0.1, 0.2, 0.4, 0.4 s before the next one."""
    assert [web.throttle.spacing(n) for n in range(1, 9)] == [0, 0, 0, 0.1, 0.2, 0.4, 0.4, 0.4]
    refusals = 0
    started = time.monotonic()
    for _ in range(8):
        while (response := login(web.client, "guess")).status_code == 429:  # type: ignore[attr-defined]
            refusals += 1
            assert "密码错误次数过多，登录暂停。请于1秒后再试。" in response.text  # type: ignore[attr-defined]
            assert response.headers["retry-after"] == "1"  # type: ignore[attr-defined]
            time.sleep(0.02)
        assert response.status_code == 401  # type: ignore[attr-defined]
    elapsed = time.monotonic() - started
    assert elapsed >= 0.1 + 0.2 + 0.4 + 0.4 and refusals > 0
    # Too early, even the right password is refused without being looked at.
    early = login(web.client)
    assert early.status_code == 429  # type: ignore[attr-defined]
    time.sleep(web.throttle.wait("testclient") + 0.01)
    assert login(web.client).status_code == 303  # type: ignore[attr-defined]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_default_policy() -> None:
    clock = FakeClock()
    throttle = LoginThrottle(clock=clock)
    spacing = [throttle.spacing(n) for n in range(1, 13)]
    assert spacing == [0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256]
    assert throttle.spacing(13) == throttle.spacing(100) == 300  # five minutes at most
    # 55 guesses from one address take more than 3.6 hours (they took 0.07 s before).
    assert sum(throttle.spacing(n) for n in range(1, 55)) > 3.6 * 3600
    # From many addresses: after 20 bad passwords overall every new browser waits too,
    # at most a minute; the coordinator's own browser (device cookie) does not.
    for n in range(20):
        assert throttle.wait(f"10.0.0.{n}") == 0
        throttle.failed(f"10.0.0.{n}")
    assert [throttle.failed(f"10.0.1.{n}") for n in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert throttle.wait("10.9.9.9") == 60 and throttle.wait("10.9.9.9", "device-1") == 0
    throttle.failed("10.9.9.9")
    throttle.failed("10.9.9.9")
    clock.now += 3600  # an hour later every count is forgotten
    throttle.failed("10.9.9.9")
    assert throttle.wait("10.9.9.9") == 0


def test_an_attacker_cannot_lock_out_the_coordinators_browser(web: Web) -> None:
    # The throttle's clock stands still: on a slow machine the attacker's next try would
    # otherwise come after the spacing (tenths of a second here) and be taken.
    throttle = LoginThrottle(base=0.1, cap=0.4, cap_overall=0.4, clock=FakeClock())
    web.client.app.state.login_throttle = throttle  # type: ignore[attr-defined]
    assert login(web.client).status_code == 303  # type: ignore[attr-defined]
    assert web.client.cookies.get(DEVICE_COOKIE)
    attacker = _other_client(web)  # the same address ("testclient"), no device cookie
    for _ in range(6):
        login(attacker, "guess")
    assert login(attacker, PASSWORD).status_code == 429  # type: ignore[attr-defined]
    assert login(web.client).status_code == 303  # type: ignore[attr-defined]
    forged = _other_client(web)
    login(attacker, "guess")
    forged.cookies.set(
        DEVICE_COOKIE, "made-up.0123456789abcdef0123456789abcdef", path="/admin/login"
    )
    assert login(forged, PASSWORD).status_code == 429  # type: ignore[attr-defined]


@pytest.mark.parametrize("cookie", ["", "x" * 200, "no-such-session"])
def test_odd_session_cookies_are_no_login(web: Web, cookie: str) -> None:
    web.client.cookies.set(SESSION_COOKIE, cookie, path="/admin")
    response = web.client.get("/admin/submissions", follow_redirects=False)
    assert response.status_code == 303
