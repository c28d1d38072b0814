"""`campaign outbox list | show | send | preview` and `campaign mailserver`: the mail outbox."""

from __future__ import annotations

from pathlib import Path

import typer

from campaign.cli._output import fail, print_json
from campaign.db import session_scope
from campaign.mail.errors import SmtpUnavailable
from campaign.mail.outbox import list_messages
from campaign.mail.sender import send_pending
from campaign.settings import get_settings
from models.outbox import MailState, OutboxMessage

outbox_app = typer.Typer(
    help="The mail outbox: what was queued, sent or refused.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(outbox_app, name="outbox")
    app.command("mailserver")(mailserver)


@outbox_app.command("list")
def list_(
    state: MailState | None = typer.Option(None, "--state", help="Only messages in this state."),
    campaign: int | None = typer.Option(None, "--campaign", help="Only this campaign id."),
    limit: int = typer.Option(200, "--limit", help="At most this many, newest first."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List queued messages with their state (failed ones with the reason)."""
    with session_scope() as session:
        rows = list_messages(session=session, state=state, campaign_id=campaign, limit=limit)
    if as_json:
        print_json([_summary(m) for m in rows])
        return
    if not rows:
        typer.echo("no messages" + (f" in state {state.value}" if state else ""))
    for m in rows:
        to = ", ".join(a["email"] for a in m.to_addrs)
        typer.echo(f"{m.id:>6}  {MailState(m.state).value:<8} {m.bureau_code:<10} {m.key:<40} {to}")
        typer.echo(f"        {m.subject}")
        if m.last_error:
            typer.echo(f"        ! {m.last_error}")


@outbox_app.command("show")
def show(
    message_id: int = typer.Argument(..., help="Outbox id (first column of `outbox list`)."),
    html: bool = typer.Option(False, "--html", help="Print the HTML part instead of the text."),
) -> None:
    """Show one message: headers, state, attempts, attachments and its text."""
    with session_scope() as session:
        m = session.get(OutboxMessage, message_id)
    if m is None:
        fail(f"no outbox message {message_id}", 2)
    for name, value in _summary(m).items():
        if name not in ("subject",) and value not in (None, [], ""):
            typer.echo(f"{name}: {value}")
    typer.echo(f"subject: {m.subject}")
    for a in m.attachments:
        typer.echo(f"attachment: {a['filename']} ({a['content_type']}, {a['size']} bytes)")
    typer.echo("")
    typer.echo(m.html_body if html else m.text_body)


@outbox_app.command("send")
def send(
    limit: int | None = typer.Option(None, "--limit", help="Send at most this many."),
    batch_size: int = typer.Option(100, "--batch-size", help="Messages claimed per batch."),
) -> None:
    """Send pending messages now over one SMTP connection (CAMPAIGN_SMTP_*)."""
    try:
        report = send_pending(limit=limit, batch_size=batch_size)
    except SmtpUnavailable as exc:
        fail(f"{exc.reason}; messages stay pending", 1)
    typer.echo(
        f"{report.sent} sent, {report.failed} failed, {report.retrying} to retry later, "
        f"{report.recovered} recovered from an interrupted run ({report.seconds:.1f} s)"
    )
    for mid, reason in report.problems:
        typer.echo(f"  {mid}: {reason}", err=True)


@outbox_app.command("preview")
def preview(
    plan_file: Path = typer.Argument(..., help="Plan YAML file."),
    window: str = typer.Argument(..., help="Key of the phase or action whose directive to show."),
    out: Path = typer.Option(Path("directive.html"), "--out", help="HTML file to write."),
    docx: Path | None = typer.Option(None, "--docx", help="Also write the .docx here."),
) -> None:
    """Render the directive of a phase or action as HTML (and .docx) for review."""
    from campaign.documents import build_directive, directive_docx, directive_html
    from campaign.plan import PlanError, load_plan
    from campaign.schedule import build_schedule

    try:
        plan = load_plan(plan_file)
    except PlanError as exc:
        fail(str(exc))
    events = [e for e in build_schedule(plan) if e.kind == "directive"]
    event = next((e for e in events if (e.action_key or e.phase_key) == window), None)
    if event is None:
        keys = ", ".join(e.action_key or e.phase_key for e in events)
        fail(f"no directive for {window!r}; directives: {keys}", 2)
    directive = build_directive(plan=plan, event=event)
    templates = plan_file.parent / plan.templates_dir if plan.templates_dir else None
    out.write_text(directive_html(directive, plan_templates=templates), encoding="utf-8")
    typer.echo(f"{out}: {directive.title}（{directive.document_number}）")
    if docx is not None:
        docx.write_bytes(directive_docx(directive))
        typer.echo(f"{docx}: written")


def mailserver(
    host: str | None = typer.Option(None, "--host", help="Default: CAMPAIGN_SMTP_HOST."),
    port: int | None = typer.Option(None, "--port", help="Default: CAMPAIGN_SMTP_PORT."),
    maildir: Path | None = typer.Option(None, "--maildir", help="Default: DATA_DIR/maildir."),
) -> None:
    """Run the demo SMTP server on loopback, keeping mail in a Maildir (Ctrl-C stops)."""
    from campaign.mail.server import serve_forever

    settings = get_settings()
    host, port = host or settings.smtp_host, port or settings.smtp_port
    folder = maildir or settings.data_dir / "maildir"
    typer.echo(f"SMTP server on {host}:{port}, Maildir {folder} (mutt -f {folder}); Ctrl-C stops")
    serve_forever(host=host, port=port, maildir=folder)


def _summary(m: OutboxMessage) -> dict:
    return {
        "id": m.id,
        "campaign_id": m.campaign_id,
        "bureau_code": m.bureau_code,
        "key": m.key,
        "notice": m.notice,
        "state": MailState(m.state).value,
        "to": ", ".join(f"{a['name']} <{a['email']}>" for a in m.to_addrs),
        "cc": ", ".join(f"{a['name']} <{a['email']}>" for a in m.cc_addrs),
        "subject": m.subject,
        "message_id": m.message_id,
        "attempts": m.attempts,
        "last_error": m.last_error,
        "created_at": m.created_at,
        "sent_at": m.sent_at,
    }
