"""`campaign inspect`, `campaign rectify …` and `campaign acceptance`, in Chinese."""

from __future__ import annotations

from typer.testing import CliRunner

from campaign.cli import app

runner = CliRunner()


def test_rectify_order_done_close_and_list(session, hubei_campaign, tmp_path):
    campaign = str(hubei_campaign)
    refused = runner.invoke(
        app, ["rectify", "order", campaign, "--unit", "999999", "--what", "", "--deadline",
              "2007-11-30", "--as-of", "2007-11-22"],
    )  # fmt: skip
    assert refused.exit_code == 2
    assert "单位：找不到代码为“999999”的单位" in refused.output
    assert "整改事项：不能为空" in refused.output
    ordered = runner.invoke(
        app, ["rectify", "order", campaign, "--unit", "420200", "--what", "档案不全",
              "--deadline", "2007-11-30", "--as-of", "2007-11-22", "--by", "协调员"],
    )  # fmt: skip
    assert ordered.exit_code == 0, ordered.output
    assert "已下达整改通知第1号" in ordered.output
    early = runner.invoke(app, ["rectify", "close", campaign, "1"])
    assert early.exit_code == 2 and "不能销号" in early.output
    assert (
        runner.invoke(app, ["rectify", "done", campaign, "1", "--report", "已补齐"]).exit_code == 0
    )
    closed = runner.invoke(app, ["rectify", "close", campaign, "1"])
    assert "整改通知第1号已销号" in closed.output
    listed = runner.invoke(app, ["rectify", "list", campaign])
    assert "黄石市质量技术监督局" in listed.output and "已销号" in listed.output
    inspected = runner.invoke(
        app, ["inspect", campaign, "--unit", "420200", "--date", "2007-11-25",
              "--verdict", "合格"],
    )  # fmt: skip
    assert "已录入现场检查记录" in inspected.output
    written = runner.invoke(app, ["acceptance", campaign, "--out", str(tmp_path)])
    assert written.exit_code == 0, written.output
    assert (tmp_path / "检查验收表.xlsx").exists() and "已生成检查验收材料" in written.output
