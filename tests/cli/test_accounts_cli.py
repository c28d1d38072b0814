"""`campaign accounts add | list | disable | passwd` as the office runs them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from campaign import db as dbmod
from campaign.accounts import authenticate
from campaign.cli import app
from models.account import ConsoleAccount
from models.audit import AuditEvent

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PASSWORD = "武汉-口令-2026-足够长"
runner = CliRunner()


@pytest.fixture
def hubei(sqlite_url: str) -> str:
    result = runner.invoke(app, ["bureaus", "import", str(EXAMPLES / "bureaus-hubei.csv")])
    assert result.exit_code == 0, result.output
    return sqlite_url


def _add(*args: str, password: str = PASSWORD) -> object:
    return runner.invoke(app, ["accounts", "add", *args, "--password-stdin"], input=password + "\n")


def test_add_list_passwd_disable(hubei: str, monkeypatch: pytest.MonkeyPatch) -> None:
    added = _add("WuHan", "--unit", "420100", "--role", "coordinator")
    assert added.exit_code == 0 and added.output.strip() == "已开设账号 wuhan。"  # type: ignore[attr-defined]
    listed = runner.invoke(app, ["accounts", "list"])
    assert listed.output.splitlines() == ["wuhan\t420100\tcoordinator\t启用"]
    typed = iter(["新的口令-2026-足够长", "新的口令-2026-足够长"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    changed = runner.invoke(app, ["accounts", "passwd", "wuhan"])
    assert changed.exit_code == 0 and "已修改账号 wuhan 的密码" in changed.output
    disabled = runner.invoke(app, ["accounts", "disable", "wuhan"])
    assert disabled.exit_code == 0 and "已停用账号 wuhan" in disabled.output
    assert runner.invoke(app, ["accounts", "list"]).output.strip().endswith("已停用")
    with Session(dbmod.get_engine(hubei)) as session:
        row = session.get(ConsoleAccount, "wuhan")
        assert row is not None and row.password_hash.startswith("$argon2id$")
        assert "口令" not in row.password_hash
        assert authenticate(session=session, username="wuhan", password=PASSWORD) is None
        events = session.exec(select(AuditEvent.event, AuditEvent.actor)).all()
        assert ("account_added", "cli") in events and ("account_disabled", "cli") in events


def test_every_problem_at_once_nothing_stored(hubei: str) -> None:
    result = _add("王 五", "--unit", "999999", "--role", "boss", password="short")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert result.output.splitlines() == [  # type: ignore[attr-defined]
        "用户名 '王 五'：须为 1 至 50 个字母、数字、“.”、“_”或“-”。",
        "单位代码 '999999' 不在单位名录中。",
        "角色 'boss'：须为 office、coordinator 或 viewer。",
        "密码至少需要 10 个字符。",
    ]
    assert runner.invoke(app, ["accounts", "list"]).output.strip() == "尚未开设任何账号。"


def test_the_prompt_asks_twice(hubei: str, monkeypatch: pytest.MonkeyPatch) -> None:
    typed = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    result = runner.invoke(app, ["accounts", "add", "hs", "--unit", "420200", "--role", "viewer"])
    assert result.exit_code == 1 and "两次输入的密码不一致" in result.output
    assert _add("hs", "--unit", "420200", "--role", "viewer").exit_code == 0  # type: ignore[attr-defined]
    taken = _add("hs", "--unit", "420200", "--role", "viewer")
    assert taken.exit_code == 1 and "用户名 'hs' 已被使用" in taken.output  # type: ignore[attr-defined]
