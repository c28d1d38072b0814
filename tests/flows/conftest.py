"""Fixtures for the flow tests: the shared Prefect harness, a launched Hubei campaign."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from campaign.db import session_scope
from tests.support.hubei import import_hubei_bureaus, launch_plan


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
        import_hubei_bureaus(session)
    with session_scope(sqlite_url) as session:
        return launch_plan(session)
