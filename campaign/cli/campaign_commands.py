"""`campaign launch | list | status | tick | run | log | worker`: campaigns over time."""

from __future__ import annotations

import getpass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import typer
from sqlmodel import col, select

from campaign.cli import lifecycle_commands
from campaign.cli._output import fail, print_json, warnings_to_stderr
from campaign.clock import now_in, parse_as_of
from campaign.db import session_scope
from campaign.orchestration.launch import (
    CampaignExists,
    CampaignNotFound,
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

CAMPAIGN_HELP = "Campaign id (see `campaign list`) or document number."
AS_OF_HELP = "Date or ISO datetime, campaign-local unless it has an offset (default: now)."
NO_PREFECT_HELP = "Run the tick as plain code, without Prefect (no flow runs, no artifacts)."


def register(app: typer.Typer) -> None:
    for command in (launch, list_, status, tick, run, log, worker):
        app.command(name=command.__name__.rstrip("_"))(command)
    lifecycle_commands.register(app)


def resolve(ref: str) -> tuple[int, str]:
    """(id, timezone) of the campaign CAMPAIGN names, or exit with the reason."""
    try:
        with session_scope() as session:
            campaign = find_campaign(session=session, ref=ref)
            assert campaign.id is not None
            return campaign.id, campaign.timezone
    except CampaignNotFound as exc:
        fail(str(exc), 2)


def as_of_option(value: str | None, timezone: str) -> datetime:
    if value is None:
        return now_in(timezone)
    try:
        return parse_as_of(value, timezone)
    except ValueError as exc:
        fail(str(exc), 2)


def launch(
    plan: Path = typer.Argument(..., help="Plan YAML file."),
    by: str = typer.Option(getpass.getuser(), "--by", help="Who launches (for the audit trail)."),
) -> None:
    """Validate a plan, store the campaign and its schedule, and deploy its daily tick."""
    from deployments.campaigns import deploy_campaign, tick_deployment_name

    try:
        loaded, text = validated_plan(plan.read_bytes(), str(plan))
    except OSError as exc:
        fail(f"{plan}: {exc.strerror}", 2)
    except PlanError as exc:
        typer.echo(f"{plan}: {len(exc.problems)} problem(s)", err=True)
        for problem in exc.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1) from None
    try:
        with warnings_to_stderr(), session_scope() as session:
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
    except (CampaignExists, OverrideFileError) as exc:
        fail(str(exc))
    typer.echo(f"launched campaign {campaign.id}: {campaign.document_number} {campaign.title}")
    assert campaign.id is not None
    if deploy_campaign(campaign) is not None:
        typer.echo(
            f"deployment campaign-tick/{tick_deployment_name(campaign.document_number)}: "
            f"{loaded.tick_cron} ({loaded.timezone})"
        )
    else:
        typer.echo(
            "no Prefect server reachable (PREFECT_API_URL): `campaign worker` creates the "
            "deployment when it starts"
        )


def list_(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
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
    for r in rows:
        typer.echo(f"{r['id']:>4}  {r['status']:<10} {r['document_number']}  {r['title']}")
    if not rows:
        typer.echo("no campaigns; launch one with `campaign launch PLAN`")


def status(
    campaign: str = typer.Argument(..., help=CAMPAIGN_HELP),
    as_of: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
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
    typer.echo(f"{standing.document_number} {standing.title} [{standing.status}]")
    typer.echo(
        f"as of {standing.today}: timeline {standing.timeline_percent}%, reports received "
        f"{standing.reports_received}/{standing.reports_expected}"
    )
    phases = ", ".join(f"{p['name']} ({p['start']} to {p['end']})" for p in standing.active_phases)
    typer.echo(f"active phases: {phases or 'none'}")
    typer.echo("next:")
    for e in standing.next_events:
        due = f" due {e['due']}" if e["due"] else ""
        typer.echo(f"  {e['date']}  {e['kind']:<13} {e['what']}{due}")
    for b in standing.bureaus:
        typer.echo(
            f"{b.code} {b.name}: {len(b.done)} done, {len(b.outstanding)} outstanding, "
            f"{len(b.late)} late"
        )
        for label in b.late:
            typer.echo(f"    late: {label}")
        for label in b.outstanding:
            typer.echo(f"    outstanding: {label}")


def tick(
    campaign: str = typer.Argument(..., help=CAMPAIGN_HELP),
    as_of: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
    no_prefect: bool = typer.Option(False, "--no-prefect", help=NO_PREFECT_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the tick's report as JSON."),
) -> None:
    """Run one tick: carry out everything due by AS_OF that is not done yet."""
    campaign_id, timezone = resolve(campaign)
    report = _tick(campaign_id, as_of_option(as_of, timezone), no_prefect)
    print_json(report) if as_json else _echo_tick(report)


def run(
    campaign: str = typer.Argument(..., help=CAMPAIGN_HELP),
    start: str = typer.Option(..., "--from", help="First day, YYYY-MM-DD."),
    end: str = typer.Option(..., "--to", help="Last day, YYYY-MM-DD."),
    no_prefect: bool = typer.Option(False, "--no-prefect", help=NO_PREFECT_HELP),
) -> None:
    """Fast-forward: one tick at each moment between the dates when something falls due."""
    campaign_id, _ = resolve(campaign)
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        fail("--from and --to take dates (YYYY-MM-DD)", 2)
    moments = tick_moments(campaign_id=campaign_id, start=first, end=last)
    typer.echo(f"{len(moments)} tick(s) from {first} to {last}")
    if no_prefect:
        for moment in moments:
            _echo_tick(run_tick(campaign_id=campaign_id, as_of=moment).to_json())
        return
    from flows.campaign_tick import run_ticks

    for report in run_ticks(campaign_id, moments, heartbeats=False):
        _echo_tick(report)


def _tick(campaign_id: int, as_of: datetime, no_prefect: bool) -> dict[str, Any]:
    if no_prefect:
        return run_tick(campaign_id=campaign_id, as_of=as_of).to_json()
    from flows.campaign_tick import run_ticks

    return run_ticks(campaign_id, [as_of])[0]


def _echo_tick(report: dict[str, Any]) -> None:
    day = report["as_of"][:16]
    if report["refused"]:
        typer.echo(f"{day}: {report['refused']}")
        return
    done = sum(len(e["done"]) for e in report["events"])
    skipped = sum(len(e["skipped"]) for e in report["events"])
    line = f"{day}: {len(report['events'])} event(s), {done} action(s) done"
    line += f", {skipped} skipped" if skipped else ""
    line += f", {report['overdue']} request(s) now overdue" if report["overdue"] else ""
    line += ", campaign completed" if report["completed"] else ""
    mail = report.get("mail") or {}
    if mail.get("sent") or mail.get("failed"):
        line += f"; mail: {mail['sent']} sent, {mail['failed']} failed"
    if mail.get("unavailable"):
        line += f"; mail held in the outbox ({mail['unavailable']})"
    typer.echo(line)


def log(
    campaign: str = typer.Argument(..., help=CAMPAIGN_HELP),
    bureau: str | None = typer.Option(None, "--bureau", help="Only this bureau's entries."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The audit trail: every change of state, with when, what, who and through which channel."""
    campaign_id, _ = resolve(campaign)
    with session_scope() as session:
        query = select(AuditEvent).where(col(AuditEvent.campaign_id) == campaign_id)
        if bureau is not None:
            query = query.where(col(AuditEvent.bureau_code) == bureau)
        entries = session.exec(query.order_by(col(AuditEvent.at), col(AuditEvent.id))).all()
    if as_json:
        print_json([e.model_dump(mode="json") for e in entries])
        return
    for e in entries:
        detail = " ".join(f"{k}={v}" for k, v in e.detail.items() if v not in (None, "", 0))
        who = f"{e.actor}/{e.channel}"
        typer.echo(
            f"{e.at:%Y-%m-%d %H:%M}  {e.event:<20} {e.bureau_code or '-':<8} {who:<16} {detail}"
        )


def worker(
    refresh: float = typer.Option(
        60.0, "--refresh", help="Seconds between looks for new campaigns."
    ),
    limit: int | None = typer.Option(None, "--limit", help="Most flow runs at once."),
) -> None:
    """Run the scheduled ticks of all active campaigns from this process (PREFECT_API_URL)."""
    import anyio

    from deployments.campaigns import prefect_api_url, prefect_reachable
    from deployments.worker import serve_campaigns

    if not prefect_reachable():
        fail(
            f"no Prefect server at {prefect_api_url() or '(PREFECT_API_URL unset)'}; start one "
            "with `prefect server start` and set PREFECT_API_URL (see docs/orchestration.md)"
        )
    anyio.run(lambda: serve_campaigns(refresh_seconds=refresh, limit=limit))
