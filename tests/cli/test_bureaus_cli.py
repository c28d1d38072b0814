"""`campaign bureaus import | list` as a coordinator runs them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from campaign.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()


def test_bureaus_import_and_list(sqlite_url: str) -> None:
    result = runner.invoke(app, ["bureaus", "import", str(EXAMPLES / "bureaus-hubei.csv")])
    assert result.exit_code == 0, result.output
    assert "新增18个单位，更新0个" in result.output
    listed = runner.invoke(app, ["bureaus", "list", "--json"])
    assert len(json.loads(listed.output)) == 18
    tree = runner.invoke(app, ["bureaus", "list"]).output.splitlines()
    assert tree[0].startswith("420000  湖北省质量技术监督局")
    assert tree[1].startswith("  420100  武汉市质量技术监督局")


def test_bureaus_import_lists_every_problem_and_stores_nothing(
    sqlite_url: str, tmp_path: Path
) -> None:
    csv = tmp_path / "b.csv"
    csv.write_text(
        "code,name,parent_code,email\n42,省局,,a@x.example.org\n4201,甲,99,b@x.example.org\n"
        "4202,乙\x0b,42,c@x.example.org\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["bureaus", "import", str(csv)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{csv}：发现2处问题，未导入任何单位",
        "  第3行，parent_code列：上级代码“99”在文件和单位登记册中都不存在",
        "  第4行，name列：含有不可见的控制字符（U+000B），请删除后重新导入",
    ]
    assert "还没有单位" in runner.invoke(app, ["bureaus", "list"]).output


def test_bureaus_import_of_a_missing_file(sqlite_url: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["bureaus", "import", str(tmp_path / "none.csv")])
    assert result.exit_code == 2
    assert "无法读取" in result.output


UNITS_CSV = (
    "code,name,parent_code,level,email,contact,phone,kind,government_code,groups\n"
    "420000,湖北省质量技术监督局,,,office@x.example.org,,,,,\n"
    "420100,武汉市质量技术监督局,420000,,wh@x.example.org,,,,,pilot\n"
    "420000-zjc,质量监督处,420000,,zjc@x.example.org,,,division,,\n"
)


def test_bureaus_list_shows_kinds_and_groups(sqlite_url: str, tmp_path: Path) -> None:
    csv = tmp_path / "units.csv"
    csv.write_text(UNITS_CSV, encoding="utf-8")
    assert runner.invoke(app, ["bureaus", "import", str(csv)]).exit_code == 0
    tree = runner.invoke(app, ["bureaus", "list"]).output.splitlines()
    assert tree[1].startswith("  420000-zjc  质量监督处［处室］  <zjc@x.example.org>")
    assert tree[2] == "  420100  武汉市质量技术监督局  <wh@x.example.org>  {pilot}"


def test_validate_with_a_registry_warns_about_the_plans_units(tmp_path: Path) -> None:
    csv = tmp_path / "units.csv"
    csv.write_text(UNITS_CSV, encoding="utf-8")
    plan = tmp_path / "plan.yaml"
    text = (EXAMPLES / "hubei-2007.yaml").read_text(encoding="utf-8")
    plan.write_text(
        text.replace(
            "    reporters: city\n    schedule: {type: weekly",
            "    reporters: [{group: pilot}, {group: leading}, {units: ['429999']}]\n"
            "    recipients: [office, government]\n    schedule: {type: weekly",
        ).replace("    reporters: all\n", "    reporters: county\n"),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["validate", str(plan), "--bureaus", str(csv)])
    assert result.exit_code == 0, result.output
    warnings = result.stderr.splitlines()
    assert warnings[0] == f"{csv}：方案所指的单位有 4 处提示"
    # each warning names its line in the plan
    assert warnings[1].startswith(
        "  第 238 行：duties[3].reporters：报送任务“重大情况报告”（urgent）的报送单位（county）"
    )
    assert warnings[2:] == [
        "  第 212 行：duties[0].reporters：分组“leading”在方案和单位名录中都没有成员",
        "  第 212 行：duties[0].reporters：单位代码“429999”不在单位名录中",
        "  第 213 行：duties[0].recipients：报送任务“动态信息”（weekly-progress）："
        "1个报送单位在单位名录中没有报送对象“本级政府”：武汉市质量技术监督局",
    ]
    broken = tmp_path / "broken.csv"
    broken.write_text(UNITS_CSV.replace(",division,", ",office,"), encoding="utf-8")
    refused = runner.invoke(app, ["validate", str(plan), "--bureaus", str(broken)])
    assert refused.exit_code == 1
    assert "第4行，kind列：“office”不是有效的单位类别" in refused.stderr
