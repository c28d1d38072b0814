"""`campaign inbox fetch | list | assign | dismiss | allow | watch`."""

from __future__ import annotations

import json
import threading
import time

from replies.factories import NARRATIVE, numeric_entries
from sqlmodel import select
from typer.testing import CliRunner

from campaign.cli import app
from campaign.inbox.fetch import FetchReport, watch
from models.inbox import InboxMessage, InboxOutcome, InboxSender
from models.outbox import OutboxMessage
from models.submission import ReportSubmission

from .mails import filled_table, reply

runner = CliRunner()
STRANGER = "wuhan-zjj@163.example.com"


def _forged(mw, **kwargs) -> bytes:
    table = filled_table(mw.tables["wuhan"], numeric_entries(), NARRATIVE)
    return mw.reply("wuhan", ("统计表.xlsx", table), sender=STRANGER, **kwargs)


def test_fetch_list_assign_with_the_sender_remembered(lite_session, lite_mail_world, imap):
    imap.append(_forged(lite_mail_world))
    fetched = runner.invoke(app, ["inbox", "fetch", "--no-send"])
    assert fetched.exit_code == 0, fetched.output
    assert "待人工处理1" in fetched.output

    listed = runner.invoke(app, ["inbox", "list"])
    assert STRANGER in listed.output and "不是武汉市质量技术监督局登记的邮箱" in listed.output
    [held] = json.loads(runner.invoke(app, ["inbox", "list", "--json"]).output)

    request_id = str(lite_mail_world.world.requests["wuhan"].id)
    assigned = runner.invoke(
        app,
        [
            "inbox",
            "assign",
            str(held["id"]),
            "--request",
            request_id,
            "--remember-sender",
            "--no-send",
        ],
    )
    assert assigned.exit_code == 0, assigned.output
    assert "已作为报送事项" in assigned.output
    lite_session.expire_all()
    row = lite_session.get_one(InboxMessage, held["id"])
    assert row.outcome == InboxOutcome.accepted and row.resolved_by and row.raw is None
    assert lite_session.get_one(ReportSubmission, row.submission_id).channel == "email"
    receipt = lite_session.get_one(OutboxMessage, row.reply_message_id)
    assert {a["email"] for a in receipt.cc_addrs} == {STRANGER}  # the sender gets a copy
    assert lite_session.get_one(InboxSender, STRANGER).bureau_code == "420100"

    again = runner.invoke(app, ["inbox", "assign", str(held["id"]), "--request", request_id])
    assert again.exit_code == 2 and "已处理" in again.output

    # Its next mail is taken in directly; the held one leaves the held folder.
    imap.append(_forged(lite_mail_world))
    assert "已受理1" in runner.invoke(app, ["inbox", "fetch", "--no-send"]).output
    assert imap.counts() == {"INBOX": 0, "已处理": 2, "待人工处理": 0}


def test_dismiss_and_bad_ids(lite_session, lite_mail_world, imap):
    imap.append(reply(sender="someone@example.com", subject="广告：办公用品促销"))
    runner.invoke(app, ["inbox", "fetch", "--no-send"])
    [held] = json.loads(runner.invoke(app, ["inbox", "list", "--json"]).output)
    dismissed = runner.invoke(app, ["inbox", "dismiss", str(held["id"])])
    assert dismissed.exit_code == 0 and "已忽略" in dismissed.output
    assert "没有待人工处理的来信" in runner.invoke(app, ["inbox", "list"]).output
    assert "已忽略" in runner.invoke(app, ["inbox", "list", "--all"]).output
    missing = runner.invoke(app, ["inbox", "dismiss", "999"])
    assert missing.exit_code == 2 and "没有编号为999的来信" in missing.output
    bad = runner.invoke(app, ["inbox", "allow", "420100", "not an address"])
    assert bad.exit_code == 2 and "不是有效的邮箱地址" in bad.output
    runner.invoke(app, ["inbox", "fetch", "--no-send"])
    assert imap.counts()["待人工处理"] == 0  # the sweep moved it to 已处理


def test_fetch_without_a_mailbox_says_so(lite_session):
    result = runner.invoke(app, ["inbox", "fetch", "--no-send"])
    assert result.exit_code == 1 and "无法读取邮箱" in result.output


def test_fetch_with_a_wrong_password_says_so(lite_session, imap, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_IMAP_PASSWORD", "wrong")
    from campaign.settings import get_settings

    get_settings.cache_clear()
    result = runner.invoke(app, ["inbox", "fetch", "--no-send"])
    assert result.exit_code == 1 and "无法读取邮箱" in result.output
    assert "Traceback" not in result.output


def test_watch_takes_a_reply_in_within_seconds(lite_session, lite_mail_world, imap):
    stop = threading.Event()
    reports: list[FetchReport] = []
    thread = threading.Thread(
        target=watch, kwargs={"idle_seconds": 30, "stop": stop, "on_report": reports.append}
    )
    thread.start()
    try:
        time.sleep(1.0)  # connected and idle
        table = filled_table(lite_mail_world.tables["wuhan"], numeric_entries(), NARRATIVE)
        started = time.monotonic()
        imap.append(lite_mail_world.reply("wuhan", ("统计表.xlsx", table)))
        while time.monotonic() - started < 15:
            lite_session.expire_all()
            if lite_session.exec(select(InboxMessage)).first() is not None:
                break
            time.sleep(0.1)
        took = time.monotonic() - started
    finally:
        stop.set()
        imap.append(reply(sender="x@example.com"))  # wake the IDLE so the thread ends
        thread.join(timeout=40)
    assert not thread.is_alive()
    row = lite_session.exec(select(InboxMessage)).first()
    assert row is not None and row.outcome == InboxOutcome.accepted
    assert took < 5, f"took {took:.1f} s"
