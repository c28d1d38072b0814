"""Mail goes out at once: the web app delivers the outbox after an answer, through a real
SMTP server (aiosmtpd) on loopback; a server that is down loses nothing."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlmodel import select

from campaign.mail.server import MaildirHandler, running_mailserver
from models.outbox import MailState, OutboxMessage
from tests.mail.conftest import stored
from web.conftest import Web, _serve
from web.helpers import csrf_of, form_data

OFFICE = "zxzz-office@hbqts.example.org"


@pytest.fixture
def delivering_web(
    smtp_port: int, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Web]:
    monkeypatch.setenv("CAMPAIGN_WEB_DELIVERS_MAIL", "true")
    for web in _serve(sqlite_url, monkeypatch):
        web.client.app.state.mail_delivery.retry_after = 0.3  # type: ignore[attr-defined]
        yield web


def arrived(handler: MaildirHandler, count: int, timeout: float = 10.0) -> list[EmailMessage]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = stored(handler)
        if len(messages) >= count:
            return messages
        time.sleep(0.05)
    raise AssertionError(f"{len(stored(handler))} of {count} messages arrived")


def send_ad_hoc(web: Web) -> None:
    fresh = web.client.get(web.url("ad_hoc")).text
    data = {"csrf_token": csrf_of(fresh), "f_category": "媒体曝光", "narrative": "某企业被曝光"}
    response = web.client.post(web.url("ad_hoc"), data=data)
    assert response.status_code == 200 and "报送成功" in response.text


def test_the_office_is_alerted_and_the_bureau_gets_its_receipt_at_once(
    delivering_web: Web,
    mailserver: MaildirHandler,
) -> None:
    web = delivering_web
    send_ad_hoc(web)
    messages = arrived(mailserver, 2)
    by_subject = {m["Subject"]: m for m in messages}
    alert = next(m for s, m in by_subject.items() if "重大情况" in s and OFFICE in m["To"])
    assert "武汉市质量技术监督局" in alert.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert any(s.startswith("【回执】") for s in by_subject)
    assert all_sent(web)


def test_a_server_that_is_down_loses_nothing_and_is_tried_again(
    delivering_web: Web, smtp_port: int, tmp_path: Path
) -> None:
    web = delivering_web
    page = web.client.get(web.url()).text
    assert web.client.post(web.url(), data=form_data(csrf_of(page))).status_code == 200
    wait_for(lambda: web.client.app.state.mail_delivery.last is not None)  # type: ignore[attr-defined]
    assert web.client.app.state.mail_delivery.last["unavailable"]  # type: ignore[attr-defined]
    assert states(web) == [MailState.pending]

    with running_mailserver(port=smtp_port, maildir=tmp_path / "late") as handler:
        messages = arrived(handler, 1)
    assert messages[0]["Subject"].startswith("【回执】")
    assert all_sent(web)


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def states(web: Web) -> list[MailState]:
    web.session.rollback()
    web.session.expire_all()
    return [MailState(s) for s in web.session.exec(select(OutboxMessage.state)).all()]


def all_sent(web: Web) -> bool:
    wait_for(lambda: set(states(web)) == {MailState.sent})
    return True
