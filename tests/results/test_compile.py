"""Compiled figures against the hand-computed fixture (tests/results/fixture.py)."""

from __future__ import annotations

import math

from campaign.results.compile import compile_results
from campaign.results.targets import MET, NO_DATA, NO_DENOMINATOR, NOT_MET
from tests.results.fixture import ROWS, TODAY, frames


def compiled():  # type: ignore[no-untyped-def]
    return compile_results(frames(), today=TODAY)


def test_period_fields_are_summed_cumulative_fields_are_the_latest_and_missing_units_shown():
    by_unit = compiled().figures["progress"].by_unit
    assert by_unit["name"].tolist() == ["甲局", "乙局", "丙局", "丁局"]  # registry order
    rows = by_unit.set_index("name")
    assert rows.loc["甲局", "inspections"] == 12  # period: 5 + 7
    assert rows.loc["甲局", "licensed"] == 10  # cumulative: the latest (not 8 + 10)
    assert rows.loc["乙局", "inspections"] == 3  # the pending second period is left out
    assert math.isnan(rows.loc["丙局", "inspections"])  # returned only: no data, not zero
    assert rows.loc["丙局", "periods_reported"] == 0


def test_totals_sum_numbers_and_never_sum_percents():
    totals = compiled().figures["progress"].totals.set_index("field")
    assert totals.loc["inspections", "total"] == 17
    assert totals.loc["licensed", "total"] == 14
    assert totals.loc["enterprises", "total"] == 15
    assert math.isnan(totals.loc["pass_rate", "total"])
    assert totals.loc["pass_rate", ["min", "median", "max"]].tolist() == [80, 96, 100]
    assert "不作合计" in totals.loc["pass_rate", "note"]
    periods = compiled().figures["progress"].period_totals
    assert periods["inspections"].tolist() == [8, 9]
    assert periods["pass_rate"].tolist() == [95, 88]  # the median of the period, not a sum


def test_pending_answers_are_shown_apart():
    pending = compiled().pending["progress"].by_unit.set_index("name")
    assert pending.loc["乙局", "inspections"] == 4
    assert math.isnan(pending.loc["甲局", "inspections"])


def test_completeness_and_timeliness_per_unit_period_and_overall():
    c = compiled()
    unit = c.completeness_unit.set_index("name")
    assert unit.loc["甲局", ["owed", "reported", "on_time", "late", "missing"]].tolist() == [
        2,
        2,
        1,
        1,
        0,
    ]
    assert unit.loc["乙局", ["reported", "pending"]].tolist() == [2, 1]
    assert unit.loc["丙局", ["owed", "reported", "missing", "returned"]].tolist() == [2, 0, 2, 1]
    assert unit.loc["丁局", ["owed", "reported"]].tolist() == [1, 1]  # joined after launch
    assert c.completeness_period["reporting_rate"].tolist() == [66.67, 75.0]
    overall = c.completeness_overall.iloc[0]
    assert (overall["owed"], overall["reported"], overall["missing"]) == (7, 5, 2)
    assert overall["reporting_rate"] == 71.43
    assert overall["on_time_rate"] == 57.14


def test_targets_per_unit_with_gap_and_no_data_is_not_a_failure():
    c = compiled()
    per_unit = c.targets_unit.set_index(["target", "name"])
    assert per_unit.loc[("license-rate", "甲局"), "status"] == MET
    assert per_unit.loc[("license-rate", "甲局"), "gap"] == 10
    assert per_unit.loc[("license-rate", "乙局"), ["value", "gap", "status"]].tolist() == [
        80,
        -10,
        NOT_MET,
    ]
    assert per_unit.loc[("license-rate", "丙局"), "status"] == NO_DATA
    assert per_unit.loc[("license-rate", "丁局"), "status"] == NO_DENOMINATOR
    overall = c.targets_overall.set_index("target")
    assert overall.loc["license-rate", "value"] == 93.33  # 14 / 15 from the parts
    assert overall.loc["license-rate", "status"] == NOT_MET  # 乙局 fails, not 丙局's silence
    assert overall.loc["license-rate", "units_no_data"] == "丙局"
    # the latest report of each unit: 甲 7, 乙 3, 丁 2 (a target is the state at the end)
    assert per_unit.loc[("inspected", "甲局"), ["value", "gap", "status"]].tolist() == [
        7,
        -3,
        NOT_MET,
    ]
    assert overall.loc["inspected", ["value", "gap", "status"]].tolist() == [12, 2, MET]
    assert overall.loc["pass-rate", "value"] is None or math.isnan(
        overall.loc["pass-rate", "value"]
    )
    assert "不作合计" in overall.loc["pass-rate", "note"]


def test_a_missing_unit_does_not_fail_the_others():
    rows = [r for r in ROWS if r[1] != "002"]  # without 乙局: all with data meet license-rate
    c = compile_results(frames(rows), today=TODAY)
    overall = c.targets_overall.set_index("target")
    assert overall.loc["license-rate", "status"] == MET
    assert overall.loc["license-rate", "units_no_data"] == "丙局"


def test_ranking_and_laggards_by_name_in_registry_order():
    c = compiled()
    assert c.ranking["name"].tolist() == ["甲局", "乙局", "丁局", "丙局"]
    assert c.ranking["rank"].tolist() == [1, 2, 3, 4]
    assert c.laggards["name"].tolist() == ["甲局", "乙局", "丙局", "丁局"]
    # 检查企业 is a total over the units (overall, summed): no unit is behind it alone.
    assert c.laggards["reasons"].tolist() == [
        "迟报1次",
        "未达标：获证率",
        "未报2期",
        "未达标：合格率",
    ]


def test_narratives_and_text_fields_per_unit():
    n = compiled().narratives
    assert n[["name", "period_label", "label", "value"]].values.tolist() == [
        ["甲局", "第1周", "情况说明", "甲局第一周"],
        ["甲局", "第2周", "典型案例", "案例甲"],
    ]


def test_bad_input_is_said_in_words():
    notes = "\n".join(compiled().notes)
    assert "另有1份报告待审核" in notes
    assert "丙局：报告均被退回" in notes
    assert "丁局：“获证率”的分母为零" in notes
    assert "丁局：启动后加入，自第2周起应报" in notes


def test_a_stage_with_no_reports():
    rows = [(rid, unit, p, None) for rid, unit, p, _ in ROWS]
    c = compile_results(frames(rows), today=TODAY)
    assert "尚未收到任何报告" in c.notes[0]
    assert c.completeness_overall.iloc[0]["reporting_rate"] == 0
    assert c.figures["progress"].by_unit["name"].tolist() == ["甲局", "乙局", "丙局", "丁局"]
    assert set(c.targets_overall["status"]) == {"无法评价"}
    assert c.laggards["reasons"].str.startswith("未报").all()


def test_reports_not_yet_due_are_not_missing():
    c = compile_results(frames(), today=TODAY.replace(day=15))  # period 2 due on the 19th
    unit = c.completeness_unit.set_index("name")
    assert unit.loc["丙局", ["owed", "missing"]].tolist() == [1, 1]


def test_a_stage_window_keeps_its_periods_only():
    from campaign.results.load import window_of

    f = frames()
    c = compile_results(f, stage=window_of(f.plan, "first-week"), today=TODAY)
    assert c.stage_name == "第一周行动"
    assert c.completeness_period["period_label"].tolist() == ["第1周"]
    assert c.figures["progress"].by_unit.set_index("name").loc["甲局", "inspections"] == 5


def test_the_default_stage_is_the_last_ended_else_the_current():
    from datetime import date

    from campaign.results.load import window_of

    plan = frames().plan
    assert window_of(plan, None, date(2026, 1, 8))[0] == "first-week"  # current, narrowest
    assert window_of(plan, None, date(2026, 1, 15))[0] == "first-week"  # last ended
    assert window_of(plan, None, date(2026, 1, 25))[0] == "work"
    assert window_of(plan, None, date(2025, 12, 1))[:2] == ("", "全程")
