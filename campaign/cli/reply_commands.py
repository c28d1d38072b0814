"""`campaign serve | review … | reply submit | links …`: the web app, review, replies, links."""

from __future__ import annotations

import getpass
from datetime import date

import typer
from sqlmodel import Session

from campaign.accounts import OFFICE, Scope, scope_of
from campaign.cli import links_commands
from campaign.cli._output import deliver_queued, fail, pad, print_json
from campaign.cli.reply_submit_commands import SEND_HELP, reply_submit
from campaign.clock import settings_now, shown_time
from campaign.db import session_scope
from campaign.i18n import _
from campaign.i18n.labels import CHANNELS, REVIEW_STATES, label
from campaign.plan.stored import plan_of
from campaign.replies.review import (
    ReviewError,
    ReviewItem,
    accept_submission,
    return_submission,
    review_queue,
)
from campaign.settings import get_settings
from campaign.workdays import WorkCalendar
from models.bureau import normalize_key
from models.campaign import Campaign
from models.reply import ReportPublic
from models.submission import ReviewStatus

review_app = typer.Typer(
    help=_("Review bureaus' answers: list, accept, return."), no_args_is_help=True
)
reply_app = typer.Typer(help=_("Enter an answer on a bureau's behalf."), no_args_is_help=True)
REVIEWER_HELP = _("Name recorded as reviewer (default: the login name).")
SUBMISSION_HELP = _("Submission id (from `review list`).")
AS_HELP = _(
    "Review as this console account: its queue and what it may review (default: the office)."
)
STATUSES = ("pending", "accepted", "returned", "all")


def register(app: typer.Typer) -> None:
    app.command(help=_("Serve the web app (personal links /r/{token}, coordinator pages /admin)."))(
        serve
    )
    app.add_typer(review_app, name="review")
    app.add_typer(reply_app, name="reply")
    reply_app.command(
        "submit",
        help=_(
            "Store an answer received on paper, by phone or by e-mail, checked like the web form."
        ),
    )(reply_submit)
    links_commands.register(app)


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help=_("Address to listen on.")),
    port: int = typer.Option(8000, "--port", help=_("Port to listen on.")),
    workers: int = typer.Option(1, "--workers", help=_("Worker processes (see docs/replies.md).")),
) -> None:
    """Serve the web app (personal links /r/{token}, coordinator pages /admin)."""
    import uvicorn

    from campaign.db import migrate

    migrate()
    uvicorn.run(
        "campaign.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
    )


@review_app.command(
    "list", help=_("List answers awaiting review (or in another state), newest first.")
)
def review_list(
    campaign_id: int | None = typer.Option(None, "--campaign", help=_("Only this campaign id.")),
    status: str = typer.Option("pending", help=_("pending, accepted, returned or all.")),
    as_json: bool = typer.Option(False, "--json", help=_("Print JSON.")),
    as_user: str | None = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """List answers awaiting review (or in another review state), newest first."""
    if status not in STATUSES:
        fail(
            _("--status: {value!r} is not one of pending, accepted, returned, all").format(
                value=status
            ),
            2,
        )
    with session_scope() as session:
        items = review_queue(
            session=session,
            campaign_id=campaign_id,
            status=None if status == "all" else ReviewStatus(status),
            scope=_scope(session, as_user),
        )
        rows = [
            (item, ReportPublic.model_validate(item.submission, from_attributes=True))
            for item in items
        ]
        shown = {item.request.campaign_id: _campaign_words(session, item) for item in items}
    if as_json:
        print_json([public.model_dump(mode="json") for _item, public in rows])
        return
    if not rows:
        typer.echo(
            _("No answers awaiting review.")
            if status == "pending"
            else _("No answers in state {state}.").format(state=label(REVIEW_STATES, status))
        )
    for item, public in rows:
        late = " " + _("late") if public.late else ""
        request = item.request
        timezone, duties = shown[request.campaign_id]
        typer.echo(
            f"{public.id:>6}  {shown_time(public.submitted_at, timezone)}  "
            f"{item.bureau_name}  {duties.get(request.duty_key, request.duty_key)} "
            f"{request.period_label or request.period_key}  "
            + _("version {n}").format(n=public.version)
            + f" {label(CHANNELS, public.channel)}{late}  "
            + pad(label(REVIEW_STATES, public.review_status), 8)
        )


def _scope(session: Session, as_user: str | None) -> Scope:
    """The account reviewing: --as USERNAME, else the office."""
    if as_user is None:
        return OFFICE
    found = scope_of(session, normalize_key(as_user).lower())
    if found is None:
        fail(_("No enabled console account {name!r}.").format(name=as_user), 2)
    return found


def _campaign_words(session: Session, item: ReviewItem) -> tuple[str, dict[str, str]]:
    """(timezone, duty names by key) of the campaign of a review item."""
    campaign = session.get(Campaign, item.request.campaign_id)
    assert campaign is not None
    return campaign.timezone, {d.key: d.name for d in plan_of(campaign).duties}


@review_app.command("accept", help=_("Accept the newest version of an answer."))
def review_accept(
    submission_id: int = typer.Argument(..., help=SUBMISSION_HELP),
    comment: str = typer.Option("", "--comment", help=_("Optional remark.")),
    reviewer: str | None = typer.Option(None, "--reviewer", help=REVIEWER_HELP),
    as_user: str | None = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """Accept the newest version of an answer."""
    try:
        with session_scope() as session:
            scope = _scope(session, as_user)
            accept_submission(
                session=session,
                submission_id=submission_id,
                reviewer=reviewer or scope.username or getpass.getuser(),
                comment=comment,
                now=settings_now(),
                scope=scope,
            )
    except ReviewError as exc:
        fail(_("Cannot accept: {reason}").format(reason=exc))
    typer.echo(_("Answer {id} accepted.").format(id=submission_id))


@review_app.command(
    "return", help=_("Return an answer with a comment: the request reopens and the bureau is told.")
)
def review_return(
    submission_id: int = typer.Argument(..., help=SUBMISSION_HELP),
    comment: str = typer.Option(..., "--comment", help=_("What to correct (sent to the bureau).")),
    due: str | None = typer.Option(None, "--due", help=_("New due date YYYY-MM-DD.")),
    working_days: int | None = typer.Option(
        None, "--working-days", help=_("New due date this many 工作日 from today (default 3).")
    ),
    reviewer: str | None = typer.Option(None, "--reviewer", help=REVIEWER_HELP),
    send: bool = typer.Option(True, "--send/--no-send", help=SEND_HELP),
    as_user: str | None = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """Return an answer with a comment: the request reopens and the bureau is told."""
    try:
        due_date = date.fromisoformat(due) if due else None
    except ValueError:
        fail(_("--due: {value!r} is not a date (YYYY-MM-DD)").format(value=due), 2)
    try:
        with session_scope() as session:
            scope = _scope(session, as_user)
            returned = return_submission(
                session=session,
                submission_id=submission_id,
                reviewer=reviewer or scope.username or getpass.getuser(),
                comment=comment,
                due=due_date,
                working_days=working_days,
                calendar=WorkCalendar.from_file(get_settings().holidays_file),
                now=settings_now(),
                scope=scope,
            )
    except ReviewError as exc:
        fail(_("Cannot return: {reason}").format(reason=exc))
    typer.echo(
        _("Answer {id} returned; new due date {due}.").format(
            id=submission_id, due=returned.due.isoformat()
        )
    )
    typer.echo(_("New link (mailed to the bureau): {url}").format(url=returned.link_url))
    if send:
        deliver()


def deliver() -> None:
    """Send the e-mail just queued (receipt, returned notice, link) now, as the web app does."""
    deliver_queued(
        _(
            "E-mail not sent: mail server unavailable ({reason}); it stays in the outbox "
            "for the next tick or `campaign outbox send`."
        )
    )
