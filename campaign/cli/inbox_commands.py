"""`campaign inbox fetch | watch | list | assign | dismiss | allow`: answers by e-mail."""

from __future__ import annotations

import getpass
from datetime import datetime

import typer

from campaign.cli._output import fail, pad, print_json
from campaign.db import session_scope
from campaign.inbox.fetch import FetchReport, fetch_inbox, watch
from campaign.inbox.held import HeldError, allow_sender, assign, dismiss, list_messages
from campaign.inbox.imap import InboxUnavailable
from campaign.mail.sender import deliver_now
from models.inbox import InboxOutcome

inbox_app = typer.Typer(
    help="Answers by e-mail: read the mailbox, list held mail, assign or dismiss it.",
    no_args_is_help=True,
)
SEND_HELP = "Send the receipts and rejections now (else they wait for the next tick)."
OUTCOMES = {
    "accepted": "已受理",
    "rejected": "未受理",
    "held": "待人工处理",
    "ignored": "不予处理",
    "dismissed": "已忽略",
}


def register(app: typer.Typer) -> None:
    app.add_typer(inbox_app, name="inbox")


def _summary(report: FetchReport) -> str:
    return (
        f"读取{report.read}封：已受理{report.accepted}，未受理{report.rejected}，"
        f"待人工处理{report.held}，不予处理{report.ignored}，重复{report.duplicates}"
        + (f"，出错{report.failed}" if report.failed else "")
        + f"（{report.seconds:.1f}秒）"
    )


def _deliver() -> None:
    result = deliver_now()
    if result["unavailable"]:
        typer.echo(
            f"回执等邮件暂未发出（发信服务器不可用：{result['unavailable']}），将在下次运行时发送"
        )
    else:
        typer.echo(f"邮件：发出{result['sent']}封，失败{result['failed']}封")


@inbox_app.command("fetch")
def inbox_fetch(
    limit: int | None = typer.Option(None, "--limit", help="Read at most this many messages."),
    send: bool = typer.Option(True, "--send/--no-send", help=SEND_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Read the mailbox once: take in each reply, answer it, move it to a folder."""
    try:
        report = fetch_inbox(limit=limit)
    except InboxUnavailable as exc:
        fail(f"无法读取邮箱：{exc.reason}")
    if as_json:
        print_json(report.to_json())
    else:
        typer.echo(_summary(report))
    if send:
        _deliver()


@inbox_app.command("watch")
def inbox_watch(
    idle_seconds: float = typer.Option(120.0, "--idle", help="Renew IMAP IDLE this often (s)."),
) -> None:
    """Stay connected (IMAP IDLE) and take in replies as they arrive; Ctrl-C stops."""
    from campaign.settings import get_settings

    if not get_settings().imap_host:
        fail("无法读取邮箱：未设置CAMPAIGN_IMAP_HOST")

    def show(report: FetchReport) -> None:
        stamp = datetime.now().strftime("%H:%M:%S")
        if report.unavailable:
            typer.echo(f"{stamp} 邮箱暂不可用（{report.unavailable}），稍后重连", err=True)
        elif report.read or report.moved_only:
            typer.echo(f"{stamp} {_summary(report)}")
            _deliver()

    try:
        watch(idle_seconds=idle_seconds, on_report=show)
    except KeyboardInterrupt:
        typer.echo("已停止")


@inbox_app.command("list")
def inbox_list(
    show_all: bool = typer.Option(False, "--all", help="All mail read, not only held mail."),
    limit: int = typer.Option(200, "--limit", help="At most this many, newest first."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
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
        typer.echo("没有待人工处理的来信" if not show_all else "尚未读取任何来信")
        return
    for item in data:
        outcome = str(item["outcome"])
        typer.echo(
            f"{item['id']:>6}  {pad(OUTCOMES.get(outcome, outcome), 10)}"
            f"{item['from'] or '（无发件人）'}  {item['subject'] or '（无主题）'}"
        )
        typer.echo(f"        {item['reason']}")


@inbox_app.command("assign")
def inbox_assign(
    inbox_id: int = typer.Argument(..., help="Id of the held mail (campaign inbox list)."),
    request_id: int = typer.Option(..., "--request", help="The report request it answers."),
    remember: bool = typer.Option(
        False, "--remember-sender", help="Register the sender as an address of that bureau."
    ),
    send: bool = typer.Option(True, "--send/--no-send", help=SEND_HELP),
) -> None:
    """Take a held mail in as the answer to a request (checked like any answer)."""
    try:
        with session_scope() as session:
            decision = assign(
                session=session,
                inbox_id=inbox_id,
                request_id=request_id,
                actor=getpass.getuser(),
                remember_sender=remember,
            )
            outcome, reason = decision.outcome, decision.reason
    except HeldError as exc:
        fail(str(exc), 2)
    if outcome == InboxOutcome.accepted:
        typer.echo(f"来信{inbox_id}已作为报送事项{request_id}的答复受理，回执将发给发件人")
    else:
        typer.echo(f"来信{inbox_id}未受理，已向发件人说明原因：{reason}")
    if send:
        _deliver()
    if outcome != InboxOutcome.accepted:
        raise typer.Exit(1)


@inbox_app.command("dismiss")
def inbox_dismiss(
    inbox_id: int = typer.Argument(..., help="Id of the held mail (campaign inbox list)."),
) -> None:
    """Set a held mail aside without an answer (spam, a copy, a bounce dealt with)."""
    try:
        with session_scope() as session:
            dismiss(session=session, inbox_id=inbox_id, actor=getpass.getuser())
    except HeldError as exc:
        fail(str(exc), 2)
    typer.echo(f"来信{inbox_id}已忽略")


@inbox_app.command("allow")
def inbox_allow(
    bureau: str = typer.Argument(..., help="Bureau code."),
    email: str = typer.Argument(..., help="A further address the bureau answers from."),
) -> None:
    """Register a further sender address of a bureau (its mail is then taken in)."""
    try:
        with session_scope() as session:
            allow_sender(session=session, bureau_code=bureau, email=email, actor=getpass.getuser())
    except HeldError as exc:
        fail(str(exc), 2)
    typer.echo(f"已登记：{email.strip().lower()}为单位{bureau}的报送邮箱")
