"""What a launched campaign carries out, when: pure functions of the plan."""

from __future__ import annotations

from datetime import date

from campaign.orchestration.events import ledger_key, moments, tick_time
from campaign.schedule import ACK_DUTY, build_schedule


def test_the_schedule_has_the_acknowledgements_and_summaries(hubei_plan):
    events = build_schedule(hubei_plan)
    keys = {e.key for e in events}
    acknowledgements = [e for e in events if e.duty == ACK_DUTY]
    summaries = [e for e in events if e.kind == "summary"]
    # 3 directives x (reminder -1, +1, +3, escalation) for 签收, and 5 summaries; but the
    # acceptance notice is due Friday 11-23: its +1 (Saturday) moves to Monday 11-26, where
    # +3 already is, and is sent once
    assert (len(acknowledgements), len(summaries)) == (3 * 4 - 1, 5)
    assert "reminder:acknowledgement:acceptance:+1" not in keys
    assert "escalation:acknowledgement:mobilization" in keys
    assert "summary:stage-summary:market-access" in keys
    assert "summary:final-summary:final" in keys
    assert [e.date for e in events] == sorted(e.date for e in events)
    assert len(keys) == len(events)


def test_directive_carries_the_acknowledgement_due_date(hubei_plan):
    events = {e.key: e for e in build_schedule(hubei_plan)}
    directive = events["directive:mobilization"]
    # 2007-08-10 is a Friday: two working days later is Tuesday 08-14
    assert directive.due == date(2007, 8, 14)
    assert events["reminder:acknowledgement:mobilization:-1"].date == date(2007, 8, 13)
    assert events["reminder:acknowledgement:mobilization:+3"].date == date(2007, 8, 17)
    assert events["escalation:acknowledgement:mobilization"].duty == ACK_DUTY


def test_summary_is_compiled_the_day_after_the_reports_are_due(hubei_plan):
    events = {e.key: e for e in build_schedule(hubei_plan)}
    request = events["stage_summary:stage-summary:market-access"]
    summary = events["summary:stage-summary:market-access"]
    assert request.due == date(2007, 9, 25)
    assert summary.date == date(2007, 9, 26)
    assert summary.period_end == date(2007, 9, 20)


def test_ledger_key_splits_the_period_off(hubei_plan):
    events = {e.key: e for e in build_schedule(hubei_plan)}
    assert ledger_key(events["directive:mobilization"]) == ("directive:mobilization", "")
    assert ledger_key(events["request:weekly-progress:2007-W34"]) == (
        "request:weekly-progress",
        "2007-W34",
    )
    assert ledger_key(events["reminder:weekly-progress:2007-W34:-1"]) == (
        "reminder:weekly-progress:-1",
        "2007-W34",
    )
    assert ledger_key(events["acceptance:acceptance"]) == ("acceptance:acceptance", "")


def test_moments_are_the_distinct_due_days(hubei_plan):
    events = build_schedule(hubei_plan)
    days = moments(events, date(2007, 8, 10), date(2007, 8, 20))
    assert days == [
        date(2007, 8, 10),  # directive
        date(2007, 8, 13),  # 签收 reminder
        date(2007, 8, 15),  # 签收 overdue, reminder +1
        date(2007, 8, 17),  # reminder +3, escalation
        date(2007, 8, 20),  # implementation directive, first weekly request
    ]
    assert (
        len(moments(events, hubei_plan.start, hubei_plan.end))
        < (hubei_plan.end - hubei_plan.start).days
    )


def test_tick_time_follows_the_cron_in_the_plan_timezone(hubei_plan):
    when = tick_time(hubei_plan, date(2007, 9, 3))
    assert (when.hour, when.minute) == (8, 30)
    assert when.utcoffset().total_seconds() == 8 * 3600
