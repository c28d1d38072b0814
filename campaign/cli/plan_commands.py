"""`campaign validate | schedule | workdays`: check a plan and see every date it implies."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from campaign.cli._output import fail, pad, print_json, warnings_to_stderr
from campaign.plan import PlanError, load_plan
from campaign.schedule import acknowledgement_label, build_schedule
from campaign.settings import get_settings
from campaign.workdays import OverrideFileError, WorkCalendar

HOLIDAYS_HELP = "YAML file of holidays and make-up working days (default: CAMPAIGN_HOLIDAYS_FILE)."


def work_calendar(holidays: Path | None) -> WorkCalendar:
    try:
        return WorkCalendar.from_file(holidays or get_settings().holidays_file)
    except OverrideFileError as exc:
        fail(str(exc), 2)


def register(app: typer.Typer) -> None:
    app.command()(validate)
    app.command()(schedule)
    # A negative count (-5) is a number, not an option.
    app.command(context_settings={"ignore_unknown_options": True})(workdays)


def validate(plan: Path = typer.Argument(..., help="Plan YAML file.")) -> None:
    """Check a plan; list every problem with its field path and line."""
    try:
        loaded = load_plan(plan)
    except PlanError as exc:
        typer.echo(f"{plan}: {len(exc.problems)} problem(s)", err=True)
        for problem in exc.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{plan}: valid ({loaded.document_number} {loaded.title})")


def schedule(
    plan: Path = typer.Argument(..., help="Plan YAML file."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array of events."),
    holidays: Path | None = typer.Option(None, "--holidays", help=HOLIDAYS_HELP),
) -> None:
    """Every dated event the campaign will carry out, in the order the tick runs them."""
    try:
        loaded = load_plan(plan)
    except PlanError as exc:
        fail(str(exc))
    with warnings_to_stderr():
        events = build_schedule(loaded, work_calendar(holidays))
    if as_json:
        print_json([e.to_json() for e in events])
        return
    typer.echo(f"{loaded.document_number} {loaded.title}: {len(events)} events")
    for e in events:
        where = e.phase + (f" / {e.action}" if e.action else "")
        what = e.duty or e.template or ""
        due = f"due {e.due}" if e.due else ""
        label = e.period_label or ""
        if e.kind == "directive" and e.due:  # the directive opens its 签收 request
            label = acknowledgement_label(e)
        period = pad(label, 22)
        row = f"{e.date}  {e.kind:<13} {pad(where, 34)} {pad(what, 18)} {period} {due}"
        typer.echo(row.rstrip())


def workdays(
    start: str = typer.Argument(..., help="Start date, YYYY-MM-DD (not counted)."),
    count: int = typer.Argument(..., help="Working days to add; negative counts backwards."),
    holidays: Path | None = typer.Option(None, "--holidays", help=HOLIDAYS_HELP),
) -> None:
    """Print the date COUNT working days (工作日) after START."""
    try:
        day = date.fromisoformat(start)
    except ValueError:
        fail(f"{start!r} is not a date (YYYY-MM-DD)", 2)
    with warnings_to_stderr():
        try:
            result = work_calendar(holidays).add_workdays(day, count)
        except ValueError as exc:
            fail(str(exc), 2)
    typer.echo(result.isoformat())
