"""Simulated campaigns of the Hubei plan at several sizes, without Prefect (issue 14).

    python bench/bench_simulate.py [--units 17,300,3000] [--seed 1]

Each size runs in a fresh process (peak RSS is per process: resource.getrusage's ru_maxrss
of that child). The first size is the baseline, measured in the same run: the others are
printed with their ratio to it per unit (wall time per unit, and peak memory). The goal in
issue 14: 3,000 units simulated to completion in ≤ 10 min with ≤ 2 GB peak.
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
import json, resource, sys, time
from pathlib import Path
from campaign.demo.account import Progress
from campaign.demo.run import simulate
started = time.perf_counter()
result = simulate(plan_path=Path(sys.argv[1]), data_dir=Path(sys.argv[2]), units=int(sys.argv[3]),
                  seed=int(sys.argv[4]), prefect=False, echo=lambda _l: None, progress=Progress())
print(json.dumps({
    "seconds": time.perf_counter() - started,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "status": result.status, "ticks": result.ticks, "actions": result.actions,
    "mail": result.maildir_messages, "answers": sum(result.answers.values()),
}))
"""


def measure(units: int, seed: int, work: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(PLAN), str(work / f"n{units}"), str(units), str(seed)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", default="17,300,3000")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sizes = [int(u) for u in args.units.split(",")]
    rows: list[tuple[int, dict[str, float]]] = []
    print(
        f"{'units':>6} {'wall s':>8} {'s/unit':>7} {'×base/unit':>10} {'peak MB':>8} "
        f"{'×base':>6} {'ticks':>5} {'actions':>8} {'mail':>7} {'status':>9}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="bench-simulate-") as tmp:
        for units in sizes:  # each row as soon as it is measured: the big one takes long
            m = measure(units, args.seed, Path(tmp))
            rows.append((units, m))
            base_units, base = rows[0]
            per_unit = m["seconds"] / units
            ratio = per_unit / (base["seconds"] / base_units)
            print(
                f"{units:>6} {m['seconds']:>8.1f} {per_unit:>7.3f} {ratio:>10.2f} "
                f"{m['peak_mb']:>8.0f} {m['peak_mb'] / base['peak_mb']:>6.2f} "
                f"{m['ticks']:>5.0f} {m['actions']:>8.0f} {m['mail']:>7.0f} {m['status']:>9}",
                flush=True,
            )
    goal = dict(rows).get(GOAL_UNITS)
    if goal is not None:
        met = goal["seconds"] <= GOAL_SECONDS and goal["peak_mb"] <= GOAL_MB
        print(
            f"goal {GOAL_UNITS} units ≤ {GOAL_SECONDS} s and ≤ {GOAL_MB} MB: "
            f"{'met' if met else 'MISSED'} ({goal['seconds']:.0f} s, {goal['peak_mb']:.0f} MB)"
        )


if __name__ == "__main__":
    main()
