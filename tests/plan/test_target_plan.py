"""Targets in the plan: the acceptance that evaluates them (even without an acceptance
phase, and not before the reports they rest on are due), and the warnings of
`campaign validate` about a target that can never be evaluated."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from campaign.cli import app
from campaign.plan import parse_plan
from campaign.schedule import build_schedule
from campaign.workdays import WorkCalendar
from tests.results.test_target_shapes import PLAN, plan_with

TARGET = """
  - key: centres
    name: 质检中心通过验收
    form: {form}
    metric: {{field: centres}}
    comparator: ">="
    threshold: 10
"""


def acceptances(text: str) -> list[tuple[date, str]]:
    plan = plan_with(text)
    return [(e.date, e.key) for e in build_schedule(plan, WorkCalendar()) if e.kind == "acceptance"]


def test_targets_are_evaluated_at_the_end_without_an_acceptance_phase():
    # The last monthly report (November) is due 2009-12-05, a Saturday: moved to Monday
    # 12-07 (due_on_holidays: next_workday); the acceptance waits until the day after.
    assert acceptances(TARGET.format(form="monthly")) == [(date(2009, 12, 8), "acceptance:work")]


def test_no_targets_no_acceptance_phase_no_acceptance():
    text = PLAN.format(targets="  []")
    plan = parse_plan(text.encode()).plan
    assert plan is not None
    assert [e for e in build_schedule(plan, WorkCalendar()) if e.kind == "acceptance"] == []


def test_acceptance_phase_end_stands_when_the_reports_are_due_before_it():
    text = PLAN.replace(
        "end: 2009-11-30}}",
        "end: 2009-10-31}}\n  - {{key: check, kind: acceptance, name: 总结验收阶段, "
        "start: 2009-11-01, end: 2009-12-20, document_number: 粤质监〔2009〕2号}}",
    )
    plan = parse_plan(text.format(targets=TARGET.format(form="monthly")).encode()).plan
    assert plan is not None
    events = [e for e in build_schedule(plan, WorkCalendar()) if e.kind == "acceptance"]
    # The October report is due 11-05; the phase ends 12-20.
    assert [(e.date, e.key) for e in events] == [(date(2009, 12, 20), "acceptance:check")]


def validate(tmp_path: Path, text: str) -> tuple[int, str, str]:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)], env={"CAMPAIGN_LANGUAGE": "zh"})
    return result.exit_code, result.stdout, result.stderr


def test_validate_warns_about_a_target_no_duty_reports(tmp_path: Path):
    text = PLAN.format(targets=TARGET.format(form="other")).replace(
        "duties:",
        "  - key: other\n    title: 其他表\n    fields:\n"
        "      - {key: centres, label: 中心数, type: integer, required: false}\nduties:",
    )
    code, out, err = validate(tmp_path, text)
    assert code == 0 and "校验通过" in out
    line = text.splitlines().index("    form: other") + 1
    assert f"第 {line} 行" in err
    assert "没有任何报送事项要求填报报表 'other'：目标 'centres' 将无法评价" in err
    assert "字段 'centres' 可不填" in err


def test_validate_is_quiet_about_a_target_that_can_be_evaluated(tmp_path: Path):
    code, _, err = validate(tmp_path, PLAN.format(targets=TARGET.format(form="monthly")))
    assert code == 0 and err == ""
