"""Plan validation: the examples pass; every kind of bad plan gets a message with path and line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from campaign.plan import PlanError, load_plan, parse_plan
from campaign.plan.checks import Problem


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the English wording (CAMPAIGN_LANGUAGE=en); the Chinese one, which
    people see by default, is checked in tests/cli/test_language.py."""
    monkeypatch.setenv("CAMPAIGN_LANGUAGE", "en")


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HUBEI_TEXT = (EXAMPLES / "hubei-2007.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_every_example_plan_is_valid(name: str) -> None:
    result = parse_plan((EXAMPLES / name).read_bytes())
    assert result.problems == []
    assert result.plan is not None


def test_hubei_plan_reads_as_the_document_says(hubei_plan) -> None:
    assert hubei_plan.document_number == "鄂质监发〔2007〕77号"
    assert [(p.kind, str(p.start), str(p.end)) for p in hubei_plan.phases] == [
        ("mobilization", "2007-08-10", "2007-08-31"),
        ("implementation", "2007-08-20", "2007-11-20"),
        ("acceptance", "2007-11-21", "2007-12-10"),
    ]
    actions = hubei_plan.phase("implementation").actions
    assert [(a.name, str(a.start), str(a.end)) for a in actions] == [
        ("市场准入集中检查", "2007-08-20", "2007-09-20"),
        ("管理制度集中检查", "2007-09-21", "2007-10-20"),
        ("小作坊集中整治", "2007-10-21", "2007-11-20"),
    ]
    targets = {t.name: (t.comparator, t.threshold) for t in hubei_plan.targets}
    assert targets["监督抽查合格率"] == (">=", 90)
    assert targets["食品生产加工企业标准覆盖率"] == (">=", 95)
    assert targets["食品生产加工企业生产许可证获证率"] == (">=", 100)


def edit(mutate) -> bytes:  # type: ignore[no-untyped-def]
    """The Hubei plan with one change applied to its data, dumped back to YAML."""
    data = yaml.safe_load(HUBEI_TEXT)
    mutate(data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode()


def problems_of(raw: bytes) -> list[Problem]:
    result = parse_plan(raw)
    assert result.plan is None, "the plan should have been refused"
    return result.problems


def line_of(raw: bytes, needle: str) -> int:
    return (
        raw.decode().splitlines().index(next(s for s in raw.decode().splitlines() if needle in s))
        + 1
    )


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


def test_phase_ending_before_it_starts() -> None:
    raw = edit(lambda d: d["phases"][0].update(end="2007-08-01"))
    problem = only(problems_of(raw))
    assert problem.where == "phases[0].end"
    assert "ends (2007-08-01) before it starts (2007-08-10)" in problem.message
    assert problem.line == line_of(raw, "end: '2007-08-01'")


def test_action_outside_its_phase() -> None:
    raw = edit(lambda d: d["phases"][1]["actions"][2].update(end="2007-11-30"))
    problem = only(problems_of(raw))
    assert problem.where == "phases[1].actions[2]"
    assert (
        "'workshops'" in problem.message and "outside its phase 'implementation'" in problem.message
    )
    assert problem.line == line_of(raw, "key: workshops")


def test_unknown_phase_kind() -> None:
    raw = edit(lambda d: d["phases"][2].update(kind="inspection"))
    problem = only(problems_of(raw))
    assert problem.where == "phases[2].kind"
    assert "'inspection'" in problem.message and "'acceptance'" in problem.message
    assert problem.line == line_of(raw, "kind: inspection")


def test_duty_naming_a_missing_phase() -> None:
    raw = edit(lambda d: d["duties"][0].update(phase="enforcement"))
    problem = only(problems_of(raw))
    assert (problem.where, problem.message) == (
        "duties[0].phase",
        "no phase or action with key 'enforcement'",
    )
    assert problem.line == line_of(raw, "phase: enforcement")


def test_duty_naming_a_missing_action() -> None:
    raw = edit(lambda d: d["duties"][1]["schedule"]["of"].append("free-testing-week"))
    problem = only(problems_of(raw))
    assert problem.where == "duties[1].schedule.of[4]"
    assert problem.message == "no phase or action with key 'free-testing-week'"
    assert problem.line == line_of(raw, "- free-testing-week")


def test_duty_naming_a_missing_form() -> None:
    raw = edit(lambda d: d["duties"][0].update(form="weekly-table"))
    problem = only(problems_of(raw))
    assert (problem.where, problem.message) == (
        "duties[0].form",
        "no report form with key 'weekly-table'",
    )


def test_part_of_whole_naming_a_missing_field() -> None:
    raw = edit(
        lambda d: d["forms"][0]["part_of_whole"].append({"part": "x", "whole": "sampled_batches"})
    )
    problem = only(problems_of(raw))
    assert (problem.where, problem.message) == (
        "forms[0].part_of_whole[7].part",
        "form 'progress' has no field 'x'",
    )


def test_target_on_a_field_that_does_not_exist() -> None:
    raw = edit(lambda d: d["targets"][2]["metric"]["ratio"].update(numerator="passed_batches"))
    problem = only(problems_of(raw))
    assert problem.where == "targets[2].metric.ratio.numerator"
    assert problem.message == "form 'progress' has no field 'passed_batches'"
    assert problem.line == line_of(raw, "numerator: passed_batches")


def test_ratio_target_over_a_text_field() -> None:
    raw = edit(
        lambda d: d["targets"][0].update(
            form="urgent", metric={"ratio": {"numerator": "category", "denominator": "category"}}
        )
    )
    problems = problems_of(raw)
    assert [p.message for p in problems] == [
        "field 'category' is text; a ratio needs a numeric field",
        "field 'category' is text; a ratio needs a numeric field",
    ]
    assert [p.where for p in problems] == [
        "targets[0].metric.ratio.numerator",
        "targets[0].metric.ratio.denominator",
    ]


def test_yaml_syntax_error_names_the_line() -> None:
    raw = HUBEI_TEXT.replace(
        "  contact: 领导小组办公室联络员", "  contact: [领导小组办公室联络员"
    ).encode()
    problem = only(problems_of(raw))
    assert problem.message.startswith("YAML syntax error")
    assert problem.line is not None and abs(problem.line - line_of(raw, "contact: [")) <= 1


def test_non_utf8_file() -> None:
    raw = HUBEI_TEXT.encode("gbk")
    problem = only(problems_of(raw))
    assert problem.message == "the file is not UTF-8 text (save it as UTF-8)"
    assert problem.line == 1  # the first Chinese character is on the first line


def test_duplicate_yaml_key() -> None:
    raw = HUBEI_TEXT.replace(
        "timezone: Asia/Shanghai", "timezone: Asia/Shanghai\ntimezone: UTC"
    ).encode()
    problem = only(problems_of(raw))
    assert problem.message == "key 'timezone' appears twice"
    assert problem.line == line_of(raw, "timezone: UTC")


def test_missing_required_field_and_unknown_field_are_both_reported() -> None:
    def mutate(d: dict) -> None:
        del d["phases"][0]["name"]
        d["phases"][0]["nmae"] = "宣传发动阶段"

    problems = problems_of(edit(mutate))
    assert {(p.where, p.message) for p in problems} == {
        ("phases[0].name", "this field is required"),
        ("phases[0].nmae", "unknown field (check its spelling)"),
    }


def test_every_problem_is_listed_not_just_the_first() -> None:
    def mutate(d: dict) -> None:
        d["phases"][0]["end"] = "2007-08-01"
        d["duties"][0]["form"] = "nope"
        d["targets"][0]["metric"] = {"field": "nope"}

    assert {p.where for p in problems_of(edit(mutate))} == {
        "phases[0].end",
        "duties[0].form",
        "targets[0].metric.field",
    }


def test_offset_needs_exactly_one_unit() -> None:
    raw = edit(lambda d: d["duties"][1]["schedule"].update(within={"days": 5, "working_days": 5}))
    problem = only(problems_of(raw))
    assert problem.where == "duties[1].schedule.within"
    assert problem.message == "give exactly one of 'days' or 'working_days'"


def test_unknown_schedule_type() -> None:
    raw = edit(lambda d: d["duties"][0]["schedule"].update(type="fortnightly"))
    problem = only(problems_of(raw))
    assert problem.where == "duties[0].schedule"
    assert "'fortnightly'" in problem.message


def test_load_plan_raises_with_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(edit(lambda d: d["phases"][0].update(end="2007-08-01")))
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert len(caught.value.problems) == 1
    assert "phases[0].end" in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="cannot read the file"):
        load_plan(tmp_path / "absent.yaml")
