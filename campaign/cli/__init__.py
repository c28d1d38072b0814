"""The `campaign` command: one Typer app, one module of commands per topic.

Errors of the setup (a data directory that is not a writable directory, a database that
cannot be reached or written, invalid settings) end any command with a Chinese message
naming the path or server and exit code 2, without a traceback; `--debug` (or
CAMPAIGN_DEBUG=1) shows the traceback. Any other exception is a bug and surfaces as is.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from campaign.cli import (
    acceptance_commands,
    account_commands,
    bureau_commands,
    campaign_commands,
    demo_commands,
    forward_commands,
    inbox_commands,
    outbox_commands,
    plan_commands,
    reply_commands,
    results_commands,
)
from campaign.db import describe_setup_error
from campaign.i18n import _
from campaign.i18n.click_words import localize_typer

SETUP_ERROR_EXIT = 2
APP_HELP = _(
    "Run work plans (campaigns): plans, bureaus, ticks, mail, replies. "
    "Set CAMPAIGN_LANGUAGE=en for English."
)


def debug_hint() -> str:
    return _("Add --debug or set CAMPAIGN_DEBUG=1 to see the details of the error.")


class _CampaignGroup(TyperGroup):
    def main(self, *args: Any, **kwargs: Any) -> Any:
        localize_typer()
        return super().main(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:  # typer's own (vendored) click Context
        try:
            return super().invoke(ctx)
        except Exception as exc:
            message = describe_setup_error(exc)
            if message is None or ctx.params.get("debug"):
                raise
            typer.echo(f"{message}\n{debug_hint()}", err=True)
            ctx.exit(SETUP_ERROR_EXIT)


app = typer.Typer(
    name="campaign",
    help=APP_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=_CampaignGroup,
)


@app.callback()
def _options(
    debug: bool = typer.Option(
        False,
        "--debug",
        envvar="CAMPAIGN_DEBUG",
        help=_("Show the traceback of a setup error (database, data directory, settings)."),
    ),
) -> None:
    """Run work plans (campaigns): plans, bureaus, ticks, mail, replies."""


plan_commands.register(app)
bureau_commands.register(app)
outbox_commands.register(app)
reply_commands.register(app)
inbox_commands.register(app)
campaign_commands.register(app)
forward_commands.register(app)
demo_commands.register(app)
results_commands.register(app)
acceptance_commands.register(app)
account_commands.register(app)


def main() -> None:
    app()
