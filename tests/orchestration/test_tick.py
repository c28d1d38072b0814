"""The tick as plain functions, on both databases: what is due, catch-up, idempotence."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from orchestration_support import answer, at, ledger_rows, predicted_ledger
from sqlmodel import select

from campaign.orchestration.events import ledger_key
from campaign.orchestration.tick import plan_tick, run_tick, tick_moments
from campaign.schedule import build_schedule
from models.audit import AuditEvent
from models.campaign import Campaign, CampaignStatus
from models.ledger import ActionRecord, ActionState
from models.request import ReportRequest, RequestStatus


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the English wording (CAMPAIGN_LANGUAGE=en); people see Chinese by
    default (tests/cli/test_language.py)."""
    monkeypatch.setenv("CAMPAIGN_LANGUAGE", "en")


def test_plan_tick_lists_due_events_by_phase_in_date_order(session, hubei_campaign):
    planned = plan_tick(campaign_id=hubei_campaign, as_of=at("2007-08-27"))
    assert planned.refused is None
    assert planned.active_phases == ("mobilization", "implementation")
    assert [(s.phase_key, s.first_day, s.last_day) for s in planned.steps] == [
        # W34's +1 reminder (Saturday 08-25) falls on Monday 08-27: reminders on working days
        ("implementation", date(2007, 8, 20), date(2007, 8, 23)),
        ("mobilization", date(2007, 8, 27), date(2007, 8, 27)),  # the plan's 通知, on its date
        ("implementation", date(2007, 8, 27), date(2007, 8, 27)),
    ]
    assert planned.steps[0].event_keys[:2] == (
        "request:weekly-progress:2007-W34",
        "reminder:weekly-progress:2007-W34:-1",
    )
    assert planned.steps[1].event_keys == ("directive:mobilization",)


def test_a_tick_carries_out_each_due_event_for_every_city(session, hubei_campaign, cities):
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-08-26"))
    report = run_tick(campaign_id=hubei_campaign, as_of=at("2007-08-27"))
    assert [e["key"] for e in report.events][0] == "directive:mobilization"
    assert report.events[0]["done"] == cities
    acks = session.exec(select(ReportRequest).where(ReportRequest.kind == "acknowledgement")).all()
    assert sorted(r.bureau_code for r in acks) == cities
    assert {(r.kind, r.duty_key, r.period_key, r.due_date) for r in acks} == {
        ("acknowledgement", "acknowledgement", "mobilization", date(2007, 8, 29))
    }
    audit = Counter(e.event for e in session.exec(select(AuditEvent)).all())
    assert audit["directive_issued"] == 17


def test_rerunning_a_tick_changes_nothing(session, hubei_campaign):
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-09-10"))
    before = (ledger_rows(session), len(session.exec(select(AuditEvent)).all()))
    again = run_tick(campaign_id=hubei_campaign, as_of=at("2007-09-10"))
    assert again.events == []
    assert (ledger_rows(session), len(session.exec(select(AuditEvent)).all())) == before


def test_missed_ticks_are_caught_up_in_date_order(session, hubei_campaign, hubei_plan, cities):
    report = run_tick(campaign_id=hubei_campaign, as_of=at("2007-09-10"))
    keys = [e["key"] for e in report.events]
    events = build_schedule(hubei_plan)
    expected = [e.key for e in events if e.date <= date(2007, 9, 10)]
    assert sorted(keys) == sorted(expected)
    dates = {e.key: e.date for e in events}
    by_phase: dict[str, list[date]] = {}
    for event in report.events:
        if event["kind"] != "escalation":  # escalations go together, after the phases
            by_phase.setdefault(event["phase_key"], []).append(dates[event["key"]])
    assert all(days == sorted(days) for days in by_phase.values())
    escalations = sum(e["kind"] == "escalation" for e in report.events)
    assert escalations >= 3 and {e["kind"] for e in report.events[-escalations:]} == {"escalation"}
    # nobody answered: every per-bureau action reached all 17 cities, but stale reminders
    # and escalations of requests this tick opened, which are recorded as skipped
    predicted = predicted_ledger(events, [date(2007, 9, 10)], cities)
    for event in (e for e in report.events if e["done"] != [""]):
        assert sorted(event["done"] + event["skipped"]) == cities
        action, period = ledger_key(next(e for e in events if e.key == event["key"]))
        state = ActionState.skipped if event["skipped"] else ActionState.done
        assert predicted[(action, period, cities[0])] == state, event["key"]
    assert {(a, p, c): s for a, p, c, s in ledger_rows(session)} == predicted


def test_catching_up_keys_the_same_actions_as_ticking_every_day(
    session, hubei_campaign, launch, hubei_plan, hubei_plan_text, cities
):
    moments = tick_moments(
        campaign_id=hubei_campaign, start=date(2007, 8, 10), end=date(2007, 9, 5)
    )
    for moment in moments:
        run_tick(campaign_id=hubei_campaign, as_of=moment)
    other = launch(hubei_plan_text.replace("77号", "78号"))
    run_tick(campaign_id=other, as_of=at("2007-09-05"))

    def keys(campaign_id: int) -> dict[tuple[str, str, str], ActionState]:
        rows = session.exec(select(ActionRecord).where(ActionRecord.campaign_id == campaign_id))
        return {(r.action, r.period, r.bureau_code): r.state for r in rows.all()}

    events = build_schedule(hubei_plan)
    daily, caught_up = keys(hubei_campaign), keys(other)
    assert daily.keys() == caught_up.keys() and len(daily) > 17 * 15
    assert daily == predicted_ledger(events, [m.date() for m in moments], cities)
    assert set(daily.values()) == {ActionState.done}  # every reminder on its day
    assert caught_up == predicted_ledger(events, [date(2007, 9, 5)], cities)


def test_reminders_go_only_to_bureaus_still_owing(session, hubei_campaign, cities):
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-08-20"))
    answer(session, hubei_campaign, "weekly-progress", "2007-W34", "420100")
    report = run_tick(campaign_id=hubei_campaign, as_of=at("2007-08-23"))
    reminder = next(e for e in report.events if e["key"] == "reminder:weekly-progress:2007-W34:-1")
    assert "420100" not in reminder["done"]
    assert reminder["done"] == [c for c in cities if c != "420100"]
    rows = session.exec(
        select(ActionRecord).where(ActionRecord.action == "reminder:weekly-progress:-1")
    ).all()
    assert len(rows) == 16 and {r.state for r in rows} == {ActionState.done}


def test_overdue_requests_are_marked_and_escalated_to_the_parent(session, hubei_campaign):
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-08-29"))
    answer(session, hubei_campaign, "acknowledgement", "mobilization", "420100")
    report = run_tick(campaign_id=hubei_campaign, as_of=at("2007-08-30"))
    assert report.overdue == 16  # 签收 due 08-29; 420100 acknowledged
    acks = select(ReportRequest).where(ReportRequest.kind == "acknowledgement")
    statuses = Counter(r.status for r in session.exec(acks).all())
    assert statuses == {RequestStatus.overdue: 16, RequestStatus.accepted: 1}  # 签收 accepts
    sent = select(AuditEvent).where(AuditEvent.event == "escalation_sent")
    before = {e.id for e in session.exec(sent).all()}  # the first weekly reports', 08-29
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-09-03"))
    escalations = [e for e in session.exec(sent).all() if e.id not in before]
    assert len(escalations) == 16
    assert {e.detail["parent"] for e in escalations} == {"420000"}
    assert "420100" not in {e.bureau_code for e in escalations}


def test_a_paused_campaign_does_nothing(session, hubei_campaign):
    campaign = session.get(Campaign, hubei_campaign)
    campaign.status = CampaignStatus.paused
    session.commit()
    report = run_tick(campaign_id=hubei_campaign, as_of=at("2007-09-10"))
    assert "paused" in report.refused
    assert ledger_rows(session) == []


def test_the_last_tick_completes_the_campaign(session, hubei_campaign, hubei_plan):
    report = run_tick(campaign_id=hubei_campaign, as_of=at("2007-12-10"))
    assert report.completed
    campaign = session.exec(select(Campaign).where(Campaign.id == hubei_campaign)).one()
    assert campaign.status == CampaignStatus.completed
    statuses = {r.status for r in session.exec(select(ReportRequest)).all()}
    assert statuses == {RequestStatus.closed}
    expected = {ledger_key(e) for e in build_schedule(hubei_plan)}
    assert {r[:2] for r in ledger_rows(session)} == expected
    assert run_tick(campaign_id=hubei_campaign, as_of=at("2007-12-11")).refused


def test_the_links_of_a_request_to_every_unit_are_issued_together(session, hubei_campaign, cities):
    """Reissuing the links of every unit takes three statements whatever their number (the
    live links, one UPDATE revoking them, one INSERT), not a few per unit."""
    from sqlalchemy import event

    from campaign.links import issue_links, resolve_token
    from models.link import LinkPurpose, ReplyLink

    targets = [(code, None) for code in cities]
    issue = dict(session=session, campaign_id=hubei_campaign, purpose=LinkPurpose.ad_hoc)
    first = issue_links(**issue, targets=targets)
    statements: list[str] = []

    def record(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        again = issue_links(**issue, targets=targets)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(statements) == 3, statements
    live = session.exec(
        select(ReplyLink).where(
            ReplyLink.purpose == LinkPurpose.ad_hoc,
            ReplyLink.revoked_at == None,  # noqa: E711
        )
    ).all()
    assert sorted(link.id for link in live) == sorted(issued.link.id for issued in again.values())
    for target in targets:
        assert resolve_token(session=session, token=again[target].token) is not None
        assert resolve_token(session=session, token=first[target].token) is None
