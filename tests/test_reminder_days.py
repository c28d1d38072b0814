"""Reminders and escalations fall on working days: before the due date, one on a weekend or
a holiday moves to the working day before; after it, to the working day after. Dates
checked by hand against the 2007, 2009 and 2017 official calendars."""

from __future__ import annotations

from datetime import date

from campaign.plan import load_plan, load_plan_text
from campaign.schedule import build_schedule
from campaign.workdays import WorkCalendar
from tests.support.fujian import FUJIAN_PLAN
from tests.support.hubei import EXAMPLES, HUBEI_PLAN

GUANGDONG_PLAN = EXAMPLES / "guangdong-2009.yaml"


def chase(events, period: str, duty: str | None = None) -> list[tuple[str, date]]:  # type: ignore[no-untyped-def]
    return [
        (e.key.rsplit(":", 1)[-1] if e.kind == "reminder" else e.kind, e.date)
        for e in events
        if e.period == period and (duty is None or e.duty == duty)
        if e.kind in ("reminder", "escalation")
    ]


def test_a_reminder_before_due_moves_to_the_working_day_before() -> None:
    # 闽 inspection task: due 12-31 → Tuesday 2018-01-02; 3 days before is Saturday 12-30,
    # in the 元旦 holiday: reminded on Friday 12-29
    events = build_schedule(load_plan(FUJIAN_PLAN))
    assert [e.date for e in events if e.duty == "inspection" and e.kind == "reminder"] == [
        date(2017, 12, 29)
    ]


def test_a_reminder_that_would_move_before_its_request_is_dropped() -> None:
    # Hubei W40 (10-01 to 10-07 2007): due moved to Monday 10-08; its -1 (Sunday 10-07, a
    # holiday) would move to Sunday 09-30 (a 调休 working day), before the request of 10-01
    events = build_schedule(load_plan(HUBEI_PLAN))
    assert chase(events, "2007-W40", "weekly-progress") == [
        ("+1", date(2007, 10, 9)),
        ("+3", date(2007, 10, 11)),
        ("escalation", date(2007, 10, 11)),
    ]


def test_reminders_landing_on_one_day_are_sent_once_and_escalations_move_forward() -> None:
    # budgets-and-fees due Monday 2017-12-04: -2 (Saturday) and -1 (Sunday) both move to
    # Friday 12-01, sent once; +1 is Tuesday 12-05; escalation 5 days after, Saturday 12-09,
    # moves to Monday 12-11
    text = FUJIAN_PLAN.read_text(encoding="utf-8")
    old = "        lead_units: [计财科技处]\n        deadline: 2017-11-30\n"
    assert old in text
    text = text.replace(
        old,
        "        lead_units: [计财科技处]\n        deadline: 2017-12-04\n"
        "        reminders: {before_due: [1, 2], after_due: [1], escalate_after: {days: 5}}\n",
    )
    events = [e for e in build_schedule(load_plan_text(text)) if e.duty == "budgets-and-fees"]
    assert [(e.key.rsplit(":", 1)[-1], e.kind, e.date) for e in events] == [
        ("final", "task_progress", date(2017, 5, 27)),
        ("-2", "reminder", date(2017, 12, 1)),
        ("+1", "reminder", date(2017, 12, 5)),
        ("final", "escalation", date(2017, 12, 11)),
    ]


def test_a_saturday_made_a_working_day_keeps_its_reminder() -> None:
    # Hubei W34 due Friday 2007-08-24: +1 on Saturday 08-25 moves onto Monday 08-27 (+3)
    # unless 08-25 is declared a working day (调休) in the calendar
    plan = load_plan(HUBEI_PLAN)
    assert chase(build_schedule(plan), "2007-W34", "weekly-progress") == [
        ("-1", date(2007, 8, 23)),
        ("+3", date(2007, 8, 27)),
        ("escalation", date(2007, 8, 29)),
    ]
    work = WorkCalendar().with_days(holidays=[], workdays=[date(2007, 8, 25)])
    assert chase(build_schedule(plan, work), "2007-W34", "weekly-progress")[:3] == [
        ("-1", date(2007, 8, 23)),
        ("+1", date(2007, 8, 25)),
        ("+3", date(2007, 8, 27)),
    ]


def test_no_reminder_the_same_morning_as_the_notice() -> None:
    # Guangdong's 通知 dated Sunday 2009-03-01 (the phase's start; the example dates it
    # Friday 02-27) goes out on Monday 03-02 with the tick; its 签收 is due Tuesday 03-03.
    # The "-1" reminder would fall on Monday 03-02, with the notice itself: none. A day
    # after is Wednesday.
    text = GUANGDONG_PLAN.read_text(encoding="utf-8")
    assert "  issued_on: 2009-02-27" in text
    events = build_schedule(
        load_plan_text(text.replace("  issued_on: 2009-02-27", "  issued_on: 2009-03-01"))
    )
    assert chase(events, "mobilization", "acknowledgement") == [
        ("+1", date(2009, 3, 4)),
        ("+3", date(2009, 3, 6)),
        ("escalation", date(2009, 3, 6)),
    ]
