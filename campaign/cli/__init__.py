"""The `campaign` command: one Typer app, one module of commands per topic."""

from __future__ import annotations

import typer

import campaign.cli.campaign_commands as campaign_commands  # orchestration (issue 3)
import campaign.cli.reply_commands as reply_commands  # replies (issue 5)
from campaign.cli import bureau_commands, outbox_commands, plan_commands

app = typer.Typer(
    name="campaign",
    help="Run special rectification campaigns (专项整治): plans, bureaus, ticks, mail, replies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
plan_commands.register(app)
bureau_commands.register(app)
outbox_commands.register(app)
reply_commands.register(app)
campaign_commands.register(app)


def main() -> None:
    app()
