"""`campaign outbox list | show | send | preview` and `campaign mailserver`, as used."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from docx import Document
from sqlmodel import Session
from typer.testing import CliRunner

from campaign.cli import app
from tests.mail.conftest import HUBEI

runner = CliRunner()


def test_list_show_and_send(
    session: Session, db_url, cities, queue_weekly_requests, mailserver
) -> None:
    cities[1].email = "gone@refused.example.org"
    session.add(cities[1])
    queue_weekly_requests(cities[:2])
    listed = runner.invoke(app, ["outbox", "list"])
    assert listed.exit_code == 0, listed.output
    assert listed.output.count("待发") == 2 and "Asia/Shanghai" in listed.output

    sent = runner.invoke(app, ["outbox", "send"])
    assert sent.exit_code == 0, sent.output
    assert "发出 1 封，失败 1 封" in sent.output

    failed = runner.invoke(app, ["outbox", "list", "--state", "failed"])
    assert failed.exit_code == 0
    assert "gone@refused.example.org" in failed.output and "550" in failed.output
    assert cities[0].email not in failed.output

    rows = json.loads(runner.invoke(app, ["outbox", "list", "--json"]).output)
    sent_row = next(r for r in rows if r["state"] == "sent")
    shown = runner.invoke(app, ["outbox", "show", str(sent_row["id"])])
    assert shown.exit_code == 0
    assert f"Message-ID：{sent_row['message_id']}" in shown.output
    assert ".xlsx（application/vnd.openxmlformats" in shown.output
    assert f"http://x/r/{cities[0].code}" in shown.output
    assert runner.invoke(app, ["outbox", "show", "999999"]).exit_code == 2


def test_send_reports_an_unreachable_server(
    db_url, cities, queue_weekly_requests, smtp_port
) -> None:
    queue_weekly_requests(cities[:1])
    result = runner.invoke(app, ["outbox", "send"])
    assert result.exit_code == 1
    assert "无法连接邮件服务器" in result.output and "邮件仍待发送" in result.output


def test_preview_writes_html_and_docx(tmp_path: Path) -> None:
    out, docx = tmp_path / "d.html", tmp_path / "d.docx"
    result = runner.invoke(
        app,
        ["outbox", "preview", str(HUBEI), "mobilization", "--out", str(out), "--docx", str(docx)],
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "鄂质监发〔2007〕77号" in html and "（一）市场准入集中检查" in html
    assert "湖北省质量技术监督局文件" in html and "抄送：国家质检总局、省政府。" in html
    texts = [p.text for p in Document(io.BytesIO(docx.read_bytes())).paragraphs]
    assert "（三）小作坊集中整治（10月21日至11月20日）" in texts
    missing = runner.invoke(app, ["outbox", "preview", str(HUBEI), "nowhere"])
    assert missing.exit_code == 2 and "mobilization" in missing.output


def test_preview_writes_into_the_folder_out_names_and_not_the_current_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here, folder = tmp_path / "here", tmp_path / "previews"
    here.mkdir()
    folder.mkdir()
    monkeypatch.chdir(here)
    result = runner.invoke(
        app, ["outbox", "preview", str(HUBEI), "mobilization", "--out", str(folder)]
    )
    assert result.exit_code == 0, result.output
    assert (folder / "mobilization.html").is_file()
    default = runner.invoke(app, ["outbox", "preview", str(HUBEI), "mobilization"])
    assert default.exit_code == 0, default.output
    assert list(here.iterdir()) == []  # the default is DATA_DIR/preview, not the current folder


def test_mailserver_has_help() -> None:
    result = runner.invoke(app, ["mailserver", "--help"])
    assert result.exit_code == 0 and "Maildir" in result.output
