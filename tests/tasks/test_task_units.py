"""A tracked task's named units against the registry: an unknown name is a warning naming
the task and its line (validate --bureaus, the launch); a task none of whose reporting units
exists refuses the launch; words such as 相关处室 go in cooperating_note, never resolved."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from campaign.bureaus import import_bureau_csv, units_of_csv
from campaign.cli import app
from campaign.orchestration.launch import UnitsUnmatched
from campaign.plan import load_plan_text
from campaign.plan.load import locate
from campaign.plan.reach import launch_problems, registry_warnings
from campaign.plan.units import Registry
from models.campaign import Campaign
from tests.support.fujian import FUJIAN_PLAN, FUJIAN_UNITS
from tests.support.hubei import launch_plan

PLAN = FUJIAN_PLAN.read_text(encoding="utf-8")
REGISTRY = units_of_csv(FUJIAN_UNITS.read_bytes())


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def problems(text: str) -> tuple[list[str], list[str]]:
    plan = load_plan_text(text)
    registry = Registry.of(REGISTRY, root=plan.root_bureau, groups=plan.groups)
    refused = locate(launch_problems(plan, registry), text)
    warned = locate(registry_warnings(plan, registry), text)
    return [str(p) for p in refused], [str(p) for p in warned]


def test_the_fujian_plan_names_only_units_of_its_registry() -> None:
    assert problems(PLAN) == ([], [])
    task = load_plan_text(PLAN).phases[0].tasks[7]
    assert task.cooperating_units == [] and task.cooperating_note == "相关业务处室"
    assert task.cooperating_named == ["相关业务处室"]  # what the notice prints as 配合单位


def test_a_placeholder_written_as_a_unit_is_a_warning_naming_task_and_line() -> None:
    text = PLAN.replace("cooperating_note: 相关业务处室", "cooperating_units: [相关业务处室]")
    refused, warned = problems(text)
    assert refused == []  # the lead unit still reports: a warning, not a refusal
    line = line_of(text, "cooperating_units: [相关业务处室]")
    assert warned == [
        f"第 {line} 行：phases[0].tasks[7].cooperating_units[0]：跟踪任务“推进质监执法信息公开”"
        "（enforcement-disclosure）：单位“相关业务处室”不在单位名录中，既不会被要求报送，"
        "也不会被统计；只以文字泛指的单位（如“相关处室”）请写在 cooperating_note 中"
    ]


def test_a_task_whose_reporting_units_match_nothing_refuses_the_launch() -> None:
    text = PLAN.replace("lead_units: [计财科技处]", "lead_units: [计财处]")
    refused, warned = problems(text)
    line = line_of(text, "lead_units: [计财处]")
    assert refused == [
        f"第 {line} 行：phases[0].tasks[3].lead_units：跟踪任务“深入推进预决算及收费信息公开”"
        "（budgets-and-fees）的报送单位（计财处）在单位名录中没有匹配的单位，启动后将无人报送"
        "该任务进展；请先导入单位名录（campaign bureaus import）或更正单位名称"
    ]
    assert [w.split("：")[1] for w in warned] == ["phases[0].tasks[3].lead_units[0]"]


def test_one_known_unit_is_enough_to_launch() -> None:
    text = PLAN.replace("lead_units: [计财科技处]", "lead_units: [计财科技处, 财务处]")
    refused, warned = problems(text)
    assert refused == [] and len(warned) == 1 and "“财务处”" in warned[0]


def test_the_launch_is_refused_and_nothing_stored(session: Session) -> None:
    import_bureau_csv(session=session, raw=FUJIAN_UNITS.read_bytes())
    session.commit()
    text = PLAN.replace("lead_units: [计财科技处]", "lead_units: [计财处]")
    with pytest.raises(UnitsUnmatched) as caught:
        launch_plan(session, text.encode(), "fujian.yaml")
    assert "跟踪任务“深入推进预决算及收费信息公开”（budgets-and-fees）的报送单位" in str(
        caught.value
    )
    session.rollback()
    assert session.exec(select(Campaign)).all() == []


def test_validate_prints_the_warning(tmp_path: Path) -> None:
    plan = tmp_path / "fujian.yaml"
    plan.write_text(
        PLAN.replace("cooperating_note: 相关业务处室", "cooperating_units: [相关业务处室]"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["validate", str(plan), "--bureaus", str(FUJIAN_UNITS)])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == f"{FUJIAN_UNITS}：方案所指的单位有 1 处提示"
    assert "cooperating_units[0]：跟踪任务“推进质监执法信息公开”" in result.stderr
    clean = CliRunner().invoke(app, ["validate", str(FUJIAN_PLAN), "--bureaus", str(FUJIAN_UNITS)])
    assert clean.exit_code == 0 and clean.stderr == ""
