"""Fixtures for orchestration: a launched Hubei campaign on the test database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import Session

from models.bureau import Bureau
from tests.support import hubei


@pytest.fixture
def launch(session: Session) -> Callable[..., int]:
    """launch(text=None) launches a plan (default: the Hubei example) and returns its id."""

    def launch_text(text: str | None = None) -> int:
        raw = text.encode("utf-8") if text is not None else None
        campaign_id = hubei.launch_plan(session, raw, source="test plan")
        session.commit()
        return campaign_id

    return launch_text


@pytest.fixture
def hubei_campaign(hubei_bureaus: list[Bureau], launch: Callable[..., int]) -> int:
    """The Hubei example launched over its 17 reporting cities; returns the campaign id."""
    return launch()


@pytest.fixture
def cities(hubei_bureaus: list[Bureau]) -> list[str]:
    return sorted(b.code for b in hubei_bureaus if b.parent_code is not None)


@pytest.fixture
def hubei_plan_text() -> str:
    return hubei.HUBEI_PLAN.read_text(encoding="utf-8")
