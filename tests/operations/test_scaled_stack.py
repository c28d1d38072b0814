"""The scaled shape of docs/operations.md, run: two API servers and the services apart on a
PostgreSQL-backed Prefect server with Redis, a process work pool and two workers; the
Hubei campaign deployed to the pool; a worker SIGKILLed in the middle of a tick.

Afterwards every due action is in the ledger once and finished, every side effect and
every mail happened once, each tick run was submitted by one worker and ran once.
Slow (two to four minutes: each flow run is a process importing Prefect); marked `stack`
and `postgres` so `make test-fast` leaves it out. Under CI=true a missing part (PostgreSQL,
Redis, prefect-redis) fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from uuid import UUID

import pytest
from sqlmodel import col, func, select

from campaign import db as dbmod
from campaign.db import session_scope
from campaign.orchestration.events import ledger_key
from campaign.orchestration.store import load_rows, to_event
from campaign.orchestration.tick import tick_moments
from campaign.plan.stored import plan_of
from models.audit import AuditEvent
from models.bureau import Bureau
from models.campaign import Campaign
from models.ledger import ActionRecord, ActionState
from models.outbox import MailState, OutboxMessage
from models.request import ReportRequest
from tests.conftest import POSTGRES_URL
from tests.operations.stack import POOL, Stack, scaled_stack
from tests.orchestration.orchestration_support import predicted_ledger
from tests.support.hubei import import_hubei_bureaus, launch_plan

pytestmark = [pytest.mark.postgres, pytest.mark.stack, pytest.mark.timeout(400)]

TICKS = 3  # the first three moments of the Hubei plan
KILLED = 0  # the first tick (directive, 签收 and report requests to 17 cities) is killed
EFFECT_EVENTS = {"directive_issued", "request_opened", "reminder_sent", "escalation_sent"}
RUN_SECONDS = 150.0


def test_two_workers_run_each_tick_once_and_a_killed_worker_loses_nothing(
    tmp_path: Path, mailserver, monkeypatch: pytest.MonkeyPatch
) -> None:
    app_env = {k: v for k, v in os.environ.items() if k.startswith("CAMPAIGN_")}
    app_env |= {"CAMPAIGN_WORK_POOL": POOL, "CAMPAIGN_MAIL_RATE_PER_SECOND": "15"}
    with scaled_stack(POSTGRES_URL, tmp_path, app_env) as stack:
        for name, value in app_env.items() | {("CAMPAIGN_DATABASE_URL", stack.app_db_url)}:
            monkeypatch.setenv(name, value)
        dbmod.get_settings.cache_clear()
        dbmod.migrate(stack.app_db_url)
        campaign_id, deployment_id = launch_and_deploy(stack)
        with session_scope() as session:
            plan = plan_of(session.get(Campaign, campaign_id))  # type: ignore[arg-type]
        moments = tick_moments(campaign_id=campaign_id, start=plan.start, end=plan.end)[:TICKS]
        runs = []
        for i, moment in enumerate(moments):
            run_id = create_tick_run(stack, deployment_id, campaign_id, moment)
            runs.append(run_id)
            if i == KILLED:
                killed_worker = kill_a_worker_mid_tick(stack, run_id)
            else:
                wait_final(stack, run_id)
        assert_each_tick_ran_once(stack, runs, killed=runs[KILLED], killed_worker=killed_worker)
        assert_nothing_lost_or_duplicated(campaign_id, moments, mailserver)


def launch_and_deploy(stack: Stack) -> tuple[int, UUID]:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from deployments.campaigns import deploy_campaign

    with session_scope() as session:
        import_hubei_bureaus(session)
    with session_scope() as session:
        campaign_id = launch_plan(session)
    with session_scope() as session, temporary_settings({PREFECT_API_URL: stack.api_urls[0]}):
        deployment_id = deploy_campaign(session.get(Campaign, campaign_id))  # type: ignore[arg-type]
    assert deployment_id is not None
    deployment = read(stack, lambda c: c.read_deployment(deployment_id))
    assert deployment.work_pool_name == POOL
    assert deployment.global_concurrency_limit.limit == 1
    return campaign_id, deployment_id


def read(stack: Stack, call, api: int = 0):  # type: ignore[no-untyped-def]
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: stack.api_urls[api]}):
        with get_client(sync_client=True) as client:
            return call(client)


def create_tick_run(stack: Stack, deployment_id: UUID, campaign_id: int, moment: datetime) -> UUID:
    """A fast-forward's tick as a run of the campaign's deployment, for the pool's workers."""
    run = read(
        stack,
        lambda c: c.create_flow_run_from_deployment(
            deployment_id, parameters={"campaign_id": campaign_id, "as_of": moment.isoformat()}
        ),
        api=1,
    )
    return run.id


def actions_recorded() -> int:
    with session_scope() as session:
        return int(session.exec(select(func.count()).select_from(ActionRecord)).one())


def kill_a_worker_mid_tick(stack: Stack, run_id: UUID) -> str:
    """Once the tick has recorded its first actions, SIGKILL the worker running it."""
    deadline = time.monotonic() + RUN_SECONDS
    while time.monotonic() < deadline:
        running = [name for name in stack.workers if stack.running_flow(name)]
        if running and actions_recorded() > 0:
            stack.kill_worker(running[0])
            break
        time.sleep(0.05)
    else:
        raise AssertionError(f"the tick never started\n{stack.tail()}")
    time.sleep(2)
    state = read(stack, lambda c: c.read_flow_run(run_id)).state
    assert not state.is_final(), f"the tick was over before its worker died: {state}"
    mark_crashed(stack, run_id)
    return running[0]


def mark_crashed(stack: Stack, run_id: UUID) -> None:
    """What the zombie-run automation of docs/operations.md does once the dead run's
    heartbeats stop (after 90 s there): Crashed, which frees its concurrency slot (else
    held until its 300 s lease expires)."""
    from prefect.states import Crashed

    read(
        stack, lambda c: c.set_flow_run_state(run_id, Crashed(message="worker killed"), force=True)
    )


def wait_final(stack: Stack, run_id: UUID) -> None:
    deadline = time.monotonic() + RUN_SECONDS
    while time.monotonic() < deadline:
        state = read(stack, lambda c: c.read_flow_run(run_id)).state
        if state.is_final():
            assert state.is_completed(), f"{state}\n{stack.tail()}"
            return
        time.sleep(0.5)
    raise AssertionError(f"run {run_id} not over after {RUN_SECONDS} s\n{stack.tail()}")


def assert_each_tick_ran_once(
    stack: Stack, runs: list[UUID], *, killed: UUID, killed_worker: str
) -> None:
    """Each run taken by one worker once (a second worker's claim is refused by the server:
    "Aborted submission"), in Running once; the killed one never ends."""
    submitted: Counter[tuple[str, str]] = Counter()
    for log in stack.logs.glob("worker-*.log"):
        text = log.read_text()
        for run in re.findall(r"submitting flow run '([0-9a-f-]{36})'", text):
            submitted[(log.stem, run)] += 1
        for run in re.findall(r"Aborted submission of flow run '([0-9a-f-]{36})'", text):
            submitted[(log.stem, run)] -= 1
    submitted = +submitted  # the claims that held
    for run_id in runs:
        by = [worker for (worker, run), n in submitted.items() if run == str(run_id)]
        assert len(by) == 1 and submitted[(by[0], str(run_id))] == 1, (run_id, submitted)
        states = read(stack, lambda c, r=run_id: c.read_flow_run_states(r))
        assert [s.type.value for s in states].count("RUNNING") == 1, states
    assert submitted.get((killed_worker, str(killed))) == 1
    survivor = {"worker-a", "worker-b"} - {killed_worker}
    assert all(submitted.get((*survivor, str(r))) == 1 for r in runs if r != killed)
    names = [read(stack, lambda c, r=r: c.read_flow_run(r)).name for r in runs]
    assert len(set(names)) == len(names), names


def assert_nothing_lost_or_duplicated(campaign_id: int, moments: list[datetime], mail) -> None:  # type: ignore[no-untyped-def]
    with session_scope() as session:
        events = [to_event(r) for r in load_rows(session=session, campaign_id=campaign_id)]
        cities = sorted(
            b.code for b in session.exec(select(Bureau)).all() if b.parent_code is not None
        )
        rows = session.exec(select(ActionRecord)).all()
        audit = session.exec(select(AuditEvent)).all()
        outbox = session.exec(select(OutboxMessage)).all()
        requests = session.exec(
            select(ReportRequest).where(col(ReportRequest.campaign_id) == campaign_id)
        ).all()
    days = [m.date() for m in moments]
    # The killed tick's actions are finished by the next one: the ledger is the one the
    # tick's rules predict with or without the killed day, action by action.
    with_killed = predicted_ledger(events, days, cities)
    without = predicted_ledger(events, days[:KILLED] + days[KILLED + 1 :], cities)
    ledger = {(r.action, r.period, r.bureau_code): r.state for r in rows}
    assert ledger.keys() == with_killed.keys() == without.keys()
    assert all(state in {with_killed[k], without[k]} for k, state in ledger.items())
    assert ActionState.pending not in ledger.values() and ActionState.failed not in ledger.values()
    effects = Counter(
        (e.detail["action"], e.bureau_code) for e in audit if e.event in EFFECT_EVENTS
    )
    assert max(effects.values()) == 1, "a side effect happened twice"
    keys = {e.key: ledger_key(e) for e in events}
    done = {k for k, state in ledger.items() if k[2] and state == ActionState.done}
    assert {(*keys[key], code) for key, code in effects} == done, "a side effect is missing"
    assert len({(r.duty_key, r.period_key, r.bureau_code) for r in requests}) == len(requests)
    assert len({(m.bureau_code, m.key, m.notice) for m in outbox}) == len(outbox)
    assert {m.state for m in outbox} == {MailState.sent}, Counter(m.state for m in outbox)
    delivered = Counter(e.message_id for e in mail.received if e.stored)
    assert delivered.keys() == {m.message_id for m in outbox} and max(delivered.values()) == 1
