"""The main job: the demo campaign runs from launch to acceptance, and tells a true story."""

from __future__ import annotations

import mailbox
import re
from pathlib import Path

import pytest
from docx import Document

from campaign import db as dbmod
from campaign.demo import mail_answers
from campaign.demo.account import describe
from campaign.demo.run import run_demo
from campaign.inbox.dovecot import dovecot_installed


@pytest.mark.timeout(900)  # the whole Hubei campaign with mail, replies and outputs
def test_demo_campaign_end_to_end(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    try:
        result = run_demo(data_dir=data_dir, prefect=False, echo=lambda _line: None)
    finally:
        dbmod.reset()
    assert result.status == "completed"
    assert result.units == 17 and result.ticks > 50
    # Every message queued was delivered, once, to the real SMTP server's Maildir.
    assert set(result.mail) == {"sent"}
    delivered = len(mailbox.Maildir(data_dir / "maildir"))
    assert result.maildir_messages == result.mail["sent"] == delivered
    # A mail client lists the campaign in its own time: each message dated with the
    # simulated moment of its tick (the real date kept as X-Original-Date).
    dated = [m for m in mailbox.Maildir(data_dir / "maildir") if m["X-Campaign-Date"]]
    assert len(dated) == delivered
    assert all("2007" in m["Date"] and m["X-Original-Date"] for m in dated)
    # 17 cities × (14 weekly reports, 4 stage summaries, 1 final summary): each answered
    # once (on time or late; a returned one counts again when sent again) or never.
    answered = result.answers["on time"] + result.answers["late"] - result.answers["returned"]
    assert answered + result.answers["missing"] - _unanswered_acks(result) == 17 * 19
    for outcome in ("late", "acknowledged", "invalid", "returned", "xlsx", "missing"):
        assert result.answers[outcome] > 0, outcome
    assert {t["key"] for t in result.targets} >= {"license-rate", "sampling-pass-rate"}
    if dovecot_installed():  # three bureaus replied to their request mails with the table
        assert result.answers["by e-mail"] > 0
        threaded = [
            m for m in mailbox.Maildir(data_dir / "maildir") if m["In-Reply-To"] is not None
        ]
        assert len(threaded) == result.answers["by e-mail"]  # their receipts, in the thread
    text = "\n".join(describe(result, data_dir))
    assert "已完成" in text and "检查验收" in text and "始终未报" in text
    assert "已发送" in text and " sent " not in text
    # The coordinator's material: the 汇总表, the drafts, the charts, each stage's 小结.
    names = {p.name for p in result.outputs}
    assert {"汇总表-全程.xlsx", "工作总结（草稿）-全程.docx", "通报（草稿）-全程.docx"} <= names
    assert {"检查验收表.xlsx", "检查验收报告（草稿）.docx"} <= names
    assert all(p.exists() and p.stat().st_size for p in result.outputs)
    bulletin = Document(str(data_dir / "results" / "通报（草稿）-全程.docx"))
    assert any("工作滞后的单位" in p.text for p in bulletin.paragraphs)
    assert len([p for p in result.outputs if p.parent.name == "阶段小结"]) == 6
    assert "汇总材料" in text
    acceptance = text.split("检查验收", 1)[1].split("进一步查看", 1)[0]
    # Each target judged in its scope's words; the units short of a per-unit one by name.
    assert re.search(r"总体[\d.]+%（要求 ?≥ ?[\d.]+%），\d+个单位未达标：", acceptance), acceptance
    assert not re.search(r"\b\d{6}\b", acceptance)  # names, not codes


def _unanswered_acks(result) -> int:  # type: ignore[no-untyped-def]
    return sum(1 for o in result.outcomes if o[1] == "acknowledgement" and o[4] == "missing")


def test_without_dovecot_the_demo_says_so(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(mail_answers, "dovecot_installed", lambda: False)
    with mail_answers.mailbox(tmp_path) as server:
        assert server is None
    assert "not installed" in mail_answers.NO_DOVECOT
