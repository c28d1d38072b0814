"""The replies world with its request mails queued, for the inbox tests and the benchmark
(not a test module)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from replies.factories import World, add_bureau, build_world, linked_weekly_request
from sqlmodel import Session

from campaign.mail.notices import queue_request
from campaign.mail.outbox import load_blobs
from models.bureau import Bureau
from models.outbox import OutboxMessage
from models.request import ReportRequest

from .mails import reply


@dataclass
class MailWorld:
    world: World
    requests: dict[str, OutboxMessage] = field(default_factory=dict)  # the request mails
    tables: dict[str, bytes] = field(default_factory=dict)  # their pre-filled .xlsx
    emails: dict[str, str] = field(default_factory=dict)  # the bureaus' addresses

    def reply(self, name: str, *attachments: tuple[str, bytes], **fields: Any) -> bytes:
        """The bureau's reply to its request mail, from its registered address unless
        `sender` says otherwise, carrying `attachments` (the other `fields` as in
        mails.reply)."""
        fields.setdefault("sender", self.emails[name])
        return reply(
            in_reply_to=self.requests[name].message_id, attachments=list(attachments), **fields
        )


def build_mail_world(session: Session) -> MailWorld:
    world = build_world(session)
    mw = MailWorld(world)
    for name, request in world.requests.items():
        if name != "ack":
            _queue(session, mw, name, request, world.tokens[name])
    session.commit()
    return mw


def _queue(session: Session, mw: MailWorld, name: str, request: ReportRequest, token: str) -> None:
    bureau = session.get_one(Bureau, request.bureau_code)
    message = queue_request(
        session=session,
        campaign=mw.world.campaign,
        plan=mw.world.plan,
        request=request,
        bureau=bureau,
        link_url=f"http://127.0.0.1:8000/r/{token}",
    )
    mw.requests[name] = message
    sha = message.attachments[0]["sha256"]
    mw.tables[name] = load_blobs(session=session, shas=[sha])[sha]
    mw.emails[name] = bureau.email


def add_bureaus(session: Session, mw: MailWorld, n: int) -> list[str]:
    """n more county bureaus under Wuhan, each with its weekly request mail; their codes."""
    campaign = mw.world.campaign
    codes = []
    for i in range(n):
        code = f"9{i:05d}"
        add_bureau(session, code, f"测试{i}县质量技术监督局", "420100")
        request, token = linked_weekly_request(session, campaign, code)
        _queue(session, mw, code, request, token)
        codes.append(code)
    session.commit()
    return codes
