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
    # the plan's one 通知: reminder -1, +1, +3, escalation for its 签收; and 5 summaries
    assert (len(acknowledgements), len(summaries)) == (4, 5)
    assert "escalation:acknowledgement:mobilization" in keys
    assert "summary:stage-summary:market-access" in keys
    assert "summary:final-summary:final" in keys
    assert [e.date for e in events] == sorted(e.date for e in events)
    assert len(keys) == len(events)


def test_directive_carries_the_acknowledgement_due_date(hubei_plan):
    events = {e.key: e for e in build_schedule(hubei_plan)}
    directive = events["directive:mobilization"]
    # issued on its 成文日期, Monday 2007-08-27: two working days later is Wednesday 08-29
    assert directive.date == date(2007, 8, 27) and directive.due == date(2007, 8, 29)
    assert events["reminder:acknowledgement:mobilization:-1"].date == date(2007, 8, 28)
    # +3 is Saturday 09-01: reminders fall on working days, Monday 09-03
    assert events["reminder:acknowledgement:mobilization:+3"].date == date(2007, 9, 3)
    # escalated three working days after it was due: Monday 09-03
    assert events["escalation:acknowledgement:mobilization"].date == date(2007, 9, 3)
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
    days = moments(events, date(2007, 8, 10), date(2007, 9, 1))
    assert days == [
        date(2007, 8, 20),  # first weekly request
        date(2007, 8, 23),  # its reminder
        date(2007, 8, 25),  # overdue, reminder +1
        date(2007, 8, 27),  # the plan's 通知, reminder +3, the second request
        date(2007, 8, 28),  # 签收 reminder
        date(2007, 8, 29),  # the first request escalated
        date(2007, 8, 30),  # 签收 overdue, reminder +1; the second request's reminder
        date(2007, 9, 1),  # 签收 reminder +3, the second request's +1, the stage summary
    ]
    assert (
        len(moments(events, hubei_plan.start, hubei_plan.end))
        < (hubei_plan.end - hubei_plan.start).days
    )


def test_tick_time_follows_the_cron_in_the_plan_timezone(hubei_plan):
    when = tick_time(hubei_plan, date(2007, 9, 3))
    assert (when.hour, when.minute) == (8, 30)
    assert when.utcoffset().total_seconds() == 8 * 3600
