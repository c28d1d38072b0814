"""Late ticks catch up without bursts: one reminder per request, one escalation per parent.

A pause, a campaign launched after its start, a worker down for a week: the next tick
sends every directive and request still due, but each request at most its latest
reminder (none for a moment long gone), and each parent unit one escalation listing
all its late units. What is not sent is in the ledger as skipped, never sent later.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from orchestration_support import at
from sqlmodel import select

from campaign.orchestration.catchup import PAST_DUE, SUPERSEDED, stale_reminders
from campaign.orchestration.lifecycle import change_status
from campaign.orchestration.tick import run_tick, tick_moments
from campaign.schedule import build_schedule, is_request_kind
from campaign.workdays import WorkCalendar
from models.audit import AuditEvent
from models.bureau import Bureau
from models.campaign import Campaign
from models.ledger import ActionRecord, ActionState
from models.outbox import OutboxMessage
from models.request import ReportRequest

W34 = "2007-W34"  # 8月20日至8月26日, due Friday 08-24


def outbox(session) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    session.rollback()
    return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def tick_through(campaign_id: int, start: str, end: str) -> None:
    days = (date.fromisoformat(start), date.fromisoformat(end))
    for moment in tick_moments(campaign_id=campaign_id, start=days[0], end=days[1]):
        run_tick(campaign_id=campaign_id, as_of=moment)


def chased(message: OutboxMessage) -> tuple[str, str, str]:
    """(bureau, duty, period) a reminder is about (its key: reminder:duty:period:±n)."""
    _, duty, period, _ = message.key.split(":")
    return message.bureau_code, duty, period


def test_only_the_latest_reminder_of_a_request_is_due_and_never_one_for_a_past_date(
    hubei_plan,
):
    # Saturday 08-25 made a working day: the +1 reminder stays on it rather than moving to
    # Monday 08-27 and merging with +3 (reminders fall on working days only)
    work = WorkCalendar().with_days(holidays=[], workdays=[date(2007, 8, 25)])
    events = [e for e in build_schedule(hubei_plan, work) if e.period == W34]
    reminders = {e.key.rsplit(":", 1)[1]: e.key for e in events if e.kind == "reminder"}
    assert stale_reminders(events, date(2007, 8, 24)) == {}  # "due today" still reads right
    assert stale_reminders(events, date(2007, 8, 25)) == {reminders["-1"]: PAST_DUE}
    assert stale_reminders(events, date(2007, 8, 27)) == {
        reminders["-1"]: PAST_DUE,
        reminders["+1"]: SUPERSEDED,
    }


def test_resuming_after_a_three_week_pause_sends_one_reminder_per_outstanding_request(
    session, hubei_campaign, hubei_plan, cities
):
    tick_through(hubei_campaign, "2007-08-10", "2007-08-20")
    campaign = session.get(Campaign, hubei_campaign)
    change_status(session=session, campaign=campaign, command="pause", actor="t", channel="cli")
    session.commit()
    assert run_tick(campaign_id=hubei_campaign, as_of=at("2007-08-27")).refused
    change_status(session=session, campaign=campaign, command="resume", actor="t", channel="cli")
    session.commit()
    seen = {m.id for m in outbox(session)}

    run_tick(campaign_id=hubei_campaign, as_of=at("2007-09-12"))
    new = [m for m in outbox(session) if m.id not in seen]

    reminders = [m for m in new if m.notice == "reminder"]
    assert max(Counter(chased(m) for m in reminders).values()) == 1
    gap = {  # every request with a reminder due during the pause, the 签收 of 08-27 too
        (code, e.duty, e.period)
        for e in build_schedule(hubei_plan)
        if e.kind == "reminder" and date(2007, 8, 20) < e.date <= date(2007, 9, 12)
        for code in cities
    }
    assert {chased(m) for m in reminders} == gap
    assert not [m for m in reminders if m.subject.startswith("【提醒】")]  # all past due
    wuhan_w34 = next(m for m in reminders if chased(m) == ("420100", "weekly-progress", W34))
    assert wuhan_w34.key.endswith(":+3")
    assert wuhan_w34.subject == "【催报】动态信息（8月20日至8月26日）已逾期19天，请尽快报送"

    (escalation,) = [m for m in new if m.notice == "escalation"]
    assert [a["email"] for a in escalation.to_addrs] == ["zxzz-office@hbqts.example.org"]
    names = [b.name for b in session.exec(select(Bureau).where(Bureau.code.in_(cities))).all()]
    assert all(name in escalation.text_body for name in names)
    assert "已逾期19天未报送" in escalation.text_body  # W34, due 08-24
    assert {m.key for m in new if m.notice == "directive"} == {"directive:mobilization"}
    requests = {m.key for m in new if m.notice == "request"}  # the missed weeks' requests
    assert {"request:weekly-progress:2007-W36", "stage_summary:stage-summary:mobilization"} <= (
        requests
    )

    skipped = session.exec(
        select(ActionRecord).where(ActionRecord.state == ActionState.skipped)
    ).all()
    reasons = {(r.action, r.period): r.detail["reason"] for r in skipped if r.bureau_code}
    assert reasons[("reminder:weekly-progress:-1", W34)] == PAST_DUE
    # W34's +1 (Saturday 08-25) moved onto its +3 (Monday 08-27) and is no event of its own;
    # the 签收 of the plan's 通知 (due Wednesday 08-29) keeps both: its +1 is superseded
    assert ("reminder:weekly-progress:+1", W34) not in reasons
    assert reasons[("reminder:acknowledgement:+1", "mobilization")] == SUPERSEDED
    tick_through(hubei_campaign, "2007-09-12", "2007-09-20")  # re-run, then carry on
    sent = {(m.key, m.bureau_code) for m in outbox(session)}
    for row in (r for r in skipped if r.action.startswith("reminder:")):
        key = f"{row.action.rsplit(':', 1)[0]}:{row.period}:{row.action.rsplit(':', 1)[1]}"
        assert (key, row.bureau_code) not in sent, "a skipped reminder went out later"


def test_a_campaign_launched_months_late_sends_each_notice_once_and_no_stale_reminder(
    session, hubei_campaign, hubei_plan, cities
):
    today = date(2007, 11, 15)
    run_tick(campaign_id=hubei_campaign, as_of=at(today.isoformat()))
    messages = outbox(session)
    due = [e for e in build_schedule(hubei_plan) if e.date <= today]
    kinds = Counter(m.notice for m in messages)
    directives = sum(1 for e in due if e.kind == "directive") * len(cities)
    requests = sum(1 for e in due if is_request_kind(e.kind)) * len(cities)
    assert (kinds["directive"], kinds["request"]) == (directives, requests)
    assert kinds["reminder"] <= requests + directives  # at most one per request (签收 too)
    # no escalation; the office's digest of the latest weekly period only, not every past one
    assert kinds["digest"] == 1
    assert sum(kinds.values()) == directives + requests + kinds["reminder"] + 1
    assert max(Counter((m.key, m.bureau_code) for m in messages).values()) == 1
    reminders = [m for m in messages if m.notice == "reminder"]
    assert max(Counter(chased(m) for m in reminders).values()) == 1
    due_dates = {
        (r.bureau_code, r.duty_key, r.period_key): r.due_date
        for r in session.exec(select(ReportRequest)).all()
    }
    for message in reminders:
        if message.subject.startswith("【提醒】"):  # "due on …": only for dates still ahead
            assert due_dates[chased(message)] >= today, message.subject
    escalations = session.exec(
        select(ActionRecord).where(ActionRecord.action.startswith("escalation:"))
    ).all()
    assert escalations and {r.state for r in escalations} == {ActionState.skipped}


def test_late_units_are_escalated_to_their_parent_in_one_notice(session, hubei_campaign, cities):
    tick_through(hubei_campaign, "2007-08-10", "2007-09-02")
    seen = {m.id for m in outbox(session)}
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-09-03"))  # 签收 due 08-29, +3 wd
    escalations = [m for m in outbox(session) if m.id not in seen and m.notice == "escalation"]

    (message,) = escalations
    province = session.get(Bureau, "420000")
    assert message.bureau_code == province.code
    assert [a["email"] for a in message.to_addrs] == [province.email]
    assert message.subject == "【逾期督办】武汉市质量技术监督局等17个单位逾期未签收"
    lines = [line for line in message.text_body.splitlines() if "：宣传发动阶段通知签收" in line]
    assert len(lines) == 17 and all("已逾期5天未签收" in line for line in lines)
    assert "未报送" not in message.text_body
    audit = session.exec(select(AuditEvent).where(AuditEvent.event == "escalation_sent")).all()
    audit = [e for e in audit if e.detail["message_key"] == message.key]
    assert sorted(e.bureau_code for e in audit) == cities  # one notice for the 17
