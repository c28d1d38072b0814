"""Routing in the plan (逐级上报): what the plan itself gets wrong, each at its line in
Chinese, and what refuses a launch against the registry."""

from __future__ import annotations

from campaign.bureaus import units_of_csv
from campaign.plan.load import load_plan, locate, parse_plan
from campaign.plan.reach import launch_problems
from campaign.plan.units import Registry
from tests.support.routed import ROUTED_PLAN, ROUTED_UNITS

TEXT = ROUTED_PLAN.read_text(encoding="utf-8")


def problems(text: str) -> list[str]:
    result = parse_plan(text.encode("utf-8"))
    assert result.plan is None, "the plan should have been refused"
    return [str(p) for p in result.problems]


def line_of(words: str) -> int:
    return next(i for i, line in enumerate(TEXT.splitlines(), 1) if words in line)


def test_via_must_be_above_the_reporters() -> None:
    found = problems(TEXT.replace("via: city  ", "via: county"))
    at = line_of("via: city")
    assert found == [
        f"第 {at} 行：duties[0].routing.via：via（county）须为报送单位（county）的上级层级："
        "报送单位向其在该层级的上级单位报送"
    ]


def test_only_periodic_report_duties_route() -> None:
    text = TEXT.replace("kind: progress\n    form: monthly", "kind: ad_hoc\n    form: monthly")
    text = text.replace(
        "schedule: {type: monthly, day: 5, due_month: next}", "schedule: {type: any_time}"
    )
    found = problems(text)
    assert any(
        "routing：只有progress、stage_summary、final_summary类报送任务可以逐级上报" in p
        for p in found
    )
    assert all(p.startswith("第 ") for p in found)


def test_routing_needs_its_deadline_and_a_known_level() -> None:
    missing = problems(TEXT.replace("    relay_due: {working_days: 3}", "    # no relay_due"))
    assert len(missing) == 1 and "duties[0].routing.relay_due" in missing[0]
    unknown = problems(TEXT.replace("via: city  ", "via: town  "))
    assert len(unknown) == 1 and "duties[0].routing.via" in unknown[0]


def test_a_launch_needs_every_reporter_under_a_via_unit() -> None:
    plan = load_plan(ROUTED_PLAN)
    units = units_of_csv(ROUTED_UNITS.read_bytes())
    assert launch_problems(plan, Registry.of(units, root=plan.root_bureau)) == []
    orphan = [  # 丙市 left the registry's tree: its counties hang from the province
        u if u.parent_code != "980300" else type(u)(**{**u.__dict__, "parent_code": "980000"})
        for u in units
        if u.code != "980300"
    ]
    found = locate(launch_problems(plan, Registry.of(orphan, root=plan.root_bureau)), TEXT)
    assert [str(p) for p in found] == [
        f"第 {line_of('via: city')} 行：duties[0].routing.via：报送任务“月度提升情况”"
        "（county-monthly）：3个报送单位在单位名录中没有city层级的上级单位审核汇总其报告："
        "丙市东县质量技术监督局、丙市西县质量技术监督局、丙市北县质量技术监督局"
    ]
