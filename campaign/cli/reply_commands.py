"""`campaign serve | review … | reply submit | links …`: the web app, review, replies, links."""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path

import typer

from campaign.cli._output import fail, print_json
from campaign.db import session_scope
from campaign.mail.sender import deliver_now
from campaign.replies.errors import ReplyError, ReportInvalid
from campaign.replies.links_admin import LinkAdminError, reissue, revoke
from campaign.replies.reply_context import resolve_context
from campaign.replies.review import (
    ReviewError,
    accept_submission,
    return_submission,
    review_queue,
)
from campaign.replies.submit import submit_report
from campaign.replies.xlsx_parse import ExpectedTable, parse_report_xlsx
from campaign.settings import get_settings
from campaign.workdays import WorkCalendar
from models.attachment import AttachmentKind
from models.audit import Channel
from models.link import LinkPurpose
from models.reply import AttachmentIn, ReportCreate, ReportPublic
from models.request import ReportRequest
from models.submission import ReviewStatus

review_app = typer.Typer(
    help="Review bureaus' answers: list, accept, return.", no_args_is_help=True
)
reply_app = typer.Typer(help="Enter an answer on a bureau's behalf.", no_args_is_help=True)
links_app = typer.Typer(help="Personal reply links: reissue, revoke.", no_args_is_help=True)
REVIEWER_HELP = "Name recorded as reviewer (default: the login name)."


SEND_HELP = "Send the queued e-mail now (else it waits for the next tick or `outbox send`)."


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.add_typer(review_app, name="review")
    app.add_typer(reply_app, name="reply")
    app.add_typer(links_app, name="links")


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    workers: int = typer.Option(1, "--workers", help="Worker processes (see docs/replies.md)."),
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


@review_app.command("list")
def review_list(
    campaign_id: int | None = typer.Option(None, "--campaign", help="Only this campaign id."),
    status: str = typer.Option("pending", help="pending, accepted, returned or all."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List answers awaiting review (or in another review state), newest first."""
    if status not in ("pending", "accepted", "returned", "all"):
        fail(f"--status: {status!r} is not one of pending, accepted, returned, all", 2)
    with session_scope() as session:
        items = review_queue(
            session=session,
            campaign_id=campaign_id,
            status=None if status == "all" else ReviewStatus(status),
        )
        rows = [
            (item, ReportPublic.model_validate(item.submission, from_attributes=True))
            for item in items
        ]
    if as_json:
        print_json([public.model_dump(mode="json") for _, public in rows])
        return
    if not rows:
        typer.echo(f"no {status} answers")
    for item, public in rows:
        late = " late" if public.late else ""
        typer.echo(
            f"{public.id:>6}  {public.submitted_at:%Y-%m-%d %H:%M}  {item.bureau_name}  "
            f"{item.request.duty_key} {item.request.period_label or item.request.period_key}  "
            f"v{public.version} {public.channel}{late}  {public.review_status}"
        )


@review_app.command("accept")
def review_accept(
    submission_id: int = typer.Argument(..., help="Submission id (from `review list`)."),
    comment: str = typer.Option("", "--comment", help="Optional remark."),
    reviewer: str | None = typer.Option(None, "--reviewer", help=REVIEWER_HELP),
) -> None:
    """Accept the newest version of an answer."""
    try:
        with session_scope() as session:
            accept_submission(
                session=session,
                submission_id=submission_id,
                reviewer=reviewer or getpass.getuser(),
                comment=comment,
            )
    except ReviewError as exc:
        fail(f"无法确认：{exc}")
    typer.echo(f"submission {submission_id} accepted")


@review_app.command("return")
def review_return(
    submission_id: int = typer.Argument(..., help="Submission id (from `review list`)."),
    comment: str = typer.Option(..., "--comment", help="What to correct (sent to the bureau)."),
    due: str | None = typer.Option(None, "--due", help="New due date YYYY-MM-DD."),
    working_days: int | None = typer.Option(
        None, "--working-days", help="New due date this many 工作日 from today (default 3)."
    ),
    reviewer: str | None = typer.Option(None, "--reviewer", help=REVIEWER_HELP),
    send: bool = typer.Option(True, "--send/--no-send", help=SEND_HELP),
) -> None:
    """Return an answer with a comment: the request reopens and the bureau is told."""
    try:
        due_date = date.fromisoformat(due) if due else None
    except ValueError:
        fail(f"--due: {due!r} is not a date (YYYY-MM-DD)", 2)
    try:
        with session_scope() as session:
            returned = return_submission(
                session=session,
                submission_id=submission_id,
                reviewer=reviewer or getpass.getuser(),
                comment=comment,
                due=due_date,
                working_days=working_days,
                calendar=WorkCalendar.from_file(get_settings().holidays_file),
            )
    except ReviewError as exc:
        fail(f"无法退回：{exc}")
    typer.echo(f"submission {submission_id} returned; new due date {returned.due.isoformat()}")
    typer.echo(f"new link: {returned.link_url}")
    if send:
        _deliver()


@reply_app.command("submit")
def reply_submit(
    request_id: int = typer.Argument(..., help="Report request id."),
    value: list[str] = typer.Option([], "--value", help="key=value, once per field."),
    narrative: str = typer.Option("", "--narrative", help="The narrative (情况说明)."),
    xlsx: Path | None = typer.Option(None, "--xlsx", help="Read the answer from this table."),
    attach: list[Path] = typer.Option([], "--attach", help="A file to attach (repeatable)."),
    send: bool = typer.Option(True, "--send/--no-send", help=SEND_HELP),
) -> None:
    """Store an answer received on paper, by phone or by e-mail, checked like the web form."""
    entries: dict[str, str] = {}
    for item in value:
        key, sep, text = item.partition("=")
        if not sep:
            fail(f"--value {item!r}: expected key=value", 2)
        entries[key.strip()] = text
    try:
        files = [AttachmentIn(filename=p.name, data=p.read_bytes()) for p in attach]
        table = xlsx.read_bytes() if xlsx else None
    except OSError as exc:
        fail(f"cannot read {exc.filename}: {exc.strerror}", 2)
    try:
        with session_scope() as session:
            request = session.get(ReportRequest, request_id)
            if request is None:
                fail(f"no report request with id {request_id}", 2)
            if table is not None and xlsx is not None:
                target = resolve_context(session=session, link_or_request=request)
                if target.form is None:
                    fail(f"request {request_id} has no report form", 2)
                parsed = parse_report_xlsx(
                    data=table,
                    form=target.form,
                    expected=ExpectedTable(
                        campaign_id=request.campaign_id,
                        bureau_code=request.bureau_code,
                        form_key=target.form.key,
                        request_id=request.id,
                    ),
                )
                entries = {**parsed.values, **entries}
                narrative = narrative or parsed.narrative
                files.append(
                    AttachmentIn(filename=xlsx.name, data=table, kind=AttachmentKind.source_xlsx)
                )
            submission = submit_report(
                session=session,
                link_or_request=request,
                report_in=ReportCreate(values=entries, narrative=narrative, attachments=files),
                channel=Channel.xlsx if table is not None else Channel.cli,
                actor=getpass.getuser(),
            ).submission
            summary = f"stored version {submission.version} (submission {submission.id})"
    except ReportInvalid as exc:
        typer.echo(f"{len(exc.problems)} problem(s); nothing stored", err=True)
        for problem in exc.problems:
            typer.echo(f"  {problem.field or '-'}: {problem.message}", err=True)
        raise typer.Exit(1) from None
    except ReplyError as exc:
        fail(exc.message)
    typer.echo(summary)
    if send:
        _deliver()


def _deliver() -> None:
    """Send the e-mail just queued (receipt, returned notice) now, as the web app does."""
    result = deliver_now()
    if result["unavailable"]:
        typer.echo(
            f"e-mail not sent: mail server unavailable ({result['unavailable']}); it stays "
            "in the outbox for the next tick or `campaign outbox send`"
        )
    else:
        typer.echo(f"e-mail: {result['sent']} sent, {result['failed']} failed")


@links_app.command("reissue")
def links_reissue(
    campaign_id: int = typer.Option(..., "--campaign", help="Campaign id."),
    bureau: str = typer.Option(..., "--bureau", help="Bureau code."),
    purpose: LinkPurpose = typer.Option(..., "--purpose", help="report, acknowledge or ad_hoc."),
    request_id: int | None = typer.Option(None, "--request", help="Request id (not for ad_hoc)."),
) -> None:
    """Issue a fresh personal link (earlier ones of the same target stop working)."""
    try:
        with session_scope() as session:
            issued = reissue(
                session=session,
                campaign_id=campaign_id,
                bureau_code=bureau,
                purpose=purpose,
                request_id=request_id,
                actor=getpass.getuser(),
            )
            url = issued.url
    except LinkAdminError as exc:
        fail(str(exc), 2)
    typer.echo(url)


@links_app.command("revoke")
def links_revoke(
    campaign_id: int = typer.Option(..., "--campaign", help="Campaign id."),
    bureau: str = typer.Option(..., "--bureau", help="Bureau code."),
    purpose: LinkPurpose | None = typer.Option(None, "--purpose", help="Only links of this kind."),
    request_id: int | None = typer.Option(None, "--request", help="Only links of this request."),
) -> None:
    """Revoke a bureau's live links (all, or of one purpose or request)."""
    try:
        with session_scope() as session:
            count = revoke(
                session=session,
                campaign_id=campaign_id,
                bureau_code=bureau,
                purpose=purpose,
                request_id=request_id,
                actor=getpass.getuser(),
            )
    except LinkAdminError as exc:
        fail(str(exc), 2)
    typer.echo(f"{count} link(s) revoked")
