"""`campaign report | export`: a stage's 汇总表 and charts; every accepted figure."""

from __future__ import annotations

from pathlib import Path

import typer

from campaign.cli._output import fail
from campaign.cli.campaign_commands import AS_OF_HELP, CAMPAIGN_HELP, as_of_option, resolve
from campaign.clock import local_date
from campaign.db import session_scope
from campaign.i18n import _

STAGE_HELP = _(
    "Key of a phase or action (default: the latest begun; none begun: the whole campaign)."
)


def register(app: typer.Typer) -> None:
    app.command(
        name="report",
        help=_(
            "Write a stage's summary workbook (汇总表 .xlsx), charts (.png) and drafts (.docx)."
        ),
    )(report)
    app.command(
        name="export", help=_("Write every accepted figure of the campaign to one .xlsx table.")
    )(export)


def report(
    campaign: str = typer.Argument(..., help=CAMPAIGN_HELP),
    out: Path = typer.Option(
        ..., "--out", help=_("Folder for the workbook, the charts and the drafts.")
    ),
    stage: str | None = typer.Option(None, "--stage", help=STAGE_HELP),
    as_of: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
) -> None:
    """Write a stage's summary workbook (汇总表 .xlsx), charts (.png) and drafts (.docx)."""
    from campaign.results.load import load_frames
    from campaign.results.outputs import write_outputs

    campaign_id, timezone = resolve(campaign)
    today = local_date(as_of_option(as_of, timezone), timezone)
    with session_scope() as session:
        frames = load_frames(session=session, campaign_id=campaign_id)
    try:
        outputs = write_outputs(frames, out, stage=stage, today=today)
    except KeyError as exc:
        fail(str(exc.args[0]), 2)
    compiled = outputs.compiled
    typer.echo(_("{title} ({stage})").format(title=compiled.title, stage=compiled.stage_name))
    for note in compiled.notes:
        typer.echo("  " + _("Note: {note}").format(note=note))
    typer.echo(_("Summary workbook written: {file}").format(file=outputs.workbook))
    for path in (outputs.summary, outputs.bulletin):
        typer.echo(_("Draft document written: {file}").format(file=path))
    for path in outputs.charts:
        typer.echo(_("Chart written: {file}").format(file=path))
    if outputs.charts_missing:
        fail(_("Charts not written: {reason}").format(reason=outputs.charts_missing), 1)


def export(
    campaign: str = typer.Argument(..., help=CAMPAIGN_HELP),
    xlsx: Path = typer.Option(..., "--xlsx", help=_("The .xlsx file to write.")),
) -> None:
    """Write every accepted figure of the campaign to one .xlsx table."""
    from campaign.results.export import write_export
    from campaign.results.load import load_frames

    campaign_id, _zone = resolve(campaign)
    with session_scope() as session:
        frames = load_frames(session=session, campaign_id=campaign_id)
    count = write_export(frames, xlsx)
    if count == 0:
        typer.echo(_("No accepted report data yet; an empty table was written."))
    typer.echo(_("Exported {n} accepted figures: {file}").format(n=count, file=xlsx))
