"""The Prefect side, kept minimal: the flow sends the outbox; retries only when SMTP is down."""

from __future__ import annotations

import pytest
from prefect.states import Failed

from campaign.mail.errors import SmtpUnavailable
from flows.mail import _server_unreachable, send_mail


def test_retry_condition_is_only_for_an_unreachable_server() -> None:
    assert _server_unreachable(None, None, Failed(data=SmtpUnavailable("down"))) is True
    assert _server_unreachable(None, None, Failed(data=ValueError("bug"))) is False


@pytest.mark.prefect
def test_send_mail_flow(prefect, db_url, cities, queue_weekly_requests, mailserver) -> None:
    queue_weekly_requests(cities[:3])
    result = send_mail(url=db_url)
    assert (result["sent"], result["failed"]) == (3, 0)
    assert len(mailserver.received) == 3
