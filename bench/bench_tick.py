"""Benchmark: the campaign tick against the naive shape (one Prefect task per bureau).

    .venv/bin/python bench/bench_tick.py [--bureaus 3000] [--small 300]

Runs on a temporary SQLite database and a temporary Prefect server (prefect_test_harness).
Measures, for the real tick flow: a tick with nothing due, and ticks that open a weekly
report request for SMALL and for BUREAUS bureaus; then the naive shape opening the same
requests with one task per bureau. Prints wall time and Prefect task runs of each, and
the ratios. The tick's task count stays the same whatever the number of bureaus.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from models.audit import Channel

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PLAN = """\
document_number: 测试发〔2026〕{number}号
title: 基准测试专项整治
issuing_authority: 测试局
root_bureau: "{root}"
office: {{name: 办公室, contact: 联络员, phone: "000", email: office@bench.example.org}}
document: {{recipients: 各单位, issued_on: 2026-03-02, printed_by: 办公室}}
acknowledge_within: null
phases:
  - {{key: work, kind: implementation, name: 实施阶段, start: 2026-03-02, end: 2026-03-29,
     directive: null}}
forms:
  - key: progress
    title: 进展情况统计表
    fields: [{{key: inspections, label: 检查企业, type: integer, unit: 家次, min: 0}}]
duties:
  - {{key: weekly, name: 动态信息, kind: progress, form: progress, phase: work,
     reporters: city, schedule: {{type: weekly, weekday: friday}}}}
"""
ZONE = ZoneInfo("Asia/Shanghai")
BEFORE = datetime(2026, 3, 1, 8, 30, tzinfo=ZONE)  # before the campaign: nothing falls due
OPENS = datetime(2026, 3, 2, 8, 30, tzinfo=ZONE)  # Monday: the first weekly request opens
EVENT = "request:weekly:2026-W10"


def setup_database(bureau_counts: list[int]) -> list[int]:
    """Bureau trees (one root per count) and one campaign per root (plus one for naive)."""
    from campaign.db import session_scope
    from campaign.orchestration.launch import launch_campaign, validated_plan
    from campaign.workdays import WorkCalendar
    from models.bureau import Bureau, BureauLevel

    ids = []
    with session_scope() as session:
        for tree, count in enumerate(bureau_counts, start=1):
            root = f"{tree}00000"
            session.add(
                Bureau(code=root, name=f"根{tree}", level=BureauLevel.province, email="r@b.org")
            )
            session.flush()
            for n in range(1, count + 1):
                code = f"{tree}{n:05d}"
                session.add(
                    Bureau(
                        code=code,
                        name=f"单位{code}",
                        parent_code=root,
                        level=BureauLevel.city,
                        email=f"b{code}@bench.example.org",
                    )
                )
            session.flush()
            for copy in ("tick", "naive") if tree == len(bureau_counts) else ("tick",):
                text = PLAN.format(number=f"{tree}{copy}", root=root)
                plan, plan_text = validated_plan(text.encode(), "bench")
                campaign = launch_campaign(
                    session=session,
                    plan=plan,
                    plan_text=plan_text,
                    source="bench",
                    work=WorkCalendar(),
                    actor="bench",
                    channel=Channel.cli,
                )
                ids.append(campaign.id)
    return ids


def count_task_runs(tag: str, at_least: int = 0) -> int:
    """Task runs the Prefect server recorded with `tag` (it records them asynchronously)."""
    from prefect.client.orchestration import get_client

    previous, stable_since = -1, time.monotonic()
    with get_client(sync_client=True) as client:
        while True:
            body = {"task_runs": {"tags": {"all_": [tag]}}}
            count = client._client.post("/task_runs/count", json=body).json()
            if count != previous:
                previous, stable_since = count, time.monotonic()
            elif count >= at_least and time.monotonic() - stable_since > 2:
                return count
            if time.monotonic() - stable_since > 30:
                return count
            time.sleep(0.5)


def timed_tick(campaign_id: int, as_of: datetime) -> tuple[float, dict]:
    from flows.campaign_tick import run_ticks

    started = time.perf_counter()
    (report,) = run_ticks(campaign_id, [as_of], heartbeats=False)
    return time.perf_counter() - started, report


def naive_flow():  # type: ignore[no-untyped-def]
    """The shape the design rules out: the same work, one task per bureau."""
    from prefect import flow, task
    from prefect.cache_policies import NO_CACHE

    from campaign.bureaus import select_units
    from campaign.clock import as_utc
    from campaign.db import session_scope
    from campaign.orchestration import effects, ledger, requests
    from campaign.orchestration.events import ledger_key
    from campaign.orchestration.store import load_event, to_event
    from campaign.plan.stored import plan_of
    from models.campaign import Campaign

    @task(cache_policy=NO_CACHE)
    def open_one(campaign_id: int, code: str, as_of: datetime) -> None:
        with session_scope() as session:
            campaign = session.get(Campaign, campaign_id)
            event = to_event(load_event(session=session, campaign_id=campaign_id, key=EVENT))
            action, period = ledger_key(event)
            key = dict(campaign_id=campaign_id, action=action, period=period)
            ledger.claim(session=session, bureau_codes=[code], **key)
        with session_scope() as session:
            if ledger.take(session=session, bureau_codes=[code], **key):
                ids = requests.open_requests(
                    session=session,
                    campaign_id=campaign_id,
                    event=event,
                    kind=event.kind,
                    duty_key=event.duty,
                    period_key=event.period,
                    period_label=event.period_label,
                    bureau_codes=[code],
                    opened_at=as_utc(as_of, campaign.timezone),
                )
                effects.queue_request(
                    session=session,
                    campaign_id=campaign_id,
                    plan=plan_of(campaign),
                    event=event,
                    request_ids=ids,
                    at=as_utc(as_of, campaign.timezone),
                )

    @flow(name="naive-open-requests")
    def naive(campaign_id: int, as_of: datetime) -> int:
        with session_scope() as session:
            plan = plan_of(session.get(Campaign, campaign_id))
            codes = select_units(session=session, plan=plan, chosen=plan.duties[0].reporters)
        for code in codes:
            open_one(campaign_id, code, as_of)
        return len(codes)

    return naive


def requests_opened(campaign_id: int) -> int:
    from sqlmodel import func, select

    from campaign.db import session_scope
    from models.request import ReportRequest

    with session_scope() as session:
        query = select(func.count()).where(ReportRequest.campaign_id == campaign_id)
        return session.exec(query).one()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bureaus", type=int, default=3000)
    parser.add_argument("--small", type=int, default=300)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-tick-"))
    os.environ["CAMPAIGN_DATABASE_URL"] = f"sqlite:///{workdir / 'bench.db'}"
    os.environ["CAMPAIGN_DATA_DIR"] = str(workdir)

    from prefect import tags
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    warm_id, small_id, large_id, naive_id = setup_database([10, args.small, args.bureaus])
    rows: list[tuple[str, float, int]] = []
    with prefect_test_harness(server_startup_timeout=120):
        timed_tick(warm_id, OPENS)  # warm-up: the first flow and subflow runs of the process
        counted = count_task_runs(f"campaign-{small_id}")
        for label, campaign_id, as_of in (
            ("tick, nothing due", small_id, BEFORE),
            (f"tick, opens {args.small} requests", small_id, OPENS),
            (f"tick, opens {args.bureaus} requests", large_id, OPENS),
        ):
            seconds, _ = timed_tick(campaign_id, as_of)
            total = count_task_runs(f"campaign-{campaign_id}")
            rows.append((label, seconds, total - (counted if campaign_id == small_id else 0)))
            counted = total if campaign_id == small_id else counted
        naive = naive_flow()
        with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}), tags("naive"):
            started = time.perf_counter()
            naive(naive_id, OPENS)
            rows.append(("naive: a task per bureau", time.perf_counter() - started, 0))
        rows[-1] = (rows[-1][0], rows[-1][1], count_task_runs("naive", at_least=args.bureaus))

    print(f"\nbench_tick: SQLite, prefect_test_harness, {os.cpu_count()} CPU(s)")
    print(f"{'shape':<36}{'wall s':>9}{'task runs':>11}")
    for label, seconds, tasks in rows:
        print(f"{label:<36}{seconds:>9.2f}{tasks:>11}")
    (_, tick_s, tick_tasks), (_, naive_s, naive_tasks) = rows[2], rows[3]
    print(
        f"naive / tick for {args.bureaus} bureaus: {naive_s / tick_s:.1f}x the wall time, "
        f"{naive_tasks / max(tick_tasks, 1):.0f}x the task runs"
    )
    print(
        f"requests opened: tick {requests_opened(large_id)}, naive {requests_opened(naive_id)} "
        f"(expected {args.bureaus} each)"
    )


if __name__ == "__main__":
    main()
