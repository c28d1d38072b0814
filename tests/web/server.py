"""The real web app under uvicorn in a process of its own, for tests of concurrent pages;
and in a thread of the test's process, for the browser tests.

TestClient runs the app in the test's process with one event loop thread; what these tests
look at (row locks between page threads, a page waiting behind an upload's parsing) needs
the server as `campaign serve` runs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from replies.factories import NARRATIVE, World, valid_entries
from sqlmodel import Session

from campaign import db as dbmod
from campaign.links import live_link
from campaign.settings import get_settings
from campaign.web.csrf import FormTokens
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Server:
    base: str
    tokens: FormTokens
    link_ids: dict[str, int]
    world: World
    log: Path  # the server's stderr
    pid: int

    def children(self) -> set[int]:
        """The processes the server started (e.g. its table parsing workers)."""
        found: set[int] = set()
        for task in Path(f"/proc/{self.pid}/task").iterdir():
            found.update(int(pid) for pid in (task / "children").read_text().split())
        return found

    def url(self, name: str, suffix: str = "") -> str:
        return f"{self.base}/r/{self.world.tokens[name]}{suffix}"

    def form_token(self, name: str) -> str:
        """A fresh form token of the link, as its page would hand it out (cookie and field)."""
        return self.tokens.issue(f"link:{self.link_ids[name]}")

    def post_form(
        self,
        client: httpx.Client,
        name: str = "wuhan",
        changes: dict[str, str] | None = None,
        narrative: str = NARRATIVE,
    ) -> httpx.Response:
        csrf = self.form_token(name)
        data = {f"f_{k}": v for k, v in {**valid_entries(), **(changes or {})}.items()}
        data.update(csrf_token=csrf, narrative=narrative)
        return client.post(self.url(name), data=data, headers={"cookie": f"csrf={csrf}"})

    def post_ack(self, client: httpx.Client, name: str = "ack") -> httpx.Response:
        csrf = self.form_token(name)
        return client.post(
            self.url(name, "/ack"), data={"csrf_token": csrf}, headers={"cookie": f"csrf={csrf}"}
        )

    def post_table(self, client: httpx.Client, table: bytes, name: str = "wuhan") -> httpx.Response:
        csrf = self.form_token(name)
        return client.post(
            self.url(name, "/xlsx"),
            data={"csrf_token": csrf},
            files={"table": ("统计表.xlsx", table, "application/octet-stream")},
            headers={"cookie": f"csrf={csrf}"},
        )


@contextmanager
def running_server(
    url: str, world: World, session: Session, data_dir: Path, *, workers: int = 1, **env: str
) -> Iterator[Server]:
    """uvicorn serving campaign.web.app:create_app on url's database, with `workers`
    processes, as `campaign serve` runs it; stopped at the end."""
    port = free_port()
    secret = get_settings().secret_key  # the links were hashed with it
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CAMPAIGN_DATABASE_URL": url,
        "CAMPAIGN_DATA_DIR": str(data_dir),
        "CAMPAIGN_SECRET_KEY": secret,
        "CAMPAIGN_PUBLIC_URL": "http://127.0.0.1",
        "CAMPAIGN_WEB_DELIVERS_MAIL": "false",
        **env,
    }
    command = [sys.executable, "-m", "uvicorn", "campaign.web.app:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    command += ["--workers", str(workers)]
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(command, env=environment, cwd=ROOT, stderr=out)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise AssertionError(f"no server: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
        link_ids = {}
        for name, token in world.tokens.items():
            live = live_link(session=session, token=token)
            assert live is not None
            link_ids[name] = int(live.link.id)  # type: ignore[arg-type]
        session.rollback()
        yield Server(
            base=base,
            tokens=FormTokens(secret),
            link_ids=link_ids,
            world=world,
            log=log,
            pid=server.pid,
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def public_port(monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    """A free port and its base URL, set as CAMPAIGN_PUBLIC_URL (the links in the mail)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("CAMPAIGN_PUBLIC_URL", base)
    dbmod.get_settings.cache_clear()
    return port, base


@contextmanager
def app_in_thread(app: Any, port: int) -> Iterator[None]:
    """uvicorn serving `app` on port in a thread of the test's process; stopped at the end."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)
