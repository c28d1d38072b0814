"""The tick flow on Prefect: fast-forwarding the Hubei campaign through four months."""

from __future__ import annotations

import re
from datetime import date

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterKey,
    FlowRunFilter,
    FlowRunFilterTags,
    TaskRunFilter,
)
from prefect.client.schemas.sorting import ArtifactSort, FlowRunSort
from sqlmodel import select

from campaign.db import session_scope
from campaign.orchestration.tick import tick_moments
from campaign.schedule import build_schedule
from flows.artifacts import artifact_key
from flows.campaign_tick import run_ticks
from models.campaign import Campaign, CampaignStatus
from models.ledger import ActionRecord, ActionState
from models.summary import CampaignSummary
from tests.orchestration.orchestration_support import predicted_ledger

CITIES = 17


def test_fast_forward_records_exactly_the_predicted_actions(
    prefect_runs, hubei_campaign, hubei_plan
):
    moments = tick_moments(
        campaign_id=hubei_campaign, start=date(2007, 8, 10), end=date(2007, 12, 10)
    )
    reports = run_ticks(hubei_campaign, moments, heartbeats=False)
    assert reports[-1]["completed"]

    with session_scope() as session:
        rows = session.exec(select(ActionRecord)).all()
        campaign = session.get(Campaign, hubei_campaign)
        summaries = session.exec(select(CampaignSummary.key)).all()
        status = campaign.status
    cities = sorted({r.bureau_code for r in rows if r.bureau_code})
    assert len(cities) == CITIES
    keys = {(r.action, r.period, r.bureau_code): r.state for r in rows}
    # the tick's own rules: every event of the campaign, each carried out on its day
    expected = predicted_ledger(build_schedule(hubei_plan), [m.date() for m in moments], cities)
    assert len(rows) == len(keys) == len(expected)
    assert keys == expected
    assert {r.state for r in rows} == {ActionState.done}
    assert status == CampaignStatus.completed
    assert len(summaries) == 6  # 4 stage summaries, the final summary, the acceptance
    done = sum(len(e["done"]) for r in reports for e in r["events"])
    assert done == len(expected)

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                tags=FlowRunFilterTags(all_=[f"campaign-{hubei_campaign}"])
            ),
            sort=FlowRunSort.EXPECTED_START_TIME_DESC,
            limit=200,
        )
        names = {run.name for run in runs}
        subflows = [run.name for run in runs if " tick " not in run.name]
        assert len(subflows) == len(set(subflows))  # a phase step's name is unique (see below)
        assert "鄂质监发〔2007〕77号 tick 2007-08-20" in names  # the first request
        assert "鄂质监发〔2007〕77号 宣传发动阶段 2007-08-27" in names  # the plan's 通知
        assert "鄂质监发〔2007〕77号 总结验收阶段 2007-12-10" in names
        assert len([n for n in names if " tick " in n]) == len(moments)
        for key in ("status", "progress"):  # one version per tick
            assert len(artifacts(client, artifact_key(hubei_campaign, key))) == len(moments)
        for key in ("summary-stage-summary-market-access", "acceptance-acceptance"):
            (summary,) = artifacts(client, artifact_key(hubei_campaign, key))
            assert summary.type == "markdown"
            assert "| ≥ 100% |" in summary.data  # the requirement in words, not a quote
            assert "武汉市质量技术监督局" in summary.data
            assert not re.search(r"\b4\d{5}\b", summary.data)  # names, not codes
        standing = artifacts(client, artifact_key(hubei_campaign, "standing"))
        assert len(standing) == len(moments)  # the current standing, one version per tick
        assert "当前进展" in standing[0].data


def artifacts(client, key: str) -> list:
    return client.read_artifacts(
        artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
        flow_run_filter=FlowRunFilter(),
        task_run_filter=TaskRunFilter(),
        sort=ArtifactSort.CREATED_DESC,
        limit=200,
        offset=0,
    )


def test_artifact_keys_differ_between_installations(monkeypatch):
    """Two installations on one Prefect server: their campaign 1 writes different keys."""
    from campaign.settings import get_settings

    keys = []
    for url in ("sqlite:////srv/a/campaign.db", "postgresql://db.example/campaign"):
        monkeypatch.setenv("CAMPAIGN_DATABASE_URL", url)
        get_settings.cache_clear()
        keys.append(artifact_key(1, "summary", "stage-summary:Market Access"))
    get_settings.cache_clear()
    assert keys[0] != keys[1]
    for key in keys:
        assert re.fullmatch(r"campaign-[0-9a-f]{8}-1-summary-stage-summary-market-access", key)


def test_subflow_names_are_unique_within_a_tick():
    from datetime import UTC, datetime

    from campaign.orchestration.tick import PhaseStep, TickPlan
    from flows.campaign_phases import subflow_names

    day = date(2007, 9, 10)

    def step(key: str, name: str) -> PhaseStep:
        return PhaseStep(key, "implementation", name, day, day, (f"{key}:event",))

    planned = TickPlan(
        campaign_id=1,
        document_number="X〔2026〕1号",
        as_of=datetime(2007, 9, 10, tzinfo=UTC),
        today=day,
        steps=(step("a", "实施阶段"), step("b", "实施阶段"), step("c", "总结阶段")),
    )
    assert subflow_names(planned) == [
        "X〔2026〕1号 实施阶段 2007-09-10 (a)",
        "X〔2026〕1号 实施阶段 2007-09-10 (b)",
        "X〔2026〕1号 总结阶段 2007-09-10",
    ]
