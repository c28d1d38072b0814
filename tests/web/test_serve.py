"""`campaign serve` runs the web app under uvicorn and migrates the database first."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.ports import free_port


def test_campaign_serve_answers_on_its_port(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "CAMPAIGN_DATA_DIR": str(tmp_path), "CAMPAIGN_DATABASE_URL": ""}
    env.pop("CAMPAIGN_DATABASE_URL")
    campaign = shutil.which("campaign", path=str(Path(sys.executable).parent)) or "campaign"
    server = subprocess.Popen(
        [campaign, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    assert r.read() == b"ok"
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    server.terminate()  # stderr ends only when the server does: no hang
                    _, err = server.communicate(timeout=10)
                    pytest.fail(f"server did not answer: {err.decode()[-2000:]}")
                time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json", timeout=2) as r:
            assert b"/r/{token}" in r.read()
        assert (tmp_path / "campaign.db").exists()
    finally:
        server.terminate()
        server.wait(timeout=10)
