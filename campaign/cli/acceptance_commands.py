"""`campaign inspect`, `campaign rectify order | done | close | return | list`,
`campaign acceptance`: 检查验收 — on-site inspections, 整改 orders until 销号, the
acceptance report. The unit reports an order done through its link; `done` records it on
the unit's behalf (audited with the coordinator's name)."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import typer
from sqlmodel import Session

from campaign.acceptance.orders import (
    EntryRefused,
    close_order,
    order_rectification,
    record_inspection,
    report_done,
    return_order,
)
from campaign.cli._output import fail
from campaign.cli.campaign_commands import AS_OF_HELP, CAMPAIGN_HELP, as_of_option, resolve
from campaign.clock import as_utc, local_date
from campaign.db import session_scope
from campaign.i18n import _

rectify_app = typer.Typer(
    help=_("整改 orders: order, record the unit's report, close (销号), return, list."),
    no_args_is_help=True,
)
UNIT_HELP = _("Code of the unit.")
BY_HELP = _("Name recorded as the coordinator (default: the login name).")
NUMBER_HELP = _("Number of the 整改 order (campaign rectify list).")


def register(app: typer.Typer) -> None:
    app.command(name="inspect", help=_("Record the result of an on-site inspection of a unit."))(
        inspect
    )
    app.add_typer(rectify_app, name="rectify")
    app.command(
        name="acceptance",
        help=_(
            "Write the acceptance report (检查验收): every target for every unit, .xlsx and .docx."
        ),
    )(acceptance)


def _day(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(_("{what}: not a date (YYYY-MM-DD): {value}").format(what=what, value=value), 2)


@contextmanager
def _entry() -> Iterator[Session]:
    """A unit of work whose refusal (EntryRefused) ends the command: each problem on
    stderr, exit 2; nothing stored."""
    try:
        with session_scope() as session:
            yield session
    except EntryRefused as exc:
        for problem in exc.problems:
            typer.echo(problem, err=True)
        raise typer.Exit(2) from None


def inspect(
    campaign: str = typer.Argument(..., help=CAMPAIGN_HELP),
    unit: str = typer.Option(..., "--unit", help=UNIT_HELP),
    on: str = typer.Option(..., "--date", help=_("Day of the inspection (YYYY-MM-DD).")),
    verdict: str = typer.Option(..., "--verdict", help=_("合格, 基本合格 or 不合格.")),
    findings: str = typer.Option("", "--findings", help=_("What the inspection found.")),
    by: str | None = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Record the result of an on-site inspection of a unit."""
    campaign_id, timezone = resolve(campaign)
    day = _day(on, _("Inspection date"))
    with _entry() as session:
        row = record_inspection(
            session=session, campaign_id=campaign_id, bureau_code=unit, inspected_on=day,
            inspector=by or getpass.getuser(), verdict=verdict, findings=findings,
            at=as_utc(as_of_option(None, timezone), timezone),
        )  # fmt: skip
        number = row.id
    typer.echo(_("Inspection {id} recorded.").format(id=number))


@rectify_app.command(name="order", help=_("Order a unit to put something right by a deadline."))
def order(
    campaign: str = typer.Argument(..., help=CAMPAIGN_HELP),
    unit: str = typer.Option(..., "--unit", help=UNIT_HELP),
    what: str = typer.Option(..., "--what", help=_("What is to be put right.")),
    deadline: str = typer.Option(..., "--deadline", help=_("Deadline (YYYY-MM-DD).")),
    inspection: int | None = typer.Option(None, "--inspection", help=_("Id of the inspection.")),
    by: str | None = typer.Option(None, "--by", help=BY_HELP),
    as_of: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
) -> None:
    campaign_id, timezone = resolve(campaign)
    moment = as_of_option(as_of, timezone)
    day = _day(deadline, _("Deadline"))
    with _entry() as session:
        row = order_rectification(
            session=session, campaign_id=campaign_id, bureau_code=unit, what=what,
            deadline=day, ordered_by=by or getpass.getuser(),
            today=local_date(moment, timezone), at=as_utc(moment, timezone),
            inspection_id=inspection,
        )  # fmt: skip
        number = row.number
    typer.echo(
        _("整改 order No. {number} recorded; the unit is notified at the next tick.").format(
            number=number
        )
    )


@rectify_app.command(
    name="done", help=_("Record, on the unit's behalf, that the unit reports the order done.")
)
def done(
    campaign: str = typer.Argument(..., help=CAMPAIGN_HELP),
    number: int = typer.Argument(..., help=NUMBER_HELP),
    report: str = typer.Option(..., "--report", help=_("What the unit says it did.")),
    by: str | None = typer.Option(None, "--by", help=BY_HELP),
    as_of: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
) -> None:
    campaign_id, timezone = resolve(campaign)
    with _entry() as session:
        report_done(
            session=session, campaign_id=campaign_id, number=number, report=report,
            at=as_utc(as_of_option(as_of, timezone), timezone),
            actor=by or getpass.getuser(),
        )  # fmt: skip
    typer.echo(
        _("整改 order No. {number}: reported done; no more reminders.").format(number=number)
    )


@rectify_app.command(name="close", help=_("Close (销号) an order the unit has reported done."))
def close(
    campaign: str = typer.Argument(..., help=CAMPAIGN_HELP),
    number: int = typer.Argument(..., help=NUMBER_HELP),
    by: str | None = typer.Option(None, "--by", help=BY_HELP),
    as_of: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
) -> None:
    campaign_id, timezone = resolve(campaign)
    with _entry() as session:
        close_order(
            session=session, campaign_id=campaign_id, number=number,
            closed_by=by or getpass.getuser(),
            at=as_utc(as_of_option(as_of, timezone), timezone),
        )  # fmt: skip
    typer.echo(_("整改 order No. {number} closed (销号).").format(number=number))


@rectify_app.command(
    name="return", help=_("Return the unit's report with a comment and a new deadline.")
)
def return_(
    campaign: str = typer.Argument(..., help=CAMPAIGN_HELP),
    number: int = typer.Argument(..., help=NUMBER_HELP),
    comment: str = typer.Option(..., "--comment", help=_("Why it is returned.")),
    deadline: str | None = typer.Option(
        None, "--deadline", help=_("New deadline (YYYY-MM-DD; default: 3 working days).")
    ),
    by: str | None = typer.Option(None, "--by", help=BY_HELP),
    as_of: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
) -> None:
    campaign_id, timezone = resolve(campaign)
    day = _day(deadline, _("Deadline")) if deadline else None
    with _entry() as session:
        view = return_order(
            session=session, campaign_id=campaign_id, number=number, comment=comment,
            deadline=day, returned_by=by or getpass.getuser(),
            at=as_utc(as_of_option(as_of, timezone), timezone),
        )  # fmt: skip
        due = view.request.due_date
    typer.echo(
        _("整改 order No. {number} returned; new deadline {due}.").format(
            number=number, due=due.isoformat() if due else ""
        )
    )


@rectify_app.command(name="list", help=_("List the campaign's 整改 orders."))
def list_orders(
    campaign: str = typer.Argument(..., help=CAMPAIGN_HELP),
    as_of: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
) -> None:
    from campaign.web.console_results import order_rows

    campaign_id, timezone = resolve(campaign)
    today = local_date(as_of_option(as_of, timezone), timezone)
    with session_scope() as session:
        rows = order_rows(session=session, campaign_id=campaign_id, today=today)
    if not rows:
        typer.echo(_("No 整改 orders."))
    for o in rows:
        typer.echo(
            f"{o['number']:>3}  {o['unit']}  {o['deadline'].isoformat()}  {o['state']}  "
            f"{o['steps']}  {o['what']}"
        )


def acceptance(
    campaign: str = typer.Argument(..., help=CAMPAIGN_HELP),
    out: Path = typer.Option(..., "--out", help=_("Folder for the acceptance report.")),
    as_of: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
) -> None:
    from campaign.acceptance.report import write_acceptance_report

    campaign_id, timezone = resolve(campaign)
    today = local_date(as_of_option(as_of, timezone), timezone)
    with session_scope() as session:
        paths = write_acceptance_report(
            session=session, campaign_id=campaign_id, out=out, today=today
        )
    for path in paths:
        typer.echo(_("Acceptance report written: {file}").format(file=path))
