"""Fixtures of the HTTP tests: the app on SQLite with a settable clock, and its world."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from replies.factories import BEFORE_DUE, World, build_world
from sqlmodel import Session

from campaign import db as dbmod
from campaign.web.app import create_app
from campaign.web.ratelimit import FailureLimiter, LoginThrottle


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Web:
    client: TestClient
    world: World
    session: Session
    clock: Clock
    limiter: FailureLimiter
    throttle: LoginThrottle

    def url(self, name: str = "wuhan", suffix: str = "") -> str:
        return f"/r/{self.world.tokens[name]}{suffix}"


@pytest.fixture
def web(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Web]:
    yield from _serve(sqlite_url, monkeypatch)


@pytest.fixture
def web_on_both(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Web]:
    """The app on SQLite and on PostgreSQL, for tests whose subject is the database."""
    yield from _serve(db_url, monkeypatch)


def _serve(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Web]:
    monkeypatch.setenv("CAMPAIGN_COORDINATOR_PASSWORD", "审核-口令-2007")
    monkeypatch.setenv("CAMPAIGN_PUBLIC_URL", "http://testserver")
    dbmod.get_settings.cache_clear()
    clock = Clock(BEFORE_DUE)
    limiter = FailureLimiter(step=0.01, max_delay=0.02)
    throttle = LoginThrottle(base=0.1, cap=0.4, cap_overall=0.4)  # the policy, in tenths
    with Session(dbmod.get_engine(url), expire_on_commit=False) as session:
        world = build_world(session)
        app = create_app(clock=clock, limiter=limiter, login_throttle=throttle)
        with TestClient(app, base_url="http://testserver") as client:
            yield Web(
                client=client,
                world=world,
                session=session,
                clock=clock,
                limiter=limiter,
                throttle=throttle,
            )
