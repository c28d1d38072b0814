"""Launching from Prefect, the per-campaign deployment, pausing its schedule."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client

from campaign.db import session_scope
from campaign.orchestration.launch import CampaignExists
from campaign.plan import PlanError, parse_plan
from deployments.campaigns import set_schedule_paused, tick_deployment
from deployments.worker import campaigns_to_serve
from flows.launch_campaign import launch_campaign_flow
from models.campaign import Campaign, CampaignStatus
from tests.support.hubei import import_hubei_bureaus, launch_plan

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PLAN = EXAMPLES / "hubei-2007.yaml"


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the English wording (CAMPAIGN_LANGUAGE=en); people see Chinese by
    default (tests/cli/test_language.py)."""
    monkeypatch.setenv("CAMPAIGN_LANGUAGE", "en")


def test_an_invalid_pasted_plan_fails_with_the_validate_problems(prefect_runs, sqlite_url):
    pasted = PLAN.read_text(encoding="utf-8").replace('tick_cron: "30 8 * * *"', "tick_cron: x")
    expected = [str(p) for p in parse_plan(pasted.encode()).problems]
    with pytest.raises(PlanError) as caught:
        launch_campaign_flow(plan=pasted)
    assert [str(p) for p in caught.value.problems] == expected
    assert "tick_cron: invalid cron expression 'x'" in str(caught.value)
    with session_scope() as session:
        assert session.get(Campaign, 1) is None


def test_a_pasted_alias_bomb_or_an_oversized_file_fails_at_once(prefect_runs, sqlite_url, tmp_path):
    bomb = "".join(
        f"{n}: &{n} [{', '.join([f'*{p}'] * 9) if p else ', '.join(['lol'] * 9)}]\n"
        for p, n in zip([None, *"abcdefgh"], "abcdefghi", strict=True)
    )
    # Prefect refuses flow-run parameters over 512 KB itself: a big plan comes as a path.
    oversized = tmp_path / "big.yaml"
    oversized.write_text(PLAN.read_text(encoding="utf-8") + "#" * (1024 * 1024) + "\n")
    for plan, expected in ((bomb, "别名 *"), (str(oversized), "1 MB")):
        started = time.perf_counter()
        with pytest.raises(PlanError, match=re.escape(expected)):
            launch_campaign_flow(plan=plan)
        assert time.perf_counter() - started < 5  # the flow run itself takes a moment
    with session_scope() as session:
        assert session.get(Campaign, 1) is None


def test_launch_creates_the_scheduled_deployment(prefect_runs, sqlite_url):
    with session_scope() as session:
        import_hubei_bureaus(session)
    launched = launch_campaign_flow(plan=str(PLAN))
    assert launched["deployment_id"] is not None
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("campaign-tick/鄂质监发〔2007〕77号")
        assert deployment.parameters == {"campaign_id": launched["id"]}
        assert deployment.tags == [f"campaign-{launched['id']}"]
        (schedule,) = deployment.schedules
        assert (schedule.schedule.cron, schedule.schedule.timezone) == (
            "30 8 * * *",
            "Asia/Shanghai",
        )
        assert deployment.entrypoint == "flows.campaign_tick.campaign_tick"
        assert set_schedule_paused(launched["id"], paused=True)
        assert client.read_deployment(deployment.id).paused
        assert set_schedule_paused(launched["id"], paused=False)
        assert not client.read_deployment(deployment.id).paused
    with pytest.raises(CampaignExists, match=f"already launched as campaign {launched['id']}"):
        launch_campaign_flow(plan=str(PLAN))


def test_the_worker_serves_active_and_paused_campaigns(sqlite_url):
    launched_text = PLAN.read_text(encoding="utf-8")
    with session_scope() as session:
        import_hubei_bureaus(session)
        for number in ("77", "78", "79"):
            launch_plan(session, launched_text.replace("77号", f"{number}号").encode(), "x")
        session.get(Campaign, 2).status = CampaignStatus.paused
        session.get(Campaign, 3).status = CampaignStatus.cancelled
    served = campaigns_to_serve()
    assert [c.id for c in served] == [1, 2]
    deployments = [tick_deployment(c) for c in served]
    assert [d.name for d in deployments] == ["鄂质监发〔2007〕77号", "鄂质监发〔2007〕78号"]
    assert [d.paused for d in deployments] == [False, True]


def test_a_scheduled_run_is_named_like_the_fast_forward_and_completion_pauses_it(
    prefect_runs, hubei_campaign
):
    """A run the scheduler created (no as_of) takes the document number and its scheduled
    day as its name; the tick that completes the campaign pauses the deployment."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from prefect.client.schemas.objects import StateType
    from prefect.flow_engine import run_flow
    from prefect.states import Scheduled

    from flows.campaign_tick import campaign_tick

    with session_scope() as session:
        campaign = session.get(Campaign, hubei_campaign)
        deployment_id = tick_deployment(campaign).apply()
    scheduled = datetime(2007, 9, 10, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    with get_client(sync_client=True) as client:
        created = client.create_flow_run_from_deployment(
            deployment_id, state=Scheduled(scheduled_time=scheduled)
        )
        assert not client.read_deployment(deployment_id).paused
    # as a worker would: the run executes now, long after the campaign's end, and completes it
    report = run_flow(campaign_tick, flow_run=created, parameters={"campaign_id": hubei_campaign})
    assert report["completed"]
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(created.id)
        assert run.name == "鄂质监发〔2007〕77号 tick 2007-09-10"
        assert run.state_type == StateType.COMPLETED
        assert client.read_deployment(deployment_id).paused


def test_fast_forward_runs_are_runs_of_the_campaigns_deployment(prefect_runs, hubei_campaign):
    """`campaign run` through Prefect: each tick is a run of the campaign's deployment,
    named like the scheduled ones, carried out in the calling process."""
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort

    from flows.campaign_tick import run_ticks
    from tests.orchestration.orchestration_support import at

    with session_scope() as session:
        deployment_id = tick_deployment(session.get(Campaign, hubei_campaign)).apply()
    # the first request (W34) on 08-20; the plan's 通知 on 08-27
    reports = run_ticks(hubei_campaign, [at("2007-08-20"), at("2007-08-27")], heartbeats=False)
    assert [len(r["events"]) > 0 for r in reports] == [True, True]
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
            sort=FlowRunSort.NAME_ASC,
            limit=10,
        )
    names = ["鄂质监发〔2007〕77号 tick 2007-08-20", "鄂质监发〔2007〕77号 tick 2007-08-27"]
    ours = [r for r in runs if r.name in names]  # (the session's harness keeps other tests' runs)
    assert sorted(r.name for r in ours) == names
    assert {r.state_type for r in ours} == {StateType.COMPLETED}


def test_pause_resume_and_cancel_reach_the_deployment_and_its_runs(
    prefect_runs, hubei_campaign, monkeypatch
):
    """`campaign pause` and `resume` pause and resume the deployment; `campaign cancel`
    pauses it and turns its runs not started yet into Cancelled runs kept under it; a tick
    run afterwards (`campaign tick`) is a Cancelled run of the deployment with the reason
    as its message, the command saying the same in Chinese."""
    from datetime import timedelta

    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterDeploymentId,
        FlowRunFilterName,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort
    from prefect.states import Scheduled
    from typer.testing import CliRunner

    from campaign.cli import app
    from models._common import utcnow

    monkeypatch.setenv("CAMPAIGN_LANGUAGE", "zh")
    with session_scope() as session:
        deployment_id = tick_deployment(session.get(Campaign, hubei_campaign)).apply()
    with get_client(sync_client=True) as client:
        waiting = client.create_flow_run_from_deployment(  # e.g. one added in the Prefect UI
            deployment_id, state=Scheduled(scheduled_time=utcnow() + timedelta(days=1))
        )

    def cli(*args: str) -> str:
        result = CliRunner().invoke(app, [*args, str(hubei_campaign)])
        assert result.exit_code == 0, result.output
        return result.output

    def paused() -> bool:
        with get_client(sync_client=True) as client:
            return client.read_deployment(deployment_id).paused

    assert "已在 Prefect 中暂停定时办理" in cli("pause") and paused()
    assert "已在 Prefect 中恢复定时办理" in cli("resume") and not paused()
    with get_client(sync_client=True) as client:
        assert client.read_flow_run(waiting.id).state_type == StateType.SCHEDULED
    cli("cancel", "--yes")
    assert paused()
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(waiting.id)
        assert (run.deployment_id, run.state_type) == (deployment_id, StateType.CANCELLED)
        assert run.state.message == f"工作方案 {hubei_campaign} 已终止，本次定时办理不再运行。"

    told = CliRunner().invoke(app, ["tick", str(hubei_campaign), "--as-of", "2007-09-10"])
    refusal = f"工作方案 {hubei_campaign} 为“已终止”状态，本次不办理任何事项。"
    assert told.exit_code == 0 and refusal in told.output, told.output
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                deployment_id=FlowRunFilterDeploymentId(any_=[deployment_id]),
                name=FlowRunFilterName(any_=["鄂质监发〔2007〕77号 tick 2007-09-10"]),
            ),
            sort=FlowRunSort.ID_DESC,
            limit=200,
        )
    run = max(runs, key=lambda r: r.created)  # (the session's harness keeps other tests' runs)
    assert run.created > waiting.created
    assert (run.state_type, run.state.message) == (StateType.CANCELLED, refusal)
