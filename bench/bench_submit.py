"""Benchmark: sustained report submissions per second over loopback, SQLite and PostgreSQL.

    .venv/bin/python bench/bench_submit.py [--seconds 8] [--concurrency 8] [--db sqlite,postgresql]
        [--workers N | --scale] [--answers-per-connection 1]

For each database: a campaign of the Hubei plan with --bureaus bureaus, each with a weekly
report request and its personal link (submit_setup.py); the real app
(campaign.web.app.create_app) under uvicorn in a subprocess (submit_server.py); a load
generator in another process (submit_load.py: asyncio, raw HTTP/1.1, a closed loop of
--concurrency visitors) posting the complete multipart form, as a browser sends it, to
/r/{token}. Every POST carries a fresh form token and cookie (minted with the server's
secret, as the GET of the page would hand them out), so each one is a new submission:
validation, a new version row, the nonce, the request update, the audit event, the
receipt e-mail in the outbox, and the receipt page. Each visitor is one bureau's visit:
a connection of its own for --answers-per-connection answers (default 1), then a new one.
(Connections kept for the whole run stay with the worker that accepted them, and one
worker accepts everything waiting at once: with 8 such connections and 2 workers one
worker served them all, 1.00 x one process.)

The ceiling: the same load against /bench/bare/{token}, a route added to the same app that
parses the same form and renders a page but stores nothing.

Printed: submissions/s, p50/p99 latency, the ceiling, the ratio; a check that the database
holds exactly as many submissions as were answered 200 (nothing lost); each worker's share
of the answers; and the CPU budget of the measured window (submit_budget.py): the cores
used by each worker, the load generator, the PostgreSQL backends and background processes
and the rest of the machine, the CPU per answer, and the rate the cores allow at that cost.
Goals (2 cores): >= 200 submissions/s with p99 < 100 ms on one process, for each database;
with --workers equal to the cores (`--scale`, measured in the same run as one process),
>= 1.6 x the one-process rate. The ratio to the bare route is printed for information and
is no goal: a route that stores nothing bounds it near 0.2 by design. Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

from submit_budget import Budget, budget_lines, ceiling, per_answer_ms
from submit_server import free_port, start_server, stop
from submit_setup import (
    POSTGRES_URL,
    count_submissions,
    database_url,
    drop_schema,
    in_process_cost,
    seed,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
SECRET = "bench-secret-" + uuid.uuid4().hex
RATE_GOAL, P99_GOAL_MS, SCALE_GOAL = 200, 100, 1.6  # per database, one process; x cores
SCALED_GOAL = SCALE_GOAL * RATE_GOAL
CORES = os.cpu_count() or 1


def run_generator(
    port: int, kind: str, links_file: Path, args: argparse.Namespace, budget: Budget
) -> dict[str, Any]:
    """The load generator's result; the budget sampled when its window opens and closes."""
    command = [
        sys.executable,
        str(Path(__file__).with_name("submit_load.py")),
        *("--kind", kind, "--port", str(port), "--links-file", str(links_file)),
        *("--seconds", str(args.seconds), "--warmup", str(args.warmup)),
        *("--concurrency", str(args.concurrency), "--limit", str(args.limit)),
        *("--answers-per-connection", str(args.answers_per_connection)),
    ]
    env = {**os.environ, "CAMPAIGN_SECRET_KEY": SECRET}
    generator = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    assert generator.stdout is not None
    result: dict[str, Any] | None = None
    for line in generator.stdout:
        if line.strip() in ("start", "end"):
            budget.take(generator.pid)
        else:
            result = json.loads(line)
    if generator.wait(timeout=300) != 0 or result is None:
        raise SystemExit(f"the load generator failed ({generator.returncode})")
    return result


def measure(
    server: int,
    port: int,
    kind: str,
    links_file: Path,
    args: argparse.Namespace,
    schema: str | None,
) -> dict[str, Any]:
    """One load run: the generator's figures, the window's CPU budget ("budget") and the
    server's CPU per request answered in the window ("server_cpu_ms")."""
    budget = Budget(server, schema, POSTGRES_URL.replace("+psycopg", "") if schema else None)
    try:
        result = run_generator(port, kind, links_file, args, budget)
        used = budget.used(set(result["by_pid"]))
    finally:
        budget.close()
    server_cores = sum(used["workers"].values()) + used["supervisor"]
    answered = max(1, result["answered_in_window"])
    result["server_cpu_ms"] = 1000 * server_cores * used["seconds"] / answered
    result["budget"] = used
    return result


def bench_database(kind: str, args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="bench-submit-") as tmp:
        folder = Path(tmp)
        url, schema = database_url(kind, folder)
        try:
            env = {
                **os.environ,
                "CAMPAIGN_DATABASE_URL": url,
                "CAMPAIGN_DATA_DIR": str(folder),
                "CAMPAIGN_SECRET_KEY": SECRET,
                # The receipts are stored in the outbox within each answer; sending them is
                # bench/bench_mail.py's subject, so the server here does not deliver.
                "CAMPAIGN_WEB_DELIVERS_MAIL": "false",
            }
            os.environ.update(env)
            from campaign.settings import get_settings

            get_settings.cache_clear()
            links = seed(url, args.bureaus)
            links_file = folder / "links.json"
            links_file.write_text(json.dumps(links))
            port = free_port()
            server = start_server(env, port, args.workers)
            try:
                bare = measure(server.pid, port, "bare", links_file, args, schema)
                submit = measure(server.pid, port, "submit", links_file, args, schema)
            finally:
                stop(server)
            stored = count_submissions(url)
            submit["stored"] = stored
            submit["lost"] = submit["ok_total"] - stored
            submit["in_process_ms"] = in_process_cost(links)
            return {"bare": bare, "submit": submit}
        finally:
            from campaign.db import reset

            reset()
            if schema:
                drop_schema(schema)


def report(kind: str, result: dict[str, dict[str, Any]], workers: int) -> None:
    bare, submit = result["bare"], result["submit"]
    ratio = submit["rate"] / bare["rate"] if bare["rate"] else 0.0
    verdict = ""
    if workers == 1:
        met = submit["rate"] >= RATE_GOAL and submit["p99_ms"] < P99_GOAL_MS and submit["lost"] == 0
        verdict = f" | goal (>= 200/s, p99 < 100 ms) {'met' if met else 'MISSED'}"
    print(
        f"{kind:<11} workers {workers} submit {submit['rate']:7.1f}/s  "
        f"p50 {submit['p50_ms']:5.1f} ms  p99 {submit['p99_ms']:5.1f} ms | bare "
        f"{bare['rate']:7.1f}/s  p99 {bare['p99_ms']:5.1f} ms | ratio to bare {ratio:4.2f} "
        f"(information) | errors {submit['errors']} | stored {submit['stored']} "
        f"(lost {submit['lost']}){verdict}"
    )
    bound = bare["server_cpu_ms"] / (bare["server_cpu_ms"] + submit["in_process_ms"])
    pad = " " * 12
    print(
        f"{pad}server CPU per request: submit {submit['server_cpu_ms']:.2f} ms, "
        f"bare {bare['server_cpu_ms']:.2f} ms; a submission called in-process "
        f"{submit['in_process_ms']:.2f} ms, so at best ratio {bound:.2f} with no contention"
    )
    total = max(1, sum(submit["by_pid"].values()))
    shares = ", ".join(
        f"pid {pid} {100 * n / total:.0f} % ({submit['connections_by_pid'].get(pid, 0)} conn.)"
        for pid, n in sorted(submit["by_pid"].items())
    )
    print(
        f"{pad}answers in the window by worker: {shares}; {submit['connections']} connections "
        f"in the run ({answers_per_connection(submit)} answers each)"
    )
    for line in budget_lines(submit["budget"], submit["rate"], CORES):
        print(pad + line)


def scale_bound(one: dict[str, Any], scaled: dict[str, Any]) -> str:
    """What the CPU per answer allows, whatever else runs on the machine. Each worker is
    bound by a core of its own, all of them by the cores they share with PostgreSQL and
    the load generator: with the workers' own CPU per answer s and the others' o, the
    factor over one process is at most cores * s / (s + o) (one process costing s too;
    it costs less, alone). Then against this run's one process: 1000 / its ms per answer."""
    per = per_answer_ms(scaled["budget"], scaled["rate"])
    server, others = per.get("server", 0.0), sum(per.values()) - per.get("server", 0.0)
    apart = others - per.get("load generator", 0.0)
    same = CORES * server / (server + others) if server else 0.0
    same_apart = CORES * server / (server + apart) if server else 0.0
    alone = 1000 / one["server_cpu_ms"] if one["server_cpu_ms"] else 0.0
    most = ceiling(scaled["budget"], scaled["rate"], CORES)
    return (
        f"bound by CPU: {CORES} x {server:.2f} / ({server:.2f} + {others:.2f}) = {same:.2f} x "
        f"({same_apart:.2f} x with the load generator on another machine); against this "
        f"run's one process ({one['server_cpu_ms']:.2f} ms per answer, its core: "
        f"{alone:.0f}/s) {most:.0f}/s = {most / alone if alone else 0.0:.2f} x"
    )


def answers_per_connection(result: dict[str, Any]) -> str:
    count = result["ok_total"] + result["errors"]
    return f"{count / max(1, result['connections']):.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="Measured seconds per run.")
    parser.add_argument("--warmup", type=float, default=1.5, help="Unmeasured seconds first.")
    parser.add_argument("--concurrency", type=int, default=8, help="Visitors at once.")
    parser.add_argument("--limit", type=int, default=20000, help="At most this many requests.")
    parser.add_argument("--bureaus", type=int, default=200, help="Bureaus (links) to spread over.")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes.")
    parser.add_argument("--db", default="sqlite,postgresql", help="Databases to measure.")
    parser.add_argument(
        "--answers-per-connection",
        type=int,
        default=1,
        help="Answers a visitor sends over one connection before it opens another.",
    )
    parser.add_argument(
        "--scale",
        action="store_true",
        help="Also run with --workers = the cores and print its ratio to one process.",
    )
    args = parser.parse_args()
    print(
        f"{args.concurrency} visitors, {args.answers_per_connection} answer(s) per connection, "
        f"{args.seconds:g} s measured after {args.warmup:g} s, {args.bureaus} links, "
        f"{CORES} cores; goals: >= 200/s with p99 < 100 ms on one process"
        + (", >= 1.6 x that with a worker per core" if args.scale else "")
    )
    for kind in args.db.split(","):
        result = bench_database(kind, args)
        report(kind, result, args.workers)
        if args.scale and CORES > 1:
            one = result["submit"]["rate"]
            scaled = bench_database(kind, argparse.Namespace(**{**vars(args), "workers": CORES}))
            report(kind, scaled, CORES)
            rate = scaled["submit"]["rate"]
            factor = rate / one if one else 0.0
            print(
                f"{'':<11} {CORES} workers / 1 process = {factor:.2f} x | goal >= 1.6 x "
                f"{'met' if factor >= SCALE_GOAL else 'MISSED'}; {rate:.0f}/s against 1.6 x 200 = "
                f"{SCALED_GOAL:.0f}/s: {'met' if rate >= SCALED_GOAL else 'MISSED'}"
            )
            print(f"{'':<11} {scale_bound(result['submit'], scaled['submit'])}")


if __name__ == "__main__":
    main()
