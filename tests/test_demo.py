"""The main job: the demo campaign runs from launch to acceptance, and tells a true story."""

from __future__ import annotations

import mailbox
from email.utils import parsedate_to_datetime
from pathlib import Path

from campaign import db as dbmod
from campaign.demo import mail_answers
from campaign.demo.run import describe, run_demo
from campaign.inbox.dovecot import dovecot_installed


def test_demo_campaign_end_to_end(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    try:
        result = run_demo(data_dir=data_dir, prefect=False, echo=lambda _line: None)
    finally:
        dbmod.reset()
    assert result.status == "completed"
    assert result.ticks > 50
    # Every message queued was delivered, once, to the real SMTP server's Maildir.
    assert set(result.mail) == {"sent"}
    delivered = len(mailbox.Maildir(data_dir / "maildir"))
    assert result.maildir_messages == result.mail["sent"] == delivered
    # 16 of 17 cities answer every weekly report (14 weeks), stage summary (4) and final summary.
    assert result.answers["on time"] + result.answers["late"] == 16 * 14 + 17 * 4 + 17
    assert result.answers["late"] > 0 and result.answers["acknowledged"] > 0
    targets = {t["key"]: t for t in result.targets}
    assert targets["license-rate"]["missing"] == ["429021"]  # the silent bureau
    # the 16 that reported are all at 100%: the silent one is no data, not their failure
    assert targets["license-rate"]["met"] is True
    assert targets["sampling-pass-rate"]["met"] is True
    if dovecot_installed():  # three bureaus replied to every request mail with the table
        assert result.answers["by e-mail"] == 3 * (14 + 4 + 1)
        threaded = [
            m for m in mailbox.Maildir(data_dir / "maildir") if m["In-Reply-To"] is not None
        ]
        assert len(threaded) == result.answers["by e-mail"]  # their receipts, in the thread
    text = "\n".join(describe(result, data_dir))
    assert "未报送单位：429021" in text and "专项整治 1：经" in text and "后已完成" in text
    # A mail client lists the messages by the campaign's dates, not the demo's few seconds.
    box = mailbox.Maildir(data_dir / "maildir")
    dates = {parsedate_to_datetime(m["X-Campaign-Date"]).date() for m in box}
    assert min(dates).isoformat() == "2007-08-10" and max(dates).year == 2007
    assert all(m["Date"] == m["X-Campaign-Date"] and m["X-Original-Date"] for m in box)


def test_without_dovecot_the_demo_says_so(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(mail_answers, "dovecot_installed", lambda: False)
    with mail_answers.mailbox(tmp_path) as server:
        assert server is None
    assert "not installed" in mail_answers.NO_DOVECOT
