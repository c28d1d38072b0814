"""Ticks killed halfway, and ticks started at once, in processes of their own.

Whatever happens, afterwards every action due is in the ledger exactly once and every
side effect (an audit entry per effect, a request per bureau and period) happened once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

from sqlmodel import select

from campaign.orchestration.events import CAMPAIGN_WIDE_KINDS, CHASE_KINDS, ledger_key
from campaign.orchestration.store import load_rows, to_event
from models.audit import AuditEvent
from models.ledger import ActionRecord, ActionState
from models.request import ReportRequest

SCRIPT = Path(__file__).with_name("tick_process.py")
AS_OF = "2007-09-10T08:30:00+08:00"
EFFECT_EVENTS = {"directive_issued", "request_opened", "reminder_sent", "escalation_sent"}


def start_tick(campaign_id: int, *options: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), str(campaign_id), AS_OF, *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )


def predicted(session, campaign_id: int, cities: list[str], until: date) -> set[tuple]:
    """Every (action, period, bureau) due by `until` when no bureau answers."""
    keys = set()
    for row in load_rows(session=session, campaign_id=campaign_id, until=until):
        event = to_event(row)
        action, period = ledger_key(event)
        codes = [""] if event.kind in CAMPAIGN_WIDE_KINDS else cities
        keys |= {(action, period, code) for code in codes}
    return keys


def assert_exactly_once(session, campaign_id: int, cities: list[str]) -> None:
    session.rollback()  # forget what this session read before the other processes wrote
    rows = session.exec(select(ActionRecord).where(ActionRecord.campaign_id == campaign_id)).all()
    keys = [(r.action, r.period, r.bureau_code) for r in rows]
    assert set(keys) == predicted(session, campaign_id, cities, date(2007, 9, 10))
    assert {r.state for r in rows} == {ActionState.done}
    effects = Counter(
        (e.detail["action"], e.bureau_code)
        for e in session.exec(select(AuditEvent)).all()
        if e.event in EFFECT_EVENTS
    )
    assert max(effects.values()) == 1, "a side effect happened twice"
    per_bureau = [k for k in keys if k[2]]
    assert len(effects) == len(per_bureau), "a side effect is missing"
    chased = sum(1 for k in per_bureau if k[0].split(":")[0] in CHASE_KINDS)
    assert chased > 0
    requests = session.exec(select(ReportRequest)).all()
    assert len({(r.duty_key, r.period_key, r.bureau_code) for r in requests}) == len(requests)
    assert len(requests) == 17 * 7  # 2 acknowledgements, 4 weekly reports, 1 stage summary


def test_a_tick_killed_halfway_is_completed_by_the_next(session, hubei_campaign, cities):
    killed = start_tick(hubei_campaign, "--kill-after", "9")  # of ~30 effects
    assert killed.wait(timeout=60) == -signal.SIGKILL, killed.stderr.read()  # type: ignore[union-attr]
    pending = session.exec(
        select(ActionRecord).where(ActionRecord.state == ActionState.pending)
    ).all()
    assert pending, "the kill should leave claimed, unfinished actions"
    rerun = start_tick(hubei_campaign)
    assert rerun.wait(timeout=60) == 0, rerun.stderr.read()  # type: ignore[union-attr]
    assert_exactly_once(session, hubei_campaign, cities)


def test_two_ticks_at_once_do_everything_once(session, hubei_campaign, cities, tmp_path):
    go = tmp_path / "go"
    options = ("--wait-for", str(go), "--effect-delay", "0.02")
    ticks = [start_tick(hubei_campaign, *options) for _ in range(2)]
    go.touch()
    for tick in ticks:
        assert tick.wait(timeout=90) == 0, tick.stderr.read()  # type: ignore[union-attr]
    print("actions done by each tick:", [t.stdout.read().strip() for t in ticks])  # type: ignore[union-attr]
    assert_exactly_once(session, hubei_campaign, cities)
