"""The Prefect deployments of campaigns, and the Prefect server they live on.

Each campaign gets `campaign-tick/<document number>` (e.g. `campaign-tick/鄂质监发〔2007〕77号`):
the tick flow with the campaign's id, on the plan's cron in the plan's timezone, tagged
`campaign-{id}`; its runs are named like the fast-forward's (document number and date), and
it is paused when the campaign completes, is paused or cancelled (its runs not started yet
are then Cancelled, and a tick of a campaign not active ends Cancelled), and resumed with
the campaign. `launch-campaign/launch` lets a coordinator launch a plan from the Prefect
UI. `campaign worker` serves them all.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from uuid import UUID

import httpx
from sqlmodel import Session

from campaign.db import session_scope
from campaign.plan.stored import plan_of
from campaign.settings import get_settings
from models.campaign import Campaign, CampaignStatus

if TYPE_CHECKING:
    from prefect.client.orchestration import SyncPrefectClient
    from prefect.deployments.runner import RunnerDeployment

LAUNCH_DEPLOYMENT = "launch"
HEALTH_TIMEOUT_SECONDS = 3.0


def tick_deployment_name(document_number: str) -> str:
    """The document number, with the characters Prefect refuses in names (/ % & < >) as -."""
    return re.sub(r"[/%&<>]", "-", document_number.strip())


def prefect_api_url() -> str | None:
    """The configured Prefect API (PREFECT_API_URL); None means no server is configured."""
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value() or None


def prefect_reachable() -> bool:
    """A Prefect server is configured and answers its health check."""
    url = prefect_api_url()
    if url is None:
        return False
    try:
        return httpx.get(f"{url.rstrip('/')}/health", timeout=HEALTH_TIMEOUT_SECONDS).is_success
    except httpx.HTTPError:
        return False


def tick_deployment(campaign: Campaign, *, pool: str | None = None) -> RunnerDeployment:
    """The campaign's scheduled tick (paused unless the campaign is active).

    With a work pool (CAMPAIGN_WORK_POOL), the pool's workers run it, one tick of the
    campaign at a time: a deployment concurrency limit of 1 whose later runs wait their
    turn (ENQUEUE); the slot of a tick whose worker died is freed when its lease expires.
    """
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.deployments.runner import EntrypointType, RunnerDeployment
    from prefect.schedules import Cron

    from flows.campaign_tick import campaign_tag, campaign_tick

    assert campaign.id is not None
    plan = plan_of(campaign)
    one_at_a_time = ConcurrencyLimitConfig(
        limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE
    )
    return RunnerDeployment.from_flow(  # not Flow.to_deployment: async in async callers
        flow=campaign_tick,
        name=tick_deployment_name(campaign.document_number),
        schedules=[Cron(plan.tick_cron, timezone=plan.timezone)],
        parameters={"campaign_id": campaign.id},
        tags=[campaign_tag(campaign.id)],
        description=f"{campaign.document_number} {campaign.title}",
        paused=campaign.status != CampaignStatus.active,
        entrypoint_type=EntrypointType.MODULE_PATH,
        work_pool_name=pool,
        concurrency_limit=None if pool is None else one_at_a_time,
    )


def launch_deployment() -> RunnerDeployment:
    from prefect.deployments.runner import EntrypointType, RunnerDeployment

    from flows.launch_campaign import launch_campaign_flow

    return RunnerDeployment.from_flow(
        flow=launch_campaign_flow,
        name=LAUNCH_DEPLOYMENT,
        description="Launch a campaign: give the plan as a file path or paste its YAML text.",
        entrypoint_type=EntrypointType.MODULE_PATH,
    )


def deploy_campaign(campaign: Campaign) -> UUID | None:
    """Create or update the campaign's deployment when a Prefect server is reachable."""
    if not prefect_reachable():
        return None
    pool = get_settings().work_pool
    deployment_id: UUID = tick_deployment(campaign, pool=pool).apply()  # type: ignore[assignment]
    return deployment_id  # (apply is sync here: the CLI and the launch flow are sync)


def set_schedule_paused(
    campaign_id: int,
    paused: bool,
    *,
    session: Session | None = None,
    cancel_waiting: str | None = None,
) -> bool:
    """Pause or resume the campaign's scheduled ticks; False if no server or no deployment.

    Pausing deletes the runs the scheduler created that have not started. With
    cancel_waiting (the campaign was cancelled: the message to show), every run of the
    deployment that has not started is first set Cancelled with that message instead, so
    the Prefect UI keeps them under the deployment as the ticks that will not run.
    """
    if not prefect_reachable():
        return False
    if session is None:
        with session_scope() as own:
            campaign = own.get(Campaign, campaign_id)
    else:
        campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        return False
    name = tick_deployment_name(campaign.document_number)
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    from flows.campaign_tick import campaign_tick

    with get_client(sync_client=True) as client:
        try:
            deployment = client.read_deployment_by_name(f"{campaign_tick.name}/{name}")
        except ObjectNotFound:
            return False
        if cancel_waiting is not None:
            cancel_waiting_runs(client, deployment.id, cancel_waiting)
        if paused:
            client.pause_deployment(deployment.id)
        else:
            client.resume_deployment(deployment.id)
    return True


def cancel_waiting_runs(client: SyncPrefectClient, deployment_id: UUID, message: str) -> int:
    """Set Cancelled every run of the deployment still waiting to start (Scheduled, Late,
    awaiting its concurrency slot); returns how many."""
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterDeploymentId,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort
    from prefect.states import Cancelled

    waiting = FlowRunFilter(
        deployment_id=FlowRunFilterDeploymentId(any_=[deployment_id]),
        state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED])),
    )
    done: set[UUID] = set()
    while True:  # page by page: a cancelled run leaves the filter
        runs = client.read_flow_runs(flow_run_filter=waiting, sort=FlowRunSort.ID_DESC, limit=200)
        fresh = [r for r in runs if r.id not in done]
        if not fresh:
            return len(done)
        for run in fresh:
            client.set_flow_run_state(run.id, Cancelled(message=message))
            done.add(run.id)


def tick_deployment_id(campaign_id: int) -> UUID | None:
    """The id of the campaign's tick deployment on the configured server; None if none."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    from flows.campaign_tick import campaign_tick

    with session_scope() as session:
        campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        return None
    name = f"{campaign_tick.name}/{tick_deployment_name(campaign.document_number)}"
    with get_client(sync_client=True) as client:
        try:
            deployment_id: UUID = client.read_deployment_by_name(name).id
        except ObjectNotFound:
            return None
    return deployment_id
