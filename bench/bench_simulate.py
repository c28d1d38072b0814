"""Simulated campaigns of the Hubei plan at several sizes, without and with Prefect (issue 14).

    python bench/bench_simulate.py [--units 17,300,3000] [--seed 1] [--prefect 17,300]
                                   [--stack 17,300] [--max-minutes 15]

Each size runs in a fresh process (peak RSS is per process: resource.getrusage's ru_maxrss
of that child). The first size is the baseline, measured in the same run: the others are
printed with their ratio to it per unit (wall time per unit, and peak memory). The goal in
issue 14: 3,000 units simulated to completion in ≤ 10 min with ≤ 2 GB peak.

--prefect SIZES: those sizes again through Prefect (the tick flow in a prefect_test_harness
server on SQLite, not the scaled stack of docs/operations.md), printing the task runs and
the ratio to the same size without Prefect (goal: ≤ 3×).

--stack SIZES: those sizes on the scaled stack of docs/operations.md (campaign/ops/stack.py:
two API servers on PostgreSQL with Redis, the services apart, a process work pool, two
workers; a fresh one per size), the application database on PostgreSQL (a fresh one), each
tick a run of the campaign's deployment carried out by a worker. Its baseline, measured
just before in the same run: the same size without Prefect on a fresh PostgreSQL database
("plain-pg"). Printed besides: the flow runs, the stack's processes' CPU time (servers,
services, workers and the flow runs' processes) and their peak memory together. Without
PostgreSQL, Redis or prefect-redis the sizes are skipped and say why.

A size whose time, estimated from the largest one measured before it in the same mode (or
from the same size without Prefect times the factor seen at a smaller size), exceeds
--max-minutes is skipped and says so.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PLAN = ROOT / "examples" / "hubei-2007.yaml"
GOAL_UNITS, GOAL_SECONDS, GOAL_MB, GOAL_PREFECT = 3000, 600, 2048, 3.0
POSTGRES_URL = os.environ.get(
    "CAMPAIGN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BASELINE = {"prefect": "plain", "plain-pg": "plain", "stack": "plain-pg"}  # ×plain column
SAME_OUTCOME = ("ticks", "actions", "mail", "answers")

CHILD = """
import contextlib, json, resource, sys, time
from pathlib import Path
from campaign.demo.account import Progress
from campaign.demo.run import simulate
job = json.loads(sys.argv[1])
prefect = job["mode"] in ("prefect", "stack")
harness = contextlib.nullcontext()
if job["mode"] == "prefect":
    from prefect.testing.utilities import prefect_test_harness
    harness = prefect_test_harness(server_startup_timeout=120)
with harness:
    started, cpu = time.perf_counter(), time.process_time()
    result = simulate(plan_path=Path(job["plan"]), data_dir=Path(job["data_dir"]),
                      units=job["units"], seed=job["seed"], prefect=prefect,
                      work_pool=job["work_pool"], database_url=job["database_url"],
                      echo=lambda _l: None, progress=Progress())
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    task_runs = flow_runs = 0
    if prefect:
        from prefect.client.orchestration import get_client
        with get_client(sync_client=True) as client:
            task_runs = client._client.post("/task_runs/count", json={}).json()
            flow_runs = client._client.post("/flow_runs/count", json={}).json()
print(json.dumps({
    "seconds": seconds, "cpu": cpu, "task_runs": task_runs, "flow_runs": flow_runs,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "status": result.status, "ticks": result.ticks, "actions": result.actions,
    "mail": result.maildir_messages, "answers": sum(result.answers.values()),
}))
"""


def measure(
    units: int,
    seed: int,
    work: Path,
    mode: str,
    *,
    database_url: str | None = None,
    work_pool: str | None = None,
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One simulation in a fresh process: mode plain, prefect (a harness server),
    plain-pg (no Prefect, database_url) or stack (env: PREFECT_API_URL of the stack)."""
    job = {
        "plan": str(PLAN),
        "data_dir": str(work / f"n{units}{mode}"),
        "units": units,
        "seed": seed,
        "mode": mode,
        "database_url": database_url,
        "work_pool": work_pool,
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(job)],
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "mode": mode}


# The scaled stack ---------------------------------------------------------------------------


def stack_cpu_seconds(pids: list[int]) -> float:
    """CPU time of these processes and of their children they waited for (a worker's flow
    runs), from /proc/<pid>/stat (utime, stime, cutime, cstime)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])
    return total / ticks


class RssSampler(threading.Thread):
    """The largest sum of resident memory of the stack's processes and everything under
    them (flow runs), sampled every second."""

    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        self.pids, self.peak_mb, self.done = pids, 0.0, threading.Event()

    def run(self) -> None:
        from campaign.ops.stack import descendants

        while not self.done.wait(1.0):
            total = 0
            for pid in {*self.pids, *(d for p in self.pids for d in descendants(p))}:
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                total += next(
                    (
                        int(line.split()[1])
                        for line in status.splitlines()
                        if line.startswith("VmRSS")
                    ),
                    0,
                )
            self.peak_mb = max(self.peak_mb, total / 1024)


StackRun = tuple[str, str, dict[str, str], list[int]]


@contextmanager
def on_stack(units: int, work: Path, redis_db: int) -> Iterator[StackRun]:
    """A fresh scaled stack: (its application database, pool, the simulation's env, the
    stack's processes)."""
    from campaign.ops.stack import POOL, scaled_stack

    home = work / f"stack{units}"
    home.mkdir()
    app_env = {"CAMPAIGN_WORK_POOL": POOL}
    with scaled_stack(POSTGRES_URL, home, app_env, redis_db=redis_db) as stack:
        env = {
            "PREFECT_API_URL": stack.api_urls[0],
            "PREFECT_HOME": str(home / "simulation-prefect-home"),
            "PREFECT_LOCAL_STORAGE_PATH": str(home / "results"),  # the workers write there
        }
        yield stack.app_db_url, POOL, env, [p.pid for p in stack.processes]


def measure_stack(units: int, seed: int, work: Path, redis_db: int) -> dict[str, Any]:
    with on_stack(units, work, redis_db) as (app_db, pool, env, pids):
        cpu = stack_cpu_seconds(pids)
        sampler = RssSampler(pids)
        sampler.start()
        m = measure(units, seed, work, "stack", database_url=app_db, work_pool=pool, env=env)
        sampler.done.set()
        sampler.join()
        m["stack_cpu"] = stack_cpu_seconds(pids) - cpu
        m["stack_peak_mb"] = sampler.peak_mb
    return m


def measure_plain_pg(units: int, seed: int, work: Path) -> dict[str, Any]:
    from campaign.ops.stack import fresh_databases

    with fresh_databases(POSTGRES_URL, "bench_simulate") as (url,):
        return measure(units, seed, work, "plain-pg", database_url=url)


def stack_missing() -> str | None:
    """Why the stack cannot run here (PostgreSQL, Redis, prefect-redis), or None."""
    import redis

    from campaign.ops.stack import REDIS_HOST, REDIS_PORT, fresh_databases

    try:
        import prefect_redis  # noqa: F401

        redis.Redis(host=REDIS_HOST, port=REDIS_PORT, socket_timeout=3).ping()
        with fresh_databases(POSTGRES_URL, "bench_probe"):
            pass
    except Exception as exc:  # noqa: BLE001 (StackMissing, ImportError, Redis's errors)
        return f"{exc.__class__.__name__}: {exc}"
    return None


# The table ----------------------------------------------------------------------------------


def estimate_minutes(rows: list[dict[str, Any]], units: int, mode: str) -> float:
    """Minutes `units` would take in `mode`: the same size in the baseline mode times the
    factor seen at a smaller size, else the largest size measured in the same mode (or,
    for plain-pg, without Prefect) scaled per unit (an overestimate: part is fixed)."""
    same = [r for r in rows if r["mode"] == mode]
    base = {r["units"]: r for r in rows if r["mode"] == BASELINE.get(mode)}
    if same and units in base and same[-1]["units"] in base:
        known = same[-1]
        return base[units]["seconds"] * known["seconds"] / base[known["units"]]["seconds"] / 60
    same = same or [r for r in rows if r["mode"] == BASELINE.get(mode)]
    if not same:
        return 0.0
    known = max(same, key=lambda r: r["units"])
    return float(known["seconds"]) / known["units"] * units / 60


HEADER = (
    f"{'units':>6} {'mode':>8} {'wall s':>8} {'CPU s':>7} {'s/unit':>7} {'×base/unit':>10} "
    f"{'peak MB':>8} {'×base':>6} {'ticks':>5} {'actions':>8} {'mail':>7} "
    f"{'task runs':>9} {'flow runs':>9} {'×plain':>6} {'status':>9}"
)


def line(m: dict[str, Any], base: dict[str, Any], versus: dict[str, Any] | None) -> str:
    units, per_unit = m["units"], m["seconds"] / m["units"]
    ratio = per_unit / (base["seconds"] / base["units"])
    times = f"{m['seconds'] / versus['seconds']:.2f}" if versus else "-"
    return (
        f"{units:>6} {m['mode']:>8} {m['seconds']:>8.1f} {m['cpu']:>7.1f} {per_unit:>7.3f} "
        f"{ratio:>10.2f} {m['peak_mb']:>8.0f} {m['peak_mb'] / base['peak_mb']:>6.2f} "
        f"{m['ticks']:>5.0f} {m['actions']:>8.0f} {m['mail']:>7.0f} {m['task_runs']:>9.0f} "
        f"{m['flow_runs']:>9.0f} {times:>6} {m['status']:>9}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", default="17,300,3000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--prefect", default="", help="Sizes to run through Prefect as well.")
    parser.add_argument("--stack", default="", help="Sizes to run on the scaled stack as well.")
    parser.add_argument(
        "--no-pg-baseline",
        action="store_true",
        help="No plain-pg run before a --stack size: its ratio is then to the run without "
        "Prefect on SQLite of the same size, if measured.",
    )
    parser.add_argument(
        "--redis-db",
        type=int,
        default=14,
        help="The stack's Redis database, emptied (not the test's 13; one per bench running).",
    )
    parser.add_argument(
        "--max-minutes", type=float, default=15.0, help="Skip a size estimated to take longer."
    )
    args = parser.parse_args()

    def sizes(text: str) -> list[int]:
        return [int(u) for u in text.split(",") if u]

    plan = [(u, "plain") for u in sizes(args.units)] + [(u, "prefect") for u in sizes(args.prefect)]
    on_stack_sizes = sizes(args.stack)
    missing = stack_missing() if on_stack_sizes else None
    if missing:
        print(f"--stack {args.stack} skipped: the scaled stack cannot run here ({missing})")
    else:
        modes = ("stack",) if args.no_pg_baseline else ("plain-pg", "stack")
        plan += [(u, mode) for u in on_stack_sizes for mode in modes]
    rows: list[dict[str, Any]] = []
    print(HEADER, flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-simulate-") as tmp:
        work = Path(tmp)
        for units, mode in plan:
            minutes = estimate_minutes(rows, units, mode)
            if minutes > args.max_minutes:
                print(
                    f"{units:>6} {mode:>8} skipped: estimated {minutes:.0f} min "
                    f"(> --max-minutes {args.max_minutes:g})",
                    flush=True,
                )
                continue
            if mode == "stack":
                m = measure_stack(units, args.seed, work, args.redis_db)
            elif mode == "plain-pg":
                m = measure_plain_pg(units, args.seed, work)
            else:
                m = measure(units, args.seed, work, mode)
            m["units"] = units
            rows.append(m)  # each row printed as soon as measured
            versus = baseline_of(rows, m)
            print(line(m, rows[0], versus), flush=True)
            if mode == "stack":
                print(
                    f"{'':>6} {'':>8} the stack's processes (API servers, services, workers, "
                    f"flow runs): {m['stack_cpu']:.1f} s CPU, {m['stack_peak_mb']:.0f} MB peak "
                    "together",
                    flush=True,
                )
    goals(rows)


def baseline_of(rows: list[dict[str, Any]], m: dict[str, Any]) -> dict[str, Any] | None:
    """The run m is compared with: the same size in its baseline mode (for stack without a
    plain-pg run, the plain one)."""
    wanted = [BASELINE.get(m["mode"]), *(["plain"] if m["mode"] == "stack" else [])]
    for mode in wanted:
        found = [r for r in rows if r["mode"] == mode and r["units"] == m["units"]]
        if found:
            return found[0]
    return None


def goals(rows: list[dict[str, Any]]) -> None:
    goal = next((r for r in rows if r["mode"] == "plain" and r["units"] == GOAL_UNITS), None)
    if goal is not None:
        met = goal["seconds"] <= GOAL_SECONDS and goal["peak_mb"] <= GOAL_MB
        print(
            f"goal {GOAL_UNITS} units ≤ {GOAL_SECONDS} s and ≤ {GOAL_MB} MB: "
            f"{'met' if met else 'MISSED'} ({goal['seconds']:.0f} s, {goal['peak_mb']:.0f} MB)"
        )
    for m in rows:
        versus = baseline_of(rows, m)
        if m["mode"] not in ("prefect", "stack") or versus is None:
            continue
        factor = m["seconds"] / versus["seconds"]
        where = {
            "prefect": "harness server on SQLite",
            "plain-pg": "scaled stack, ticks run by the workers, PostgreSQL both",
            "plain": "scaled stack, ticks run by the workers, PostgreSQL against SQLite",
        }[m["mode"] if m["mode"] == "prefect" else versus["mode"]]
        same = all(m[k] == versus[k] for k in SAME_OUTCOME)
        print(
            f"goal with Prefect ≤ {GOAL_PREFECT:g}× without ({m['units']} units, {where}): "
            f"{'met' if factor <= GOAL_PREFECT else 'MISSED'} ({factor:.2f}× wall, "
            f"{m['cpu'] / versus['cpu']:.2f}× the simulation process's CPU); "
            f"same ticks, actions, mail, answers: {'yes' if same else 'NO'}"
        )
        plain = next((r for r in rows if r["mode"] == "plain" and r["units"] == m["units"]), None)
        if m["mode"] == "stack" and plain is not None and plain is not versus:
            print(
                f"    against the run without Prefect on SQLite: "
                f"{m['seconds'] / plain['seconds']:.2f}×"
            )


if __name__ == "__main__":
    main()
