"""`campaign validate | schedule | workdays` as a coordinator runs them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from campaign.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HUBEI = str(EXAMPLES / "hubei-2007.yaml")
runner = CliRunner()


def test_validate_accepts_the_hubei_plan() -> None:
    result = runner.invoke(app, ["validate", HUBEI])
    assert result.exit_code == 0, result.output
    assert "校验通过（鄂质监发〔2007〕77号" in result.output


def test_validate_lists_every_problem_with_line(tmp_path: Path) -> None:
    text = (EXAMPLES / "hubei-2007.yaml").read_text(encoding="utf-8")
    text = text.replace("    end: 2007-08-31", "    end: 2007-08-01").replace(
        "form: stage-summary", "form: stage-report"
    )
    plan = tmp_path / "bad.yaml"
    plan.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(plan)])
    assert result.exit_code == 1
    lines = text.splitlines()
    end_line = lines.index("    end: 2007-08-01") + 1
    form_line = lines.index("    form: stage-report") + 1
    assert "发现2处问题" in result.output
    assert (
        f"第 {end_line} 行：phases[0].end：阶段的结束日期（2007-08-01）早于开始日期（2007-08-10）"
        in result.output
    )
    assert f"第 {form_line} 行：duties[1].form：没有键为 'stage-report' 的报表" in result.output


def test_validate_reports_structural_problems_first(tmp_path: Path) -> None:
    text = (
        (EXAMPLES / "hubei-2007.yaml")
        .read_text(encoding="utf-8")
        .replace("kind: acceptance", "kind: inspection")
    )
    plan = tmp_path / "bad.yaml"
    plan.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(plan)])
    line = text.splitlines().index("    kind: inspection") + 1
    assert result.exit_code == 1
    assert f"第 {line} 行：phases[2].kind：'inspection': 应为 'mobilization'" in result.output


def test_schedule_json_has_the_documented_fields() -> None:
    result = runner.invoke(app, ["schedule", HUBEI, "--json"])
    assert result.exit_code == 0, result.output
    events = json.loads(result.output)
    allowed = {
        "directive",
        "request",
        "reminder",
        "escalation",
        "stage_summary",
        "final_summary",
        "summary",
        "acceptance",
    }
    assert {e["kind"] for e in events} == allowed
    # what the tick runs besides the plan's own events: 签收 chased, summaries compiled
    assert "escalation:acknowledgement:mobilization" in {e["key"] for e in events}
    assert "summary:final-summary:final" in {e["key"] for e in events}
    assert all({"date", "kind", "phase"} <= e.keys() for e in events)
    requests = [e for e in events if e["kind"] == "request"]
    assert len(requests) == 14 and all(e["phase"] == "实施阶段" and e["due"] for e in requests)
    stage = [e for e in events if e["kind"] == "stage_summary" and e["action"]]
    assert [e["action"] for e in stage] == [
        "市场准入集中检查",
        "管理制度集中检查",
        "小作坊集中整治",
    ]
    # 12-01 is a Saturday: due Monday 12-03
    assert [e["due"] for e in events if e["kind"] == "final_summary"] == ["2007-12-03"]
    assert [e["date"] for e in events if e["kind"] == "acceptance"] == ["2007-12-10"]
    assert [e["date"] for e in events] == sorted(e["date"] for e in events)


def test_schedule_text() -> None:
    result = runner.invoke(app, ["schedule", HUBEI])
    assert result.exit_code == 0
    assert "2007-12-10  验收" in result.output
    directive = next(line for line in result.output.splitlines() if "  通知  " in line)
    assert "宣传发动阶段通知签收" in directive and "截止 2007-08-29" in directive  # its 签收
    assert "2007-12-04  汇总" in result.output  # the final summary compiled (due 12-03)


def test_workdays() -> None:
    assert runner.invoke(app, ["workdays", "2026-09-30", "5"]).output.strip() == "2026-10-13"
    assert runner.invoke(app, ["workdays", "2026-10-13", "-5"]).output.strip() == "2026-09-30"
    bad = runner.invoke(app, ["workdays", "30/09/2026", "5"])
    assert bad.exit_code == 2 and "不是日期" in bad.output


def test_workdays_refuses_absurd_counts_and_dates_past_the_calendar() -> None:
    for args in (["2007-01-01", "100000000"], ["9999-12-30", "5"]):
        result = runner.invoke(app, ["workdays", *args])
        assert result.exit_code == 2, result.output
        assert not isinstance(result.exception, ValueError | OverflowError)
    assert "绝对值不得超过 10000" in runner.invoke(app, ["workdays", "2007-01-01", "-20000"]).output


def test_workdays_outside_the_data_warns() -> None:
    result = runner.invoke(app, ["workdays", "2027-01-01", "1"])
    assert result.exit_code == 0
    assert "2027-01-04" in result.output
    assert "注意：2027 年没有官方节假日数据" in result.output
