"""Simulated campaigns of the Hubei plan at several sizes, without and with Prefect (issue 14).

    python bench/bench_simulate.py [--units 17,300,3000] [--seed 1] [--prefect 17,300]
                                   [--max-minutes 15]

Each size runs in a fresh process (peak RSS is per process: resource.getrusage's ru_maxrss
of that child). The first size is the baseline, measured in the same run: the others are
printed with their ratio to it per unit (wall time per unit, and peak memory). The goal in
issue 14: 3,000 units simulated to completion in ≤ 10 min with ≤ 2 GB peak.

--prefect SIZES: those sizes again through Prefect (the tick flow in a prefect_test_harness
server on SQLite, not the scaled stack of docs/operations.md), printing the task runs and
the ratio to the same size without Prefect (goal: ≤ 3×). A size whose time, estimated
from the largest one measured before it, exceeds --max-minutes is skipped and says so.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "examples" / "hubei-2007.yaml"
GOAL_UNITS, GOAL_SECONDS, GOAL_MB = 3000, 600, 2048

CHILD = """
import contextlib, json, resource, sys, time
from pathlib import Path
from campaign.demo.account import Progress
from campaign.demo.run import simulate
prefect = sys.argv[5] == "prefect"
harness = contextlib.nullcontext()
if prefect:
    from prefect.testing.utilities import prefect_test_harness
    harness = prefect_test_harness(server_startup_timeout=120)
with harness:
    started = time.perf_counter()
    result = simulate(plan_path=Path(sys.argv[1]), data_dir=Path(sys.argv[2]),
                      units=int(sys.argv[3]), seed=int(sys.argv[4]), prefect=prefect,
                      echo=lambda _l: None, progress=Progress())
    seconds = time.perf_counter() - started
    task_runs = 0
    if prefect:
        from prefect.client.orchestration import get_client
        with get_client(sync_client=True) as client:
            task_runs = client._client.post("/task_runs/count", json={}).json()
print(json.dumps({
    "seconds": seconds, "task_runs": task_runs,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "status": result.status, "ticks": result.ticks, "actions": result.actions,
    "mail": result.maildir_messages, "answers": sum(result.answers.values()),
}))
"""


def measure(units: int, seed: int, work: Path, prefect: bool = False) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    mode = "prefect" if prefect else "plain"
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(PLAN), str(work / f"n{units}{mode}"), str(units)]
        + [str(seed), mode],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def estimate_minutes(rows: list[tuple[int, dict[str, float]]], units: int, prefect: bool) -> float:
    """Minutes `units` would take: the largest size measured in the same mode scaled per
    unit (an overestimate: part of the time is fixed), or, when the size was measured
    without Prefect, that time times the Prefect factor seen at a smaller size."""
    same = [r for r in rows if bool(r[1]["prefect"]) == prefect]
    plain = {u: m for u, m in rows if not m["prefect"]}
    if prefect and same and units in plain and same[-1][0] in plain:
        known, m = same[-1]
        return plain[units]["seconds"] * m["seconds"] / plain[known]["seconds"] / 60
    if not same:
        return 0.0
    known, m = max(same, key=lambda r: r[0])
    return m["seconds"] / known * units / 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", default="17,300,3000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--prefect", default="", help="Sizes to run through Prefect as well.")
    parser.add_argument(
        "--max-minutes", type=float, default=15.0, help="Skip a size estimated to take longer."
    )
    args = parser.parse_args()
    sizes = [int(u) for u in args.units.split(",")]
    with_prefect = [int(u) for u in args.prefect.split(",") if u]
    rows: list[tuple[int, dict[str, float]]] = []
    print(
        f"{'units':>6} {'mode':>7} {'wall s':>8} {'s/unit':>7} {'×base/unit':>10} "
        f"{'peak MB':>8} {'×base':>6} {'ticks':>5} {'actions':>8} {'mail':>7} "
        f"{'task runs':>9} {'×plain':>6} {'status':>9}",
        flush=True,
    )
    plain: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-simulate-") as tmp:
        for units, prefect in [(u, False) for u in sizes] + [(u, True) for u in with_prefect]:
            mode = "prefect" if prefect else "plain"
            minutes = estimate_minutes(rows, units, prefect)
            if minutes > args.max_minutes:
                print(
                    f"{units:>6} {mode:>7} skipped: estimated {minutes:.0f} min "
                    f"(> --max-minutes {args.max_minutes:g})",
                    flush=True,
                )
                continue
            m = measure(units, args.seed, Path(tmp), prefect)  # each row as soon as measured
            m["prefect"] = float(prefect)
            rows.append((units, m))
            if not prefect:
                plain[units] = m
            base_units, base = rows[0]
            per_unit = m["seconds"] / units
            ratio = per_unit / (base["seconds"] / base_units)
            versus = (
                f"{m['seconds'] / plain[units]['seconds']:.2f}"
                if prefect and units in plain
                else "-"
            )
            print(
                f"{units:>6} {mode:>7} {m['seconds']:>8.1f} {per_unit:>7.3f} {ratio:>10.2f} "
                f"{m['peak_mb']:>8.0f} {m['peak_mb'] / base['peak_mb']:>6.2f} "
                f"{m['ticks']:>5.0f} {m['actions']:>8.0f} {m['mail']:>7.0f} "
                f"{m['task_runs']:>9.0f} {versus:>6} {m['status']:>9}",
                flush=True,
            )
    goal = plain.get(GOAL_UNITS)
    if goal is not None:
        met = goal["seconds"] <= GOAL_SECONDS and goal["peak_mb"] <= GOAL_MB
        print(
            f"goal {GOAL_UNITS} units ≤ {GOAL_SECONDS} s and ≤ {GOAL_MB} MB: "
            f"{'met' if met else 'MISSED'} ({goal['seconds']:.0f} s, {goal['peak_mb']:.0f} MB)"
        )
    for units, m in rows:
        if m["prefect"] and units in plain:
            factor = m["seconds"] / plain[units]["seconds"]
            print(
                f"goal with Prefect ≤ 3× without ({units} units): "
                f"{'met' if factor <= 3 else 'MISSED'} ({factor:.2f}×)"
            )


if __name__ == "__main__":
    main()
