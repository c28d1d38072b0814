"""The load generator of bench/bench_submit.py, run in its own process.

    python bench/submit_load.py --kind submit|bare --port P --links-file F [--seconds ...]

A closed loop of --concurrency simulated visitors posting the complete multipart form, as
a browser sends it; each POST carries a fresh form token and cookie minted with
CAMPAIGN_SECRET_KEY (as the GET of the page would hand them out). A visitor is one
bureau's visit: it opens a connection, sends --answers-per-connection answers over it
(the last one with `Connection: close`, so the server closes, as it does with an idle
browser's), and reconnects. Bureaus do not share connections; a connection kept for the
whole run stays with the server process that accepted it (see bench_submit.py).

Prints "start" and "end" when the measured window opens and closes (the caller samples
the CPU of every party then), then one JSON object: rate, p50/p99 latency, totals, and
the answers of each server process in the window (its pid, from the X-Bench-Pid header).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.replies.factories import PROGRESS_ENTRIES as ENTRIES  # noqa: E402

NARRATIVE = "本周开展市场准入集中检查，检查企业85家次，立案6件，捣毁黑窝点2个。"
BOUNDARY = "----benchFormBoundary7MA4YWxkTrZu0gW"
PID_HEADER = b"x-bench-pid:"


def form_body(csrf: str) -> bytes:
    parts = [
        ("csrf_token", csrf),
        *((f"f_{k}", v) for k, v in ENTRIES.items()),
        ("narrative", NARRATIVE),
    ]
    chunks = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in parts
    ]
    chunks.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="attachments"; filename=""\r\n'
        "Content-Type: application/octet-stream\r\n\r\n\r\n"
    )
    chunks.append(f"--{BOUNDARY}--\r\n")
    return "".join(chunks).encode()


def request_bytes(path: str, csrf: str, *, last: bool) -> bytes:
    body = form_body(csrf)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: csrf={csrf}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {len(body)}\r\n" + ("Connection: close\r\n" if last else "") + "\r\n"
    )
    return head.encode() + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, int]:
    """(status, pid of the server process that answered, 0 if not said)."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = pid = 0
    for line in head.split(b"\r\n"):
        lowered = line.lower()
        if lowered.startswith(b"content-length:"):
            length = int(line[15:])
        elif lowered.startswith(PID_HEADER):
            pid = int(line[len(PID_HEADER) :])
    await reader.readexactly(length)
    return status, pid


async def generate(
    port: int,
    kind: str,
    links: list[tuple[int, str]],
    args: argparse.Namespace,
    secret: str,
) -> dict[str, object]:
    from campaign.web.csrf import FormTokens

    tokens = FormTokens(secret)
    prefix = "/bench/bare/" if kind == "bare" else "/r/"
    per_connection = max(1, args.answers_per_connection)
    sent = 0
    accepted_by: Counter[str] = Counter()  # connections, by the pid that answered on them
    samples: list[tuple[float, float, int, int]] = []  # began, latency, status, pid
    start = time.perf_counter()
    measure_from, deadline = start + args.warmup, start + args.warmup + args.seconds

    async def mark(at: float, word: str) -> None:
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        print(word, flush=True)

    async def visitor() -> None:
        nonlocal sent
        while time.perf_counter() < deadline and sent < args.limit:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            for n in range(per_connection):
                if time.perf_counter() >= deadline or sent >= args.limit:
                    break
                link_id, token = links[sent % len(links)]
                sent += 1
                last = n == per_connection - 1
                data = request_bytes(prefix + token, tokens.issue(f"link:{link_id}"), last=last)
                began = time.perf_counter()
                writer.write(data)
                await writer.drain()
                status, pid = await read_response(reader)
                samples.append((began, time.perf_counter() - began, status, pid))
                if n == 0:
                    accepted_by[str(pid)] += 1
            writer.close()

    await asyncio.gather(
        mark(measure_from, "start"),
        mark(deadline, "end"),
        *(visitor() for _ in range(args.concurrency)),
    )
    window = [s for s in samples if measure_from <= s[0] < deadline]
    ok = sorted(lat for _, lat, s, _ in window if s == 200)
    elapsed = min(deadline, max(t + lat for t, lat, *_ in window)) - measure_from if window else 1
    return {
        "ok_total": sum(1 for _, _, s, _ in samples if s == 200),
        "errors": sum(1 for _, _, s, _ in samples if s != 200),
        "answered_in_window": len(window),
        "rate": len(ok) / elapsed,
        "p50_ms": 1000 * ok[len(ok) // 2] if ok else float("nan"),
        "p99_ms": 1000 * ok[min(len(ok) - 1, int(len(ok) * 0.99))] if ok else float("nan"),
        "statuses": sorted({s for _, _, s, _ in samples}),
        "connections": sum(accepted_by.values()),
        "connections_by_pid": dict(accepted_by),
        "by_pid": dict(Counter(str(pid) for *_, pid in window)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kind", choices=["bare", "submit"], required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--links-file", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--warmup", type=float, default=1.5)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--limit", type=int, default=20000)
    parser.add_argument("--answers-per-connection", type=int, default=1)
    parser.add_argument("--plain-asyncio", action="store_true", help="asyncio's own loop.")
    args = parser.parse_args()
    links = [tuple(x) for x in json.loads(args.links_file.read_text())]
    secret = os.environ["CAMPAIGN_SECRET_KEY"]
    # uvloop, as the server uses: the generator shares the cores with the server, so what it
    # spends is taken from the server (measured, start-up included: 0.16-0.20 ms per request
    # against 0.22-0.32 ms with asyncio's own loop).
    runner = asyncio.run if args.plain_asyncio else uvloop.run
    result = runner(generate(args.port, args.kind, links, args, secret))  # type: ignore[arg-type]
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
