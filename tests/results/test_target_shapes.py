"""Each shape of target a plan can state, against hand-computed expectations: 'or'
conditions, ranges, a change against a baseline, per-unit thresholds, a target owned by
one unit; percent fields never summed; the stored summaries' view of the same evaluation."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from campaign.plan import load_plan_text
from campaign.plan.schema import Plan
from campaign.results.targets import MET, NO_BASELINE, NO_DATA, NOT_MET, evaluate

PLAN = """
document_number: 粤质监〔2009〕1号
title: 质量和安全年活动实施方案
issuing_authority: 广东省质量技术监督局
office: {{name: 办公室, contact: 张三, phone: "020-1", email: office@example.cn}}
document: {{recipients: 各市局, issued_on: 2009-03-01, printed_by: 办公室}}
phases:
  - {{key: work, kind: implementation, name: 实施阶段, start: 2009-03-01, end: 2009-11-30}}
forms:
  - key: monthly
    title: 月报表
    fields:
      - {{key: firms, label: 3C获证企业数, type: integer}}
      - {{key: inspected, label: 检查企业数, type: integer}}
      - {{key: pass_rate, label: 抽查合格率, type: percent}}
      - {{key: centres, label: 通过验收的质检中心数, type: integer}}
      - {{key: platforms, label: 检测服务平台数, type: integer}}
duties:
  - key: monthly
    name: 工作进展
    kind: progress
    form: monthly
    phase: work
    schedule: {{type: monthly, day: 5}}
targets:
{targets}
"""


def plan_with(targets: str) -> Plan:
    return load_plan_text(PLAN.format(targets=targets))


UNITS = pd.DataFrame({"code": ["gz", "sz", "zh"], "name": ["广州市局", "深圳市局", "珠海市局"]})


def latest(rows: dict[str, dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index", dtype=float)


def run(plan: Plan, rows: dict[str, dict[str, Any]]) -> tuple[pd.DataFrame, dict[str, object]]:
    return evaluate(plan, plan.targets[0], latest(rows), UNITS)


def status(per_unit: pd.DataFrame) -> dict[str, str]:
    return dict(zip(per_unit["unit"], per_unit["status"], strict=True))


OR_TARGET = """
  - key: ccc
    name: 3C获证企业检查比例
    form: monthly
    metric: {ratio: {numerator: inspected, denominator: firms}}
    comparator: ">="
    threshold: 50
    unit: "%"
    scope: per_bureau
    alternatives:
      - {metric: {field: inspected}, comparator: ">=", threshold: 500, unit: 家}
"""


def test_or_condition_met_by_either_half_of_the_firms_or_500():
    plan = plan_with(OR_TARGET)
    per_unit, overall = run(
        plan,
        {
            "gz": {"firms": 2000, "inspected": 600},  # 30%, but 600 ≥ 500 firms
            "sz": {"firms": 800, "inspected": 400},  # 50%
            "zh": {"firms": 900, "inspected": 300},  # 33.33%, 300 < 500
        },
    )
    assert status(per_unit) == {"gz": MET, "sz": MET, "zh": NOT_MET}
    gz = per_unit.set_index("unit").loc["gz"]
    assert gz["value"] == 30.0 and gz["gap"] == -20.0
    assert gz["met_by"] == "检查企业数 ≥ 500家"
    zh = per_unit.set_index("unit").loc["zh"]
    assert zh["value"] == 33.33 and zh["met_by"] == ""
    assert overall["status"] == NOT_MET
    assert overall["units_met"] == 2 and overall["units_not_met"] == 1
    assert overall["value"] == 35.14  # (600 + 400 + 300) / (2000 + 800 + 900) = 1300 / 3700
    assert overall["requirement"] == "≥ 50% 或 ≥ 500家"


def test_range_both_bounds_included_and_gap_outside_only():
    plan = plan_with(
        """
  - key: platforms
    name: 专业镇检测服务平台
    form: monthly
    metric: {field: platforms}
    comparator: between
    threshold: 3
    upper: 5
    unit: 个
    scope: per_bureau
"""
    )
    per_unit, overall = run(
        plan, {"gz": {"platforms": 3}, "sz": {"platforms": 6}, "zh": {"platforms": 2}}
    )
    assert status(per_unit) == {"gz": MET, "sz": NOT_MET, "zh": NOT_MET}
    assert per_unit["gap"].tolist() == [0.0, 1.0, -1.0]
    assert overall["requirement"] == "3至5个"
    assert overall["status"] == NOT_MET


def test_range_overall_on_the_sum():
    plan = plan_with(
        """
  - key: platforms
    name: 专业镇检测服务平台
    form: monthly
    metric: {field: platforms}
    comparator: between
    threshold: 25
    upper: 30
    unit: 个
"""
    )
    _, overall = run(plan, {"gz": {"platforms": 10}, "sz": {"platforms": 12}, "zh": {}})
    assert overall["value"] == 22.0 and overall["gap"] == -3.0
    assert overall["status"] == NOT_MET
    _, overall = run(plan, {"gz": {"platforms": 10}, "sz": {"platforms": 16}})
    assert overall["value"] == 26.0 and overall["gap"] == 0.0 and overall["status"] == MET


BASELINE_TARGET = """
  - key: pass-rate-up
    name: 抽查合格率提高
    form: monthly
    metric: {ratio: {numerator: inspected, denominator: firms}}
    comparator: ">="
    threshold: 1
    unit: 个百分点
    baseline: {value: 80, per_unit: {gz: 85, sz: 70}, label: 2008年}
"""


def test_change_against_a_baseline_per_unit_and_overall():
    plan = plan_with(BASELINE_TARGET)
    per_unit, overall = run(
        plan,
        {
            "gz": {"firms": 100, "inspected": 86},  # 86% - 85 = +1
            "sz": {"firms": 100, "inspected": 70},  # 70% - 70 = 0
            "zh": {"firms": 200, "inspected": 170},  # 85% - 80 (the plan's) = +5
        },
    )
    rows = per_unit.set_index("unit")
    assert rows["measured"].tolist() == [86.0, 70.0, 85.0]
    assert rows["value"].tolist() == [1.0, 0.0, 5.0]
    assert status(per_unit) == {"gz": MET, "sz": NOT_MET, "zh": MET}
    # Overall: 326 / 400 = 81.5%, against the plan's 80: +1.5 point, met.
    assert overall["value"] == 1.5 and overall["gap"] == 0.5
    assert overall["status"] == MET
    assert overall["requirement"] == "较2008年变化 ≥ 1个百分点"


def test_a_unit_without_a_baseline_has_no_data_not_a_failure():
    plan = plan_with(BASELINE_TARGET.replace("value: 80, ", ""))
    per_unit, overall = run(
        plan,
        {"gz": {"firms": 100, "inspected": 86}, "zh": {"firms": 100, "inspected": 10}},
    )
    assert status(per_unit) == {"gz": MET, "sz": NO_DATA, "zh": NO_BASELINE}
    assert overall["value"] is None and overall["status"] == MET
    assert overall["units_no_data"] == "深圳市局、珠海市局"


def test_per_unit_thresholds():
    plan = plan_with(
        """
  - key: pass-rate
    name: 抽查合格率
    form: monthly
    metric: {field: pass_rate}
    comparator: ">="
    threshold: 90
    unit: "%"
    per_unit: {zh: 80}
"""
    )
    per_unit, overall = run(
        plan, {"gz": {"pass_rate": 91}, "sz": {"pass_rate": 89}, "zh": {"pass_rate": 82}}
    )
    assert status(per_unit) == {"gz": MET, "sz": NOT_MET, "zh": MET}
    assert per_unit["threshold"].tolist() == [90.0, 90.0, 80.0]
    assert per_unit["gap"].tolist() == [1.0, -1.0, 2.0]
    assert overall["status"] == NOT_MET and overall["value"] is None


def test_a_target_owned_by_one_unit_ignores_the_others():
    plan = plan_with(
        """
  - key: centres
    name: 在建国家质检中心通过授权和验收
    form: monthly
    metric: {field: centres}
    comparator: ">="
    threshold: 10
    unit: 个
    owner: gz
"""
    )
    per_unit, overall = run(plan, {"gz": {"centres": 11}, "sz": {"centres": 0}})
    assert per_unit["unit"].tolist() == ["gz"]
    assert overall["value"] == 11.0 and overall["gap"] == 1.0 and overall["status"] == MET
    _, overall = run(plan, {"sz": {"centres": 12}})
    assert overall["status"] == "无法评价" and overall["units_no_data"] == "广州市局"


PERCENT_OVERALL = """
  - key: pass-rate
    name: 抽查合格率
    form: monthly
    metric: {field: pass_rate}
    comparator: ">="
    threshold: 75
    unit: "%"
"""


def test_percent_fields_are_never_summed():
    """80% and 70% are not 150.00, met: each unit against 75%."""
    plan = plan_with(PERCENT_OVERALL)
    per_unit, overall = run(plan, {"gz": {"pass_rate": 80}, "sz": {"pass_rate": 70}})
    assert overall["value"] is None
    assert overall["status"] == NOT_MET
    assert "百分数不作合计" in str(overall["note"])
    assert status(per_unit) == {"gz": MET, "sz": NOT_MET, "zh": NO_DATA}


def test_the_summary_and_its_artifact_write_the_requirement_in_words():
    from campaign.results.markdown import requirement

    plan = plan_with(OR_TARGET)
    per_unit, overall = run(
        plan,
        {"gz": {"firms": 2000, "inspected": 600}, "zh": {"firms": 900, "inspected": 300}},
    )
    assert status(per_unit) == {"gz": MET, "sz": NO_DATA, "zh": NOT_MET}
    assert overall["requirement"] == "≥ 50% 或 ≥ 500家"
    assert requirement({**overall, "threshold": 50}) == "≥ 50% 或 ≥ 500家"


@pytest.mark.parametrize(
    ("extra", "where", "words"),
    [
        ("comparator: between", "upper", "上限"),
        ("upper: 5", "upper", "between"),
        ("comparator: between\n    upper: 1", "upper", "小于下限"),
    ],
)
def test_bad_bounds_are_refused_with_their_line(extra: str, where: str, words: str):
    from campaign.plan import PlanError

    base = PERCENT_OVERALL
    if "comparator" in extra:
        base = base.replace('    comparator: ">="\n', "")
    targets = base + f"    {extra}\n"
    with pytest.raises(PlanError) as caught:
        plan_with(targets)
    (problem,) = caught.value.problems
    assert problem.where == f"targets[0].{where}"
    assert words in problem.message and problem.line


def test_an_alternative_reading_a_missing_field_is_refused():
    from campaign.plan import PlanError

    bad = OR_TARGET.replace("{field: inspected}", "{field: nope}")
    with pytest.raises(PlanError) as caught:
        plan_with(bad)
    (problem,) = caught.value.problems
    assert problem.where == "targets[0].alternatives[0].metric.field"


def test_the_workbook_shows_each_units_threshold_and_what_met_it(monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    import tests.results.fixture as fixture
    from campaign.results.compile import compile_results
    from campaign.results.workbook import write_workbook

    shaped = fixture.PLAN.replace(
        "metric: {ratio: {numerator: licensed, denominator: enterprises}}, scope: per_bureau}",
        "metric: {ratio: {numerator: licensed, denominator: enterprises}}, scope: per_bureau,\n"
        '     per_unit: {"001": 100},\n'
        '     alternatives: [{metric: {field: licensed}, comparator: ">=", threshold: 4}]}',
    )
    assert shaped != fixture.PLAN
    monkeypatch.setattr(fixture, "PLAN", shaped)
    compiled = compile_results(fixture.frames(), today=fixture.TODAY)
    rows = compiled.targets_unit[compiled.targets_unit["target"] == "license-rate"]
    # 甲: 10/10 = 100% against its own 100; 乙: 4/5 = 80% < 90, but 4 licensed ≥ 4.
    assert rows[["name", "value", "threshold", "status", "met_by"]].values.tolist()[:2] == [
        ["甲局", 100.0, 100.0, MET, ""],
        ["乙局", 80.0, 90.0, MET, "获证企业数 ≥ 4"],
    ]
    ws = load_workbook(write_workbook(compiled, tmp_path / "汇总表.xlsx"))["目标"]
    lines = [[c.value for c in row][:7] for row in ws.iter_rows()]
    head = lines.index(["单位", "目标", "数值", "差距", "结论", "本单位目标值", "说明"])
    assert lines[head + 1] == ["甲局", "获证率", 100, 0, "达标", 100, None]
    assert lines[head + 2] == ["乙局", "获证率", 80, -10, "达标", 90, "按“获证企业数 ≥ 4”达标"]
