"""`campaign links reissue | revoke`: the coordinator's hold on personal reply links."""

from __future__ import annotations

import getpass

import typer

from campaign.cli._output import failing
from campaign.cli.campaign_commands import resolve
from campaign.db import session_scope
from campaign.i18n import _, ngettext
from campaign.replies.links_admin import LinkAdminError, reissue, revoke
from models.link import LinkPurpose

links_app = typer.Typer(help=_("Personal reply links: reissue, revoke."), no_args_is_help=True)
CAMPAIGN_HELP = _("Campaign id or document number.")


def register(app: typer.Typer) -> None:
    app.add_typer(links_app, name="links")


@links_app.command(
    "reissue",
    help=_(
        "Issue a fresh personal link, mail it to the bureau and print it (earlier links of "
        "the same target stop working)."
    ),
)
def links_reissue(
    campaign: str = typer.Option(..., "--campaign", help=CAMPAIGN_HELP),
    bureau: str = typer.Option(..., "--bureau", help=_("Bureau code.")),
    purpose: LinkPurpose = typer.Option(..., "--purpose", help=_("report, acknowledge or ad_hoc.")),
    request_id: int | None = typer.Option(
        None, "--request", help=_("Request id (not for ad_hoc).")
    ),
    send: bool = typer.Option(
        True, "--send/--no-send", help=_("Send the e-mail now (else at the next tick).")
    ),
) -> None:
    """Issue a fresh personal link, mail it to the bureau and print it."""
    from campaign.cli.reply_commands import deliver

    campaign_id = resolve(campaign)[0]
    with failing(LinkAdminError, code=2), session_scope() as session:
        issued = reissue(
            session=session,
            campaign_id=campaign_id,
            bureau_code=bureau,
            purpose=purpose,
            request_id=request_id,
            actor=getpass.getuser(),
        )
        url = issued.url
    typer.echo(_("New link (mailed to the bureau): {url}").format(url=url))
    if send:
        deliver()


@links_app.command(
    "revoke", help=_("Revoke a bureau's live links (all, or of one purpose or request).")
)
def links_revoke(
    campaign: str = typer.Option(..., "--campaign", help=CAMPAIGN_HELP),
    bureau: str = typer.Option(..., "--bureau", help=_("Bureau code.")),
    purpose: LinkPurpose | None = typer.Option(
        None, "--purpose", help=_("Only links of this kind.")
    ),
    request_id: int | None = typer.Option(None, "--request", help=_("Only links of this request.")),
) -> None:
    """Revoke a bureau's live links (all, or of one purpose or request)."""
    campaign_id = resolve(campaign)[0]
    with failing(LinkAdminError, code=2), session_scope() as session:
        count = revoke(
            session=session,
            campaign_id=campaign_id,
            bureau_code=bureau,
            purpose=purpose,
            request_id=request_id,
            actor=getpass.getuser(),
        )
    typer.echo(ngettext("{n} link revoked.", "{n} links revoked.", count).format(n=count))
