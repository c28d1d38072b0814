"""bench_submit's server: the real app plus a bare route, under uvicorn in a process group
of its own (run by uvicorn --factory as submit_server:bench_app)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

ROOT = Path(__file__).resolve().parent.parent


class AnsweredBy:
    """ASGI middleware: every response says which process answered it (X-Bench-Pid), so the
    load generator counts each worker's share."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.header = (b"x-bench-pid", str(os.getpid()).encode())

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def tagged(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), self.header]
            await send(message)

        await self.app(scope, receive, tagged)


def bench_app() -> FastAPI:
    from campaign.web.app import create_app
    from campaign.web.pages import page

    app = create_app()

    @app.post("/bench/bare/{token}", include_in_schema=False)
    async def bare(request: Request, token: str) -> HTMLResponse:
        form = await request.form()
        entries = {k: v for k, v in form.multi_items() if k.startswith("f_")}
        return page("error.html", title="基准", message=f"收到{len(entries)}项（未保存）")

    @app.get("/bench/pid", include_in_schema=False)
    async def pid() -> dict[str, int]:
        return {"pid": os.getpid()}

    app.add_middleware(AnsweredBy)
    return app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        return s.recv(1000)


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "submit_server:bench_app",
        "--factory",
        "--app-dir",
        str(Path(__file__).parent),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
        "--workers",
        str(workers),
    ]
    # A session of its own, so that stop() ends uvicorn's workers too. Two workers
    # starting on a loaded machine (load average 10+ on 2 cores) can take over 30 s.
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 120
    # Every worker up before the load starts, so that none is still importing when the
    # first visitors come.
    seen: set[bytes] = set()
    while time.monotonic() < deadline and server.poll() is None and len(seen) < workers:
        try:
            reply = _get(port, "/bench/pid")
            if reply.startswith(b"HTTP/1.1 200"):
                seen.add(reply.rsplit(b"\r\n\r\n", 1)[-1])
        except OSError:
            pass
        time.sleep(0.05)
    if len(seen) >= workers:
        return server
    stop(server)
    raise SystemExit("the server did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    """uvicorn and its workers (its process group): a worker left behind would keep the
    database and this script's output open."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
