"""`campaign outbox list | show | send | preview` and `campaign mailserver`: the mail outbox."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlmodel import Session, col, select

from campaign.cli._output import fail, failing, pad, print_json
from campaign.clock import shown_time
from campaign.db import session_scope
from campaign.i18n import N_, _
from campaign.i18n.labels import MAIL_STATES, label
from campaign.mail.errors import SmtpUnavailable
from campaign.mail.outbox import list_messages
from campaign.mail.sender import send_pending
from campaign.settings import get_settings
from models.campaign import Campaign
from models.outbox import MailState, OutboxMessage

outbox_app = typer.Typer(
    help=_("The mail outbox: what was queued, sent or refused."), no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(outbox_app, name="outbox")
    app.command(
        "mailserver",
        help=_("Run the demo SMTP server on loopback, keeping mail in a Maildir (Ctrl-C stops)."),
    )(mailserver)


@outbox_app.command(
    "list", help=_("List queued messages with their state (failed ones with the reason).")
)
def list_(
    state: MailState | None = typer.Option(None, "--state", help=_("Only messages in this state.")),
    campaign: int | None = typer.Option(None, "--campaign", help=_("Only this campaign id.")),
    limit: int = typer.Option(200, "--limit", help=_("At most this many, newest first.")),
    as_json: bool = typer.Option(False, "--json", help=_("Print JSON.")),
) -> None:
    """List queued messages with their state (failed ones with the reason)."""
    with session_scope() as session:
        rows = list_messages(session=session, state=state, campaign_id=campaign, limit=limit)
        zones = _zones(session)
    if as_json:
        print_json([_summary(m) for m in rows])
        return
    if not rows:
        typer.echo(
            _("No messages in state {state}.").format(state=label(MAIL_STATES, state))
            if state
            else _("No messages.")
        )
    for m in rows:
        to = ", ".join(a["email"] for a in m.to_addrs)
        when = shown_time(m.sent_at or m.created_at, zones.get(m.campaign_id, "UTC"))
        typer.echo(
            f"{m.id:>6}  {pad(label(MAIL_STATES, m.state), 8)} {when}  {m.bureau_code:<10} {to}"
        )
        typer.echo(f"        {m.subject}")
        if m.last_error:
            typer.echo(f"        ! {m.last_error}")


@outbox_app.command(
    "show", help=_("Show one message: headers, state, attempts, attachments and its text.")
)
def show(
    message_id: int = typer.Argument(..., help=_("Outbox id (first column of `outbox list`).")),
    html: bool = typer.Option(False, "--html", help=_("Print the HTML part instead of the text.")),
) -> None:
    """Show one message: headers, state, attempts, attachments and its text."""
    with session_scope() as session:
        m = session.get(OutboxMessage, message_id)
        zone = _zones(session).get(m.campaign_id, "UTC") if m is not None else "UTC"
    if m is None:
        fail(_("No outbox message {id}.").format(id=message_id), 2)
    summary = _summary(m)
    summary["state"] = label(MAIL_STATES, m.state)
    summary["created_at"] = shown_time(m.created_at, zone)
    summary["sent_at"] = shown_time(m.sent_at, zone) if m.sent_at else None
    for name, value in summary.items():
        if name not in ("subject",) and value not in (None, [], ""):
            typer.echo(_("{when}: {what}").format(when=_(SHOW_LABELS.get(name, name)), what=value))
    typer.echo(_("Subject: {subject}").format(subject=m.subject))
    for a in m.attachments:
        typer.echo(
            _("Attachment: {name} ({type}, {size} bytes)").format(
                name=a["filename"], type=a["content_type"], size=a["size"]
            )
        )
    typer.echo("")
    typer.echo(m.html_body if html else m.text_body)


@outbox_app.command(
    "send", help=_("Send pending messages now over one SMTP connection (CAMPAIGN_SMTP_*).")
)
def send(
    limit: int | None = typer.Option(None, "--limit", help=_("Send at most this many.")),
    batch_size: int = typer.Option(100, "--batch-size", help=_("Messages claimed per batch.")),
) -> None:
    """Send pending messages now over one SMTP connection (CAMPAIGN_SMTP_*)."""
    try:
        report = send_pending(limit=limit, batch_size=batch_size)
    except SmtpUnavailable as exc:
        fail(_("{reason}; messages stay pending").format(reason=exc.reason), 1)
    typer.echo(
        _(
            "{sent} sent, {failed} failed, {retrying} to retry later, {recovered} recovered "
            "from an interrupted run ({seconds:.1f} s)"
        ).format(
            sent=report.sent,
            failed=report.failed,
            retrying=report.retrying,
            recovered=report.recovered,
            seconds=report.seconds,
        )
    )
    for mid, reason in report.problems:
        typer.echo(f"  {mid}: {reason}", err=True)


@outbox_app.command(
    "preview", help=_("Render the directive of a phase or action as HTML (and .docx) for review.")
)
def preview(
    plan_file: Path = typer.Argument(..., help=_("Plan YAML file.")),
    window: str = typer.Argument(
        ..., help=_("Key of the phase or action whose directive to show.")
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        help=_(
            "HTML file to write, or a folder to write {window}.html into "
            "(default: DATA_DIR/preview/)."
        ),
    ),
    docx: Path | None = typer.Option(None, "--docx", help=_("Also write the .docx here.")),
) -> None:
    """Render the directive of a phase or action as HTML (and .docx) for review."""
    from campaign.documents import build_directive, directive_docx, directive_html
    from campaign.plan import PlanError, load_plan
    from campaign.schedule import build_schedule

    with failing(PlanError):
        plan = load_plan(plan_file)
    events = [e for e in build_schedule(plan) if e.kind == "directive"]
    event = next((e for e in events if (e.action_key or e.phase_key) == window), None)
    if event is None:
        keys = ", ".join(e.action_key or e.phase_key for e in events)
        fail(
            _("No directive for {window!r}; directives: {keys}").format(window=window, keys=keys), 2
        )
    templates = plan_file.parent / plan.templates_dir if plan.templates_dir else None
    directive = build_directive(plan=plan, event=event, plan_templates=templates)
    if out is None:
        out = get_settings().data_dir / "preview"
        out.mkdir(parents=True, exist_ok=True)
    if out.is_dir():
        out = out / f"{window}.html"
    if docx is not None and docx.is_dir():
        docx = docx / f"{window}.docx"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(directive_html(directive, plan_templates=templates), encoding="utf-8")
        typer.echo(f"{out}: {directive.title}（{directive.document_number}）")
        if docx is not None:
            docx.parent.mkdir(parents=True, exist_ok=True)
            docx.write_bytes(directive_docx(directive))
            typer.echo(_("{file}: written").format(file=docx))
    except OSError as exc:
        fail(_("Cannot write {file}: {reason}").format(file=exc.filename, reason=exc.strerror), 2)


def mailserver(
    host: str | None = typer.Option(None, "--host", help=_("Default: CAMPAIGN_SMTP_HOST.")),
    port: int | None = typer.Option(None, "--port", help=_("Default: CAMPAIGN_SMTP_PORT.")),
    maildir: Path | None = typer.Option(None, "--maildir", help=_("Default: DATA_DIR/maildir.")),
) -> None:
    """Run the demo SMTP server on loopback, keeping mail in a Maildir (Ctrl-C stops)."""
    from campaign.mail.server import serve_forever

    settings = get_settings()
    host, port = host or settings.smtp_host, port or settings.smtp_port
    folder = maildir or settings.data_dir / "maildir"
    typer.echo(
        _("SMTP server on {host}:{port}, Maildir {folder} (mutt -f {folder}); Ctrl-C stops").format(
            host=host, port=port, folder=folder
        )
    )
    serve_forever(host=host, port=port, maildir=folder)


SHOW_LABELS = {
    "id": N_("Id"),
    "campaign_id": N_("Campaign"),
    "bureau_code": N_("Bureau"),
    "key": N_("Key"),
    "notice": N_("Notice"),
    "state": N_("State"),
    "to": N_("To"),
    "cc": N_("Cc"),
    "message_id": N_("Message-ID"),
    "attempts": N_("Attempts"),
    "last_error": N_("Last error"),
    "created_at": N_("Queued at"),
    "sent_at": N_("Sent at"),
}


def _zones(session: Session) -> dict[int | None, str]:
    """Each campaign's timezone by id: times are shown where the campaign runs."""
    return dict(session.exec(select(col(Campaign.id), col(Campaign.timezone))).all())


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
