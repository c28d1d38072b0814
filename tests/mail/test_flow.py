"""The Prefect side, kept minimal: the flow sends the outbox; retries only when SMTP is down."""

from __future__ import annotations

import pytest
from prefect.states import Failed
from sqlmodel import Session

from campaign.mail.errors import SmtpUnavailable
from campaign.mail.notices import queue_request
from flows.mail import _server_unreachable, send_mail


def test_retry_condition_is_only_for_an_unreachable_server() -> None:
    assert _server_unreachable(None, None, Failed(data=SmtpUnavailable("down"))) is True
    assert _server_unreachable(None, None, Failed(data=ValueError("bug"))) is False


@pytest.mark.prefect
def test_send_mail_flow(
    prefect, session: Session, db_url, campaign, cities, hubei_plan, make_request, mailserver
) -> None:
    for bureau in cities[:3]:
        queue_request(
            session=session,
            campaign=campaign,
            plan=hubei_plan,
            request=make_request(bureau),
            bureau=bureau,
            link_url=f"http://x/r/{bureau.code}",
        )
    session.commit()
    result = send_mail(url=db_url)
    assert (result["sent"], result["failed"]) == (3, 0)
    assert len(mailserver.received) == 3
