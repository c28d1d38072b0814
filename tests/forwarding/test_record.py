"""Forwarding in the database: the city's request, its record, its counties' 签收 and mail."""

from __future__ import annotations

import email
import io

import docx
from sqlmodel import Session, select

from campaign.schedule import FORWARD_DUTY, forwarded_period
from forwarding.world import WINDOW, at, forward, launched, requests_of
from models.forwarding import ForwardRecord
from models.outbox import OutboxMessage
from models.request import RequestStatus


def test_issuing_opens_a_forwarding_request_per_city_with_children(session: Session, db_url: str) -> None:
    campaign_id = launched(session, db_url)
    found = requests_of(session, FORWARD_DUTY)
    assert sorted(found) == ["420100", "420200"]
    assert str(found["420100"].due_date) == "2007-08-30"
    assert found["420100"].status == RequestStatus.open
    assert campaign_id


def test_a_double_submit_stores_one_forwarding(session: Session, db_url: str) -> None:
    campaign_id = launched(session, db_url)
    first = forward(session, campaign_id)
    again = forward(session, campaign_id, document_number="武质监发〔2007〕13号")
    assert (first.already, again.already) == (False, True)
    rows = session.exec(select(ForwardRecord)).all()
    assert [(r.unit_code, r.document_number) for r in rows] == [("420100", "武质监发〔2007〕12号")]
    assert requests_of(session, FORWARD_DUTY)["420100"].status == RequestStatus.accepted
    acks = requests_of(session, "acknowledgement", forwarded_period(WINDOW, "420100"))
    assert sorted(acks) == ["420102", "420103"]
    mails = session.exec(select(OutboxMessage).where(OutboxMessage.key.startswith("forward:"))).all()  # type: ignore[attr-defined]
    assert sorted(m.bureau_code for m in mails) == ["420102", "420103"]
    assert at
