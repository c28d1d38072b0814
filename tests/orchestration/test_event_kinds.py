"""The registry of event kinds is the one place a kind is defined, and `campaign schedule`
prints exactly the events the tick carries out."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import get_args

import pytest
from orchestration_support import at
from sqlmodel import select
from typer.testing import CliRunner

from campaign.bureaus import import_bureau_csv
from campaign.cli import app
from campaign.demo.registry import generate_registry
from campaign.mail import notices
from campaign.orchestration import effects
from campaign.orchestration.actions import EFFECTS
from campaign.orchestration.store import load_rows, store_schedule, to_event
from campaign.orchestration.tick import run_tick
from campaign.plan import load_plan_text
from campaign.plan.schema import DutyKind
from campaign.schedule import KINDS, build_schedule, event_order, is_request_kind, kind, kinds
from campaign.schedule.kinds import Audience, Effect, Kind
from models.audit import AuditEvent
from models.outbox import OutboxMessage
from models.request import ReportRequest
from tests.support.hubei import EXAMPLES


def test_every_kind_has_order_effect_targets_notice_and_audit() -> None:
    names = [k.name for k in KINDS]
    assert len(set(names)) == len(names)
    for entry in KINDS:
        assert entry.label and entry.audit, entry
        assert entry.order == names.index(entry.name)
        # escalations are gathered per parent unit (escalations.carry_out_escalations)
        assert entry.effect in EFFECTS or entry.effect is Effect.escalate, entry
        if entry.notice is not None:  # the seam that queues it, and the mail it queues
            assert callable(getattr(effects, f"queue_{entry.notice}")), entry
            assert callable(getattr(notices, f"queue_{entry.notice}")), entry
        # a duty kind's reporters, or the relay units of any routed duty (aggregate)
        reporters = entry.audience is Audience.reporters
        assert (entry.duty_kind is not None) == (entry.opens_request and reporters), entry
        assert not entry.summarised or entry.opens_request, entry
        assert entry.compiles == (entry.audience is Audience.campaign), entry
    # every reporting duty of a plan opens requests of some kind (ad hoc ones have no dates)
    assert {k.duty_kind for k in KINDS if k.duty_kind} == set(get_args(DutyKind)) - {"ad_hoc"}


def test_a_days_events_follow_the_registry_order(hubei_plan) -> None:
    events = build_schedule(hubei_plan)
    # every kind but task progress (Hubei tracks no task; the Fujian plan does: tests/tasks)
    # and aggregate (no Hubei duty is routed: tests/orchestration/test_routing.py)
    assert {e.kind for e in events} | {"task_progress", "aggregate"} == {k.name for k in KINDS}
    assert events == sorted(events, key=event_order)
    for a, b in zip(events, events[1:], strict=False):
        if a.date == b.date:
            assert kind(a.kind).order <= kind(b.kind).order


@pytest.mark.parametrize("example", ["hubei-2007.yaml", "ebike-2026.yaml"])
def test_schedule_prints_what_the_tick_carries_out(session, launch, example) -> None:
    printed = CliRunner().invoke(app, ["schedule", str(EXAMPLES / example), "--json"])
    assert printed.exit_code == 0, printed.output
    text = (EXAMPLES / example).read_text(encoding="utf-8")
    import_bureau_csv(session=session, raw=generate_registry(load_plan_text(text), 20, seed=1))
    campaign_id = launch(text)
    stored = [to_event(r).to_json() for r in load_rows(session=session, campaign_id=campaign_id)]
    assert json.loads(printed.output) == stored
    summaries = [e for e in stored if e["kind"] == "summary"]
    assert summaries and any(e["duty"] == "acknowledgement" for e in stored)


SPECIAL = Kind(
    "special_report",
    "专项报送",
    Effect.request,
    Audience.reporters,
    "request",
    "request_opened",
    duty_kind="special",
)


def test_a_new_kind_is_one_entry(session, hubei_campaign, cities, monkeypatch) -> None:
    """A kind added to the registry alone is ordered, targeted, carried out and audited."""
    monkeypatch.setattr(kinds, "KINDS", (*kinds.KINDS, SPECIAL))
    events = {e.key: e for e in build_schedule_of(session, hubei_campaign)}
    weekly = events["request:weekly-progress:2007-W34"]
    special = replace(  # a request of its own kind for the weekly duty, another period
        weekly, kind=SPECIAL.name, key=f"{SPECIAL.name}:weekly-progress:special", period="special"
    )
    store_schedule(session=session, campaign_id=hubei_campaign, events=[special])
    session.commit()
    assert is_request_kind(SPECIAL.name)
    assert event_order(special) > event_order(weekly)  # last of its day, as registered

    run_tick(campaign_id=hubei_campaign, as_of=at("2007-08-20"))

    session.rollback()
    opened = session.exec(select(ReportRequest).where(ReportRequest.kind == SPECIAL.name)).all()
    assert sorted(r.bureau_code for r in opened) == cities
    assert {(r.duty_key, r.period_key) for r in opened} == {("weekly-progress", "special")}
    audited = [
        a.event
        for a in session.exec(select(AuditEvent)).all()
        if a.detail.get("action") == special.key
    ]
    assert audited == ["request_opened"] * len(cities)
    queued = session.exec(select(OutboxMessage).where(OutboxMessage.key == special.key)).all()
    assert len(queued) == len(cities)


def build_schedule_of(session, campaign_id: int):  # type: ignore[no-untyped-def]
    return [to_event(r) for r in load_rows(session=session, campaign_id=campaign_id)]
