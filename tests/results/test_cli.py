"""`campaign report` and `campaign export` on a stored campaign."""

from __future__ import annotations

from docx import Document
from openpyxl import load_workbook
from typer.testing import CliRunner

from campaign.cli import app
from tests.results.db_fixture import store_fixture

runner = CliRunner()


def test_report_writes_the_workbook_and_charts_of_a_stage(session, tmp_path):
    campaign_id = store_fixture(session)
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["report", str(campaign_id), "--stage", "work", "--out", str(out), "--as-of", "2026-01-25"],
    )
    assert result.exit_code == 0, result.output
    assert "测试专项行动（集中整治）" in result.output
    assert "丙局：报告均被退回" in result.output
    wb = load_workbook(out / "汇总表-work.xlsx")
    assert wb["按单位"]["B4"].value == "甲局"
    assert sorted(p.name for p in (out / "图表-work").iterdir()) == [
        "主要指标趋势.png",
        "报送率.png",
        "目标完成情况.png",
    ]
    assert "已生成文稿草稿" in result.output
    summary = Document(str(out / "阶段小结（草稿）-work.docx"))
    assert "关于测试专项行动集中整治工作情况的小结" in [p.text for p in summary.paragraphs]
    assert (out / "通报（草稿）-work.docx").stat().st_size > 0


def test_report_without_a_stage_takes_the_latest_begun(session, tmp_path):
    campaign_id = store_fixture(session)
    result = runner.invoke(
        app, ["report", str(campaign_id), "--out", str(tmp_path), "--as-of", "2026-01-08"]
    )
    assert result.exit_code == 0, result.output
    assert "（第一周行动）" in result.output


def test_an_unknown_stage_is_refused_in_chinese(session, tmp_path):
    campaign_id = store_fixture(session)
    result = runner.invoke(
        app, ["report", str(campaign_id), "--stage", "nope", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "方案中没有阶段“nope”（可选：work、first-week）" in result.output


def test_export_writes_every_accepted_figure(session, tmp_path):
    campaign_id = store_fixture(session)
    target = tmp_path / "全部.xlsx"
    result = runner.invoke(app, ["export", str(campaign_id), "--xlsx", str(target)])
    assert result.exit_code == 0, result.output
    assert "已导出17项审核通过的数据" in result.output  # 甲 4 + 4 + 1 text, 乙 4, 丁 4
    ws = load_workbook(target)["全部数据"]
    assert [c.value for c in ws[1]] == [
        "单位",
        "报送事项",
        "报告期",
        "期末日期",
        "指标",
        "口径",
        "数值",
        "计量单位",
        "文字内容",
    ]
    assert [c.value for c in ws[2]][:8] == [
        "甲局",
        "动态信息",
        "第1周",
        "2026-01-11",
        "检查企业数",
        "当期",
        5,
        "家次",
    ]
