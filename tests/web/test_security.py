"""Slowing down bad tokens, form tokens, and what the coordinator pages refuse."""

from __future__ import annotations

import asyncio

import pytest

from campaign.web.csrf import FormTokens
from campaign.web.ratelimit import FailureLimiter
from web.conftest import Web


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_limiter_grows_the_delay_then_blocks_then_forgets() -> None:
    clock = FakeClock()
    limiter = FailureLimiter(free=3, window=60, step=0.5, max_delay=2.0, block_after=8, clock=clock)
    delays = []
    for _ in range(8):
        delays.append(limiter.delay_for("10.0.0.1"))
        limiter.record_failure("10.0.0.1")
    assert delays == [0.0, 0.0, 0.0, 0.5, 1.0, 1.5, 2.0, 2.0]
    assert limiter.blocked("10.0.0.1") and not limiter.blocked("10.0.0.2")
    assert limiter.delay_for("10.0.0.2") == 0.0
    clock.now += 61
    assert not limiter.blocked("10.0.0.1") and limiter.delay_for("10.0.0.1") == 0.0


def test_limiter_keeps_a_bounded_number_of_addresses() -> None:
    limiter = FailureLimiter(max_addresses=100, clock=FakeClock())
    for n in range(1000):
        limiter.record_failure(f"10.0.{n // 256}.{n % 256}")
    assert limiter.failures("10.0.3.231") == 1 and limiter.failures("10.0.0.0") == 0
    assert len(limiter._failures) == 100


def test_bad_tokens_of_one_prefix_are_slowed_then_refused(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    real_sleep = asyncio.sleep

    async def record(seconds: float) -> None:
        slept.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr("campaign.web.bureau_routes.asyncio.sleep", record)
    web.limiter.free, web.limiter.block_after = 2, 6
    for n in range(6):
        assert web.client.get(f"/r/forged-token-{n}").status_code == 404
    assert slept == [0.01, 0.02, 0.02, 0.02]
    blocked = web.client.get("/r/forged-token-again")  # the same prefix, for a while
    assert blocked.status_code == 429
    assert "来自您所在网络的无效请求过多，请稍后再试" in blocked.text
    assert web.client.get(web.url()).status_code == 200  # another link from this address
    web.limiter.clear()
    assert web.client.get("/r/forged-token-again").status_code == 404


def _typo(token: str, n: int) -> str:
    """The token with its end mistyped (a link cut short or miscopied)."""
    return token[:-3] + f"{n:03d}"


def test_one_bureaus_bad_tokens_do_not_block_another_behind_the_same_address(
    web_on_both: Web,
) -> None:
    web = web_on_both
    wuhan, huangshi = web.world.tokens["wuhan"], web.world.tokens["huangshi"]
    assert wuhan[:8] != huangshi[:8]
    for n in range(web.limiter.block_after):
        assert web.client.get(f"/r/{_typo(wuhan, n)}").status_code == 404
    assert web.client.get(f"/r/{_typo(wuhan, 999)}").status_code == 429
    assert web.limiter.failures("testclient", wuhan) == web.limiter.block_after
    page = web.client.get(web.url("huangshi"))  # the same address ("testclient")
    assert page.status_code == 200 and "黄石市质量技术监督局" in page.text


def test_random_tokens_from_one_address_are_slowed_not_refused() -> None:
    clock = FakeClock()
    limiter = FailureLimiter(step=0.5, max_delay=5.0, address_free=200, clock=clock)
    for n in range(300):
        limiter.record_failure("10.0.0.1", f"{n:08d}-random")
    assert limiter.delay_for("10.0.0.1", "a-genuine-token") == 5.0  # held, at most 5 s
    assert not limiter.blocked("10.0.0.1", "a-genuine-token")
    assert limiter.delay_for("10.0.0.2", "a-genuine-token") == 0.0


def test_good_links_do_not_count_as_failures(web: Web) -> None:
    for _ in range(20):
        assert web.client.get(web.url()).status_code == 200
    assert web.limiter.failures("testclient") == 0


def test_form_tokens_are_bound_to_scope_and_time() -> None:
    tokens = FormTokens("s3cret", max_age=100)
    token = tokens.issue("link:1", now=1000)
    assert tokens.verify(token, "link:1", now=1050) == token.split(".")[0]
    assert tokens.verify(token, "link:2", now=1050) is None
    assert tokens.verify(token, "link:1", now=1101) is None
    assert FormTokens("other").verify(token, "link:1", now=1050) is None
    assert tokens.verify(token.replace(".", ".1", 1), "link:1", now=1050) is None
    assert tokens.verify("a.b", "link:1") is None and tokens.verify(None, "link:1") is None


def test_coordinator_pages_are_refused_without_a_password(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    from campaign import db as dbmod
    from campaign.web.app import create_app

    monkeypatch.delenv("CAMPAIGN_COORDINATOR_PASSWORD")
    dbmod.get_settings.cache_clear()
    client = TestClient(create_app())
    for path in (
        "/admin/login",
        "/admin/submissions",
        "/admin/submissions/1",
        "/admin/attachments/1",
    ):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "尚未开设账号" in response.text
    response = client.post("/admin/login", data={"password": "", "csrf_token": ""})
    assert response.status_code == 403


def test_unknown_paths_and_methods_get_chinese_pages(web: Web) -> None:
    assert "您访问的页面不存在" in web.client.get("/nowhere").text
    response = web.client.put(web.url())
    assert response.status_code == 405 and "请求方式不正确" in response.text
    assert web.client.get("/healthz").text == "ok"
    assert web.client.get("/assets/site.css").headers["content-type"].startswith("text/css")
