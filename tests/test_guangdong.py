"""The Guangdong 2009 质量和安全年 plan: it validates, its schedule has the dates the text
and the 2009 holiday calendar give (checked by hand below), and it runs end to end."""

from __future__ import annotations

import csv
import io
import mailbox
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, create_engine, select

from campaign import db as dbmod
from campaign.demo.run import simulate
from campaign.orchestration.events import moments, tick_times
from campaign.orchestration.launch import validated_plan
from campaign.plan.schema import Plan
from campaign.schedule import Event, build_schedule
from models.request import ReportRequest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PLAN = EXAMPLES / "guangdong-2009.yaml"
UNITS = EXAMPLES / "units-guangdong-2009.csv"


@pytest.fixture(scope="module")
def plan() -> Plan:
    return validated_plan(PLAN.read_bytes(), str(PLAN))[0]


@pytest.fixture(scope="module")
def events(plan: Plan) -> list[Event]:
    return build_schedule(plan)


def of(events: list[Event], kind: str, duty: str | None = None) -> list[Event]:
    return [e for e in events if e.kind == kind and (duty is None or e.duty == duty)]


def test_the_registry_holds_the_province_its_21_cities_and_their_governments() -> None:
    rows = list(csv.DictReader(io.StringIO(UNITS.read_text("utf-8"))))
    bureaus = {r["code"]: r for r in rows if r["kind"] == "bureau"}
    governments = {r["code"]: r for r in rows if r["kind"] == "government"}
    cities = [r for r in bureaus.values() if r["level"] == "city"]
    assert (len(bureaus), len(cities), len(governments)) == (22, 21, 22)
    assert {r["parent_code"] for r in cities} == {"440000"}
    for bureau in bureaus.values():  # each bureau reports to its own 人民政府
        government = governments[bureau["government_code"]]
        assert government["name"] == bureau["name"].replace("质量技术监督局", "人民政府")
    assert len({r["name"] for r in rows}) == len(rows)


def test_one_directive_issues_the_whole_plan(events: list[Event]) -> None:
    directives = of(events, "directive")
    # the plan's one 通知, on its 成文日期 Friday 02-27: 签收 within two working days is
    # Tuesday 03-03 (02-28 and 03-01 are a weekend)
    assert [(e.date, e.phase, e.due) for e in directives] == [
        (date(2009, 2, 27), "动员部署阶段", date(2009, 3, 3)),
    ]
    (acceptance,) = of(events, "acceptance")
    assert acceptance.date == date(2009, 12, 31)


def test_monthly_reports_through_the_three_phases(events: list[Event]) -> None:
    monthly = of(events, "request", "monthly-progress")
    assert [(e.period_label, e.phase, e.due) for e in monthly] == [
        ("2009年3月", "动员部署阶段", date(2009, 3, 25)),
        ("2009年4月", "全面开展活动阶段", date(2009, 4, 27)),  # 04-25 is a Saturday
        ("2009年5月", "全面开展活动阶段", date(2009, 5, 25)),
        ("2009年6月", "全面开展活动阶段", date(2009, 6, 25)),
        ("2009年7月", "全面开展活动阶段", date(2009, 7, 27)),  # 07-25 is a Saturday
        ("2009年8月", "全面开展活动阶段", date(2009, 8, 25)),
        ("2009年9月", "全面开展活动阶段", date(2009, 9, 25)),
        ("2009年10月", "全面开展活动阶段", date(2009, 10, 26)),  # 10-25 is a Sunday
        ("2009年11月", "总结表彰阶段", date(2009, 11, 25)),
        ("2009年12月", "总结表彰阶段", date(2009, 12, 25)),
    ]
    assert [e.date for e in monthly][:2] == [date(2009, 3, 1), date(2009, 4, 1)]


def test_the_province_analyses_each_quarter_for_its_government(
    plan: Plan, events: list[Event]
) -> None:
    quarters = of(events, "request", "province-analysis")
    assert [(e.period_label, e.due) for e in quarters] == [
        ("2009年3月", date(2009, 3, 31)),  # the first quarter cut to the plan's start
        ("2009年第二季度", date(2009, 6, 30)),
        ("2009年第三季度", date(2009, 9, 30)),
        ("2009年第四季度", date(2009, 12, 31)),
    ]
    ccc = next(t for t in plan.targets if t.key == "ccc-inspection")  # 50%或500家
    assert (ccc.threshold, ccc.alternatives[0].threshold) == (50, 500)
    duties = {d.key: d for d in plan.duties}
    assert [r.to for r in duties["province-analysis"].recipients] == ["government"]
    assert [r.to for r in duties["quality-analysis"].recipients] == ["office", "government"]
    assert [r.to for r in duties["monthly-progress"].recipients] == ["office"]


def test_the_quality_analysis_every_two_months(events: list[Event]) -> None:
    analysis = of(events, "request", "quality-analysis")
    assert [(e.period_label, e.due) for e in analysis] == [
        ("2009年3月至4月", date(2009, 4, 30)),
        ("2009年5月至6月", date(2009, 6, 30)),
        ("2009年7月至8月", date(2009, 8, 31)),
        ("2009年9月至10月", date(2009, 11, 2)),  # 10-31 is a Saturday
        ("2009年11月至12月", date(2009, 12, 31)),
    ]


def test_the_final_summary_and_its_compilation(events: list[Event]) -> None:
    (final,) = of(events, "final_summary")
    assert (final.date, final.due, final.period_label) == (
        date(2009, 11, 1),
        date(2009, 12, 10),
        "截至12月10日",
    )
    (summary,) = of(events, "summary")
    assert summary.date == date(2009, 12, 11)


def test_chasing_counts_the_adjusted_working_days_around_national_day(
    events: list[Event],
) -> None:
    september = [e for e in events if e.duty == "monthly-progress" and e.period == "2009-09"]
    assert [(e.kind, e.date) for e in september] == [
        ("request", date(2009, 9, 1)),
        ("reminder", date(2009, 9, 24)),
        # a day after: Saturday 09-26 is a rest day, the reminder moves to the next working
        # day, Sunday 09-27 (worked for National Day)
        ("reminder", date(2009, 9, 27)),
        ("reminder", date(2009, 9, 28)),
        # Due Friday 09-25; three working days: Sunday 09-27 (worked), 09-28, 09-29.
        ("escalation", date(2009, 9, 29)),
    ]
    october = [e for e in events if e.duty == "monthly-progress" and e.period == "2009-10"]
    # Due Monday 10-26: three working days later is Thursday 10-29.
    assert [e.date for e in october if e.kind == "escalation"] == [date(2009, 10, 29)]


def test_ticks_fall_on_weekday_mornings_only(plan: Plan, events: list[Event]) -> None:
    days = moments(events, date(2009, 3, 1), date(2010, 1, 31))
    ticks = tick_times(plan, days)
    assert all(t.weekday() < 5 and (t.hour, t.minute) == (8, 30) for t in ticks)
    # the directive of Sunday 03-01 goes out on Monday 03-02; the last events (the
    # analysis due 12-31 chased on 2010-01-01 and 01-03, escalated 2010-01-06) in January
    assert ticks[0].date() == date(2009, 3, 2)
    assert ticks[-1].date() == date(2010, 1, 6)


def test_the_plan_runs_end_to_end(tmp_path: Path) -> None:
    data_dir = tmp_path / "guangdong"
    try:
        result = simulate(
            plan_path=PLAN,
            registry=UNITS.read_bytes(),
            seed=2009,
            data_dir=data_dir,
            prefect=False,
            echo=lambda _line: None,
        )
    finally:
        dbmod.reset()
    # simulated: the units the plan addresses, the 21 cities and the office itself (its own
    # quarterly analyses, 省局每季度); the governments only receive reports and do not answer
    assert result.status == "completed" and result.units == 22
    assert result.last_day == "2010-01-06"
    assert set(result.mail) == {"sent"}
    assert (
        result.maildir_messages == result.mail["sent"] == len(mailbox.Maildir(data_dir / "maildir"))
    )
    # 21 cities × (10 monthly reports, 5 analyses, 1 summary) and the office's 4 quarterly
    # analyses: each answered or missing.
    answered = result.answers["on time"] + result.answers["late"] - result.answers["returned"]
    acks_missing = sum(
        1 for o in result.outcomes if o[1] == "acknowledgement" and o[4] == "missing"
    )
    assert answered + result.answers["missing"] - acks_missing == 21 * 16 + 4
    assert {t["key"] for t in result.targets} == {
        "adopted-products", "trained-managers", "ccc-inspection", "testing-platforms",
        "centres-accepted", "new-a-centres",
    }  # fmt: skip
    ccc = next(t for t in result.targets if t["key"] == "ccc-inspection")
    assert ccc["scope"] == "per_bureau" and len(ccc["per_unit"]) == 21
    engine = create_engine(f"sqlite:///{data_dir / 'campaign.db'}")
    with Session(engine) as session:
        asked = session.exec(select(ReportRequest)).all()
    engine.dispose()
    assert not [r for r in asked if r.bureau_code.startswith("g")]  # governments only receive
    guangzhou = {r.duty_key: r.recipients for r in asked if r.bureau_code == "440100"}
    assert [r["name"] for r in guangzhou["quality-analysis"]][1:] == ["广州市人民政府"]
    province = {r.duty_key: r.recipients for r in asked if r.bureau_code == "440000"}
    assert list(province) == ["province-analysis"]  # its four quarters, one key
    assert len([r for r in asked if r.bureau_code == "440000"]) == 4
    assert [r["name"] for r in province["province-analysis"]] == ["广东省人民政府"]
