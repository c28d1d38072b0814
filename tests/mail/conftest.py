"""Mail fixtures: a real aiosmtpd server on a free loopback port, a launched campaign."""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Callable, Iterator
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlmodel import Session, select

from campaign import db as dbmod
from campaign.mail.server import MaildirHandler, running_mailserver
from campaign.plan import Plan
from models.bureau import Bureau, BureauLevel
from models.campaign import Campaign
from models.request import ReportRequest

ROOT = Path(__file__).resolve().parents[2]
HUBEI = ROOT / "examples" / "hubei-2007.yaml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RefusingHandler(MaildirHandler):
    """Refuses recipients by domain: refused.example.org → 550, busy.example.org → 450."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        domain = address.rsplit("@", 1)[-1]
        if domain == "refused.example.org":
            return "550 5.1.1 No such mailbox here"
        if domain == "busy.example.org":
            return "450 4.2.1 Mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def smtp_port(monkeypatch: pytest.MonkeyPatch) -> int:
    """A free port the settings point at (no server yet); unthrottled sending."""
    port = free_port()
    monkeypatch.setenv("CAMPAIGN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CAMPAIGN_SMTP_PORT", str(port))
    monkeypatch.setenv("CAMPAIGN_MAIL_RATE_PER_SECOND", "0")
    dbmod.get_settings.cache_clear()
    return port


@pytest.fixture
def mailserver(smtp_port: int, tmp_path: Path) -> Iterator[MaildirHandler]:
    """A real SMTP server (aiosmtpd) on loopback keeping mail in tmp_path/maildir."""
    handler = RefusingHandler(tmp_path / "maildir")
    with running_mailserver(port=smtp_port, maildir=tmp_path / "maildir", handler=handler):
        yield handler


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
