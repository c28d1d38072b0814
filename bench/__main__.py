"""Every benchmark, one after the other: `python -m bench` (or `make bench`).

    python -m bench [--quick] [--only NAME,...]

Runs each bench/bench_*.py in a process of its own with its defaults (each prints its
figures and its ratio against a baseline measured in the same run), then the simulated
campaigns of the Hubei plan at 17, 300 and 3,000 units without Prefect, at 17 and 300 with
Prefect (a test harness server), and at 17 and 300 on the scaled stack of
docs/operations.md (skipped, saying why, without PostgreSQL, Redis or prefect-redis).
--quick leaves out the 3,000-unit simulation. A simulation estimated from the sizes
before it to take more than 15 minutes is skipped by itself and says so. The latest
table is in bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
QUIET = {  # the figures, not Prefect's logs of every task run nor its telemetry
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
}
BENCHES = [
    "bench_tick",
    "bench_mail",
    "bench_inbox",
    "bench_results",
    "bench_console",
    "bench_submit",
]


def machine() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    python = platform.python_version()
    return f"{platform.node()}: {os.cpu_count()} cores, Python {python}, load {load}"


def run(name: str, args: list[str]) -> float:
    print(f"\n=== {name} {' '.join(args)}  ({machine()})", flush=True)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(HERE / f"{name}.py"), *args],
        env={**os.environ, **QUIET, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
    )
    seconds = time.perf_counter() - started
    print(f"=== {name}: exit {done.returncode} after {seconds:.0f} s", flush=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Skip the 3,000-unit simulation.")
    parser.add_argument("--only", default="", help="Comma-separated names (bench_tick,...).")
    args = parser.parse_args()
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()}", flush=True)
    units = "17,300" if args.quick else "17,300,3000"
    plan: list[tuple[str, list[str]]] = [(name, []) for name in BENCHES]
    plan[BENCHES.index("bench_submit")] = ("bench_submit", ["--scale"])  # and workers = cores
    simulations = ["--units", units, "--prefect", "17,300", "--stack", "17,300"]
    plan.append(("bench_simulate", simulations))
    only = set(args.only.split(",")) - {""}
    for name, bench_args in plan:
        if not only or name in only:
            run(name, bench_args)


if __name__ == "__main__":
    main()
