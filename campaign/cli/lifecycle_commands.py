"""`campaign pause | resume | cancel | amend`: change a running campaign, audited."""

from __future__ import annotations

import getpass
from datetime import date

import typer

from campaign.cli._output import fail, warnings_to_stderr
from campaign.db import session_scope
from campaign.orchestration.launch import CampaignNotFound, find_campaign
from campaign.orchestration.lifecycle import LifecycleError, amend_dates, change_status
from campaign.plan import PlanError
from campaign.settings import get_settings
from campaign.workdays import WorkCalendar
from models.audit import Channel

CAMPAIGN_HELP = "Campaign id (see `campaign list`) or document number."
BY_HELP = "Who makes the change (for the audit trail)."


def register(app: typer.Typer) -> None:
    app.command()(pause)
    app.command()(resume)
    app.command()(cancel)
    app.command()(amend)


def _change(ref: str, command: str, by: str, reason: str) -> None:
    from deployments.campaigns import set_schedule_paused

    try:
        with session_scope() as session:
            campaign = find_campaign(session=session, ref=ref)
            status = change_status(
                session=session,
                campaign=campaign,
                command=command,
                actor=by,
                channel=Channel.cli,
                reason=reason,
            )
            campaign_id = campaign.id
    except CampaignNotFound as exc:
        fail(str(exc), 2)
    except LifecycleError as exc:
        fail(str(exc))
    assert campaign_id is not None
    typer.echo(f"campaign {campaign_id} is now {status}")
    if set_schedule_paused(campaign_id, paused=command != "resume"):
        typer.echo(f"scheduled ticks {'resumed' if command == 'resume' else 'paused'} in Prefect")
    else:
        typer.echo("no Prefect deployment reachable; the tick itself checks the status")


def pause(
    campaign: str = typer.Argument(..., help=CAMPAIGN_HELP),
    reason: str = typer.Option("", "--reason", help="Why (kept in the audit trail)."),
    by: str = typer.Option(getpass.getuser(), "--by", help=BY_HELP),
) -> None:
    """Pause: no further directives, requests or reminders until resumed."""
    _change(campaign, "pause", by, reason)


def resume(
    campaign: str = typer.Argument(..., help=CAMPAIGN_HELP),
    reason: str = typer.Option("", "--reason", help="Why (kept in the audit trail)."),
    by: str = typer.Option(getpass.getuser(), "--by", help=BY_HELP),
) -> None:
    """Resume a paused campaign; the next tick catches up on what fell due meanwhile."""
    _change(campaign, "resume", by, reason)


def cancel(
    campaign: str = typer.Argument(..., help=CAMPAIGN_HELP),
    reason: str = typer.Option("", "--reason", help="Why (kept in the audit trail)."),
    by: str = typer.Option(getpass.getuser(), "--by", help=BY_HELP),
) -> None:
    """Cancel for good: open requests are closed; everything recorded is kept."""
    _change(campaign, "cancel", by, reason)


def amend(
    campaign: str = typer.Argument(..., help=CAMPAIGN_HELP),
    phase: str | None = typer.Option(None, "--phase", help="Key of the phase to move."),
    action: str | None = typer.Option(None, "--action", help="Key of the action to move."),
    end: str = typer.Option(..., "--end", help="New end date, YYYY-MM-DD."),
    start: str | None = typer.Option(None, "--start", help="New start date, YYYY-MM-DD."),
    by: str = typer.Option(getpass.getuser(), "--by", help=BY_HELP),
) -> None:
    """Move a phase's or an action's dates; the schedule is recomputed, done actions kept."""
    if (phase is None) == (action is None):
        fail("give exactly one of --phase or --action", 2)
    try:
        new_end = date.fromisoformat(end)
        new_start = date.fromisoformat(start) if start else None
    except ValueError:
        fail("--start and --end take dates (YYYY-MM-DD)", 2)
    try:
        with warnings_to_stderr(), session_scope() as session:
            found = find_campaign(session=session, ref=campaign)
            result = amend_dates(
                session=session,
                campaign=found,
                window=phase or action or "",
                end=new_end,
                start=new_start,
                work=WorkCalendar.from_file(get_settings().holidays_file),
                actor=by,
                channel=Channel.cli,
            )
    except CampaignNotFound as exc:
        fail(str(exc), 2)
    except LifecycleError as exc:
        fail(str(exc))
    except PlanError as exc:
        typer.echo(
            f"the amendment makes the plan invalid: {len(exc.problems)} problem(s)", err=True
        )
        for problem in exc.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1) from None
    change = result.schedule
    typer.echo(
        f"{result.window}: {result.old[0]} to {result.old[1]} -> {result.new[0]} to "
        f"{result.new[1]}; events: {len(change.added)} added, {len(change.moved)} moved, "
        f"{len(change.removed)} removed, {change.kept_done} done kept; "
        f"{result.requests_moved} open request(s) re-dated"
    )
