"""`campaign review | reply submit | links`: the coordinator's commands."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import Session, select
from typer.testing import CliRunner

from campaign.cli import app
from models.request import ReportRequest
from models.submission import ReportSubmission
from replies.factories import NARRATIVE, World, numeric_entries, table_xlsx, valid_entries

runner = CliRunner()


def _target(world: World, *, by_name: bool = False) -> list[str]:
    """The request the way a coordinator names it: campaign, bureau, duty and period."""
    request = world.request
    return [
        world.campaign.document_number,
        "--bureau",
        "武汉市质量技术监督局" if by_name else request.bureau_code,
        "--duty",
        request.duty_key,
        "--period",
        request.period_label if by_name else request.period_key,
    ]


def _values() -> list[str]:
    args = []
    for key, value in valid_entries().items():
        args += ["--value", f"{key}={value}"]
    return args


def test_reply_submit_then_review_list_and_accept(lite_session: Session, lite_world: World) -> None:
    target = _target(lite_world)
    bad = runner.invoke(
        app, ["reply", "submit", *target, *_values(), "--value", "qualified_batches=99"]
    )
    assert bad.exit_code == 1
    assert "抽查合格批次: “抽查合格批次”（99）不能大于“监督抽查批次”（40）" in bad.output
    assert "请填写“情况说明”" in bad.output and "未保存" in bad.output
    ok = runner.invoke(app, ["reply", "submit", *target, *_values(), "--narrative", NARRATIVE])
    assert ok.exit_code == 0, ok.output
    assert "已保存第1次报送" in ok.output
    listed = runner.invoke(app, ["review", "list", "--json"])
    rows = json.loads(listed.output)
    assert [(r["bureau_code"], r["version"], r["channel"]) for r in rows] == [("420100", 1, "cli")]
    text = runner.invoke(app, ["review", "list"]).output
    assert "武汉市质量技术监督局" in text and "Asia/Shanghai" in text and "待审核" in text
    accepted = runner.invoke(app, ["review", "accept", str(rows[0]["id"]), "--reviewer", "张三"])
    assert accepted.exit_code == 0 and "已确认" in accepted.output
    again = runner.invoke(app, ["review", "accept", str(rows[0]["id"])])
    assert again.exit_code == 1 and "已审核" in again.output
    assert runner.invoke(app, ["review", "list"]).output.strip() == "没有待审核的报送。"


def test_review_return_with_a_date_prints_the_new_link(
    lite_session: Session, lite_world: World
) -> None:
    runner.invoke(app, ["reply", "submit", *_target(lite_world), *_values(), "--narrative", "x"])
    sid = lite_session.exec(select(ReportSubmission.id)).one()
    result = runner.invoke(
        app, ["review", "return", str(sid), "--comment", "请核实", "--due", "2099-01-05"]
    )
    assert result.exit_code == 0, result.output
    assert (
        "新的报送期限为 2099-01-05" in result.output
        and "新链接（已邮件发送给该单位）：http://127.0.0.1:8000/r/" in result.output
    )
    lite_session.expire_all()
    assert lite_session.get(ReportRequest, lite_world.request.id).status == "returned"
    bad_date = runner.invoke(app, ["review", "return", str(sid), "--comment", "x", "--due", "soon"])
    assert bad_date.exit_code == 2


def test_reply_submit_from_a_table(
    lite_session: Session, lite_world: World, tmp_path: Path
) -> None:
    table = tmp_path / "武汉.xlsx"
    table.write_bytes(table_xlsx(entries=numeric_entries()))
    result = runner.invoke(
        app, ["reply", "submit", *_target(lite_world, by_name=True), "--xlsx", str(table)]
    )
    assert result.exit_code == 0, result.output
    submission = lite_session.exec(select(ReportSubmission)).one()
    assert submission.channel == "xlsx" and submission.narrative == NARRATIVE


def test_links_reissue_and_revoke(lite_session: Session, lite_world: World) -> None:
    cid = str(lite_world.campaign.id)
    result = runner.invoke(
        app,
        [
            "links",
            "reissue",
            "--campaign",
            cid,
            "--bureau",
            "420100",
            "--purpose",
            "report",
            "--request",
            str(lite_world.request.id),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("新链接（已邮件发送给该单位）：http://127.0.0.1:8000/r/")
    revoked = runner.invoke(app, ["links", "revoke", "--campaign", cid, "--bureau", "420200"])
    assert revoked.output.strip() == "已停用 1 个链接。"
    missing = runner.invoke(app, ["links", "revoke", "--campaign", cid, "--bureau", "000000"])
    assert missing.exit_code == 2 and "没有代码为 '000000' 的单位" in missing.output
