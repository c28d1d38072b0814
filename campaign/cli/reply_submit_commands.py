"""`campaign reply submit`: enter an answer received on paper, by phone or by e-mail.

The request is found from what the coordinator knows (campaign, bureau, duty, period), the
fields are given by key or by their label, or read from the bureau's .xlsx table; missing
values are asked for in the form's order when a terminal is attached. The answer is
checked and stored by the same submit_answer as the web form (a relay unit's aggregate:
its rules too, with --note and --confirm-missing).
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import typer
from sqlmodel import Session, col, or_, select

from campaign.cli._output import echo_problems, fail
from campaign.clock import settings_now
from campaign.db import session_scope
from campaign.i18n import _, ngettext
from campaign.orchestration.launch import CampaignNotFound, find_campaign
from campaign.plan.schema import ReportForm
from campaign.replies.aggregate import submit_answer
from campaign.replies.errors import CONFIRM_MISSING, ReplyError, ReportInvalid
from campaign.replies.reply_context import resolve_context
from campaign.replies.xlsx_parse import ExpectedTable, parse_report_xlsx
from models.attachment import AttachmentKind
from models.audit import Channel
from models.bureau import Bureau
from models.reply import AttachmentIn, ReportCreate
from models.request import ReportRequest

SEND_HELP = _("Send the queued e-mail now (else it waits for the next tick or `outbox send`).")


def find_bureau(session: Session, ref: str) -> Bureau:
    """A bureau by its code or its name (full name, or the one name that contains it)."""
    text = ref.strip()
    bureau = session.get(Bureau, text)
    if bureau is not None:
        return bureau
    exact = session.exec(select(Bureau).where(col(Bureau.name) == text)).all()
    if len(exact) == 1:
        return exact[0]
    similar = session.exec(select(Bureau).where(col(Bureau.name).contains(text))).all()
    if len(similar) == 1:
        return similar[0]
    if similar:
        names = _("、").join(f"{b.code} {b.name}" for b in similar[:8])
        fail(_("--bureau {ref!r} matches several bureaus: {names}").format(ref=ref, names=names), 2)
    fail(_("No bureau with code or name {ref!r} (see `campaign bureaus list`).").format(ref=ref), 2)


def find_request(
    session: Session, campaign_id: int, bureau: Bureau, duty: str, period: str
) -> ReportRequest:
    """The bureau's request for the duty (key) and period (label or key)."""
    query = select(ReportRequest).where(
        col(ReportRequest.campaign_id) == campaign_id,
        col(ReportRequest.bureau_code) == bureau.code,
        col(ReportRequest.duty_key) == duty,
        or_(col(ReportRequest.period_key) == period, col(ReportRequest.period_label) == period),
    )
    request = session.exec(query.order_by(col(ReportRequest.id).desc())).first()
    if request is not None:
        return request
    known = session.exec(
        select(ReportRequest).where(
            col(ReportRequest.campaign_id) == campaign_id,
            col(ReportRequest.bureau_code) == bureau.code,
        )
    ).all()
    choices = _("、").join(
        sorted({f"--duty {r.duty_key} --period {r.period_key}" for r in known})[:12]
    )
    fail(
        _(
            "{bureau} has no request for duty {duty!r} and period {period!r}. Requests: {known}"
        ).format(bureau=bureau.name, duty=duty, period=period, known=choices or _("none")),
        2,
    )


def field_values(form: ReportForm | None, given: list[str]) -> dict[str, str]:
    """--value LABEL=V or KEY=V entries as a dict by field key."""
    by_label = {f.label: f.key for f in form.fields} if form else {}
    entries: dict[str, str] = {}
    for item in given:
        name, sep, text = item.partition("=")
        if not sep:
            fail(_("--value {item!r}: expected field=value (key or label)").format(item=item), 2)
        name = name.strip()
        entries[by_label.get(name, name)] = text.strip()
    return entries


def prompt_missing(form: ReportForm | None, entries: dict[str, str], narrative: str) -> str:
    """Ask for each missing field in the form's order, then the narrative; returns it."""
    if form is None:
        return narrative
    for f in form.fields:
        if f.key not in entries:
            unit = f"（{f.unit}）" if f.unit else ""
            options = {"yes_no": "是/否", "date": "YYYY-MM-DD", "choice": "/".join(f.choices)}
            unit += f" [{options[f.type]}]" if f.type in options else ""
            default = None if f.required else ""
            entries[f.key] = str(typer.prompt(f"{f.label}{unit}", default=default)).strip()
    if not narrative and form.narrative is not None:
        narrative = typer.prompt(form.narrative.label, default="", show_default=False)
    return narrative


def reply_submit(
    campaign: str = typer.Argument(..., help=_("Campaign id or document number.")),
    bureau: str = typer.Option(..., "--bureau", help=_("Bureau code or name.")),
    duty: str = typer.Option(..., "--duty", help=_("Key of the reporting duty.")),
    period: str = typer.Option(..., "--period", help=_("Period label or key.")),
    value: list[str] = typer.Option(
        [], "--value", help=_("field=value, by field key or label, once per field.")
    ),
    narrative: str = typer.Option("", "--narrative", help=_("The narrative (情况说明).")),
    xlsx: Path | None = typer.Option(None, "--xlsx", help=_("Read the answer from this table.")),
    attach: list[Path] = typer.Option([], "--attach", help=_("A file to attach (repeatable).")),
    interactive: bool | None = typer.Option(
        None,
        "--interactive/--no-interactive",
        help=_("Ask for missing values (default: when a terminal is attached)."),
    ),
    note: str = typer.Option(
        "",
        "--note",
        help=_("An aggregate report: why a figure differs from its reporters' total."),
    ),
    confirm_missing: bool = typer.Option(
        False,
        "--confirm-missing",
        help=_("An aggregate report: send it with reporters not yet in the total."),
    ),
    send: bool = typer.Option(True, "--send/--no-send", help=SEND_HELP),
) -> None:
    """Store an answer received on paper, by phone or by e-mail, checked like the web form."""
    from campaign.cli.reply_commands import deliver

    try:
        files = [AttachmentIn(filename=p.name, data=p.read_bytes()) for p in attach]
        table = xlsx.read_bytes() if xlsx else None
    except OSError as exc:
        fail(_("Cannot read {file}: {reason}").format(file=exc.filename, reason=exc.strerror), 2)
    ask = sys.stdin.isatty() if interactive is None else interactive
    labels: dict[str, str] = {CONFIRM_MISSING: "--confirm-missing"}
    try:
        with session_scope() as session:
            found = find_campaign(session=session, ref=campaign)
            assert found.id is not None
            request = find_request(session, found.id, find_bureau(session, bureau), duty, period)
            target = resolve_context(session=session, link_or_request=request)
            form = target.form
            entries = field_values(form, value)
            labels.update({f.key: f.label for f in form.fields} if form else {})
            if table is not None and xlsx is not None:
                if form is None:
                    fail(_("This duty has no report form; --xlsx does not apply."), 2)
                parsed = parse_report_xlsx(
                    data=table,
                    form=form,
                    expected=ExpectedTable(
                        campaign_id=request.campaign_id,
                        bureau_code=request.bureau_code,
                        form_key=form.key,
                        request_id=request.id,
                    ),
                )
                entries = {**parsed.values, **entries}
                narrative = narrative or parsed.narrative
                files.append(
                    AttachmentIn(filename=xlsx.name, data=table, kind=AttachmentKind.source_xlsx)
                )
            elif ask:
                narrative = prompt_missing(form, entries, narrative)
            submission = submit_answer(
                session=session,
                link_or_request=request,
                report_in=ReportCreate(values=entries, narrative=narrative, attachments=files),
                channel=Channel.xlsx if table is not None else Channel.cli,
                note=note,
                confirm_missing=confirm_missing,
                actor=getpass.getuser(),
                now=settings_now(),
                target=target,
            ).submission
            summary = _("Stored version {version} of the answer (submission {id}).").format(
                version=submission.version, id=submission.id
            )
    except CampaignNotFound as exc:
        fail(str(exc), 2)
    except ReportInvalid as exc:
        header = ngettext(
            "{n} problem; nothing stored", "{n} problems; nothing stored", len(exc.problems)
        ).format(n=len(exc.problems))
        echo_problems(
            header,
            (f"{labels.get(p.field or '', p.field or '-')}: {p.message}" for p in exc.problems),
        )
    except ReplyError as exc:
        fail(exc.message)
    typer.echo(summary)
    if send:
        deliver()
