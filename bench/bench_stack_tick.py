"""The fixed cost of one tick on the scaled stack (issue 14), broken down.

    python bench/bench_stack_tick.py [--rounds 4] [--units 17] [--redis-db 14]
                                     [--variants this:pool,this:default] [--base DIR]

Brings up the stack of docs/operations.md (campaign/ops/stack.py), launches the Hubei
plan over generated units and deploys it to the pool, runs its first tick (which does the
day's work), then runs that same tick again and again, each time a run of the campaign's
deployment carried out by a worker (flows.campaign_tick.run_by_worker's call): with
nothing left to do, what it costs is the fixed cost of a tick run, the same at any size.

Variants, alternated round by round (ABBA...), are CODE:COMMAND: CODE `this` (this tree)
or `base` (the tree --base gives, e.g. a `git archive` of main) is the code the flow-run
process imports (PYTHONPATH); COMMAND `pool` leaves the pool's command as it is (the
stack's), `default` runs Prefect's default (the workspace supervisor, which then starts
`python -m prefect.engine`), `engine` starts `python -m prefect.engine` directly,
`profile` does so under cProfile (a file per tick in $TMPDIR/bench-stack-tick-profiles),
`custom` runs $BENCH_STACK_TICK_COMMAND.

Per tick: wall time from run_deployment to the report, and its phases from the run's
states (queue: created -> Pending, a worker's poll and claim; start: Pending -> Running,
the process's start, imports, loading the flow; flow: Running -> Completed; notice:
Completed -> the report read, the waiting side's poll; exit: Completed -> the process gone,
which the next tick does not wait for); the CPU of the flow-run process (the workers'
reaped children; the bench waits for it to exit; exit cpu: its part after the report was
read), of the workers themselves, of the API servers and services, and of this process;
the load average. Medians per variant, and each variant against the first. The stack's
databases are named after CAMPAIGN_TEST_DB_PREFIX when set.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PLAN = ROOT / "examples" / "hubei-2007.yaml"
POSTGRES_URL = os.environ.get(
    "CAMPAIGN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PROFILES = Path(tempfile.gettempdir()) / "bench-stack-tick-profiles"
PHASES = ("queue", "start", "flow", "notice", "exit")


def cpu_seconds(pid: int, *, children: bool) -> float:
    """utime + stime of pid (children: cutime + cstime, the children it reaped)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    picked = fields[13:15] if children else fields[11:13]
    return sum(int(f) for f in picked) / os.sysconf("SC_CLK_TCK")


def on_stack(args: argparse.Namespace, work: Path) -> None:
    """The stack and a mail server; the ticks run in a process of their own, whose Prefect
    settings (read once, at import) point at the stack."""
    from campaign.mail.server import running_mailserver
    from campaign.ops.stack import POOL, free_port, scaled_stack

    smtp_port = free_port()
    app_env = {
        "CAMPAIGN_WORK_POOL": POOL,
        "CAMPAIGN_DATA_DIR": str(work / "data"),
        "CAMPAIGN_SMTP_HOST": "127.0.0.1",
        "CAMPAIGN_SMTP_PORT": str(smtp_port),
        "CAMPAIGN_SMTP_SECURITY": "none",
        "CAMPAIGN_MAIL_RATE_PER_SECOND": "0",
    }
    with (
        scaled_stack(POSTGRES_URL, work, app_env, redis_db=args.redis_db) as stack,
        running_mailserver(port=smtp_port, maildir=work / "maildir"),
    ):
        workers = [p.pid for p in stack.workers.values()]
        job = {
            "env": app_env | {"CAMPAIGN_DATABASE_URL": stack.app_db_url},
            "workers": workers,
            "servers": [p.pid for p in stack.processes if p.pid not in workers],
        }
        env = (
            os.environ
            | job["env"]
            | {
                "PYTHONPATH": str(ROOT),
                "PREFECT_API_URL": stack.api_urls[0],
                "PREFECT_HOME": str(work / "bench-prefect-home"),
                "PREFECT_LOCAL_STORAGE_PATH": str(work / "results"),
                "PREFECT_LOGGING_LEVEL": "WARNING",
            }
        )
        argv = [sys.executable, __file__, *sys.argv[1:], "--job", json.dumps(job)]
        subprocess.run(argv, env=env, check=True)


def launch(units: int) -> dict[str, Any]:
    from campaign import db as dbmod
    from campaign.bureaus import import_bureau_csv
    from campaign.demo.registry import generate_registry
    from campaign.orchestration.launch import launch_campaign, validated_plan
    from campaign.orchestration.tick import tick_moments
    from campaign.workdays import WorkCalendar
    from deployments.campaigns import deploy_campaign, set_schedule_paused
    from models.audit import Channel

    dbmod.reset()
    plan, text = validated_plan(PLAN.read_bytes(), str(PLAN))
    with dbmod.session_scope() as session:
        import_bureau_csv(session=session, raw=generate_registry(plan, units, 1))
        campaign = launch_campaign(
            session=session,
            plan=plan,
            plan_text=text,
            source=str(PLAN),
            work=WorkCalendar(),
            actor="bench",
            channel=Channel.cli,
        )
        session.commit()
        deployment_id = deploy_campaign(campaign)
        assert campaign.id is not None and deployment_id is not None
        set_schedule_paused(campaign.id, paused=True, session=session)
    moment = tick_moments(campaign_id=campaign.id, start=plan.start, end=None)[0]
    return {"campaign_id": campaign.id, "deployment_id": deployment_id, "moment": moment}


def job_variables(variant: str, env: dict[str, str], base: Path | None) -> dict[str, Any]:
    """What run_by_worker gives the run (env, results persisted), plus the variant's code
    and command."""
    code, command = variant.split(":")
    tree = {"this": ROOT, "base": base}[code]
    if tree is None:
        raise SystemExit(f"variant {variant} needs --base")
    variables: dict[str, Any] = {
        "env": env
        | {
            "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "true",
            "PREFECT_LOCAL_STORAGE_PATH": os.environ["PREFECT_LOCAL_STORAGE_PATH"],
            "PYTHONPATH": str(tree),
        }
    }
    if command == "default":
        variables["command"] = None
    elif command == "engine":
        variables["command"] = f"{sys.executable} -m prefect.engine"
    elif command == "profile":  # the engine under cProfile, a file per tick in --profiles
        profile = PROFILES / f"tick-{time.time_ns()}.prof"
        variables["command"] = f"{sys.executable} -m cProfile -o {profile} -m prefect.engine"
    elif command == "custom":  # any other, e.g. a diagnostic wrapper of the engine
        variables["command"] = os.environ["BENCH_STACK_TICK_COMMAND"]
    elif command != "pool":
        raise SystemExit(f"unknown command {command} (pool, default, engine, profile, custom)")
    return variables


def children(pids: list[int]) -> list[int]:
    """The direct children of pids (the workers' flow-run processes), from /proc."""
    found = []
    for pid in pids:
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                found += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
    return found


def module_of(pid: int) -> str | None:
    """The module a process runs (`python -m MODULE`), None if none or gone."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return None
    return argv[argv.index(b"-m") + 1].decode() if b"-m" in argv[:-1] else None


class Commands(threading.Thread):
    """What the workers' flow-run processes run, sampled every 0.1 s (a process that
    execs another shows both, in order)."""

    def __init__(self, workers: list[int]) -> None:
        super().__init__(daemon=True)
        self.workers, self.seen, self.done = workers, list[str](), threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.1):
            for pid in children(self.workers):
                module = module_of(pid)
                if module is not None and module not in self.seen:
                    self.seen.append(module)


def wait_exited(workers: list[int], timeout: float = 120.0) -> None:
    """Until the workers have no flow-run process left, nor one not reaped yet (it lingers
    after its run is Completed): its CPU is then counted in its own tick."""
    deadline = time.monotonic() + timeout
    while children(workers) and time.monotonic() < deadline:
        time.sleep(0.05)


def one_tick(setup: dict[str, Any], variables: dict[str, Any]) -> dict[str, float]:
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment

    from flows.campaign_tick import WORKER_POLL_SECONDS, tick_report

    workers, servers = setup["workers"], setup["servers"]
    before = {
        "children": sum(cpu_seconds(p, children=True) for p in workers),
        "workers": sum(cpu_seconds(p, children=False) for p in workers),
        "servers": sum(cpu_seconds(p, children=False) for p in servers),
        "caller": time.process_time(),
    }
    commands = Commands(workers)
    commands.start()
    started = time.perf_counter()
    run = run_deployment(
        setup["deployment_id"],
        parameters={"campaign_id": setup["campaign_id"], "as_of": setup["moment"]},
        poll_interval=WORKER_POLL_SECONDS,
        as_subflow=False,
        job_variables=variables,
    )
    assert run.state is not None  # type: ignore[union-attr]
    tick_report(run.state)  # type: ignore[union-attr]
    wall, returned = time.perf_counter() - started, time.time()
    at_return = sum(cpu_seconds(p, children=False) for p in children(workers))
    wait_exited(workers)
    exited = time.time()
    commands.done.set()
    commands.join()
    run_cpu = sum(cpu_seconds(p, children=True) for p in workers) - before["children"]
    with get_client(sync_client=True) as client:
        states = client.read_flow_run_states(run.id)  # type: ignore[union-attr]
    at = {s.type.value: s.timestamp.timestamp() for s in reversed(states)}  # the first of each
    created = min(s.timestamp.timestamp() for s in states)
    return {
        "wall": wall,
        "queue": at["PENDING"] - created,
        "start": at["RUNNING"] - at["PENDING"],
        "flow": at["COMPLETED"] - at["RUNNING"],
        "notice": returned - at["COMPLETED"],
        "exit": exited - at["COMPLETED"],
        "run cpu": run_cpu,
        "exit cpu": run_cpu - at_return,
        "worker cpu": sum(cpu_seconds(p, children=False) for p in workers) - before["workers"],
        "server cpu": sum(cpu_seconds(p, children=False) for p in servers) - before["servers"],
        "caller cpu": time.process_time() - before["caller"],
        "load": os.getloadavg()[0],
        "commands": " > ".join(commands.seen),  # type: ignore[dict-item]
    }


COLUMNS = ("wall", *PHASES, "run cpu", "exit cpu", "worker cpu", "server cpu", "caller cpu", "load")


def table(results: dict[str, list[dict[str, float]]]) -> None:
    print(f"{'variant':<16} {'n':>2} " + " ".join(f"{c:>10}" for c in COLUMNS))
    first = None
    for variant, rows in results.items():
        medians = {c: statistics.median(r[c] for r in rows) for c in COLUMNS}
        print(f"{variant:<16} {len(rows):>2} " + " ".join(f"{medians[c]:>10.2f}" for c in COLUMNS))
        if first is None:
            first = medians
        else:
            print(
                f"{'  × ' + next(iter(results)):<19} "
                + " ".join(
                    f"{medians[c] / first[c]:>10.2f}" if first[c] else f"{'-':>10}" for c in COLUMNS
                )
            )


def ticks(args: argparse.Namespace, job: dict[str, Any]) -> None:
    """In the process pointed at the stack: launch, the first tick, then the rounds."""
    setup = job | launch(args.units)
    variants = args.variants.split(",")
    results: dict[str, list[dict[str, float]]] = {v: [] for v in variants}
    first = one_tick(setup, job_variables(variants[0], job["env"], args.base))
    print(f"the first tick (the day's work): {first['wall']:.1f} s", flush=True)
    for round_ in range(args.rounds):
        for variant in variants if round_ % 2 == 0 else variants[::-1]:
            m = one_tick(setup, job_variables(variant, job["env"], args.base))
            results[variant].append(m)
            print(
                f"round {round_ + 1} {variant:<16} "
                + " ".join(f"{c} {m[c]:.2f}" for c in COLUMNS)
                + f" ({m['commands']})",
                flush=True,
            )
    table(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--units", type=int, default=17)
    parser.add_argument("--redis-db", type=int, default=14, help="Emptied; not the test's 13.")
    parser.add_argument("--variants", default="this:pool,this:default")
    parser.add_argument("--base", type=Path, help="Another tree's code, for `base:` variants.")
    parser.add_argument("--job", help=argparse.SUPPRESS)  # the ticks' process
    args = parser.parse_args()
    PROFILES.mkdir(exist_ok=True)
    if args.job:
        ticks(args, json.loads(args.job))
        return
    with tempfile.TemporaryDirectory(prefix="bench-stack-tick-") as tmp:
        on_stack(args, Path(tmp))


if __name__ == "__main__":
    main()
