"""`campaign pause | resume | cancel | amend`: change a running campaign, audited."""

from __future__ import annotations

import getpass
from datetime import date

import typer

from campaign.cli._output import echo_problems, fail, failing, warnings_to_stderr
from campaign.db import session_scope
from campaign.i18n import N_, _
from campaign.i18n.labels import CAMPAIGN_STATES, label
from campaign.orchestration.launch import CampaignNotFound, find_campaign
from campaign.orchestration.lifecycle import LifecycleError, amend_dates, change_status
from campaign.plan import PlanError
from campaign.settings import get_settings
from campaign.workdays import WorkCalendar
from models.audit import Channel

CAMPAIGN_HELP = _("Campaign id (see `campaign list`) or document number.")
BY_HELP = _("Who makes the change (for the audit trail).")
REASON_HELP = _("Why (kept in the audit trail).")
HELP = {
    "pause": N_("Pause: no further directives, requests or reminders until resumed."),
    "resume": N_("Resume a paused campaign; the next tick catches up on what fell due meanwhile."),
    "cancel": N_("Cancel for good: open requests are closed; everything recorded is kept."),
    "amend": N_(
        "Move a phase's or an action's dates; the schedule is recomputed, done actions kept."
    ),
}


def register(app: typer.Typer) -> None:
    for command in (pause, resume, cancel, amend):
        app.command(help=_(HELP[command.__name__]))(command)


def _change(ref: str, command: str, by: str, reason: str) -> None:
    from deployments.campaigns import set_schedule_paused

    with failing(CampaignNotFound, code=2), failing(LifecycleError), session_scope() as session:
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
    assert campaign_id is not None
    typer.echo(
        _("Campaign {id} is now {status}.").format(
            id=campaign_id, status=label(CAMPAIGN_STATES, status)
        )
    )
    cancelled = None  # the message the ticks that will not run show in the Prefect UI
    if command == "cancel":
        cancelled = _("Campaign {id} was cancelled; this tick does not run.").format(id=campaign_id)
    if set_schedule_paused(campaign_id, paused=command != "resume", cancel_waiting=cancelled):
        typer.echo(
            _("Scheduled ticks resumed in Prefect.")
            if command == "resume"
            else _("Scheduled ticks paused in Prefect.")
        )
    else:
        typer.echo(_("No Prefect deployment reachable; the tick itself checks the status."))


def pause(
    campaign: str = typer.Argument(..., help=CAMPAIGN_HELP),
    reason: str = typer.Option("", "--reason", help=REASON_HELP),
    by: str = typer.Option(getpass.getuser(), "--by", help=BY_HELP),
) -> None:
    """Pause: no further directives, requests or reminders until resumed."""
    _change(campaign, "pause", by, reason)


def resume(
    campaign: str = typer.Argument(..., help=CAMPAIGN_HELP),
    reason: str = typer.Option("", "--reason", help=REASON_HELP),
    by: str = typer.Option(getpass.getuser(), "--by", help=BY_HELP),
) -> None:
    """Resume a paused campaign; the next tick catches up on what fell due meanwhile."""
    _change(campaign, "resume", by, reason)


def cancel(
    campaign: str = typer.Argument(..., help=CAMPAIGN_HELP),
    reason: str = typer.Option("", "--reason", help=REASON_HELP),
    by: str = typer.Option(getpass.getuser(), "--by", help=BY_HELP),
    yes: bool = typer.Option(False, "--yes", "-y", help=_("Do not ask for confirmation.")),
) -> None:
    """Cancel for good: open requests are closed; everything recorded is kept."""
    if not yes:
        question = _(
            "Cancel campaign {campaign} for good? Open requests are closed and no further "
            "mail is sent."
        ).format(campaign=campaign)
        if not typer.confirm(question, default=False):
            fail(_("Not cancelled."))
    _change(campaign, "cancel", by, reason)


def amend(
    campaign: str = typer.Argument(..., help=CAMPAIGN_HELP),
    phase: str | None = typer.Option(None, "--phase", help=_("Key of the phase to move.")),
    action: str | None = typer.Option(None, "--action", help=_("Key of the action to move.")),
    end: str = typer.Option(..., "--end", help=_("New end date, YYYY-MM-DD.")),
    start: str | None = typer.Option(None, "--start", help=_("New start date, YYYY-MM-DD.")),
    by: str = typer.Option(getpass.getuser(), "--by", help=BY_HELP),
) -> None:
    """Move a phase's or an action's dates; the schedule is recomputed, done actions kept."""
    if (phase is None) == (action is None):
        fail(_("Give exactly one of --phase or --action."), 2)
    try:
        new_end = date.fromisoformat(end)
        new_start = date.fromisoformat(start) if start else None
    except ValueError:
        fail(_("--start and --end take dates (YYYY-MM-DD)."), 2)
    try:
        with (
            failing(CampaignNotFound, code=2),
            failing(LifecycleError),
            warnings_to_stderr(),
            session_scope() as session,
        ):
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
    except PlanError as exc:
        header = _("The amendment makes the plan invalid: {n} problem(s)").format(
            n=len(exc.problems)
        )
        echo_problems(header, exc.problems)
    change = result.schedule
    typer.echo(
        _(
            "{window}: {old_start} to {old_end} -> {new_start} to {new_end}; events: {added} "
            "added, {moved} moved, {removed} removed, {kept} done kept; {requests} open "
            "request(s) re-dated"
        ).format(
            window=result.window,
            old_start=result.old[0],
            old_end=result.old[1],
            new_start=result.new[0],
            new_end=result.new[1],
            added=len(change.added),
            moved=len(change.moved),
            removed=len(change.removed),
            kept=change.kept_done,
            requests=result.requests_moved,
        )
    )
