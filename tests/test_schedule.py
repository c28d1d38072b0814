"""The schedule a plan implies, checked against the dates the Hubei document states."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from campaign.plan import load_plan, load_plan_text
from campaign.schedule import build_schedule, events_due
from campaign.workdays import WorkCalendar

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
HUBEI_TEXT = (EXAMPLES / "hubei-2007.yaml").read_text(encoding="utf-8")


def kinds(events, kind):  # type: ignore[no-untyped-def]
    return [e for e in events if e.kind == kind]


def test_weekly_requests_cover_the_implementation_phase(hubei_plan) -> None:
    requests = [e for e in build_schedule(hubei_plan) if e.kind == "request"]
    assert [(e.date, e.due) for e in requests][:2] == [
        (date(2007, 8, 20), date(2007, 8, 24)),
        (date(2007, 8, 27), date(2007, 8, 31)),
    ]
    assert len(requests) == 14  # 2007-08-20 (Mon) to 2007-11-20 (Tue): 13 weeks and 2 days
    assert requests[-1].period_start == date(2007, 11, 19)
    assert requests[-1].due == date(
        2007, 11, 20
    )  # the last, short week is due on the phase's last day
    assert all(e.phase == "实施阶段" and e.duty == "weekly-progress" for e in requests)
    assert len({e.period for e in requests}) == 14


def test_a_stage_summary_after_each_concentrated_action(hubei_plan) -> None:
    summaries = kinds(build_schedule(hubei_plan), "stage_summary")
    by_action = {e.action: (e.date, e.due) for e in summaries if e.action}
    assert by_action == {
        "市场准入集中检查": (date(2007, 9, 21), date(2007, 9, 25)),
        "管理制度集中检查": (date(2007, 10, 21), date(2007, 10, 25)),
        # 11-20 + 5 days is Sunday 11-25: due on the next working day, Monday 11-26.
        "小作坊集中整治": (date(2007, 11, 21), date(2007, 11, 26)),
    }
    mobilization = next(e for e in summaries if e.action is None)
    assert (mobilization.phase, mobilization.due) == ("宣传发动阶段", date(2007, 9, 5))


def test_final_summary_and_acceptance(hubei_plan) -> None:
    events = build_schedule(hubei_plan)
    (final,) = kinds(events, "final_summary")
    assert (final.date, final.due, final.phase) == (
        date(2007, 11, 21),
        date(2007, 12, 3),  # "12月1日以前": 2007-12-01 is a Saturday, due Monday 12-03
        "总结验收阶段",
    )
    (acceptance,) = kinds(events, "acceptance")
    assert acceptance.date == date(2007, 12, 10)
    assert events[-1] == acceptance


def test_one_directive_for_the_plan_on_its_date(hubei_plan) -> None:
    directives = kinds(build_schedule(hubei_plan), "directive")
    assert [(e.date, e.phase) for e in directives] == [(date(2007, 8, 27), "宣传发动阶段")]


def test_directives_at_each_phase_start() -> None:
    directives = kinds(build_schedule(load_plan(EXAMPLES / "ebike-2026.yaml")), "directive")
    assert [(e.date, e.phase) for e in directives] == [
        (date(2026, 3, 2), "动员部署阶段"),
        (date(2026, 4, 1), "集中整治阶段"),
        (date(2026, 11, 2), "总结验收阶段"),
    ]


def test_reminders_and_escalations_follow_the_policy(hubei_plan) -> None:
    events = build_schedule(hubei_plan)
    first = [e for e in events if e.period == "2007-W34"]
    assert [(e.kind, e.date) for e in first] == [
        ("request", date(2007, 8, 20)),
        ("reminder", date(2007, 8, 23)),  # a day before it is due
        # 催报 a day after falls on Saturday 08-25 and moves to Monday 08-27 (a reminder is
        # for people at work), where the one three days after already is: sent once
        ("reminder", date(2007, 8, 27)),
        ("escalation", date(2007, 8, 29)),  # 3 working days after Friday 08-24
    ]


def test_escalation_counts_working_days_across_national_day(hubei_plan) -> None:
    events = build_schedule(hubei_plan)
    escalation = next(e for e in events if e.kind == "escalation" and e.due == date(2007, 9, 28))
    # 2007: 9-29 and 9-30 were 调休 working days; 10-1..10-7 the National Day holiday.
    assert escalation.date == date(2007, 10, 8)


def test_schedule_is_in_date_order_with_unique_keys(hubei_plan) -> None:
    events = build_schedule(hubei_plan)
    assert [e.date for e in events] == sorted(e.date for e in events)
    assert len({e.key for e in events}) == len(events)


def test_events_due_between_two_ticks(hubei_plan) -> None:
    events = build_schedule(hubei_plan)
    due = events_due(events, date(2007, 8, 19), date(2007, 8, 20))
    assert [e.key for e in due] == ["request:weekly-progress:2007-W34"]
    on_the_27th = events_due(events, date(2007, 8, 26), date(2007, 8, 27))
    assert "directive:mobilization" in [e.key for e in on_the_27th]
    assert events_due(events, None, date(2007, 8, 9)) == []


def _plan_with_duty(duty: dict, **extra):  # type: ignore[no-untyped-def]
    data = yaml.safe_load(HUBEI_TEXT)
    data["duties"] = [duty]
    data.update(extra)
    return load_plan_text(yaml.safe_dump(data, allow_unicode=True))


def _progress_plan(  # type: ignore[no-untyped-def]
    schedule: dict, key: str = "m", name: str = "月报", phase: str | None = "implementation"
):
    """The Hubei plan with one progress duty of this schedule (phase None: the duty names
    none)."""
    duty = {"key": key, "name": name, "kind": "progress", "form": "progress"}
    return _plan_with_duty({**duty, "schedule": schedule} | ({"phase": phase} if phase else {}))


def _stage_summary_plan(of: str, working_days: int):  # type: ignore[no-untyped-def]
    """The Hubei plan with one stage summary due working_days after the action `of` ends."""
    schedule = {"type": "after_end", "of": [of], "within": {"working_days": working_days}}
    fields = {"key": "s", "name": "阶段小结", "kind": "stage_summary", "form": "stage-summary"}
    return _plan_with_duty({**fields, "schedule": schedule})


def test_monthly_duty_due_on_day_n_of_the_next_month() -> None:
    plan = _progress_plan({"type": "monthly", "day": 5})
    requests = kinds(build_schedule(plan), "request")
    assert [(e.period, e.date, e.due) for e in requests] == [
        ("2007-08", date(2007, 9, 1), date(2007, 9, 5)),
        ("2007-09", date(2007, 10, 1), date(2007, 10, 8)),  # 10-05 is in National Day
        ("2007-10", date(2007, 11, 1), date(2007, 11, 5)),
        ("2007-11", date(2007, 11, 21), date(2007, 12, 5)),
    ]
    assert requests[0].period_start == date(2007, 8, 20)  # clipped to the phase


def test_monthly_due_day_is_clamped_to_the_month_end() -> None:
    plan = _progress_plan({"type": "monthly", "day": 31, "due_month": "same"})
    dues = [e.due for e in kinds(build_schedule(plan), "request")]
    # November is cut short at 11-20 by the phase; its report is still due on the month's last day.
    assert dues == [date(2007, 8, 31), date(2007, 9, 30), date(2007, 10, 31), date(2007, 11, 30)]


def test_quarterly_analysis() -> None:
    plan = _progress_plan({"type": "monthly", "day": 10, "interval": 3}, "q", "季度分析")
    requests = kinds(build_schedule(plan), "request")
    assert [(e.period, e.period_label, e.due) for e in requests] == [
        # both quarters are cut short by the phase (08-20 to 11-20): labelled by their days
        ("2007-Q3", "2007年8月20日至9月30日", date(2007, 10, 10)),
        ("2007-Q4", "2007年10月1日至11月20日", date(2007, 12, 10)),  # due in December
    ]


def test_fixed_dates_cover_the_days_since_the_previous_date() -> None:
    dates = {"type": "dates", "dates": ["2007-09-15", "2007-10-15"]}
    plan = _progress_plan(dates, "d", "数据报送", phase=None)
    requests = kinds(build_schedule(plan), "request")
    assert [(e.period_start, e.due, e.phase) for e in requests] == [
        (date(2007, 8, 10), date(2007, 9, 17), "实施阶段"),  # 09-15 is a Saturday
        (date(2007, 9, 16), date(2007, 10, 15), "实施阶段"),
    ]


def test_stage_summary_in_working_days() -> None:
    plan = _stage_summary_plan("management-systems", working_days=5)
    (summary,) = kinds(build_schedule(plan), "stage_summary")
    # 2007-10-20 is a Saturday: 10-22 Mon .. 10-26 Fri are the five working days.
    assert summary.due == date(2007, 10, 26)


def test_ad_hoc_duties_have_no_dated_events(hubei_plan) -> None:
    assert not [e for e in build_schedule(hubei_plan) if e.duty == "urgent"]


def test_override_calendar_moves_deadlines(tmp_path) -> None:  # type: ignore[no-untyped-def]
    plan = _stage_summary_plan("market-access", working_days=1)
    override = tmp_path / "holidays.yaml"
    override.write_text("holidays: [2007-09-21]\n")
    (default,) = kinds(build_schedule(plan), "stage_summary")
    (moved,) = kinds(build_schedule(plan, WorkCalendar.from_file(override)), "stage_summary")
    assert (default.due, moved.due) == (date(2007, 9, 21), date(2007, 9, 24))
