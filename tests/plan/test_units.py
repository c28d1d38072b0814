"""Unit selectors of the plan (reporters, directive_to), groups and recipients, resolved
against a registry held in memory: each selector kind, receive-only units, office duties."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from campaign.plan import parse_plan
from campaign.plan.reach import launch_problems, registry_warnings
from campaign.plan.units import (
    Recipient,
    Registry,
    Unit,
    UnitGroup,
    resolve_recipients,
    resolve_units,
    selector,
)

HUBEI = (Path(__file__).resolve().parents[2] / "examples" / "hubei-2007.yaml").read_text("utf-8")

UNITS = [
    Unit("44", "省局", "bureau", "province"),
    Unit("4401", "广州市局", "bureau", "city", "44", "g4401", ("pilot",)),
    Unit("4402", "韶关市局", "bureau", "city", "44", "g4402"),
    Unit("4403", "深圳市局", "bureau", "city", "44", None, (), active=False),
    Unit("440101", "越秀区局", "bureau", "county", "4401", "g440101", ("pilot",)),
    Unit("440201", "武江区局", "bureau", "county", "4402"),
    Unit("44-bgs", "办公室", "division", "province", "44"),
    Unit("44-fg", "法规与行政审批处", "division", "province", "44"),
    Unit("44-zx", "行政服务中心", "affiliate", "province", "44"),
    Unit("g44", "广东省人民政府", "government", "province"),
    Unit("g4401", "广州市人民政府", "government", "city", "g44"),
    Unit("g4402", "韶关市人民政府", "government", "city", "g44"),
    Unit("g440101", "越秀区人民政府", "government", "county", "g4401"),
    Unit("g44-jx", "省经济和信息化委员会", "department", "province", "g44"),
]


def registry(root: str | None = "44", groups: list[UnitGroup] | None = None) -> Registry:
    return Registry.of(UNITS, root=root, groups=groups or [])


def codes(written: object, reg: Registry | None = None) -> list[str]:
    return [u.code for u in resolve_units(selector(written), reg or registry())]


def test_a_level_chooses_active_bureaus_below_the_root_only() -> None:
    assert codes("city") == ["4401", "4402"]  # not 深圳 (inactive), not the city governments
    assert codes("county") == ["440101", "440201"]
    assert codes("all") == ["4401", "440101", "4402", "440201"]  # in code order
    assert codes("province") == []  # the root itself is not below the root


def test_a_kind_chooses_divisions_and_affiliates_of_the_bureau() -> None:
    """省局机关各处室、直属各单位."""
    assert codes({"kind": ["division", "affiliate"]}) == ["44-bgs", "44-fg", "44-zx"]
    assert codes({"kind": "division"}) == ["44-bgs", "44-fg"]


def test_level_and_kind_together_choose_governments_at_a_level() -> None:
    """各县(区)政府: governments are outside the bureau's tree, so the root is theirs."""
    assert codes({"level": "county", "kind": "government"}) == []  # not below 省局
    assert codes({"level": "county", "kind": "government"}, registry(root="g44")) == ["g440101"]
    assert codes({"level": "city", "kind": "government"}, registry(root="g44")) == [
        "g4401",
        "g4402",
    ]


def test_a_group_from_the_registry_or_the_plan() -> None:
    assert codes({"group": "pilot"}) == ["4401", "440101"]
    plan_group = UnitGroup(key="pilot", name="试点单位", units=["4402"])
    assert codes({"group": "pilot"}, registry(groups=[plan_group])) == ["4401", "440101", "4402"]
    assert codes({"group": "pilot", "level": "county"}) == ["440101"]
    assert codes({"group": "nobody"}) == []


def test_named_units_anywhere_in_the_registry() -> None:
    """请保定市局、涞水县局…认真组织落实: named units, whatever their kind."""
    assert codes({"units": ["440101", "4402", "g44-jx", "9999"]}) == ["440101", "4402", "g44-jx"]
    assert codes({"units": ["4403"]}) == []  # inactive


def test_units_named_by_name_as_the_registry_writes_them() -> None:
    """(责任单位：办公室、法规与行政审批处): names below the root first, else anywhere."""
    assert codes({"units": ["办公室", "法规与行政审批处", "越秀区人民政府", "无此单位"]}) == [
        "44-bgs",
        "44-fg",
        "g440101",
    ]
    twin = Unit("4402-bgs", "办公室", "division", "city", "4402")
    reg = Registry.of([*UNITS, twin], root="4402")
    assert [u.code for u in resolve_units(selector({"units": "办公室"}), reg)] == ["4402-bgs"]
    reg = Registry.of([*UNITS, twin], root=None)
    assert [u.code for u in resolve_units(selector({"units": "办公室"}), reg)] == [
        "44-bgs",
        "4402-bgs",
    ]


def test_the_office_itself_carries_a_duty() -> None:
    """省局每季度…: the issuing bureau (root_bureau) reports."""
    assert codes("office") == ["44"]
    assert codes("office", registry(root=None)) == []


def test_a_union_of_clauses() -> None:
    written = [{"units": ["4401"]}, {"level": "county", "group": "pilot"}, "office"]
    assert codes(written) == ["44", "4401", "440101"]
    assert codes({"any_of": ["city", {"kind": "affiliate"}], "label": "各市局及直属单位"}) == [
        "44-zx",
        "4401",
        "4402",
    ]


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("town", "“town”不是有效的单位范围"),
        ({"kind": "bureaux"}, "kind"),
        ({"level": "city", "office": True}, "office（发文单位本身）不能与"),
        ({"units": ["广州\n"]}, "units"),
    ],
)
def test_a_bad_selector_is_refused(written: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        selector(written)


def test_recipients_office_parent_government_and_a_named_unit() -> None:
    reg = registry()
    wanted = [Recipient.model_validate(r) for r in ("office", "government", "parent")]
    wanted.append(Recipient.model_validate({"unit": "g44-jx"}))
    found, missing = resolve_recipients(wanted, reg.units["4401"], reg, office_name="省局办公室")
    assert [(a.name, a.code) for a in found] == [
        ("省局办公室", None),
        ("广州市人民政府", "g4401"),
        ("省局", "44"),
        ("省经济和信息化委员会", "g44-jx"),
    ]
    assert missing == []
    _found, missing = resolve_recipients(wanted, reg.units["440201"], reg, office_name="x")
    assert [r.to for r in missing] == ["government"]  # 武江区局 has no government recorded


def test_a_bad_recipient_is_refused() -> None:
    with pytest.raises(ValidationError, match="不是有效的报送对象"):
        Recipient.model_validate("mayor")
    with pytest.raises(ValidationError, match="unit"):
        Recipient.model_validate({"to": "unit"})


# In a plan ---------------------------------------------------------------------------------

PLAN_UNITS = """
root_bureau: "44"
directive_to:
  label: 各地级以上市质监局
  any_of: [city, county]
groups:
  - {key: pilot, name: 试点单位, units: ["4402", "9999"]}
"""


def plan_with(extra_duty: str, head: str = PLAN_UNITS):  # type: ignore[no-untyped-def]
    text = HUBEI.replace('root_bureau: "420000"\n', head.lstrip("\n"))
    text = text.replace("\nduties:\n", "\nduties:\n" + extra_duty)
    result = parse_plan(text.encode())
    assert result.plan is not None, [str(p) for p in result.problems]
    return result.plan


PILOT_DUTY = """  - key: pilot-report
    name: 试点情况
    kind: progress
    form: progress
    phase: implementation
    reporters: {group: pilot, label: 试点单位}
    recipients: [office, government]
    schedule: {type: weekly, weekday: friday}
  - key: office-analysis
    name: 质量分析报告
    kind: progress
    form: progress
    phase: implementation
    reporters: office
    recipients: [{unit: g44}]
    schedule: {type: monthly, day: 10, interval: 3}
"""


def test_receive_only_units_get_directives_and_report_nothing() -> None:
    """其他各市县局参照: counties receive the directives but only the pilot units report."""
    plan = plan_with(PILOT_DUTY)
    reg = registry(groups=plan.groups)
    receive = {u.code for u in resolve_units(plan.directive_to, reg)}
    report = {u.code for u in resolve_units(plan.duty("pilot-report").reporters, reg)}
    assert receive == {"4401", "4402", "440101", "440201"}
    assert report == {"4401", "4402", "440101"}
    assert receive - report == {"440201"}  # 参照执行
    assert plan.duty("office-analysis").reporters.names_office
    assert [u.code for u in resolve_units(plan.duty("office-analysis").reporters, reg)] == ["44"]
    assert plan.duty("weekly-progress").recipients == [Recipient(to="office")]  # the default


def test_validate_against_a_registry_warns_and_the_launch_check_names_the_duty() -> None:
    plan = plan_with(PILOT_DUTY)
    reg = registry(groups=plan.groups)
    assert launch_problems(plan, reg) == []
    warnings = [str(p) for p in registry_warnings(plan, reg)]
    assert "groups[0].units: 单位代码“9999”不在单位名录中" in warnings
    # 广州市局, 韶关市局 and 越秀区局 each have their government: nothing lacks a recipient.
    assert not any(w.startswith("duties[0].recipients") for w in warnings)
    empty = Registry.of([UNITS[0]], root="44")
    problems = [str(p) for p in launch_problems(plan, empty)]
    assert problems[0].startswith("directive_to: 通知的主送单位（各地级以上市质监局）")
    assert any("报送任务“试点情况”（pilot-report）的报送单位（试点单位）" in p for p in problems)
    assert not any("office-analysis" in p for p in problems)  # the office is in the registry


def test_a_recipient_the_registry_lacks_is_warned_about() -> None:
    plan = plan_with(PILOT_DUTY.replace("{group: pilot, label: 试点单位}", "county"))
    warnings = [str(p) for p in registry_warnings(plan, registry(groups=plan.groups))]
    assert (
        "duties[0].recipients: 报送任务“试点情况”（pilot-report）：1个报送单位在单位名录中"
        "没有报送对象“本级政府”：武江区局" in warnings
    )


def test_office_without_root_bureau_is_a_plan_problem() -> None:
    text = HUBEI.replace('root_bureau: "420000"\n', "").replace(
        "\nduties:\n", "\nduties:\n" + PILOT_DUTY
    )
    problems = [str(p) for p in parse_plan(text.encode()).problems]
    assert any("duties[1].reporters" in p and "root_bureau" in p for p in problems), problems
