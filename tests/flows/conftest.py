"""Fixtures for the flow tests: the shared Prefect harness, a launched Hubei campaign."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from campaign.bureaus import import_bureau_csv
from campaign.db import session_scope
from campaign.orchestration.launch import launch_campaign, validated_plan
from campaign.workdays import WorkCalendar

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def prefect_runs(prefect: None) -> Iterator[None]:
    """The session's Prefect harness, flow-run heartbeats off (each costs up to 1 s a run)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


@pytest.fixture
def hubei_campaign(sqlite_url: str) -> int:
    """The Hubei example launched over its 17 reporting cities (SQLite); the campaign id."""
    with session_scope(sqlite_url) as session:
        import_bureau_csv(session=session, raw=(EXAMPLES / "bureaus-hubei.csv").read_bytes())
    plan, text = validated_plan((EXAMPLES / "hubei-2007.yaml").read_bytes(), "hubei-2007.yaml")
    with session_scope(sqlite_url) as session:
        campaign = launch_campaign(
            session=session,
            plan=plan,
            plan_text=text,
            source="hubei-2007.yaml",
            work=WorkCalendar(),
            actor="tester",
            channel="cli",
        )
    assert campaign.id is not None
    return campaign.id
