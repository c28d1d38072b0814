"""validate_report and check_value: the plan's form decides what an entry means."""

from __future__ import annotations

from decimal import Decimal

import pytest

from campaign.plan import load_plan_text
from campaign.plan.schema import FormField
from campaign.replies.errors import ReportInvalid
from campaign.replies.validation import Baseline, validate_report
from campaign.replies.values import check_value
from models.reply import ReportCreate
from replies.factories import NARRATIVE, plan_text, valid_entries

PLAN = load_plan_text(plan_text())
PROGRESS = PLAN.form("progress")
STAGE = PLAN.form("stage-summary")


@pytest.mark.parametrize(
    ("kind", "raw", "stored"),
    [
        ("integer", "85", "85"),
        ("integer", " ８５ ", "85"),  # full-width digits, spaces
        ("integer", "1,234", "1234"),
        ("integer", "12.0", "12"),
        ("decimal", "12.50", "12.5"),
        ("decimal", "0.000001", "0.000001"),
        ("percent", "95.5%", "95.5"),
        ("percent", "100", "100"),
        ("text", "  质量事故  ", "质量事故"),
    ],
)
def test_accepted_entries_are_normalized(kind: str, raw: str, stored: str) -> None:
    field = FormField(key="x", label="某项", type=kind, min=Decimal(0))  # type: ignore[arg-type]
    checked = check_value(field, raw)
    assert (checked.stored, checked.message) == (stored, None)


def test_bounds_other_than_zero_name_the_bound_and_unit() -> None:
    field = FormField(
        key="x", label="覆盖率", type="decimal", unit="万元", min=Decimal(5), max=Decimal("99.5")
    )
    assert check_value(field, "4").message == "“覆盖率”不能小于5万元"
    assert check_value(field, "100").message == "“覆盖率”不能大于99.5万元"
    assert check_value(field, "1,23").message == "“覆盖率”应填写数字"


def test_optional_fields_may_stay_empty() -> None:
    field = FormField(key="x", label="典型案例", type="text", required=False)
    assert check_value(field, "").stored is None and check_value(field, None).message is None
    assert check_value(field, "案" * 2001).message == "“典型案例”不能超过2000字"


def test_every_problem_is_reported_once_in_form_order() -> None:
    values = valid_entries() | {
        "food_enterprises": "",
        "qualified_batches": "41",
        "pass_rate": "200",
    }
    with pytest.raises(ReportInvalid) as caught:
        validate_report(form=PROGRESS, report_in=ReportCreate(values=values, narrative=""))
    assert [(p.field, p.message) for p in caught.value.problems] == [
        ("food_enterprises", "请填写“食品生产加工企业数”"),
        ("qualified_batches", "“抽查合格批次”（41）不能大于“监督抽查批次”（40）"),
        ("pass_rate", "“企业自检合格率”应在0至100之间（百分数）"),
        ("__narrative__", "请填写“情况说明”"),
    ]


def test_part_of_whole_waits_for_both_figures() -> None:
    values = valid_entries() | {"food_enterprises": "x", "licensed_enterprises": "500"}
    with pytest.raises(ReportInvalid) as caught:
        validate_report(form=PROGRESS, report_in=ReportCreate(values=values, narrative=NARRATIVE))
    assert [p.field for p in caught.value.problems] == ["food_enterprises"]  # not 500 > "x"


def test_cumulative_baseline_compares_only_cumulative_fields() -> None:
    baseline = Baseline(
        values={"inspections": "900", "cases_filed": "6", "value_involved": "20"}, label="第3周"
    )
    with pytest.raises(ReportInvalid) as caught:
        validate_report(
            form=PROGRESS,
            report_in=ReportCreate(values=valid_entries(), narrative=NARRATIVE),
            baseline=baseline,
        )
    assert [p.message for p in caught.value.problems] == [
        "“涉案货值”为累计数，不能小于上次审核通过的报告（第3周：20万元）"
    ]


def test_a_clean_report() -> None:
    clean = validate_report(
        form=STAGE,
        report_in=ReportCreate(
            values={"inspections": "3", "cases_filed": "0"}, narrative="  小结  "
        ),
    )
    assert clean.values == {"inspections": "3", "cases_filed": "0", "typical_cases": None}
    assert clean.numbers == {"inspections": Decimal(3), "cases_filed": Decimal(0)}
    assert clean.narrative == "小结"
