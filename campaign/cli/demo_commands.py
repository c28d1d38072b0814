"""`campaign demo`: the main job, the Hubei campaign run end to end."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from campaign.i18n import _


def register(app: typer.Typer) -> None:
    app.command(
        help=_(
            "Run the example campaign from launch to acceptance with simulated bureaus and "
            "real mail."
        )
    )(demo)


def demo(
    data_dir: Path = typer.Option(Path("var/demo"), "--data-dir", help=_("Emptied and filled.")),
    prefect: bool = typer.Option(True, "--prefect/--no-prefect", help=_("Ticks as Prefect flows.")),
) -> None:
    """Run the Hubei campaign from launch to acceptance with simulated bureaus and real mail."""
    data_dir = data_dir.resolve()
    if prefect and not os.environ.get("PREFECT_API_URL"):
        # No server configured: Prefect runs a temporary one; keep its files with the demo's.
        os.environ.setdefault("PREFECT_HOME", str(data_dir.parent / f"{data_dir.name}-prefect"))
        os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from campaign.demo.run import describe, run_demo

    result = run_demo(data_dir=data_dir, prefect=prefect, echo=typer.echo)
    for line in describe(result, data_dir):
        typer.echo(line)
