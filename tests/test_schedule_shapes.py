"""Each schedule shape a plan can state, on small plans built from the Hubei example; every
date below is checked by hand against the State Council's holiday calendar of its year."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from campaign.orchestration.events import tick_time, tick_times
from campaign.plan import load_plan_text, parse_plan
from campaign.plan.schema import Plan, Within
from campaign.schedule import Event, build_schedule
from campaign.schedule.deadlines import event_deadline, event_moment, reported_late
from campaign.workdays import WorkCalendar

HUBEI = yaml.safe_load(
    (Path(__file__).resolve().parent.parent / "examples" / "hubei-2007.yaml").read_text("utf-8")
)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def plan_of(duties: list[dict[str, Any]], **changes: Any) -> Plan:
    data = {**HUBEI, "duties": duties, "targets": [], **changes}
    return load_plan_text(yaml.safe_dump(data, allow_unicode=True))


def progress(schedule: dict[str, Any], **duty: Any) -> dict[str, Any]:
    return {"key": "p", "name": "进展", "kind": "progress", "form": "progress",
            "schedule": schedule, **duty}  # fmt: skip


def year_phases(first: str, last: str) -> list[dict[str, Any]]:
    """One phase per stretch of a plan running from first to last (dates)."""
    return [
        {"key": "run", "kind": "implementation", "name": "实施阶段", "start": first,
         "end": last},
    ]  # fmt: skip


def requests(plan: Plan) -> list[Event]:
    return [e for e in build_schedule(plan) if e.kind == "request"]


# A duty over several phases, or the whole plan ------------------------------------------


def test_a_duty_spans_the_phases_it_names_each_period_in_the_phase_it_starts_in() -> None:
    plan = plan_of([progress({"type": "weekly"}, phase=["mobilization", "implementation"])])
    weeks = requests(plan)
    # 2007-08-10 (Fri) to 11-20 (Tue): the short week of 08-10..08-12, then 14 more.
    assert (weeks[0].period_start, weeks[0].period_end, weeks[0].phase) == (
        date(2007, 8, 10), date(2007, 8, 12), "宣传发动阶段",
    )  # fmt: skip
    assert weeks[-1].period_end == date(2007, 11, 20) and len(weeks) == 16
    assert {e.phase for e in weeks if e.period_start >= date(2007, 8, 20)} == {"实施阶段"}


def test_a_duty_without_a_phase_spans_the_whole_plan() -> None:
    plan = plan_of([progress({"type": "monthly", "day": 10})])
    months = requests(plan)
    assert [e.period for e in months] == ["2007-08", "2007-09", "2007-10", "2007-11", "2007-12"]
    assert (months[0].period_start, months[-1].period_end) == (
        date(2007, 8, 10), date(2007, 12, 10),
    )  # fmt: skip
    assert months[-1].phase == "总结验收阶段"


# "First report by X, then monthly" -------------------------------------------------------


def test_the_first_report_by_a_date_then_monthly() -> None:
    schedule = {"type": "monthly", "day": 5, "first_due": "2007-08-24"}
    months = requests(plan_of([progress(schedule, phase="implementation")]))
    first, second = months[0], months[1]
    # August (from 08-20) is due 08-24, a Friday, instead of 09-05; opened at its start.
    assert (first.period, first.date, first.due) == (
        "2007-08",
        date(2007, 8, 20),
        date(2007, 8, 24),
    )
    assert (second.period, second.date, second.due) == (
        "2007-09",
        date(2007, 10, 1),
        date(2007, 10, 8),
    )


def test_a_first_due_date_before_the_duty_starts_is_refused() -> None:
    schedule = {"type": "monthly", "day": 5, "first_due": "2007-08-01"}
    data = {**HUBEI, "duties": [progress(schedule, phase="implementation")], "targets": []}
    result = parse_plan(yaml.safe_dump(data, allow_unicode=True).encode())
    assert [p.path for p in result.problems] == [("duties", 0, "schedule", "first_due")]


# Half-yearly and yearly periods; labels of shortened periods ---------------------------


def test_half_yearly_and_yearly_periods_over_two_years() -> None:
    phases = year_phases("2009-03-01", "2010-12-31")
    half = requests(
        plan_of([progress({"type": "monthly", "day": 15, "interval": 6})], phases=phases)
    )
    assert [(e.period, e.period_label, e.due) for e in half] == [
        ("2009-H1", "2009年3月至6月", date(2009, 7, 15)),  # cut short: the months it covers
        ("2009-H2", "2009年下半年", date(2010, 1, 15)),
        ("2010-H1", "2010年上半年", date(2010, 7, 15)),
        ("2010-H2", "2010年下半年", date(2011, 1, 17)),  # 2011-01-15 is a Saturday
    ]
    yearly = requests(
        plan_of([progress({"type": "monthly", "day": 20, "interval": 12})], phases=phases)
    )
    assert [(e.period, e.period_label, e.due) for e in yearly] == [
        ("2009", "2009年3月至12月", date(2010, 1, 20)),
        ("2010", "2010年", date(2011, 1, 20)),
    ]


def test_a_two_month_period_cut_to_april_is_labelled_april() -> None:
    phases = year_phases("2009-04-01", "2009-09-15")
    every_two = requests(
        plan_of([progress({"type": "monthly", "day": 10, "interval": 2})], phases=phases)
    )
    assert [(e.period_start, e.period_end, e.period_label) for e in every_two] == [
        (date(2009, 4, 1), date(2009, 4, 30), "2009年4月"),  # not “3月至4月”
        (date(2009, 5, 1), date(2009, 6, 30), "2009年5月至6月"),
        (date(2009, 7, 1), date(2009, 8, 31), "2009年7月至8月"),
        (date(2009, 9, 1), date(2009, 9, 15), "2009年9月1日至9月15日"),
    ]
    quarters = requests(
        plan_of([progress({"type": "monthly", "day": 10, "interval": 3})], phases=phases)
    )
    assert [e.period_label for e in quarters] == [
        "2009年第二季度",
        "2009年7月1日至9月15日",
    ]


def test_dates_carry_the_year_in_a_plan_that_spans_years() -> None:
    phases = year_phases("2009-12-01", "2010-01-20")
    weeks = requests(plan_of([progress({"type": "weekly"})], phases=phases))
    assert [e.period_label for e in weeks][3:6] == [
        "2009年12月21日至12月27日",
        "2009年12月28日至2010年1月3日",
        "2010年1月4日至1月10日",
    ]
    final = {"key": "f", "name": "总结", "kind": "final_summary", "form": "final-summary",
             "schedule": {"type": "by_date", "due": "2010-01-15"}}  # fmt: skip
    (summary,) = [e for e in build_schedule(plan_of([final], phases=phases)) if e.duty == "f"][:1]
    assert summary.period_label == "截至2010年1月15日"
    one_year = requests(plan_of([progress({"type": "weekly"})]))
    assert one_year[0].period_label == "8月10日至8月12日"  # within 2007: no year


# Due dates on holidays -------------------------------------------------------------------


def test_a_due_date_on_a_holiday_moves_to_the_next_working_day_unless_kept() -> None:
    phases = year_phases("2009-09-01", "2009-10-31")
    duty = [progress({"type": "monthly", "day": 5})]
    moved = requests(plan_of(duty, phases=phases))
    # September's report is due 10-05, inside 国庆中秋 (10-01..10-08): the next working
    # day is Friday 10-09. October's, 11-05, a Thursday, stays.
    assert [e.due for e in moved] == [date(2009, 10, 9), date(2009, 11, 5)]
    kept = requests(plan_of(duty, phases=phases, due_on_holidays="as_written"))
    assert [e.due for e in kept] == [date(2009, 10, 5), date(2009, 11, 5)]


def test_the_plan_announces_holidays_and_working_days_of_its_own() -> None:
    phases = year_phases("2009-09-01", "2009-10-31")
    duty = [progress({"type": "monthly", "day": 5})]
    calendar = {"holidays": ["2009-11-05", "2009-11-06"], "workdays": ["2009-10-05"]}
    events = requests(plan_of(duty, phases=phases, calendar=calendar))
    # 10-05 declared worked by the plan: due that day; 11-05 and 11-06 declared holidays:
    # Monday 11-09 (11-07/08 are a weekend).
    assert [e.due for e in events] == [date(2009, 10, 5), date(2009, 11, 9)]


def test_working_day_escalations_count_the_adjusted_working_days() -> None:
    phases = year_phases("2009-09-01", "2009-09-30")
    events = build_schedule(
        plan_of([progress({"type": "dates", "dates": ["2009-09-25"]})], phases=phases)
    )
    (escalation,) = [e for e in events if e.kind == "escalation" and e.duty == "p"]
    # Due Friday 09-25; three working days: Sunday 09-27 (worked), 09-28, 09-29.
    assert escalation.date == date(2009, 9, 29)


def test_work_calendar_with_days_and_next_workday() -> None:
    work = WorkCalendar().with_days([date(2009, 10, 9)], [date(2009, 10, 3)])
    assert work.next_workday(date(2009, 10, 1)) == date(2009, 10, 3)
    assert work.next_workday(date(2009, 10, 4)) == date(2009, 10, 10)  # 10-09 declared off
    assert work.next_workday(date(2009, 10, 12)) == date(2009, 10, 12)


# Deadlines after an event the unit reports ----------------------------------------------


def test_working_days_after_a_decision_skip_national_day() -> None:
    decided = datetime(2009, 9, 29, 16, 0, tzinfo=SHANGHAI)
    deadline = event_deadline(decided, Within(working_days=3), WorkCalendar())
    # 09-30 (1), then 10-01..10-08 off, 10-09 (2), Saturday 10-10 worked (3).
    assert deadline.date() == date(2009, 10, 10) and deadline.hour == 23


def test_calendar_days_after_an_event_end_on_a_working_day_unless_kept() -> None:
    happened = datetime(2009, 9, 28, 9, 0, tzinfo=SHANGHAI)
    moved = event_deadline(happened, Within(days=3), WorkCalendar())
    kept = event_deadline(happened, Within(days=3), WorkCalendar(), next_workday=False)
    assert (moved.date(), kept.date()) == (date(2009, 10, 9), date(2009, 10, 1))


def test_urgent_reports_within_hours_of_the_moment() -> None:
    happened = datetime(2009, 10, 1, 14, 30, tzinfo=SHANGHAI)
    assert event_deadline(happened, Within(hours=2), WorkCalendar()) == happened + timedelta(
        hours=2
    )


def test_the_event_moment_is_read_from_a_date_or_a_time() -> None:
    assert event_moment("2009-05-12 14:30", SHANGHAI) == datetime(
        2009, 5, 12, 14, 30, tzinfo=SHANGHAI
    )
    assert event_moment(date(2009, 5, 12), SHANGHAI) == datetime(2009, 5, 12, tzinfo=SHANGHAI)
    assert event_moment("五月十二日", SHANGHAI) is None and event_moment("", SHANGHAI) is None


def after_event_plan(within: dict[str, int]) -> Plan:
    urgent = {"key": "u", "name": "事故报告", "kind": "ad_hoc", "form": "urgent",
              "schedule": {"type": "after_event", "event": "发生事故", "field": "category",
                           "within": within}}  # fmt: skip
    return plan_of([urgent])


def test_a_report_after_its_deadline_is_late() -> None:
    plan = after_event_plan({"hours": 2})
    duty = plan.duty("u")
    values = {"category": "2007-09-03 08:00"}

    def late(at: datetime) -> bool:
        return reported_late(plan=plan, duty=duty, values=values, at=at, work=WorkCalendar())

    assert not late(datetime(2007, 9, 3, 10, 0, tzinfo=SHANGHAI))
    assert late(datetime(2007, 9, 3, 10, 1, tzinfo=SHANGHAI))
    assert late(datetime(2007, 9, 3, 2, 1, tzinfo=ZoneInfo("UTC")))  # 10:01 in Beijing
    other = {"category": "质量事故"}  # no moment given: nothing to judge it by
    assert not reported_late(
        plan=plan,
        duty=duty,
        values=other,
        at=datetime(2030, 1, 1, tzinfo=SHANGHAI),
        work=WorkCalendar(),
    )


def test_an_after_event_duty_names_a_field_of_its_form() -> None:
    urgent = {"key": "u", "name": "事故报告", "kind": "ad_hoc", "form": "urgent",
              "schedule": {"type": "after_event", "event": "发生事故", "field": "when",
                           "within": {"hours": 2, "days": 1}}}  # fmt: skip
    data = {**HUBEI, "duties": [urgent], "targets": []}
    result = parse_plan(yaml.safe_dump(data, allow_unicode=True).encode())
    assert result.plan is None  # hours and days together
    urgent["schedule"]["within"] = {"hours": 2}
    result = parse_plan(yaml.safe_dump(data, allow_unicode=True).encode())
    assert [p.path for p in result.problems] == [("duties", 0, "schedule", "field")]
    progress_after = {
        **urgent,
        "kind": "progress",
        "schedule": {**urgent["schedule"], "field": "category"},
    }
    data["duties"] = [progress_after]
    result = parse_plan(yaml.safe_dump(data, allow_unicode=True).encode())
    assert [p.path for p in result.problems] == [("duties", 0, "schedule", "type")]


# A fast-forward ticks only when the plan's cron runs ------------------------------------


def test_ticks_only_at_moments_the_cron_allows() -> None:
    plan = plan_of([], tick_cron="30 8 * * 1-5")  # weekdays at 08:30
    saturday, sunday, monday = date(2009, 10, 10), date(2009, 10, 11), date(2009, 10, 12)
    at_monday = datetime(2009, 10, 12, 8, 30, tzinfo=SHANGHAI)
    assert tick_time(plan, saturday) == tick_time(plan, sunday) == at_monday
    assert tick_times(plan, [saturday, sunday, monday]) == [at_monday]
    daily = plan_of([], tick_cron="0 18 * * *")
    assert tick_time(daily, saturday) == datetime(2009, 10, 10, 18, 0, tzinfo=SHANGHAI)


def test_mail_dates_carry_the_year_when_the_plan_spans_years() -> None:
    from campaign.templating import get_environment

    subject = get_environment().from_string("请于{{ due|cn_md }}前报送")
    spanning = plan_of([], phases=year_phases("2009-12-01", "2010-01-20"))
    within = plan_of([])
    due = date(2010, 1, 5)
    assert subject.render(due=due, plan=spanning) == "请于2010年1月5日前报送"
    assert subject.render(due=due, plan=within) == "请于1月5日前报送"
    assert subject.render(due=due) == "请于1月5日前报送"  # no plan in the context


def test_an_after_event_field_holds_a_date_or_a_time() -> None:
    data = {**HUBEI, "targets": []}
    urgent_form = next(f for f in data["forms"] if f["key"] == "urgent")
    data["forms"] = [f for f in data["forms"] if f["key"] != "urgent"] + [
        {**urgent_form, "fields": [
            {"key": "count", "label": "伤亡人数", "type": "integer"},
            {"key": "when", "label": "发生时间", "type": "date"},
        ]}
    ]  # fmt: skip
    urgent = {"key": "u", "name": "事故报告", "kind": "ad_hoc", "form": "urgent",
              "schedule": {"type": "after_event", "event": "发生事故", "field": "count",
                           "within": {"hours": 2}}}  # fmt: skip
    data["duties"] = [urgent]
    result = parse_plan(yaml.safe_dump(data, allow_unicode=True).encode())
    assert [p.path for p in result.problems] == [("duties", 0, "schedule", "field")]
    urgent["schedule"]["field"] = "when"
    assert parse_plan(yaml.safe_dump(data, allow_unicode=True).encode()).problems == []
