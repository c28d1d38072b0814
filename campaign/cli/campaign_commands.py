"""`campaign launch | list | status | tick | run | log | worker`: campaigns over time."""

from __future__ import annotations

import getpass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import typer
from sqlmodel import col, select

from campaign.cli import lifecycle_commands
from campaign.cli._output import (
    echo_problems,
    fail,
    failing,
    pad,
    print_json,
    warnings_to_stderr,
)
from campaign.cli.campaign_views import echo_status, echo_tick
from campaign.clock import now_in, parse_as_of, shown_time
from campaign.db import session_scope
from campaign.i18n import N_, _, ngettext
from campaign.i18n.labels import (
    AUDIT_EVENTS,
    CAMPAIGN_STATES,
    CHANNELS,
    audit_detail,
    label,
)
from campaign.orchestration.launch import (
    CampaignExists,
    CampaignNotFound,
    UnitsUnmatched,
    find_campaign,
    launch_campaign,
    validated_plan,
)
from campaign.orchestration.status import campaign_standing
from campaign.orchestration.tick import run_tick, tick_moments
from campaign.plan import PlanError
from campaign.settings import get_settings
from campaign.workdays import OverrideFileError, WorkCalendar
from models.audit import AuditEvent, Channel
from models.campaign import Campaign

CAMPAIGN_HELP = _("Campaign id (see `campaign list`) or document number.")
AS_OF_HELP = _("Date or ISO datetime, campaign-local unless it has an offset (default: now).")
NO_PREFECT_HELP = _("Run the tick as plain code, without Prefect (no flow runs, no artifacts).")
JSON_HELP = _("Print JSON.")

HELP = {
    "launch": N_(
        "Validate a plan, store the campaign and its schedule, and deploy its daily tick."
    ),
    "list": N_("List campaigns."),
    "status": N_(
        "Active phases, next deadlines, and what each bureau has outstanding, late or done."
    ),
    "tick": N_("Run one tick: carry out everything due by AS_OF that is not done yet."),
    "run": N_("Fast-forward: one tick at each moment between the dates when something falls due."),
    "log": N_(
        "The audit trail: every change of state, with when, what, who and through which channel."
    ),
    "worker": N_(
        "Run the scheduled ticks of all active campaigns from this process (PREFECT_API_URL)."
    ),
}


def register(app: typer.Typer) -> None:
    for command in (launch, list_, status, tick, run, log, worker):
        name = command.__name__.rstrip("_")
        app.command(name=name, help=_(HELP[name]))(command)
    lifecycle_commands.register(app)


def resolve(ref: str) -> tuple[int, str]:
    """(id, timezone) of the campaign CAMPAIGN names, or exit with the reason."""
    with failing(CampaignNotFound, code=2), session_scope() as session:
        campaign = find_campaign(session=session, ref=ref)
        assert campaign.id is not None
        return campaign.id, campaign.timezone


def problems_header(path: Path | str, count: int) -> str:
    return ngettext("{path}: {n} problem", "{path}: {n} problems", count).format(path=path, n=count)


def as_of_option(value: str | None, timezone: str) -> datetime:
    if value is None:
        return now_in(timezone)
    with failing(ValueError, code=2):
        return parse_as_of(value, timezone)


def launch(
    plan: Path = typer.Argument(..., help=_("Plan YAML file.")),
    by: str = typer.Option(
        getpass.getuser(), "--by", help=_("Who launches (for the audit trail).")
    ),
) -> None:
    """Validate a plan, store the campaign and its schedule, and deploy its daily tick."""
    from deployments.campaigns import deploy_campaign, tick_deployment_name

    try:
        loaded, text = validated_plan(plan.read_bytes(), str(plan))
    except OSError as exc:
        fail(f"{plan}: {exc.strerror}", 2)
    except PlanError as exc:
        echo_problems(problems_header(plan, len(exc.problems)), exc.problems)
    refusals = (CampaignExists, OverrideFileError, UnitsUnmatched)
    with failing(*refusals), warnings_to_stderr(), session_scope() as session:
        work = WorkCalendar.from_file(get_settings().holidays_file)
        campaign = launch_campaign(
            session=session,
            plan=loaded,
            plan_text=text,
            source=str(plan),
            work=work,
            actor=by,
            channel=Channel.cli,
        )
    typer.echo(
        _("Launched campaign {id}: {number} {title}").format(
            id=campaign.id, number=campaign.document_number, title=campaign.title
        )
    )
    assert campaign.id is not None
    if deploy_campaign(campaign) is not None:
        typer.echo(
            _("Daily tick deployed as campaign-tick/{name}: {cron} ({zone})").format(
                name=tick_deployment_name(campaign.document_number),
                cron=loaded.tick_cron,
                zone=loaded.timezone,
            )
        )
    else:
        typer.echo(
            _(
                "No Prefect server reachable (PREFECT_API_URL): `campaign worker` creates the "
                "deployment when it starts."
            )
        )


def list_(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """List campaigns."""
    with session_scope() as session:
        campaigns = session.exec(select(Campaign).order_by(col(Campaign.id))).all()
    rows = [
        {
            "id": c.id,
            "document_number": c.document_number,
            "title": c.title,
            "status": c.status,
            "timezone": c.timezone,
            "created_at": c.created_at.isoformat(),
            "last_tick_at": c.last_tick_at.isoformat() if c.last_tick_at else None,
        }
        for c in campaigns
    ]
    if as_json:
        print_json(rows)
        return
    for c in campaigns:
        state = pad(label(CAMPAIGN_STATES, c.status), 10)
        typer.echo(f"{c.id:>4}  {state} {c.document_number}  {c.title}")
    if not rows:
        typer.echo(_("No campaigns yet; launch one with `campaign launch PLAN`."))


def status(
    campaign: str = typer.Argument(..., help=CAMPAIGN_HELP),
    as_of: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Active phases, next deadlines, and what each bureau has outstanding, late or done."""
    campaign_id, timezone = resolve(campaign)
    with session_scope() as session:
        standing = campaign_standing(
            session=session, campaign_id=campaign_id, as_of=as_of_option(as_of, timezone)
        )
    if as_json:
        print_json(standing.to_json())
        return
    echo_status(standing, timezone)


def tick(
    campaign: str = typer.Argument(..., help=CAMPAIGN_HELP),
    as_of: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
    no_prefect: bool = typer.Option(False, "--no-prefect", help=NO_PREFECT_HELP),
    as_json: bool = typer.Option(False, "--json", help=_("Print the tick's report as JSON.")),
) -> None:
    """Run one tick: carry out everything due by AS_OF that is not done yet."""
    campaign_id, timezone = resolve(campaign)
    report = _tick(campaign_id, as_of_option(as_of, timezone), no_prefect)
    print_json(report) if as_json else echo_tick(report, timezone)


def run(
    campaign: str = typer.Argument(..., help=CAMPAIGN_HELP),
    start: str = typer.Option(..., "--from", help=_("First day, YYYY-MM-DD.")),
    end: str = typer.Option(..., "--to", help=_("Last day, YYYY-MM-DD.")),
    no_prefect: bool = typer.Option(False, "--no-prefect", help=NO_PREFECT_HELP),
) -> None:
    """Fast-forward: one tick at each moment between the dates when something falls due."""
    campaign_id, timezone = resolve(campaign)
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        fail(_("--from and --to take dates (YYYY-MM-DD)"), 2)
    moments = tick_moments(campaign_id=campaign_id, start=first, end=last)
    typer.echo(
        ngettext(
            "{n} tick from {first} to {last}", "{n} ticks from {first} to {last}", len(moments)
        ).format(n=len(moments), first=first, last=last)
    )
    if no_prefect:
        for moment in moments:
            echo_tick(run_tick(campaign_id=campaign_id, as_of=moment).to_json(), timezone)
        return
    from flows.campaign_tick import run_ticks

    for report in run_ticks(campaign_id, moments, heartbeats=False):
        echo_tick(report, timezone)


def _tick(campaign_id: int, as_of: datetime, no_prefect: bool) -> dict[str, Any]:
    if no_prefect:
        return run_tick(campaign_id=campaign_id, as_of=as_of).to_json()
    from flows.campaign_tick import run_ticks

    return run_ticks(campaign_id, [as_of])[0]


def log(
    campaign: str = typer.Argument(..., help=CAMPAIGN_HELP),
    bureau: str | None = typer.Option(None, "--bureau", help=_("Only this bureau's entries.")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """The audit trail: every change of state, with when, what, who and through which channel."""
    campaign_id, timezone = resolve(campaign)
    with session_scope() as session:
        query = select(AuditEvent).where(col(AuditEvent.campaign_id) == campaign_id)
        if bureau is not None:
            query = query.where(col(AuditEvent.bureau_code) == bureau)
        entries = session.exec(query.order_by(col(AuditEvent.at), col(AuditEvent.id))).all()
    if as_json:
        print_json([e.model_dump(mode="json") for e in entries])
        return
    for e in entries:
        who = f"{e.actor}/{label(CHANNELS, e.channel)}"
        typer.echo(
            f"{shown_time(e.at, timezone)}  {pad(label(AUDIT_EVENTS, e.event), 12)} "
            f"{e.bureau_code or '-':<8} {pad(who, 16)} {audit_detail(e.detail)}".rstrip()
        )


def worker(
    refresh: float = typer.Option(
        60.0, "--refresh", help=_("Seconds between looks for new campaigns.")
    ),
    limit: int | None = typer.Option(None, "--limit", help=_("Most flow runs at once.")),
) -> None:
    """Run the scheduled ticks of all active campaigns from this process (PREFECT_API_URL)."""
    import anyio

    from deployments.campaigns import prefect_api_url, prefect_reachable
    from deployments.worker import serve_campaigns

    if not prefect_reachable():
        fail(
            _(
                "No Prefect server at {url}; start one with `prefect server start` and set "
                "PREFECT_API_URL (see docs/orchestration.md)"
            ).format(url=prefect_api_url() or _("(PREFECT_API_URL unset)"))
        )
    anyio.run(lambda: serve_campaigns(refresh_seconds=refresh, limit=limit))
