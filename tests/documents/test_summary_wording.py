"""The drafts the office issues (阶段小结, 工作总结, 通报, 检查验收报告) speak only their
own plan's words, for each example plan."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from campaign.documents.summary_docx import DocumentKind, render_lines
from campaign.plan.schema import Plan
from tests.support.wording import PLAN_NAMES, example_plan, foreign_words, own_words, registry


def result_of(plan: Plan, units: list[str]) -> dict[str, Any]:
    """A summary's result as campaign.results.summary gives it: the plan's first phase, one
    unit on time, one missing, a target of the plan when it has one."""
    phase = plan.phases[0]
    targets = [
        {"name": t.name, "unit": "", "value": None, "comparator": ">=", "threshold": 1,
         "zero_denominator": [], "missing": [units[1]], "failing": [], "note": "",
         "status": "无法评价", "gap": None}
        for t in plan.targets[:1]
    ]  # fmt: skip
    return {
        "stage": {"key": phase.key, "name": phase.name, "start": phase.start.isoformat(),
                  "end": phase.end.isoformat()},
        "today": phase.end.isoformat(),
        "reports": {"owed": 2, "reported": 1, "on_time": 1, "late": 0, "missing": 1,
                    "reporting_rate": "50.0"},
        "by_unit": [{"name": units[0], "reported": 1, "missing": 0},
                    {"name": units[1], "reported": 0, "missing": 1}],
        "laggards": [{"name": units[1], "reasons": "未报1份"}],
        "targets": targets,
        "totals": [],
    }  # fmt: skip


@pytest.mark.parametrize("name", PLAN_NAMES)
def test_every_draft_speaks_only_its_plans_words(name: str) -> None:
    plan = example_plan(name)
    units = registry(name, plan)
    reporters = [u.name for u in units if u.parent_code == plan.root_bureau][:2]
    own = own_words(plan, units)
    for kind in get_args(DocumentKind):
        for stage in (True, False):
            result = result_of(plan, reporters)
            if not stage:
                result["stage"] = {}  # the whole plan so far: 工作总结
            title, lines = render_lines(result, plan, kind)
            text = "\n".join([title, *(line.text for line in lines)])
            assert foreign_words(text, own) == [], (kind, stage, text)
            assert plan.document_number in text


def test_the_final_summary_names_no_kind_of_campaign() -> None:
    plan = example_plan("fujian-2017")
    units = registry("fujian-2017", plan)
    result = result_of(plan, [u.name for u in units if u.parent_code == plan.root_bureau][:2])
    _, lines = render_lines(result | {"stage": {}}, plan, "final")
    assert "现将有关工作情况总结如下：" in lines[0].text
    assert "方案实施以来（截至2017年11月30日）" in lines[0].text
