"""`campaign inbox fetch | watch | list | assign | dismiss | allow`: answers by e-mail."""

from __future__ import annotations

import getpass
from datetime import datetime

import typer

from campaign.cli._output import deliver_queued, fail, failing, pad, print_json
from campaign.db import session_scope
from campaign.i18n import N_, _
from campaign.inbox.fetch import FetchReport, fetch_inbox, watch
from campaign.inbox.held import HeldError, allow_sender, assign, dismiss, list_messages
from campaign.inbox.imap import InboxUnavailable
from models.inbox import InboxOutcome

inbox_app = typer.Typer(
    help=_("Answers by e-mail: read the mailbox, list held mail, assign or dismiss it."),
    no_args_is_help=True,
)
SEND_HELP = _("Send the receipts and rejections now (else they wait for the next tick).")
HELD_HELP = _("Id of the held mail (campaign inbox list).")
OUTCOMES = {
    "accepted": N_("taken in"),
    "rejected": N_("refused"),
    "held": N_("held for a coordinator"),
    "ignored": N_("ignored"),
    "dismissed": N_("dismissed"),
}


def register(app: typer.Typer) -> None:
    app.add_typer(inbox_app, name="inbox")


def _summary(report: FetchReport) -> str:
    failed = _(", {n} failed").format(n=report.failed) if report.failed else ""
    return _(
        "{read} read: {accepted} taken in, {rejected} refused, {held} held for a coordinator, "
        "{ignored} ignored, {duplicates} duplicates{failed} ({seconds:.1f} s)"
    ).format(
        read=report.read,
        accepted=report.accepted,
        rejected=report.rejected,
        held=report.held,
        ignored=report.ignored,
        duplicates=report.duplicates,
        failed=failed,
        seconds=report.seconds,
    )


def _deliver() -> None:
    deliver_queued(
        _(
            "Receipts and other mail not sent yet (mail server unavailable: {reason}); "
            "they go out at the next run."
        )
    )


@inbox_app.command(
    "fetch", help=_("Read the mailbox once: take in each reply, answer it, move it to a folder.")
)
def inbox_fetch(
    limit: int | None = typer.Option(None, "--limit", help=_("Read at most this many messages.")),
    send: bool = typer.Option(True, "--send/--no-send", help=SEND_HELP),
    as_json: bool = typer.Option(False, "--json", help=_("Print the report as JSON.")),
) -> None:
    """Read the mailbox once: take in each reply, answer it, move it to a folder."""
    try:
        report = fetch_inbox(limit=limit)
    except InboxUnavailable as exc:
        fail(_("Cannot read the mailbox: {reason}").format(reason=exc.reason))
    if as_json:
        print_json(report.to_json())
    else:
        typer.echo(_summary(report))
    if send:
        _deliver()


@inbox_app.command(
    "watch", help=_("Stay connected (IMAP IDLE) and take in replies as they arrive; Ctrl-C stops.")
)
def inbox_watch(
    idle_seconds: float = typer.Option(120.0, "--idle", help=_("Renew IMAP IDLE this often (s).")),
) -> None:
    """Stay connected (IMAP IDLE) and take in replies as they arrive; Ctrl-C stops."""
    from campaign.settings import get_settings

    if not get_settings().imap_host:
        fail(_("Cannot read the mailbox: CAMPAIGN_IMAP_HOST is not set"))

    def show(report: FetchReport) -> None:
        stamp = datetime.now().strftime("%H:%M:%S")
        if report.unavailable:
            typer.echo(
                _("{time} mailbox unavailable ({reason}); reconnecting later").format(
                    time=stamp, reason=report.unavailable
                ),
                err=True,
            )
        elif report.read or report.moved_only:
            typer.echo(f"{stamp} {_summary(report)}")
            _deliver()

    try:
        watch(idle_seconds=idle_seconds, on_report=show)
    except KeyboardInterrupt:
        typer.echo(_("Stopped."))


@inbox_app.command(
    "list", help=_("List mail held for a coordinator (sender, subject, reason), or all mail read.")
)
def inbox_list(
    show_all: bool = typer.Option(False, "--all", help=_("All mail read, not only held mail.")),
    limit: int = typer.Option(200, "--limit", help=_("At most this many, newest first.")),
    as_json: bool = typer.Option(False, "--json", help=_("Print JSON.")),
) -> None:
    """List mail held for a coordinator (sender, subject, reason), or all mail read."""
    with session_scope() as session:
        rows = list_messages(
            session=session, outcome=None if show_all else InboxOutcome.held, limit=limit
        )
        data = [
            {
                "id": r.id,
                "received_at": r.received_at,
                "from": r.from_addr,
                "from_name": r.from_name,
                "subject": r.subject,
                "outcome": r.outcome.value,
                "kind": r.kind.value,
                "reason": r.reason,
                "request_id": r.request_id,
                "bureau_code": r.bureau_code,
                "submission_id": r.submission_id,
            }
            for r in rows
        ]
    if as_json:
        print_json(data)
        return
    if not data:
        typer.echo(_("No mail held for a coordinator.") if not show_all else _("No mail read yet."))
        return
    for item in data:
        outcome = str(item["outcome"])
        typer.echo(
            f"{item['id']:>6}  {pad(_(OUTCOMES[outcome]) if outcome in OUTCOMES else outcome, 14)}"
            f"{item['from'] or _('(no sender)')}  {item['subject'] or _('(no subject)')}"
        )
        typer.echo(f"        {item['reason']}")


@inbox_app.command(
    "assign", help=_("Take a held mail in as the answer to a request (checked like any answer).")
)
def inbox_assign(
    inbox_id: int = typer.Argument(..., help=HELD_HELP),
    request_id: int = typer.Option(..., "--request", help=_("The report request it answers.")),
    remember: bool = typer.Option(
        False, "--remember-sender", help=_("Register the sender as an address of that bureau.")
    ),
    send: bool = typer.Option(True, "--send/--no-send", help=SEND_HELP),
) -> None:
    """Take a held mail in as the answer to a request (checked like any answer)."""
    with failing(HeldError, code=2), session_scope() as session:
        decision = assign(
            session=session,
            inbox_id=inbox_id,
            request_id=request_id,
            actor=getpass.getuser(),
            remember_sender=remember,
        )
        outcome, reason = decision.outcome, decision.reason
    if outcome == InboxOutcome.accepted:
        typer.echo(
            _(
                "Mail {id} taken in as the answer to request {request}; the sender gets a receipt."
            ).format(id=inbox_id, request=request_id)
        )
    else:
        typer.echo(
            _("Mail {id} not taken in; the sender was told why: {reason}").format(
                id=inbox_id, reason=reason
            )
        )
    if send:
        _deliver()
    if outcome != InboxOutcome.accepted:
        raise typer.Exit(1)


@inbox_app.command(
    "dismiss",
    help=_("Set a held mail aside without an answer (spam, a copy, a bounce dealt with)."),
)
def inbox_dismiss(
    inbox_id: int = typer.Argument(..., help=HELD_HELP),
) -> None:
    """Set a held mail aside without an answer (spam, a copy, a bounce dealt with)."""
    with failing(HeldError, code=2), session_scope() as session:
        dismiss(session=session, inbox_id=inbox_id, actor=getpass.getuser())
    typer.echo(_("Mail {id} dismissed.").format(id=inbox_id))


@inbox_app.command(
    "allow",
    help=_("Register a further sender address of a bureau (its mail is then taken in)."),
)
def inbox_allow(
    bureau: str = typer.Argument(..., help=_("Bureau code.")),
    email: str = typer.Argument(..., help=_("A further address the bureau answers from.")),
) -> None:
    """Register a further sender address of a bureau (its mail is then taken in)."""
    with failing(HeldError, code=2), session_scope() as session:
        allow_sender(session=session, bureau_code=bureau, email=email, actor=getpass.getuser())
    typer.echo(
        _("Registered {email} as an address bureau {bureau} answers from.").format(
            email=email.strip().lower(), bureau=bureau
        )
    )
