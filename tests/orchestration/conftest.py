"""Fixtures for orchestration: a launched Hubei campaign on the test database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import Session

from campaign.orchestration.launch import launch_campaign, validated_plan
from campaign.workdays import WorkCalendar
from models.bureau import Bureau

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HUBEI_PLAN = EXAMPLES / "hubei-2007.yaml"


@pytest.fixture
def launch(session: Session) -> Callable[..., int]:
    """launch(text=None) launches a plan (default: the Hubei example) and returns its id."""

    def launch_plan(text: str | None = None) -> int:
        raw = text.encode("utf-8") if text is not None else HUBEI_PLAN.read_bytes()
        plan, plan_text = validated_plan(raw, "test plan")
        campaign = launch_campaign(
            session=session,
            plan=plan,
            plan_text=plan_text,
            source="test plan",
            work=WorkCalendar(),
            actor="tester",
            channel="cli",
        )
        session.commit()
        assert campaign.id is not None
        return campaign.id

    return launch_plan


@pytest.fixture
def hubei_campaign(hubei_bureaus: list[Bureau], launch: Callable[..., int]) -> int:
    """The Hubei example launched over its 17 reporting cities; returns the campaign id."""
    return launch()


@pytest.fixture
def cities(hubei_bureaus: list[Bureau]) -> list[str]:
    return sorted(b.code for b in hubei_bureaus if b.parent_code is not None)


@pytest.fixture
def hubei_plan_text() -> str:
    return HUBEI_PLAN.read_text(encoding="utf-8")
