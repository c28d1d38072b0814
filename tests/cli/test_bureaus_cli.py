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
