"""Ticks killed halfway, and ticks started at once, in processes of their own.

Whatever happens, afterwards every action due is in the ledger exactly once, in the state
the tick's catch-up rules predict, and every side effect (an audit entry per effect, a
request per bureau and period, one escalation notice per parent and tick) happened once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

from orchestration_support import at, predicted_ledger
from sqlmodel import select

from campaign.orchestration.events import ledger_key
from campaign.orchestration.store import load_rows, to_event
from campaign.orchestration.tick import run_tick
from models.audit import AuditEvent
from models.ledger import ActionRecord, ActionState
from models.outbox import OutboxMessage
from models.request import ReportRequest

SCRIPT = Path(__file__).with_name("tick_process.py")
BEFORE = ("2007-08-20", "2007-08-29")  # ordinary ticks first: the first reports escalated
AS_OF = "2007-09-10T08:30:00+08:00"  # then three weeks caught up at once
EFFECT_EVENTS = {"directive_issued", "request_opened", "reminder_sent", "escalation_sent"}


def start_tick(campaign_id: int, *options: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), str(campaign_id), AS_OF, *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )


def first_tick(session, campaign_id: int) -> None:  # type: ignore[no-untyped-def]
    for day in BEFORE:
        run_tick(campaign_id=campaign_id, as_of=at(day))
    session.rollback()


def assert_exactly_once(session, campaign_id: int, cities: list[str]) -> None:
    session.rollback()  # forget what this session read before the other processes wrote
    events = [to_event(r) for r in load_rows(session=session, campaign_id=campaign_id)]
    days = [date.fromisoformat(d) for d in (*BEFORE, AS_OF[:10])]
    expected = predicted_ledger(events, days, cities)  # the tick's own catch-up rules
    rows = session.exec(select(ActionRecord).where(ActionRecord.campaign_id == campaign_id)).all()
    assert {(r.action, r.period, r.bureau_code): r.state for r in rows} == expected
    assert len(rows) == len(expected)
    effects = Counter(
        (e.detail["action"], e.bureau_code)
        for e in session.exec(select(AuditEvent)).all()
        if e.event in EFFECT_EVENTS
    )
    assert max(effects.values()) == 1, "a side effect happened twice"
    keys = {e.key: ledger_key(e) for e in events}
    done = {k for k, state in expected.items() if k[2] and state == ActionState.done}
    assert {(*keys[key], code) for key, code in effects} == done, "a side effect is missing"
    kinds = Counter(k[0].split(":")[0] for k in done)
    assert kinds["reminder"] > 0 and kinds["escalation"] > 0
    assert ActionState.skipped in expected.values()  # stale reminders, fresh requests
    requests = session.exec(select(ReportRequest)).all()
    assert len({(r.duty_key, r.period_key, r.bureau_code) for r in requests}) == len(requests)
    assert len(requests) == 17 * 6  # the 签收, 4 weekly reports, 1 stage summary
    escalations = session.exec(select(OutboxMessage).where(OutboxMessage.notice == "escalation"))
    assert Counter(m.bureau_code for m in escalations.all()) == {"420000": 2}  # one a tick


def test_a_tick_killed_halfway_is_completed_by_the_next(session, hubei_campaign, cities):
    first_tick(session, hubei_campaign)
    killed = start_tick(hubei_campaign, "--kill-after", "9")  # of ~30 effects
    assert killed.wait(timeout=60) == -signal.SIGKILL, killed.stderr.read()  # type: ignore[union-attr]
    pending = session.exec(
        select(ActionRecord).where(ActionRecord.state == ActionState.pending)
    ).all()
    assert pending, "the kill should leave claimed, unfinished actions"
    rerun = start_tick(hubei_campaign)
    assert rerun.wait(timeout=60) == 0, rerun.stderr.read()  # type: ignore[union-attr]
    assert_exactly_once(session, hubei_campaign, cities)


def test_a_tick_killed_while_escalating_leaves_the_escalations_to_the_next(
    session, hubei_campaign, cities
):
    first_tick(session, hubei_campaign)
    killed = start_tick(hubei_campaign, "--kill-in", "queue_escalation")
    assert killed.wait(timeout=60) == -signal.SIGKILL, killed.stderr.read()  # type: ignore[union-attr]
    pending = session.exec(
        select(ActionRecord).where(ActionRecord.state == ActionState.pending)
    ).all()
    assert pending and {r.action.split(":")[0] for r in pending} == {"escalation"}
    rerun = start_tick(hubei_campaign)
    assert rerun.wait(timeout=60) == 0, rerun.stderr.read()  # type: ignore[union-attr]
    assert_exactly_once(session, hubei_campaign, cities)


def test_two_ticks_at_once_do_everything_once(session, hubei_campaign, cities, tmp_path):
    first_tick(session, hubei_campaign)
    go = tmp_path / "go"
    options = ("--wait-for", str(go), "--effect-delay", "0.02")
    ticks = [start_tick(hubei_campaign, *options) for _ in range(2)]
    go.touch()
    for tick in ticks:
        assert tick.wait(timeout=90) == 0, tick.stderr.read()  # type: ignore[union-attr]
    print("actions done by each tick:", [t.stdout.read().strip() for t in ticks])  # type: ignore[union-attr]
    assert_exactly_once(session, hubei_campaign, cities)
