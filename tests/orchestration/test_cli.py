"""The campaign commands end to end on SQLite (the plain tick: no Prefect needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from campaign.cli import app
from campaign.db import get_engine
from models.request import ReportRequest, RequestStatus

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PLAN = str(EXAMPLES / "hubei-2007.yaml")


@pytest.fixture
def cli(sqlite_url):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def run(*args: str, code: int = 0, input: str | None = None):  # type: ignore[no-untyped-def]
        result = runner.invoke(app, list(args), input=input)
        assert result.exit_code == code, result.output
        return result

    run("bureaus", "import", str(EXAMPLES / "bureaus-hubei.csv"))
    return run


def test_launch_list_and_refuse_a_second_launch(cli):
    assert "已启动工作方案 1：鄂质监发〔2007〕77号" in cli("launch", PLAN).output
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
    assert "文号 鄂质监发〔2007〕77号 已作为工作方案 1 启动" in again.stderr


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
    tick = cli("tick", "1", "--as-of", "2007-08-27", "--no-prefect").output
    assert "2007-08-27 00:00 Asia/Shanghai：" in tick  # the plan's 通知 and the first requests
    run = cli("run", "1", "--from", "2007-08-28", "--to", "2007-09-03", "--no-prefect").output
    assert run.splitlines()[0].startswith("2007-08-28 至 2007-09-03 共办理")
    assert "17 项报送转为逾期" in run
    status = json.loads(
        cli("status", "鄂质监发〔2007〕77号", "--as-of", "2007-08-30", "--json").stdout
    )
    assert [p["key"] for p in status["active_phases"]] == ["mobilization", "implementation"]
    assert len(status["bureaus"]) == 17
    text = cli("status", "1", "--as-of", "2007-08-30").output
    assert "签收 宣传发动阶段通知签收" in text
    log = cli("log", "1", "--bureau", "420100").output.splitlines()
    assert "已下发通知" in [line.split()[3] for line in log]
    assert all(" 420100 " in line for line in log)
    # the 08:30 Beijing tick reads 08:30 with its zone, not the stored UTC 00:30
    assert all(line.split()[2] == "Asia/Shanghai" for line in log)


def test_pause_resume_amend_cancel(cli):
    cli("launch", PLAN)
    assert "工作方案 1 现为“已暂停”状态。" in cli("pause", "1", "--by", "王").output
    assert (
        "工作方案 1 为“已暂停”状态，本次不办理任何事项" in cli("tick", "1", "--no-prefect").output
    )
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
    assert "market-access：2007-08-20 至 2007-09-20 → 2007-08-20 至 2007-09-25" in amended
    refused = cli("amend", "1", "--phase", "mobilization", "--end", "2007-08-01", code=1)
    assert "调整后的工作方案无效" in refused.stderr
    kept = cli("cancel", "1", input="n\n", code=1)
    assert "确定终止工作方案 1？" in kept.output and "未终止。" in kept.output
    assert "工作方案 1 现为“已终止”状态。" in cli("cancel", "1", "--yes").output
    log = cli("log", "1").output
    for event in ("暂停工作方案", "恢复工作方案", "调整日期", "终止工作方案"):
        assert event in log
    cli("status", "99", code=2)


def test_status_counts_late_answers_and_prints_no_empty_next_line(cli, sqlite_url):
    cli("launch", PLAN)
    cli("tick", "1", "--as-of", "2007-08-27", "--no-prefect")
    with Session(get_engine(sqlite_url)) as session:
        request = session.exec(
            select(ReportRequest).where(ReportRequest.bureau_code == "420100")
        ).first()
        assert request is not None
        request.status, request.late = RequestStatus.submitted, True
        session.add(request)
        session.commit()
    during = cli("status", "1", "--as-of", "2007-08-27").output
    assert "近期节点：" in during
    assert "420100 武汉市质量技术监督局：已报 1 项（其中迟报 1 项）" in during
    after = cli("status", "1", "--as-of", "2008-01-10").output
    assert "近期节点" not in after and "Next" not in after


def test_times_read_in_the_plans_zone(cli):
    """An 08:30 Beijing tick is stored as 00:30 UTC and shown as 08:30, zone named."""
    cli("launch", PLAN)
    tick = cli("tick", "1", "--as-of", "2007-08-27T08:30", "--no-prefect").output
    assert tick.startswith("2007-08-27 08:30 Asia/Shanghai：")
    log = cli("log", "1", "--bureau", "420100").output.splitlines()
    assert any(line.startswith("2007-08-27 08:30 Asia/Shanghai  已下发通知") for line in log)
    english = CliRunner().invoke(app, ["log", "1"], env={"CAMPAIGN_LANGUAGE": "en"}).output
    assert any(
        line.startswith("2007-08-27 08:30 Asia/Shanghai  directive sent")
        for line in english.splitlines()
    )
