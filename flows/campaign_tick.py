"""The campaign tick: one reconciling pass over a campaign for an `as_of` time.

Deployed once per campaign on the plan's cron (see deployments/); `campaign tick` and
`campaign run` call it directly. Phases with due events run as subflows.
"""

from __future__ import annotations

import gc
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from prefect import flow, get_run_logger, tags, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.states import Cancelled, State

from campaign.clock import local_date
from campaign.db import session_scope
from campaign.inbox.fetch import fetch_now
from campaign.mail.sender import deliver_now
from campaign.orchestration.escalations import carry_out_escalations
from campaign.orchestration.tick import TickReport, TickSteps, finish_tick, plan_tick, run_sequence
from flows import artifacts
from flows._retry import DB_RETRIES, DB_RETRY_DELAY_SECONDS, on_database_error
from flows.campaign_phases import run_phase
from models.campaign import Campaign


def campaign_tag(campaign_id: int) -> str:
    return f"campaign-{campaign_id}"


def tick_run_name() -> str:
    """e.g. 鄂质监发〔2007〕77号 tick 2007-09-10 (document number and local date).

    A scheduled run of the deployment has no as_of: it is named after its scheduled time
    (Prefect renames it so when it starts), like the fast-forward's run for that day.
    """
    parameters = flow_run.parameters or {}
    campaign_id = parameters.get("campaign_id")
    as_of = parameters.get("as_of") or flow_run.scheduled_start_time or datetime.now(UTC)
    if isinstance(as_of, str):
        as_of = datetime.fromisoformat(as_of)
    with session_scope() as session:
        campaign = session.get(Campaign, campaign_id) if campaign_id is not None else None
        if campaign is None:
            return f"campaign {campaign_id} tick {as_of:%Y-%m-%d}"
        return f"{campaign.document_number} tick {local_date(as_of, campaign.timezone)}"


@task(
    name="close-tick",
    cache_policy=NO_CACHE,
    retries=DB_RETRIES,
    retry_delay_seconds=DB_RETRY_DELAY_SECONDS,
    retry_condition_fn=on_database_error,
)
def close_tick(campaign_id: int, as_of: datetime, outcomes: list[dict[str, Any]]) -> TickReport:
    """Read the mailbox (answers by e-mail), mark overdue requests, record the tick, publish
    the status and progress artifacts, then deliver what the tick queued (once: a server
    that is down leaves the messages pending for the next tick or a send-mail run). One
    task, not two: each task run costs an API round trip, and a fast-forward runs dozens
    of ticks."""
    inbox = fetch_now(now=as_of)  # answers by e-mail count before overdue marking
    report = finish_tick(campaign_id=campaign_id, as_of=as_of)
    report.inbox = inbox
    if inbox and inbox["unavailable"]:
        get_run_logger().warning("mailbox not read: %s", inbox["unavailable"])
    artifacts.publish_tick(campaign_id=campaign_id, as_of=as_of, outcomes=outcomes)
    for summary_id in report.summary_versions:  # recompiled by a late report or a review
        artifacts.publish_summary(campaign_id=campaign_id, summary_id=summary_id)
    artifacts.publish_standing(campaign_id=campaign_id, as_of=as_of)
    if report.completed:  # nothing left to do: its schedule stops too
        from deployments.campaigns import set_schedule_paused

        set_schedule_paused(campaign_id, paused=True)
    report.mail = deliver_now()
    if report.mail["unavailable"]:
        get_run_logger().warning("mail held in the outbox: %s", report.mail["unavailable"])
    return report


@task(
    name="escalate",
    cache_policy=NO_CACHE,
    retries=DB_RETRIES,
    retry_delay_seconds=DB_RETRY_DELAY_SECONDS,
    retry_condition_fn=on_database_error,
)
def escalate(campaign_id: int, event_keys: list[str], as_of: datetime) -> list[dict[str, Any]]:
    """Every escalation event due, together: one notice per parent unit listing its late
    units (a late tick gathers the escalations of all the days it catches up)."""
    outcomes = carry_out_escalations(campaign_id=campaign_id, event_keys=event_keys, as_of=as_of)
    return [o.to_json() for o in outcomes]


FLOW_STEPS = TickSteps(phase=run_phase, escalate=escalate, close=close_tick, deliver=deliver_now)
"""The tick's steps as Prefect runs them: a subflow per phase step, one task for the
escalations, one to close (the sequence itself is `run_sequence`, shared with run_tick)."""


@flow(name="campaign-tick", flow_run_name=tick_run_name)
def campaign_tick(campaign_id: int, as_of: datetime | None = None) -> dict[str, Any] | State:
    """Carry out everything due by as_of (default: now) that is not done yet.

    Few task runs on purpose: what is due is read in the flow itself, each phase with due
    events is a subflow with one task per event, one task carries out the escalations
    (when any are due) and one closes the tick.

    The tick of a campaign that is not active (paused, cancelled, completed) does nothing
    but deliver mail left by earlier runs, and ends Cancelled with the reason as its
    message (the Prefect UI shows it so), its report as its data (see tick_report).
    """
    as_of = as_of or datetime.now(UTC)
    logger = get_run_logger()
    planned = plan_tick(campaign_id=campaign_id, as_of=as_of)
    if planned.refused:
        logger.warning(planned.refused)
        report = run_sequence(planned, FLOW_STEPS).to_json()
        return Cancelled(message=planned.refused, data=report)
    logger.info(
        "%s: %d event(s) due in %d phase step(s), %d escalation(s); active phases: %s",
        planned.today,
        sum(len(s.event_keys) for s in planned.steps),
        len(planned.steps),
        len(planned.escalations),
        ", ".join(planned.active_phases) or "none",
    )
    with tags(campaign_tag(campaign_id)):
        return run_sequence(planned, FLOW_STEPS).to_json()


def run_ticks(
    campaign_id: int, moments: list[datetime], *, heartbeats: bool = True
) -> list[dict[str, Any]]:
    """Run the tick flow at each moment in turn (`campaign tick`, `campaign run`).

    When the campaign has its deployment on the server, each run is a run of that
    deployment (the Prefect UI lists it there, beside the scheduled ones), created as
    Pending so that no worker takes it, and run here. The runs share one API client. A
    fast-forward runs many short flows from one process that watches them all, so it may
    turn the flow-run heartbeat off: joining its thread costs up to a second a run.
    """
    from prefect.context import SyncClientContext
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from deployments.campaigns import tick_deployment_id

    updates = {} if heartbeats else {PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}
    reports = []
    with (
        temporary_settings(updates=updates),
        SyncClientContext.get_or_create(),
        tags(campaign_tag(campaign_id)),
    ):
        deployment_id = tick_deployment_id(campaign_id)
        for moment in moments:
            if deployment_id is None:
                state = campaign_tick(campaign_id=campaign_id, as_of=moment, return_state=True)
            else:
                state = run_attached(deployment_id, campaign_id, moment)
            reports.append(tick_report(state))
    return reports


def run_attached(deployment_id: UUID, campaign_id: int, as_of: datetime) -> State:
    """One tick as a run of the campaign's deployment, carried out in this process; its
    final state."""
    from prefect.client.orchestration import get_client
    from prefect.flow_engine import run_flow_sync
    from prefect.states import Pending

    parameters = {"campaign_id": campaign_id, "as_of": as_of}
    with get_client(sync_client=True) as client:
        flow_run = client.create_flow_run_from_deployment(
            deployment_id, parameters=parameters, state=Pending()
        )
    state = run_flow_sync(
        campaign_tick, flow_run=flow_run, parameters=parameters, return_type="state"
    )
    assert isinstance(state, State)
    return state


WORKER_POLL_SECONDS = 0.25


def run_by_worker(
    deployment_id: UUID, campaign_id: int, as_of: datetime, *, env: dict[str, str]
) -> dict[str, Any]:
    """One tick as a run of the campaign's deployment, left to its work pool's workers
    (docs/operations.md), waited for; its report. env: the settings its process gets on
    top of its worker's (the job variable `env`), with its result persisted so that this
    process can read the report (PREFECT_LOCAL_STORAGE_PATH shared with the workers)."""
    from prefect.client.schemas.objects import FlowRun
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_LOCAL_STORAGE_PATH

    results = {
        "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "true",
        "PREFECT_LOCAL_STORAGE_PATH": str(PREFECT_LOCAL_STORAGE_PATH.value()),
    }
    run = run_deployment(
        deployment_id,
        parameters={"campaign_id": campaign_id, "as_of": as_of},
        poll_interval=WORKER_POLL_SECONDS,
        as_subflow=False,
        job_variables={"env": env | results},
    )
    assert isinstance(run, FlowRun) and run.state is not None  # sync: a FlowRun, not awaitable
    return tick_report(run.state)


def tick_report(state: State) -> dict[str, Any]:
    """The report of a tick run from its final state: also of a tick that ended Cancelled
    because its campaign is not active; the error of a failed run is raised."""
    if state.is_cancelled():
        report = state.result(raise_on_failure=False)
        if isinstance(report, dict):
            return report
    report = state.result()
    assert isinstance(report, dict)
    return report


def freeze_if_run_process() -> None:
    """In a process started for one flow run (a worker's `python -m prefect.engine`, which
    has the run's id in its environment before the run begins and ends with it), move what
    the imports built into the collector's permanent generation (gc.freeze). The collector
    then walks none of it, neither in the run's full collections nor at the interpreter's
    exit, where it took 0.55 s of CPU after every tick (bench/bench_stack_tick.py). Only
    cyclic garbage made before the freeze stays; reference counting frees the rest as
    always. Elsewhere (imported by the CLI, the web app, tests, outside a run) nothing."""
    if flow_run.id is not None:
        gc.freeze()


freeze_if_run_process()
