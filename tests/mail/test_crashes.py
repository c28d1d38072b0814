"""Ticks killed (SIGKILL) while they deliver, through a real SMTP server: every message still
reaches the server without anyone running a command, and only the one whose 250 was on its
way when the sender died is transmitted twice (with the same Message-ID, kept once): at most
one per SMTP connection of the sender, the first `sending` row of each of its claims.

The SMTP server kills the tick's process itself, right after it stored the N-th message and
before it answers 250: the "accepted, but the connection died before 250" case that SMTP
cannot rule out. Every other message the server had was recorded `sent` (or was itself on the
wire on another connection) and is not sent again.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select, update

from campaign.settings import get_settings
from campaign.web.mail_delivery import MailDelivery
from deployments.outbox import DELIVERY_INTERVAL, outbox_deployment
from models.campaign import Campaign, CampaignStatus
from models.outbox import MailState, OutboxMessage
from tests.conftest import RefusingHandler
from tests.mail.conftest import stored
from tests.mail.test_sender import queue_requests
from tests.mail.test_tick_mail import launch

TICK = Path(__file__).resolve().parents[1] / "orchestration" / "tick_process.py"
AUGUST = "2007-08-28T08:30:00+08:00"  # the plan's directive and the first requests, caught up
LAST_DAY = "2007-12-10T08:30:00+08:00"  # catches up the whole campaign and completes it


class KillingHandler(RefusingHandler):
    """Stores each message; at the `kill_at`-th, kills `victim` before answering 250."""

    victim: int | None = None
    kill_at = 0
    count = 0
    in_doubt: set[str | None] = set()  # the first `sending` row of each claim after the kill

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        answer = await super().handle_DATA(server, session, envelope)
        self.count += 1
        if self.victim is not None and self.count == self.kill_at:
            os.kill(self.victim, signal.SIGKILL)
            time.sleep(0.2)  # the 250 below reaches a dead process
        return answer


@pytest.fixture
def killer(smtp_port: int, tmp_path: Path):  # type: ignore[no-untyped-def]
    from campaign.mail.server import running_mailserver

    handler = KillingHandler(tmp_path / "maildir")
    with running_mailserver(port=smtp_port, maildir=tmp_path / "maildir", handler=handler):
        yield handler


def tick(campaign_id: int, as_of: str, handler: KillingHandler, kill_at: int = 0) -> int:
    process = subprocess.Popen(
        [sys.executable, str(TICK), str(campaign_id), as_of],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    handler.victim, handler.kill_at, handler.count = process.pid, kill_at, 0
    try:
        process.wait(timeout=240)
    finally:
        handler.victim = None
    assert process.returncode == (-signal.SIGKILL if kill_at else 0), process.stderr.read()  # type: ignore[union-attr]
    return process.returncode


def kill_while_delivering(session: Session, handler: KillingHandler, as_of: str) -> int:
    campaign_id = launch(session)
    tick(campaign_id, as_of, handler, kill_at=20)
    session.rollback()
    left = session.exec(select(OutboxMessage).where(OutboxMessage.state == "sending")).all()
    assert left, "the kill should leave a claimed batch"
    sent = session.exec(select(OutboxMessage).where(OutboxMessage.state == "sent")).all()
    claims: dict[str | None, list[OutboxMessage]] = {}
    for row in sorted(left, key=lambda r: r.id or 0):
        claims.setdefault(row.claim, []).append(row)
    in_doubt = {rows[0].message_id for rows in claims.values()}  # on the wire, one a claim
    assert len(in_doubt) <= get_settings().smtp_connections
    reached = {e.message_id for e in handler.received}
    assert handler.received[19].message_id in in_doubt  # killed before its 250
    assert reached <= {r.message_id for r in sent} | in_doubt, (
        "each message the server answered is recorded before its connection sends again"
    )
    handler.in_doubt = in_doubt
    return campaign_id


def assert_each_delivered_once(session: Session, handler: KillingHandler) -> None:
    session.rollback()
    rows = session.exec(select(OutboxMessage)).all()
    assert {r.state for r in rows} == {MailState.sent}
    transmitted = Counter(e.message_id for e in handler.received)
    assert set(transmitted) == {r.message_id for r in rows}, "every message reached the server"
    twice = {mid for mid, n in transmitted.items() if n > 1}
    killed = handler.received[19].message_id
    assert killed in twice and twice <= handler.in_doubt, "only messages in doubt went again"
    assert all(r.attempts == 2 for r in rows if r.message_id in twice)
    kept = Counter(str(m["Message-ID"]) for m in stored(handler))
    assert set(kept.values()) == {1} and len(kept) == len(rows)


def test_mail_of_a_killed_tick_is_delivered_by_the_next_tick(
    session: Session, hubei_bureaus, killer: KillingHandler
) -> None:
    campaign_id = kill_while_delivering(session, killer, AUGUST)
    tick(campaign_id, AUGUST, killer)  # at once: the dead sender's claim is taken over
    assert_each_delivered_once(session, killer)


def test_mail_of_a_killed_last_tick_goes_out_once_the_campaign_is_completed(
    session: Session, hubei_bureaus, killer: KillingHandler
) -> None:
    campaign_id = kill_while_delivering(session, killer, LAST_DAY)
    session.rollback()
    assert session.get(Campaign, campaign_id).status == CampaignStatus.completed  # type: ignore[union-attr]
    tick(campaign_id, "2007-12-11T08:30:00+08:00", killer)  # refused, but delivers
    assert_each_delivered_once(session, killer)


def stop(session: Session, campaign_id: int, status: CampaignStatus) -> None:
    session.execute(update(Campaign).where(Campaign.id == campaign_id).values(status=status))  # type: ignore[arg-type]
    session.commit()


def test_the_web_process_delivers_what_a_killed_tick_of_a_paused_campaign_left(
    session: Session, db_url: str, hubei_bureaus, killer: KillingHandler
) -> None:
    campaign_id = kill_while_delivering(session, killer, AUGUST)
    stop(session, campaign_id, CampaignStatus.paused)

    async def serve_a_while() -> dict[str, Any] | None:
        delivery = MailDelivery(url=db_url, enabled=True, gather_s=0.0)
        delivery.start()
        for _ in range(600):
            await asyncio.sleep(0.1)
            if delivery.last is not None:
                break
        await delivery.stop()
        return delivery.last

    last = asyncio.run(serve_a_while())
    assert last is not None and last["recovered"] > 0
    assert_each_delivered_once(session, killer)


@pytest.mark.prefect
def test_the_workers_scheduled_delivery_sends_what_a_cancelled_campaign_left(
    prefect, session: Session, db_url: str, hubei_bureaus, killer: KillingHandler
) -> None:
    campaign_id = kill_while_delivering(session, killer, AUGUST)
    stop(session, campaign_id, CampaignStatus.cancelled)
    deployment = outbox_deployment()
    assert deployment.entrypoint == "flows.mail.send_mail"
    (schedule,) = deployment.schedules
    assert schedule.schedule.interval == DELIVERY_INTERVAL  # type: ignore[union-attr]
    from flows.mail import send_mail

    assert send_mail(url=db_url)["recovered"] > 0  # what each scheduled run does
    assert_each_delivered_once(session, killer)


def test_the_web_process_sweeps_the_outbox_without_being_asked(
    session: Session, db_url: str, campaign, cities, hubei_plan, make_request, mailserver
) -> None:
    """No page kicks it: mail another process queued (or left behind) still goes out."""

    async def serve_while_others_queue() -> None:
        delivery = MailDelivery(url=db_url, enabled=True, gather_s=0.0, sweep_every=0.3)
        delivery.start()
        while delivery.last is None:  # the first run, at start: nothing to send yet
            await asyncio.sleep(0.05)
        queue_requests(session, campaign, hubei_plan, cities[:3], make_request)  # no kick
        for _ in range(100):
            await asyncio.sleep(0.1)
            if len(mailserver.received) == 3:
                break
        await delivery.stop()

    asyncio.run(serve_while_others_queue())
    assert len(mailserver.received) == 3
