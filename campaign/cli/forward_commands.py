"""`campaign forward`: a unit forwards (转发) a directive to its units below, as the
console's form does (campaign.forwarding): checked first, nothing stored on a problem."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer

from campaign.cli._output import fail, failing
from campaign.clock import local_date
from campaign.db import session_scope
from campaign.forwarding.form import FIELDS, ForwardInput, check_forwarding
from campaign.forwarding.record import ForwardError, draft, forward_directive
from campaign.i18n import _
from campaign.orchestration.launch import CampaignNotFound, find_campaign
from models._common import utcnow
from models.audit import Channel

LABELS = dict(
    zip(FIELDS, ("--number", "--title", "--requirements", "--issued-on", "--to"), strict=True)
)


def register(app: typer.Typer) -> None:
    app.command(help=_("Forward a directive to the unit's own units as the unit's notice."))(
        forward
    )


def forward(
    campaign: str = typer.Argument(..., help=_("Campaign id or document number.")),
    unit: str = typer.Option(..., "--unit", help=_("Code of the forwarding unit.")),
    number: str = typer.Option(..., "--number", help=_("The unit's document number.")),
    requirements: Path | None = typer.Option(
        None, "--requirements", help=_("A UTF-8 text file of added requirements, one a line.")
    ),
    title: str = typer.Option("", "--title", help=_("Title; default built from the directive's.")),
    issued_on: str = typer.Option(
        "", "--issued-on", help=_("Date written (YYYY-MM-DD); default today.")
    ),
    to: list[str] = typer.Option([], "--to", help=_("A unit below to send to; default all.")),
    directive: str | None = typer.Option(
        None, "--directive", help=_("Phase or action key of the directive; default the latest.")
    ),
    as_user: str = typer.Option(getpass.getuser(), "--as", help=_("Who forwards (audit trail).")),
) -> None:
    try:
        added = requirements.read_text(encoding="utf-8-sig") if requirements else ""
    except (OSError, UnicodeDecodeError) as exc:
        fail(_("Cannot read {file}: {reason}").format(file=requirements, reason=exc))
    with failing(CampaignNotFound, code=2), failing(ForwardError), session_scope() as session:
        found = find_campaign(session=session, ref=campaign)
        assert found.id is not None
        target = draft(session=session, campaign_id=found.id, unit_code=unit, window=directive)
        now = utcnow()
        raw = ForwardInput(
            document_number=number,
            title=title or target.default_title(),
            requirements=added,
            issued_on=issued_on,
            recipients=list(to) or [b.code for b in target.children],
        )
        checked = check_forwarding(
            raw,
            children=target.children,
            directive_number=target.directive.document_number,
            directive_issued=target.directive.issued_on,
            today=local_date(now, found.timezone),
        )
        if checked.forwarding is None:
            lines = [f"  {LABELS[k]}: {m}" for k, m in checked.errors.items()]
            fail("\n".join([_("Not forwarded:"), *lines]))
        done = forward_directive(
            session=session,
            target=target,
            forwarding=checked.forwarding,
            username=as_user,
            channel=Channel.cli,
            now=now,
        )
        record = done.record
    message = (
        _("Already forwarded as {number}; nothing changed.")
        if done.already
        else _("Forwarded as {number} to {count} unit(s); the mail is queued.")
    )
    typer.echo(message.format(number=record.document_number, count=len(record.recipients)))
