"""Artifact versions are keyed by their description: a lost answer or a re-run adds none."""

from __future__ import annotations

from uuid import uuid4

import httpx
import pytest
from prefect import flow
from prefect.artifacts import create_progress_artifact

from flows.artifacts import latest_description, version_descriptions, write_version


def test_a_version_stored_whose_answer_was_lost_is_written_once(prefect):
    key = f"test-{uuid4().hex[:12]}"
    calls: list[dict] = []

    def store_then_lose_the_answer(**content):
        calls.append(content)
        create_progress_artifact(**content)
        if len(calls) == 1:
            raise httpx.ReadTimeout("the server stored it; its answer never came")

    @flow
    def ticks() -> None:  # artifacts belong to runs, as a tick's do
        write_version(store_then_lose_the_answer, key=key, description="tick 1", progress=10.0)
        assert len(calls) == 1  # read back before the second attempt: already there
        write_version(create_progress_artifact, key=key, description="tick 1", progress=10.0)
        write_version(create_progress_artifact, key=key, description="tick 2", progress=20.0)

    ticks()
    assert version_descriptions(key, limit=10) == ["tick 2", "tick 1"]
    assert latest_description(key) == "tick 2"


def test_a_write_that_keeps_failing_raises_after_its_attempts(prefect, monkeypatch):
    import flows.artifacts as module

    monkeypatch.setattr(module.time, "sleep", lambda seconds: None)
    key = f"test-{uuid4().hex[:12]}"
    attempts: list[int] = []

    def refuse(**content):
        attempts.append(1)
        raise httpx.ConnectError("no server")

    with pytest.raises(httpx.ConnectError):
        write_version(refuse, key=key, description="tick 1", progress=1.0)
    assert len(attempts) == module.WRITE_ATTEMPTS
    assert version_descriptions(key, limit=10) == []
