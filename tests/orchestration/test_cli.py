"""The campaign commands end to end on SQLite (the plain tick: no Prefect needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from campaign.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PLAN = str(EXAMPLES / "hubei-2007.yaml")


@pytest.fixture
def cli(sqlite_url):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def run(*args: str, code: int = 0):  # type: ignore[no-untyped-def]
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, result.output
        return result

    run("bureaus", "import", str(EXAMPLES / "bureaus-hubei.csv"))
    return run


def test_launch_list_and_refuse_a_second_launch(cli):
    assert "launched campaign 1: 鄂质监发〔2007〕77号" in cli("launch", PLAN).output
    listed = json.loads(cli("list", "--json").stdout)
    assert listed[0] | {"created_at": None} == {
        "id": 1,
        "document_number": "鄂质监发〔2007〕77号",
        "title": "全省质监系统产品质量和食品安全专项整治实施方案",
        "status": "active",
        "timezone": "Asia/Shanghai",
        "created_at": None,
        "last_tick_at": None,
    }
    again = cli("launch", PLAN, code=1)
    assert "鄂质监发〔2007〕77号 is already launched as campaign 1" in again.stderr


def test_launch_refuses_an_invalid_plan_like_validate(cli, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        Path(PLAN).read_text(encoding="utf-8").replace("kind: mobilization", "kind: x")
    )
    launched = cli("launch", str(broken), code=1)
    validated = cli("validate", str(broken), code=1)
    assert launched.stderr == validated.stderr
    assert "phases[0].kind" in launched.stderr


def test_tick_run_status_log(cli):
    cli("launch", PLAN)
    tick = cli("tick", "1", "--as-of", "2007-08-10", "--no-prefect").output
    assert "2007-08-10T00:00: 1 event(s), 17 action(s) done" in tick
    run = cli("run", "1", "--from", "2007-08-11", "--to", "2007-08-20", "--no-prefect").output
    assert run.splitlines()[0] == "4 tick(s) from 2007-08-11 to 2007-08-20"
    assert "17 request(s) now overdue" in run
    status = json.loads(
        cli("status", "鄂质监发〔2007〕77号", "--as-of", "2007-08-20", "--json").stdout
    )
    assert [p["key"] for p in status["active_phases"]] == ["mobilization", "implementation"]
    assert len(status["bureaus"]) == 17
    text = cli("status", "1", "--as-of", "2007-08-20").output
    assert "late: 签收 宣传发动阶段通知签收" in text
    log = cli("log", "1", "--bureau", "420100").output.splitlines()
    assert [line.split()[2] for line in log][:2] == ["directive_issued", "reminder_sent"]
    assert all(" 420100 " in line for line in log)


def test_pause_resume_amend_cancel(cli):
    cli("launch", PLAN)
    assert "campaign 1 is now paused" in cli("pause", "1", "--by", "王").output
    assert "is paused; the tick does nothing" in cli("tick", "1", "--no-prefect").output
    cli("pause", "1", code=1)
    cli("resume", "1")
    cli(
        "amend",
        "1",
        "--phase",
        "mobilization",
        "--action",
        "workshops",
        "--end",
        "2007-09-01",
        code=2,
    )
    amended = cli("amend", "1", "--action", "market-access", "--end", "2007-09-25").output
    assert "market-access: 2007-08-20 to 2007-09-20 -> 2007-08-20 to 2007-09-25" in amended
    refused = cli("amend", "1", "--phase", "mobilization", "--end", "2007-08-01", code=1)
    assert "the amendment makes the plan invalid" in refused.stderr
    assert "campaign 1 is now cancelled" in cli("cancel", "1").output
    log = cli("log", "1").output
    for event in ("campaign_paused", "campaign_resumed", "dates_amended", "campaign_cancelled"):
        assert event in log
    cli("status", "99", code=2)
