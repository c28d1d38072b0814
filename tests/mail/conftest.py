"""Mail fixtures: a launched campaign, its requests; reading what the SMTP server kept.
(The server itself, `mailserver` on `smtp_port`, is in tests/conftest.py.)"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlmodel import Session, select

from campaign.mail.notices import queue_request
from campaign.mail.server import MaildirHandler
from campaign.plan import Plan
from models.bureau import Bureau, BureauLevel
from models.campaign import Campaign
from models.request import ReportRequest

ROOT = Path(__file__).resolve().parents[2]
HUBEI = ROOT / "examples" / "hubei-2007.yaml"


@pytest.fixture
def campaign(session: Session, hubei_plan: Plan) -> Campaign:
    text = HUBEI.read_text(encoding="utf-8")
    row = Campaign(
        document_number=hubei_plan.document_number,
        title=hubei_plan.title,
        plan_yaml=text,
        plan_sha256=hashlib.sha256(text.encode()).hexdigest(),
        plan_source=str(HUBEI),
    )
    session.add(row)
    session.commit()
    return row


@pytest.fixture
def cities(hubei_bureaus: list[Bureau], session: Session) -> list[Bureau]:
    """The 17 city-level bureaus (the directive's 主送)."""
    rows = session.exec(select(Bureau).where(Bureau.level == BureauLevel.city)).all()
    return sorted(rows, key=lambda b: b.code)


@pytest.fixture
def make_request(session: Session, campaign: Campaign) -> Callable[..., ReportRequest]:
    def make(
        bureau: Bureau,
        *,
        duty_key: str = "weekly-progress",
        period_key: str = "2007-W35",
        period_label: str = "8月27日至9月2日",
        kind: str = "request",
        due: date | None = date(2007, 8, 31),
    ) -> ReportRequest:
        request = ReportRequest(
            campaign_id=campaign.id,  # type: ignore[arg-type]
            duty_key=duty_key,
            period_key=period_key,
            period_label=period_label,
            bureau_code=bureau.code,
            kind=kind,
            due_date=due,
        )
        session.add(request)
        session.commit()
        return request

    return make


@pytest.fixture
def queue_weekly_requests(
    session: Session,
    campaign: Campaign,
    hubei_plan: Plan,
    make_request: Callable[..., ReportRequest],
) -> Callable[[list[Bureau]], None]:
    """Queues each bureau's weekly-progress request mail (its link http://x/r/<code>) and
    commits."""

    def queue(bureaus: list[Bureau]) -> None:
        for bureau in bureaus:
            queue_request(
                session=session,
                campaign=campaign,
                plan=hubei_plan,
                request=make_request(bureau),
                bureau=bureau,
                link_url=f"http://x/r/{bureau.code}",
            )
        session.commit()

    return queue


def parse(data: bytes) -> EmailMessage:
    return message_from_bytes(data, policy=policy.default)  # type: ignore[return-value]


def stored(handler: MaildirHandler) -> list[EmailMessage]:
    """Messages the server keeps, parsed with the stdlib (policy.default)."""
    out = []
    for key in sorted(handler.box.iterkeys()):
        with handler.box.get_file(key) as f:
            out.append(parse(f.read()))
    return out


def attachment(message: EmailMessage, suffix: str) -> tuple[str, bytes]:
    for part in message.iter_attachments():
        name = part.get_filename() or ""
        if name.endswith(suffix):
            return name, part.get_content()
    raise AssertionError(f"no {suffix} attachment in {message['Subject']}")


def body(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None and part.get_content_subtype() == subtype
    return part.get_content()
