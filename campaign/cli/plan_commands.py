"""`campaign validate | schedule | workdays`: check a plan and see every date it implies."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import NoReturn

import typer

from campaign.bureaus import BureauImportError, units_of_csv
from campaign.cli._output import echo_problems, fail, failing, pad, print_json, warnings_to_stderr
from campaign.i18n import N_, _, ngettext
from campaign.i18n.labels import EVENT_KINDS, label
from campaign.plan import Plan, PlanError, load_plan
from campaign.plan.load import locate, plan_warnings
from campaign.plan.reach import launch_problems, registry_warnings
from campaign.plan.units import Registry
from campaign.schedule import acknowledgement_label, build_schedule
from campaign.settings import get_settings
from campaign.workdays import OverrideFileError, WorkCalendar

HOLIDAYS_HELP = _(
    "YAML file of holidays and make-up working days (default: CAMPAIGN_HOLIDAYS_FILE)."
)
PLAN_HELP = _("Plan YAML file.")
HELP = {
    "validate": N_("Check a plan; list every problem with its field path and line."),
    "schedule": N_("Every dated event the plan implies, in date order."),
    "workdays": N_("Print the date COUNT working days (工作日) after START."),
}


def work_calendar(holidays: Path | None) -> WorkCalendar:
    with failing(OverrideFileError, code=2):
        return WorkCalendar.from_file(holidays or get_settings().holidays_file)


def register(app: typer.Typer) -> None:
    app.command(help=_(HELP["validate"]))(validate)
    app.command(help=_(HELP["schedule"]))(schedule)
    # A negative count (-5) is a number, not an option.
    app.command(context_settings={"ignore_unknown_options": True}, help=_(HELP["workdays"]))(
        workdays
    )


def plan_problems(plan: Path, exc: PlanError) -> NoReturn:
    """Every problem of a plan, one a line, under a header naming the file; exit 1."""
    header = ngettext("{path}: {n} problem", "{path}: {n} problems", len(exc.problems)).format(
        path=plan, n=len(exc.problems)
    )
    echo_problems(header, exc.problems)


def validate(
    plan: Path = typer.Argument(..., help=PLAN_HELP),
    bureaus: Path | None = typer.Option(
        None,
        "--bureaus",
        help=_("Registry CSV to check the plan's units against (warnings only)."),
    ),
) -> None:
    """Check a plan; list every problem with its field path and line."""
    try:
        loaded = load_plan(plan)
    except PlanError as exc:
        plan_problems(plan, exc)
    typer.echo(
        _("{path}: valid ({number} {title})").format(
            path=plan, number=loaded.document_number, title=loaded.title
        )
    )
    for warning in plan_warnings(plan):
        typer.echo(_("warning: {message}").format(message=warning), err=True)
    if bureaus is not None:
        warn_about_units(loaded, bureaus, plan)


def warn_about_units(loaded: Plan, csv_file: Path, plan_file: Path) -> None:
    """What the plan's unit selectors reach in a registry CSV: what would refuse the launch
    and what may be wrong (groups without members, units missing, recipients lacking)."""
    try:
        units = units_of_csv(csv_file.read_bytes())
    except OSError as exc:
        fail(_("{file}: cannot read it ({reason})").format(file=csv_file, reason=exc.strerror), 2)
    except BureauImportError as exc:
        echo_problems(
            _("{file}: {n} problem(s) in the registry").format(file=csv_file, n=len(exc.problems)),
            exc.problems,
        )
    registry = Registry.of(units, root=loaded.root_bureau, groups=loaded.groups)
    warnings = [*launch_problems(loaded, registry), *registry_warnings(loaded, registry)]
    warnings = locate(warnings, plan_file.read_text(encoding="utf-8-sig"))
    if warnings:
        typer.echo(
            _("{file}: {n} warning(s) about the plan's units").format(
                file=csv_file, n=len(warnings)
            ),
            err=True,
        )
        for warning in warnings:
            typer.echo(f"  {warning}", err=True)


def schedule(
    plan: Path = typer.Argument(..., help=PLAN_HELP),
    as_json: bool = typer.Option(False, "--json", help=_("Print a JSON array of events.")),
    holidays: Path | None = typer.Option(None, "--holidays", help=HOLIDAYS_HELP),
) -> None:
    """Every dated event the campaign will carry out, in the order the tick runs them."""
    try:
        loaded = load_plan(plan)
    except PlanError as exc:
        plan_problems(plan, exc)
    with warnings_to_stderr():
        events = build_schedule(loaded, work_calendar(holidays))
    if as_json:
        print_json([e.to_json() for e in events])
        return
    typer.echo(
        _("{number} {title}: {n} events").format(
            number=loaded.document_number, title=loaded.title, n=len(events)
        )
    )
    for e in events:
        where = e.phase + (f" / {e.action}" if e.action else "")
        what = e.duty or e.template or ""
        due = _("due {due}").format(due=e.due) if e.due else ""
        text = e.period_label or ""
        if e.kind == "directive" and e.due:  # the directive opens its 签收 request
            text = acknowledgement_label(e)
        period = pad(text, 22)
        kind = pad(label(EVENT_KINDS, e.kind), 13)
        row = f"{e.date}  {kind} {pad(where, 34)} {pad(what, 18)} {period} {due}"
        typer.echo(row.rstrip())


def workdays(
    start: str = typer.Argument(..., help=_("Start date, YYYY-MM-DD (not counted).")),
    count: int = typer.Argument(..., help=_("Working days to add; negative counts backwards.")),
    holidays: Path | None = typer.Option(None, "--holidays", help=HOLIDAYS_HELP),
) -> None:
    """Print the date COUNT working days (工作日) after START."""
    try:
        day = date.fromisoformat(start)
    except ValueError:
        fail(_("{value!r} is not a date (YYYY-MM-DD)").format(value=start), 2)
    with warnings_to_stderr(), failing(ValueError, code=2):
        result = work_calendar(holidays).add_workdays(day, count)
    typer.echo(result.isoformat())
