"""Benchmark: one tick's results work at 3,000 units, this code against another checkout's.

    .venv/bin/python bench/bench_tick_results.py --db DATA/campaign.db [--scale 10]
        [--baseline /work/main] [--rounds 2]

DATA is a simulated campaign (`campaign simulate examples/hubei-2007.yaml --bureaus 300
--no-prefect`, or /work/wt/simrun.py): its database is copied and its units, requests and
answers repeated SCALE times (each copy's codes and names suffixed), so the plan, the
narratives, the stored summaries and the schedule are a real campaign's, at SCALE × its
units. On that copy, in a child process per code checkout (this one and --baseline,
alternated ROUNDS times in the same minutes), the CPU seconds of:

- frames:   campaign.results.load.load_frames (once per tick);
- digest:   the weekly digest of the last period (period_digest, over loaded frames);
- workbook: its attachment, the cumulative 汇总表;
- refresh:  refresh_summaries with every stored summary's basis cleared, so each one is
            recompiled (the most a tick's refresh does; rolled back after).

Prints each, per round, and the ratios this / baseline. Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STEPS = ("frames", "digest", "workbook", "refresh")
ID_OFFSET = 10_000_000  # each copy's ids: the original's + copy × this
ORIGINAL = {  # the rows copied: the original units (not the root), requests, answers
    "bureau": "parent_code is not null and code not like '%-%'",
    "report_request": f"id < {ID_OFFSET}",
    "report_submission": f"id < {ID_OFFSET}",
}


def scaled(source: Path, target: Path, scale: int) -> int:
    """Copy `source` to `target` with its units (not the root), requests and answers
    repeated `scale` times; the number of units."""
    shutil.copy(source, target)
    db = sqlite3.connect(target)
    units = db.execute("select code from bureau where parent_code is not null").fetchall()

    def columns(table: str) -> list[str]:
        return [row[1] for row in db.execute(f"pragma table_info({table})")]

    for copy in range(1, scale):
        suffix, offset = f"-{copy}", copy * ID_OFFSET
        changed = {
            "bureau": {"code": f"code || '{suffix}'", "name": f"name || '（{copy}）'"},
            "report_request": {"id": f"id + {offset}", "bureau_code": f"bureau_code || '{suffix}'"},
            "report_submission": {
                "id": f"id + {offset}",
                "request_id": f"request_id + {offset}",
                "bureau_code": f"bureau_code || '{suffix}'",
            },
        }
        for table, exprs in changed.items():
            names = columns(table)
            picked = ", ".join(exprs.get(n, f'"{n}"') for n in names)
            quoted = ", ".join(f'"{n}"' for n in names)
            copied = f"select {picked} from {table} where {ORIGINAL[table]}"
            db.execute(f"insert into {table} ({quoted}) {copied}")
    db.commit()
    db.close()
    return len(units) * scale


def child(url: str) -> dict[str, float]:
    """The CPU seconds of each step, with the code on sys.path (this process's PYTHONPATH)."""
    from sqlmodel import Session

    from campaign.db import get_engine
    from campaign.orchestration.summaries import latest_versions, refresh_summaries
    from campaign.results.digest import PERIODIC, _workbook, period_digest
    from campaign.results.load import load_frames

    cpu: dict[str, float] = {}
    engine = get_engine(url)
    with Session(engine) as session:
        began = time.process_time()
        frames = load_frames(session=session, campaign_id=1)
        cpu["frames"] = time.process_time() - began
        duty = next(d.key for d in frames.plan.duties if d.kind == PERIODIC)
        requests = frames.requests[frames.requests["duty_key"] == duty]
        last = requests.sort_values(["due_date", "period_key"]).iloc[-1]
        today = last["due_date"] + timedelta(days=1)
        began = time.process_time()
        digest = period_digest(frames, duty, str(last["period_key"]), today)
        cpu["digest"] = time.process_time() - began
        began = time.process_time()
        attachment = _workbook(digest)
        cpu["workbook"] = time.process_time() - began
        del frames, digest, attachment
        for row in latest_versions(session, 1).values():
            row.basis = ""  # every summary stale, and its window moved
            session.add(row)
        session.flush()
        as_of = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
        began = time.process_time()
        added = refresh_summaries(session=session, campaign_id=1, plan=_plan(session), as_of=as_of)
        cpu["refresh"] = time.process_time() - began
        cpu["summaries"] = len(added)
        session.rollback()
    return cpu


def _plan(session: Any) -> Any:
    from campaign.plan.stored import plan_of
    from models.campaign import Campaign

    return plan_of(session.get_one(Campaign, 1))


def run(code: Path, url: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(code)}
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", url],
        cwd=code,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--baseline", type=Path)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    if args.db is None:
        parser.error("--db: a simulated campaign's database")
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "campaign.db"
        units = scaled(args.db, target, args.scale)
        print(f"{units} units ({args.scale} × {args.db})")
        url = f"sqlite:///{target}"
        trees = [("this", ROOT)] + ([("baseline", args.baseline)] if args.baseline else [])
        figures: dict[str, list[dict[str, float]]] = {name: [] for name, _ in trees}
        for round_ in range(args.rounds):
            for name, code in trees if round_ % 2 == 0 else list(reversed(trees)):
                cpu = run(code, url)
                figures[name].append(cpu)
                load = os.getloadavg()[0]
                shown = "  ".join(f"{s} {cpu[s]:6.2f}" for s in STEPS)
                print(f"round {round_ + 1} {name:<8} CPU s: {shown}  (load {load:.1f})")
        if args.baseline:
            for step in (*STEPS, "total"):

                def best(name: str, step: str = step) -> float:
                    return min(
                        sum(c[s] for s in STEPS) if step == "total" else c[step]
                        for c in figures[name]
                    )

                print(
                    f"{step:<9} this {best('this'):6.2f} s  baseline {best('baseline'):6.2f} s"
                    f"  ratio {best('this') / best('baseline'):.2f}×  (best CPU of each)"
                )


if __name__ == "__main__":
    main()
