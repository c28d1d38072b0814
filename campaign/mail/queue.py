"""queue_notice: render a notice's templates, check it, and store it in the outbox.

Re-exported by campaign.mail.notices, the public interface; see there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from campaign.mail.addresses import Address, address, header_text, parse_address
from campaign.mail.errors import MailRefused
from campaign.mail.outbox import Attachment, NewMessage, find_message, store_messages
from campaign.mail.render import RenderedNotice, Renderer, plan_templates_dir
from campaign.plan.schema import Plan
from models.bureau import Bureau
from models.campaign import Campaign
from models.outbox import OutboxMessage

NOTICES = frozenset(
    {
        "directive",
        "request",
        "acknowledgement",
        "reminder",
        "escalation",
        "receipt",
        "rejection",
        "returned",
        "ad_hoc_alert",
        "link_reissued",
        "rectification",  # campaign.acceptance.orders: a 整改 order (and its reminders' words)
        "digest",  # campaign.results.digest: each period's reporting, to the office
        "forward",  # campaign.forwarding: a unit's 通知 forwarding a directive to its units
    }
)


def queue_notice(
    *,
    session: Session,
    campaign: Campaign,
    plan: Plan,
    bureau: Bureau,
    notice: str,
    key: str,
    context: dict[str, Any],
    cc: list[str] | None = None,
    attachments: list[Attachment] | None = None,
    to: list[str] | None = None,
    template: str | None = None,
) -> OutboxMessage:
    """Render templates/email/{notice}.subject.txt/.txt/.html and store the message.

    To the bureau's address unless `to` is given ("Name <a@b>" or "a@b"); `cc` likewise.
    `template` overrides the template name (a plan's phase may name its own directive
    template). The templates see `campaign`, `plan`, `office`, `bureau` plus `context`.
    """
    item = NoticeFor(bureau, key, context, cc, attachments, to)
    return queue_item(session, campaign, plan, notice, item, template=template)


def queue_item(
    session: Session,
    campaign: Campaign,
    plan: Plan,
    notice: str,
    item: NoticeFor,
    *,
    template: str | None = None,
    look_first: bool = True,
) -> OutboxMessage:
    """queue_notice for one NoticeFor: the message already queued for its key and bureau,
    else rendered and stored. look_first=False skips the look (the caller just looked,
    or the key is new by construction); the outbox still returns a row already there."""
    _known(notice)
    assert campaign.id is not None
    if look_first:
        code = item.bureau.code
        found = find_message(
            session=session, campaign_id=campaign.id, key=item.key, bureau_code=code
        )
        if found is not None:
            return found
    items = [item]
    return store_notices(
        session=session, campaign=campaign, plan=plan, notice=notice, items=items, template=template
    )[0]


@dataclass(frozen=True)
class NoticeFor:
    """One bureau's copy of a notice: its key, its own context, its recipients."""

    bureau: Bureau
    key: str
    context: dict[str, Any]
    cc: list[str] | None = None
    attachments: list[Attachment] | None = None
    to: list[str] | None = None


def store_notices(
    *,
    session: Session,
    campaign: Campaign,
    plan: Plan,
    notice: str,
    items: Sequence[NoticeFor],
    template: str | None = None,
) -> list[OutboxMessage]:
    """queue_item for many bureaus at once (without looking first): the templates looked up
    once, each bureau's copy rendered, all stored in one statement; the messages in the
    order of `items`.
    MailRefused (nothing stored) if the notice cannot be built for any of them."""
    _known(notice)
    assert campaign.id is not None
    renderer = Renderer(
        template=template or notice, plan_templates=plan_templates_dir(campaign=campaign, plan=plan)
    )
    base = {"campaign": campaign, "plan": plan, "office": plan.office}
    messages = []
    for item in items:
        bureau, to, cc = item.bureau, item.to, item.cc
        try:
            recipients, copies = _recipients(bureau, to, cc)
            unaddressable = None
        except MailRefused as exc:  # this message alone fails; the caller's others go out
            unaddressable = exc.reason
            recipients = (
                [Address("", t) for t in to] if to else [Address(bureau.name, bureau.email)]
            )
            copies = [Address("", c) for c in cc or []]
        try:
            rendered = renderer.render({**base, "bureau": bureau, **item.context})
        except MailRefused:
            if unaddressable is None:
                raise
            # The bureau's bad name broke the subject too: the row records the failure only.
            rendered = RenderedNotice(subject=item.key, text=unaddressable, html="")
        messages.append(
            NewMessage(
                bureau.code,
                item.key,
                notice,
                recipients,
                copies,
                rendered,
                item.attachments or [],
                unaddressable,
            )
        )
    return store_messages(session=session, campaign_id=campaign.id, messages=messages)


def _known(notice: str) -> None:
    if notice not in NOTICES:
        raise MailRefused(f"unknown notice {notice!r}; one of {', '.join(sorted(NOTICES))}")


def _recipients(
    bureau: Bureau, to: list[str] | None, cc: list[str] | None
) -> tuple[list[Address], list[Address]]:
    """To and Cc, checked; MailRefused names the first that cannot go in a header."""
    header_text(bureau.name, what=f"the name of bureau {bureau.code}")
    recipients = (
        [parse_address(t, what="a recipient") for t in to]
        if to
        else [address(bureau.email, bureau.name, what=f"the address of bureau {bureau.code}")]
    )
    return recipients, [parse_address(c, what="a cc recipient") for c in cc or []]
