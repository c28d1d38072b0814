"""The form in a real headless Chromium (Debian's /usr/bin/chromium via playwright's driver):
open the link, get a validation error shown back with the entries kept, correct, submit."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from replies.factories import BEFORE_DUE, NARRATIVE, World, build_world, count, valid_entries
from sqlmodel import Session, select

from campaign import db as dbmod
from campaign.web.app import create_app
from models.submission import ReportSubmission
from tests.support.parts import need_chromium
from web.conftest import Clock
from web.server import app_in_thread, public_port

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT = Path(tempfile.gettempdir()) / "campaign-reply-form.png"


@pytest.fixture
def served(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, World, Session]]:
    port, base = public_port(monkeypatch)
    with Session(dbmod.get_engine(sqlite_url), expire_on_commit=False) as session:
        world = build_world(session)
        with app_in_thread(create_app(clock=Clock(BEFORE_DUE)), port):
            yield base, world, session


@contextmanager
def chromium(width: int, **options: Any) -> Iterator[Any]:
    """A headless Chromium context (zh-CN, `width` px wide, a fresh profile; `options` as
    playwright's launch_persistent_context takes them); closed at the end."""
    need_chromium(CHROMIUM)
    from playwright import sync_api

    with tempfile.TemporaryDirectory() as profile, sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            locale="zh-CN",
            viewport={"width": width, "height": 900},
            **options,
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def browser() -> Iterator[object]:
    with chromium(414) as context:
        yield context


def test_form_round_trip_in_chromium(served: tuple[str, World, Session], browser) -> None:  # type: ignore[no-untyped-def]
    base, world, session = served
    page = browser.new_page()
    page.goto(f"{base}/r/{world.tokens['wuhan']}")
    assert (
        page.locator("header h1").inner_text() == "全省质监系统产品质量和食品安全专项整治实施方案"
    )
    assert "第4周（9月10日—9月16日）" in page.locator("dl.facts").inner_text()

    entries = valid_entries() | {"qualified_batches": "45"}
    for key, value in entries.items():
        page.fill(f"#f_{key}", value)
    page.fill("#narrative", NARRATIVE)
    page.click("#report-form button[type=submit]")

    assert (
        page.locator("#err_qualified_batches").inner_text()
        == "“抽查合格批次”（45）不能大于“监督抽查批次”（40）"
    )
    assert page.input_value("#f_qualified_batches") == "45"
    assert page.input_value("#f_inspections") == "85"
    assert page.input_value("#narrative") == NARRATIVE
    page.screenshot(path=str(SCREENSHOT), full_page=False)
    assert count(session, ReportSubmission) == 0

    page.fill("#f_qualified_batches", "37")
    page.click("#report-form button[type=submit]")
    assert page.locator("h2.ok").inner_text() == "报送成功"
    number = page.locator("#receipt-number").inner_text()
    assert count(session, ReportSubmission) == 1
    stored = session.exec(select(ReportSubmission)).one()
    assert number == f"{world.campaign.id}-{stored.id:06d}-1"
    assert stored.values["qualified_batches"] == "37" and stored.channel == "web"
