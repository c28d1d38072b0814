"""The phase subflow of the tick: one flow, renamed per kind of phase, carrying out the
due events of one phase step.

One task per event (an action, however many bureaus it concerns); the per-bureau
outcomes are in the ledger and in the tick's table artifact, not in task runs.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from functools import cache
from typing import Any

from prefect import Flow, flow, task
from prefect.cache_policies import NO_CACHE

from campaign.orchestration.actions import carry_out_event
from campaign.orchestration.tick import PhaseStep, TickPlan
from flows import artifacts
from flows._retry import DB_RETRIES, DB_RETRY_DELAY_SECONDS, on_database_error

PHASE_FLOW_NAMES = {
    "mobilization": "mobilization-phase",  # 宣传发动: directives, acknowledgements
    "implementation": "implementation-phase",  # 实施: actions, reports, reminders
    "acceptance": "summary-and-acceptance-phase",  # 总结验收: final summaries, acceptance
}


@task(
    name="carry-out-event",
    task_run_name="{event_key}",
    cache_policy=NO_CACHE,
    retries=DB_RETRIES,
    retry_delay_seconds=DB_RETRY_DELAY_SECONDS,
    retry_condition_fn=on_database_error,
)
def carry_out(campaign_id: int, event_key: str, as_of: datetime) -> dict[str, Any]:
    return carry_out_event(campaign_id=campaign_id, event_key=event_key, as_of=as_of).to_json()


@task(name="publish-summary", cache_policy=NO_CACHE)
def publish_summary_artifact(campaign_id: int, summary_id: int) -> None:
    artifacts.publish_summary(campaign_id=campaign_id, summary_id=summary_id)


@flow(name="phase")
def phase_flow(campaign_id: int, event_keys: list[str], as_of: datetime) -> list[dict[str, Any]]:
    """Carry out the due events of one phase, in order; publish each compiled summary."""
    outcomes = []
    for key in event_keys:
        outcome = carry_out(campaign_id, key, as_of)
        if outcome["summary_id"] is not None:
            publish_summary_artifact(campaign_id, outcome["summary_id"])
        outcomes.append(outcome)
    return outcomes


@cache
def flow_for(phase_kind: str) -> Flow[..., list[dict[str, Any]]]:
    """The phase flow named for its kind of phase (mobilization-phase, ...)."""
    return phase_flow.with_options(name=PHASE_FLOW_NAMES.get(phase_kind, f"{phase_kind}-phase"))


def subflow_names(planned: TickPlan) -> list[str]:
    """One name per step, unique within the tick: document, phase and date(s), then the
    phase's key (and a number) when two steps would read the same."""
    names = []
    for step in planned.steps:
        days = step.first_day.isoformat()
        if step.last_day != step.first_day:
            days += f"~{step.last_day.isoformat()}"
        names.append(f"{planned.document_number} {step.phase_name} {days}")
    counts = Counter(names)
    for i, step in enumerate(planned.steps):
        if counts[names[i]] > 1:
            names[i] += f" ({step.phase_key})"
    seen: Counter[str] = Counter()
    for i, name in enumerate(names):
        seen[name] += 1
        if seen[name] > 1:
            names[i] = f"{name} #{seen[name]}"
    return names


def run_phase(planned: TickPlan, step: PhaseStep) -> list[dict[str, Any]]:
    """Run the step as its phase's subflow, under its name (unique within the tick, see
    subflow_names)."""
    name = subflow_names(planned)[list(planned.steps).index(step)]
    subflow = flow_for(step.phase_kind).with_options(flow_run_name=name)
    return subflow(
        campaign_id=planned.campaign_id, event_keys=list(step.event_keys), as_of=planned.as_of
    )
