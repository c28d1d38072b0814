"""The command line speaks Chinese by default and English when asked, from one catalogue."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from typer.testing import CliRunner

import campaign
from campaign.cli import app
from campaign.i18n import language

ROOT = Path(campaign.__file__).parent.parent
PO = ROOT / "campaign/i18n/locale/zh_CN/LC_MESSAGES/campaign.po"
runner = CliRunner()


def _help(env: dict[str, str]) -> str:
    """`campaign --help` in a fresh process (help texts are read when the app is built)."""
    clean = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LANG")}
    result = subprocess.run(
        [sys.executable, "-c", "from campaign.cli import main; main()", "status", "--help"],
        env={**clean, "PYTHONPATH": str(ROOT), "COLUMNS": "200", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_help_is_chinese_by_default_and_english_with_the_setting_or_locale() -> None:
    chinese = _help({"CAMPAIGN_LANGUAGE": "", "LANG": "C.UTF-8"})
    assert "用法：" in chinese and "当前阶段、近期节点" in chinese and "显示本帮助并退出" in chinese
    for env in ({"CAMPAIGN_LANGUAGE": "en"}, {"CAMPAIGN_LANGUAGE": "", "LANG": "en_US.UTF-8"}):
        english = _help(env)
        assert "Usage:" in english and "Active phases, next deadlines" in english
        assert "用法" not in english


def test_the_setting_wins_over_the_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    monkeypatch.setenv("CAMPAIGN_LANGUAGE", "zh_CN")
    assert language() == "zh_CN"
    monkeypatch.delenv("CAMPAIGN_LANGUAGE")
    assert language() == "en"
    monkeypatch.setenv("LANGUAGE", "zh_CN:en")
    assert language() == "zh_CN"


def test_messages_and_usage_errors_follow_the_language(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runner.invoke(app, ["list"]).output.startswith("还没有工作方案")
    missing = runner.invoke(app, ["status"])
    assert missing.exit_code == 2 and "缺少参数" in missing.output
    assert "没有工作方案 '9'" in runner.invoke(app, ["status", "9"]).output
    monkeypatch.setenv("CAMPAIGN_LANGUAGE", "en")
    assert runner.invoke(app, ["list"]).output.startswith("No campaigns yet")
    assert "Missing argument" in runner.invoke(app, ["status"]).output
    assert "No campaign '9'" in runner.invoke(app, ["status", "9"]).output


def test_plan_validation_speaks_chinese_including_pydantics_messages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (ROOT / "examples/hubei-2007.yaml").read_text(encoding="utf-8")
    bad = text.replace("timezone: Asia/Shanghai", "timezone: Asia/Shanghai\nextra_key: 1", 1)
    plan = tmp_path / "plan.yaml"
    plan.write_text(bad.replace("tick_cron:", "tick_cron_typo:", 1), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(plan)])
    assert result.exit_code == 1
    assert "发现" in result.output and "处问题" in result.output
    assert "未知字段（请检查拼写）" in result.output and "第 " in result.output
    monkeypatch.setenv("CAMPAIGN_LANGUAGE", "en")
    english = runner.invoke(app, ["validate", str(plan)]).output
    assert "unknown field (check its spelling)" in english and "line " in english


def test_every_message_in_the_code_has_its_chinese_translation() -> None:
    """The .po is complete: a message added to the code without a translation fails here."""
    with PO.open("rb") as f:
        catalog = read_po(f)
    method_map = [("campaign/**.py", "python"), ("flows/**.py", "python")]
    keywords = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)}
    untranslated = []
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=keywords
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(msgid)
        if entry is None or not entry.string or entry.fuzzy:
            untranslated.append(msgid)
    assert untranslated == []


def test_no_message_is_in_the_catalogue_twice() -> None:
    """A msgid written twice (merged branches) makes pybabel keep one silently: refused here."""
    msgids: list[str] = []
    current: list[str] | None = None
    for line in PO.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            current = [line[len("msgid ") :]]
        elif current is not None and line.startswith('"'):
            current.append(line)
        elif current is not None:
            msgids.append("".join(current))
            current = None
    repeated = sorted({m for m in msgids if m != '""' and msgids.count(m) > 1})
    assert repeated == []
