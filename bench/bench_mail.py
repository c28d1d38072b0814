"""Benchmark: a directive plus a report request, with per-bureau attachments, to N bureaus.

    .venv/bin/python bench/bench_mail.py [--bureaus 3000] [--naive-sample 200 | 0]

Three figures, measured in the same run against an SMTP server (aiosmtpd) running in its
own process that counts and discards what it receives:

- ours:  queue_directive for every bureau and queue_requests for all, as the tick does
         (templates, the .docx built once per directive, the .xlsx per bureau from a patched
         template, outbox rows), then
         send_pending (its default connections side by side, 4; batches of at most 200,
         unthrottled). Messages per second over the whole run, queueing included; the two
         stages are printed too.
- naive: one Prefect task per message, each building its attachment from scratch
         (python-docx / openpyxl), its message with yagmail, and opening a new SMTP
         connection; measured on a sample.
- floor: the same number of pre-built identical messages pushed over one smtplib
         connection: the most this server takes over one connection (ours uses several,
         so its sending stage alone may pass it).

The server and the two baselines are in mail_baselines.py. Not a test: it prints figures
and the ratios against the goals (≥ 10× naive, ≥ 0.5× floor).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from mail_baselines import Server, floor, naive, sample_message

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PLAN = ROOT / "examples" / "hubei-2007.yaml"


def against_server(run: Callable[[int], dict[str, float]], warm_up: int = 0) -> dict[str, float]:
    """run(port) against a fresh counting server, which must have received every message
    run counted (and `warm_up` more); its CPU seconds added as server_cpu."""
    server = Server()
    figures = run(server.port)
    assert server.stop() == figures["messages"] + warm_up
    return {**figures, "server_cpu": server.cpu}


# --------------------------------------------------------------------------- set-up
def setup(n: int, folder: Path):  # type: ignore[no-untyped-def]
    os.environ["CAMPAIGN_DATA_DIR"] = str(folder)
    os.environ["CAMPAIGN_MAIL_RATE_PER_SECOND"] = "0"
    from sqlmodel import Session

    from campaign import db
    from campaign.plan import load_plan
    from models import Bureau, BureauLevel, Campaign, ReportRequest

    url = f"sqlite:///{folder / 'bench.db'}"
    db.migrate(url)
    plan = load_plan(PLAN)
    text = PLAN.read_text(encoding="utf-8")
    with Session(db.get_engine(url), expire_on_commit=False) as session:
        session.add(
            Bureau(
                code="420000", name="湖北省质量技术监督局", level=BureauLevel.province,
                email="zxzz-office@hbqts.example.org",
            )
        )  # fmt: skip
        session.flush()
        bureaus = [
            Bureau(
                code=f"9{i:05d}",
                name=f"第{i}号市质量技术监督局",
                parent_code="420000",
                level=BureauLevel.city,
                email=f"b{i}@bench.example.org",
            )
            for i in range(n)
        ]
        session.add_all(bureaus)
        campaign = Campaign(
            document_number=plan.document_number,
            title=plan.title,
            plan_yaml=text,
            plan_sha256=hashlib.sha256(text.encode()).hexdigest(),
            plan_source=str(PLAN),
        )
        session.add(campaign)
        session.flush()
        requests = [
            ReportRequest(
                campaign_id=campaign.id,
                duty_key="weekly-progress",
                period_key="2007-W35",
                period_label="8月27日至9月2日",
                bureau_code=b.code,
                kind="request",
                due_date=date(2007, 8, 31),
            )
            for b in bureaus
        ]
        session.add_all(requests)
        session.commit()
    return url, plan, campaign, bureaus, requests


# --------------------------------------------------------------------------- ours
def queue_all(url, plan, campaign, bureaus, requests, commit_every: int = 0) -> None:  # type: ignore[no-untyped-def]
    """What the tick does (campaign/orchestration/effects.py): the directive queued bureau by
    bureau, the report requests of an event in one batch (queue_requests); every
    `commit_every` bureaus a commit (0: one at the end)."""
    from sqlmodel import Session

    from campaign import db
    from campaign.mail.notices import RequestFor, queue_directive, queue_requests
    from campaign.schedule import build_schedule

    event = next(e for e in build_schedule(plan) if e.key == "directive:mobilization")
    step = commit_every or len(bureaus)
    pairs = list(zip(bureaus, requests, strict=True))
    with Session(db.get_engine(url), expire_on_commit=False) as session:
        for start in range(0, len(pairs), step):
            units = pairs[start : start + step]
            for bureau, _ in units:
                queue_directive(
                    session=session, campaign=campaign, plan=plan, event=event, bureau=bureau,
                    link_url=f"http://127.0.0.1:8000/r/ack-{bureau.code}",
                )  # fmt: skip
            items = [
                RequestFor(
                    request,
                    bureau,
                    f"http://127.0.0.1:8000/r/rep-{bureau.code}",
                    {"sampled_batches": "40"},
                )  # fmt: skip
                for bureau, request in units
            ]
            queue_requests(session=session, campaign=campaign, plan=plan, items=items)
            session.commit()


def send_loop(url: str, port: int, expected: int) -> None:
    """Child process: the mail worker, sending whatever is pending until `expected` went out."""
    os.environ["CAMPAIGN_SMTP_PORT"] = str(port)
    from campaign.mail.sender import send_pending

    started = time.process_time()  # the worker's imports are not the messages'
    sent = 0
    while sent < expected:
        report = send_pending(url=url, batch_size=200, rate_per_second=0)
        sent += report.sent
        if not report.sent:
            time.sleep(0.02)
    print(sent, time.process_time() - started, flush=True)


def ours_sequential(url, plan, campaign, bureaus, requests, port: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Queue everything, then send everything."""
    from campaign import db
    from campaign.mail.sender import send_pending

    os.environ["CAMPAIGN_SMTP_PORT"] = str(port)
    db.get_settings.cache_clear()
    started, cpu0 = time.perf_counter(), time.process_time()
    queue_all(url, plan, campaign, bureaus, requests)
    queued, cpu1 = time.perf_counter(), time.process_time()
    report = send_pending(url=url, batch_size=200, rate_per_second=0)
    done, cpu2 = time.perf_counter(), time.process_time()
    assert report.sent == 2 * len(bureaus), report
    return {
        "messages": report.sent,
        "queue_s": queued - started,
        "send_s": done - queued,
        "total_s": done - started,
        "queue_cpu": cpu1 - cpu0,
        "send_cpu": cpu2 - cpu1,
    }


def ours_pipelined(url, plan, campaign, bureaus, requests, port: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """As deployed: the tick queues (committing as it goes) while the mail worker sends."""
    expected = 2 * len(bureaus)
    started, cpu0 = time.perf_counter(), time.process_time()
    worker = subprocess.Popen(
        [sys.executable, __file__, "--send-loop", url, str(port), str(expected)],
        stdout=subprocess.PIPE,
        text=True,
    )
    queue_all(url, plan, campaign, bureaus, requests, commit_every=25)
    queued, cpu1 = time.perf_counter(), time.process_time()
    out, _ = worker.communicate(timeout=600)
    done = time.perf_counter()
    sent, send_cpu = out.split()
    assert int(sent) == expected, out
    return {
        "messages": expected,
        "queue_s": queued - started,
        "total_s": done - started,
        "queue_cpu": cpu1 - cpu0,
        "send_cpu": float(send_cpu),  # the worker process's
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bureaus", type=int, default=3000)
    parser.add_argument("--naive-sample", type=int, default=200, help="0: skip the naive way")
    parser.add_argument("--send-loop", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.send_loop:
        url, port, expected = args.send_loop
        send_loop(url, int(port), int(expected))
        return
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    folder = Path(tempfile.mkdtemp(prefix="bench-mail-"))
    t0 = time.perf_counter()
    url, plan, campaign, bureaus, requests = setup(args.bureaus, folder)
    print(f"set-up: {args.bureaus} bureaus and requests in {time.perf_counter() - t0:.1f} s")

    result = against_server(
        lambda port: ours_sequential(url, plan, campaign, bureaus, requests, port)
    )
    sequential_rate = result["messages"] / result["total_s"]
    print(
        f"ours, queue then send: {result['messages']} messages in {result['total_s']:.1f} s "
        f"(queue {result['queue_s']:.1f} s, send {result['send_s']:.1f} s): "
        f"{sequential_rate:.0f} msg/s; sending alone {result['messages'] / result['send_s']:.0f}"
        " msg/s"
    )
    print("  CPU " + _per_message(result))
    url2, plan, campaign, bureaus, requests = setup(args.bureaus, Path(tempfile.mkdtemp()))
    piped = against_server(
        lambda port: ours_pipelined(url2, plan, campaign, bureaus, requests, port)
    )
    ours_rate = piped["messages"] / piped["total_s"]
    print(
        f"ours, tick and mail worker side by side: {piped['messages']} messages in "
        f"{piped['total_s']:.1f} s (queueing done after {piped['queue_s']:.1f} s): "
        f"{ours_rate:.0f} msg/s"
    )
    print("  CPU " + _per_message(piped))

    pair = (sample_message(url, "directive"), sample_message(url, "request"))
    low = against_server(lambda port: floor(port, int(result["messages"]), pair))
    floor_rate = low["messages"] / low["total_s"]
    print(
        f"floor: {low['messages']} pre-built messages (a directive of {len(pair[0]) // 1024} KiB"
        f" and a request of {len(pair[1]) // 1024} KiB, alternately) over one connection in "
        f"{low['total_s']:.1f} s: {floor_rate:.0f} msg/s"
    )
    print("  CPU " + _per_message(low))
    rates = [("side by side", ours_rate), ("queue then send", sequential_rate)]
    if args.naive_sample:
        # two messages more: naive's warm-up run
        slow = against_server(
            lambda port: naive(plan, bureaus, requests, port, args.naive_sample), 2
        )
        naive_rate = slow["messages"] / slow["total_s"]
        print(
            f"naive: {slow['messages']} messages, a Prefect task and a new connection each, "
            f"in {slow['total_s']:.1f} s: {naive_rate:.1f} msg/s"
        )
        for label, rate in rates:
            print(f"ratio ({label}): ours/naive = {rate / naive_rate:.1f}x (goal >= 10)")
    for label, rate in rates:
        print(f"ratio ({label}): ours/floor = {rate / floor_rate:.2f} (goal >= 0.5)")
    # What the rates come to when the CPU is what runs short (a loaded machine): the
    # floor's CPU a message (client and server) over ours (queue, sender and server).
    for label, figures in (("side by side", piped), ("queue then send", result)):
        print(f"CPU ratio ({label}): floor/ours = {_cpu(low) / _cpu(figures):.2f}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _per_message(figures: dict[str, float]) -> str:
    """CPU milliseconds per message: queueing, sending (the sender's process), the server."""
    n = figures["messages"]
    queue = f"queue {1000 * figures['queue_cpu'] / n:.2f}, " if "queue_cpu" in figures else ""
    return (
        f"ms/msg: {queue}send {1000 * figures['send_cpu'] / n:.2f}, "
        f"server {1000 * figures['server_cpu'] / n:.2f}"
    )


def _cpu(figures: dict[str, float]) -> float:
    """All the CPU seconds a message took, every process counted."""
    parts = ("queue_cpu", "send_cpu", "server_cpu")
    return sum(figures.get(p, 0.0) for p in parts) / figures["messages"]


if __name__ == "__main__":
    main()
