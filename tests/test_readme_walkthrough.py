"""The README's walk-through, run as written from a fresh data dir, ends with live links.

Each line of the first sh block under "## Running a campaign" runs as the `campaign`
command it names (in process); `campaign mailserver &` is the real SMTP server on the
configured port keeping DATA_DIR/maildir, and `campaign serve` is the web app with the
environment the line sets (CAMPAIGN_CLOCK). Every personal link in the Maildir must then
open its page, and a weekly report not yet due must not read as late.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from campaign import db as dbmod
from campaign.cli import app
from campaign.mail.server import running_mailserver

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
LINK = re.compile(r"https?://[^\s\"'<>]+/r/[A-Za-z0-9_-]+")


def walkthrough() -> list[str]:
    section = README.split("## Running a campaign", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [re.split(r"\s+#\s", line, maxsplit=1)[0].strip() for line in block.splitlines()]


def test_the_walkthrough_ends_with_live_links(
    tmp_path: Path, smtp_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # the README's paths are the clone's
    data_dir = tmp_path / "fresh"
    monkeypatch.setenv("CAMPAIGN_DATA_DIR", str(data_dir))
    dbmod.get_settings.cache_clear()
    runner = CliRunner()
    served = None
    with running_mailserver(port=smtp_port, maildir=data_dir / "maildir") as mail:
        for line in walkthrough():
            words = shlex.split(line)
            env = {}
            while "=" in words[0]:
                name, _, value = words.pop(0).partition("=")
                env[name] = value
            assert words[0] == ".venv/bin/campaign", line
            args = words[1:]
            if args[-1] == "&":
                assert args[:-1] == ["mailserver"], line  # running already, on the same port
                continue
            if args[0] == "serve":
                for name, value in env.items():
                    monkeypatch.setenv(name, value)
                dbmod.get_settings.cache_clear()
                from campaign.web.app import create_app

                served = create_app()
                continue
            result = runner.invoke(app, args)
            assert result.exit_code == 0, f"{line}\n{result.output}"
        assert served is not None, "the walk-through ends by serving the web app"
        # The answer on paper the README mentions finds its request (and lacks its values).
        sample = re.search(r"`(campaign reply submit [^`]+)`", README)
        assert sample is not None
        paper = runner.invoke(app, [*shlex.split(sample[1])[1:], "--no-interactive"])
        assert paper.exit_code == 1 and "未保存" in paper.output, paper.output
        links = set()
        for message in mail.stored_messages():
            for part in message.walk():
                if part.get_content_type() == "text/plain":
                    links |= set(LINK.findall(part.get_payload(decode=True).decode("utf-8")))
    assert len(links) >= 17
    with TestClient(served) as client:
        pages = {url: client.get("/r/" + url.rsplit("/r/", 1)[1]) for url in sorted(links)}
    dead = [
        url for url, page in pages.items() if page.status_code != 200 or "<form" not in page.text
    ]
    assert dead == []
    weekly = [p.text for p in pages.values() if "动态信息" in p.text and "2007年9月14日" in p.text]
    assert weekly and all("现在报送将记为迟报" not in text for text in weekly)
