"""A data directory or database the CLI cannot use: a Chinese message, exit 2, no traceback.

Root writes into a chmod 0500 folder, so an unwritable folder is a path below a regular file,
or (as root) an immutable folder (chattr +i).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner, Result

from campaign import db as dbmod
from campaign.cli import app
from models.bureau import Bureau

ROOT = Path(__file__).resolve().parents[2]
BUREAUS = str(ROOT / "examples" / "bureaus-hubei.csv")
HINT = "加 --debug 或设置 CAMPAIGN_DEBUG=1 可查看详细出错信息。"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _fresh_engines() -> Iterator[None]:
    dbmod.reset()
    yield
    dbmod.reset()


def use(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(f"CAMPAIGN_{name}", value)
    dbmod.reset()


def refused(result: Result) -> list[str]:
    """The message lines of a command that ended on a setup error."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an exception
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    assert lines[-1] == HINT
    return lines[:-1]


def test_a_data_dir_below_a_regular_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "plain-file").write_text("x")
    data_dir = tmp_path / "plain-file" / "var"
    use(monkeypatch, DATA_DIR=str(data_dir))
    for command in (["list"], ["bureaus", "list"], ["bureaus", "import", BUREAUS]):
        assert refused(runner.invoke(app, command)) == [
            f"无法使用 {data_dir}：路径中有一段是文件而不是目录。"
            f"请检查数据目录 CAMPAIGN_DATA_DIR（当前为 {data_dir}）：它须是一个可以写入的目录"
        ]


def test_a_data_dir_that_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = tmp_path / "var"
    data_dir.write_text("x")
    use(monkeypatch, DATA_DIR=str(data_dir))
    assert refused(runner.invoke(app, ["list"])) == [
        f"无法使用 {data_dir}：已有同名的文件，不是目录。"
        f"请检查数据目录 CAMPAIGN_DATA_DIR（当前为 {data_dir}）：它须是一个可以写入的目录"
    ]
    assert data_dir.read_text() == "x"


@contextmanager
def read_only(*paths: Path) -> Iterator[None]:
    """The paths made unwritable, for root too (immutable) when chmod is not enough."""
    as_root = os.geteuid() == 0
    done: list[Path] = []
    try:
        for path in paths:
            if as_root:
                if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
                    pytest.skip("running as root where chattr +i is not allowed")
            else:
                path.chmod(0o500 if path.is_dir() else 0o400)
            done.append(path)
        yield
    finally:
        for path in done:
            if as_root:
                subprocess.run(["chattr", "-i", str(path)], check=True)
            else:
                path.chmod(0o700 if path.is_dir() else 0o600)


def test_a_read_only_data_dir_stores_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "var"
    use(monkeypatch, DATA_DIR=str(data_dir))
    assert runner.invoke(app, ["bureaus", "list"]).exit_code == 0  # creates and migrates
    dbmod.reset()
    database = data_dir / "campaign.db"
    hint = f"请检查数据目录 CAMPAIGN_DATA_DIR（当前为 {data_dir}）：它须是一个可以写入的目录"
    assert sorted(p.name for p in data_dir.iterdir()) == ["campaign.db"]
    unopenable = f"数据库文件 {database} 无法打开（所在目录不存在、不可写或不是目录）。{hint}"
    with read_only(data_dir):
        for command in (["list"], ["bureaus", "import", BUREAUS]):
            assert refused(runner.invoke(app, command)) == [unopenable]
            dbmod.reset()
    with read_only(database):
        assert refused(runner.invoke(app, ["bureaus", "import", BUREAUS])) == [
            f"数据库文件 {database} 是只读的，无法写入。{hint}"
        ]
    dbmod.reset()
    with Session(dbmod.get_engine()) as session:
        assert session.exec(select(Bureau)).all() == []


def test_an_unreachable_postgresql_server_without_its_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use(monkeypatch, DATABASE_URL="postgresql+psycopg://office:s3cret@127.0.0.1:1/campaigns")
    [message] = refused(runner.invoke(app, ["list"]))
    assert message.startswith(
        "无法使用数据库 postgresql+psycopg://office:***@127.0.0.1:1/campaigns（"
    )
    assert message.endswith("）。请检查 CAMPAIGN_DATABASE_URL 以及数据库服务是否在运行")
    assert "s3cret" not in message


def test_invalid_settings_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    use(monkeypatch, SMTP_PORT="twenty-five", DATABASE_URL="nonsense://")
    [message] = refused(runner.invoke(app, ["list"]))
    assert message.startswith("配置有误：CAMPAIGN_SMTP_PORT（")
    monkeypatch.delenv("CAMPAIGN_SMTP_PORT")
    dbmod.reset()
    assert refused(runner.invoke(app, ["list"])) == [
        "CAMPAIGN_DATABASE_URL 的值不是有效的数据库地址"
        "（示例：postgresql+psycopg://user@127.0.0.1:5432/campaigns）"
    ]


def test_debug_shows_the_traceback_and_bugs_are_not_hidden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "plain-file").write_text("x")
    use(monkeypatch, DATA_DIR=str(tmp_path / "plain-file" / "var"))
    result = runner.invoke(app, ["--debug", "list"])
    assert isinstance(result.exception, NotADirectoryError)
    monkeypatch.setenv("CAMPAIGN_DEBUG", "1")
    assert isinstance(runner.invoke(app, ["list"]).exception, NotADirectoryError)
    monkeypatch.delenv("CAMPAIGN_DEBUG")
    use(monkeypatch, DATA_DIR=str(tmp_path / "var"))

    def bug(**_: object) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr("campaign.cli.bureau_commands.list_bureaus", bug)
    assert isinstance(runner.invoke(app, ["bureaus", "list"]).exception, KeyError)


def test_the_installed_command_prints_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "plain-file").write_text("x")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CAMPAIGN_DATA_DIR": str(tmp_path / "plain-file")}
    done = subprocess.run(
        [sys.executable, "-c", "from campaign.cli import main; main()", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stdout == "" and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"无法使用 {tmp_path / 'plain-file'}：已有同名的文件")
