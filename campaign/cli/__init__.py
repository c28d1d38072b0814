"""The `campaign` command: one Typer app, one module of commands per topic."""

from __future__ import annotations

import typer

from campaign.cli import (
    bureau_commands,
    campaign_commands,
    demo_commands,
    inbox_commands,
    outbox_commands,
    plan_commands,
    reply_commands,
)

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
inbox_commands.register(app)
campaign_commands.register(app)
demo_commands.register(app)


def main() -> None:
    app()
