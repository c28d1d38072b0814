"""Queue notices for bureaus: render, check, store in the outbox. Nothing is sent here.

The public interface the tick (campaign/orchestration) and the replies (campaign/replies)
call. Every function is keyword-only, works inside the caller's unit of work (it never
commits), and is idempotent on (campaign, key, bureau): a second call returns the row the
first one stored. A notice that cannot be built (bad address, CR/LF in a header, template
or attachment failure) raises MailRefused and stores nothing.

queue_notice lives in queue.py and the follow-up builders (reminder, escalation,
receipts, …) in followups.py; all are re-exported here, the one module to import.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from campaign.documents.directive import Directive, build_directive
from campaign.documents.directive_docx import directive_docx
from campaign.documents.xlsx_table import CONTENT_TYPE as XLSX_TYPE
from campaign.documents.xlsx_table import write_table
from campaign.mail.addresses import Address
from campaign.mail.errors import MailRefused
from campaign.mail.followups import (
    ReminderFor,
    queue_ack_receipt,
    queue_ad_hoc_alert,
    queue_escalation,
    queue_link_reissued,
    queue_receipt,
    queue_rejection,
    queue_reminder,
    queue_reminders,
    queue_returned,
)
from campaign.mail.outbox import Attachment, find_message, find_messages
from campaign.mail.queue import NOTICES, NoticeFor, queue_item, queue_notice, store_notices
from campaign.mail.render import plan_templates_dir
from campaign.plan.schema import Plan, ReportForm
from campaign.schedule import Event
from models.bureau import Bureau
from models.campaign import Campaign
from models.outbox import OutboxMessage
from models.request import ReportRequest

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

_directives: dict[tuple[Any, ...], tuple[Directive, Attachment]] = {}


def directive_document(
    *,
    campaign: Campaign,
    plan: Plan,
    event: Event,
    issued_on: date | None = None,
    document_number: str | None = None,
) -> tuple[Directive, Attachment]:
    """The directive and its .docx attachment, built once per (campaign, plan version, event)."""
    cache_key = (campaign.id, campaign.plan_sha256, event.key, issued_on, document_number)
    if cache_key not in _directives:
        if len(_directives) >= 32:
            _directives.clear()
        try:
            directive = build_directive(
                plan=plan,
                event=event,
                issued_on=issued_on,
                document_number=document_number,
                plan_templates=plan_templates_dir(campaign=campaign, plan=plan),
            )
            name = _filename(f"{directive.title}（{directive.document_number}）.docx")
            docx = Attachment(name, directive_docx(directive), DOCX_TYPE)
            _directives[cache_key] = (directive, docx)
        except Exception as exc:  # any failure to render refuses the notice
            raise MailRefused(f"the directive .docx could not be rendered: {exc!r}") from exc
    return _directives[cache_key]


def queue_directive(
    *,
    session: Session,
    campaign: Campaign,
    plan: Plan,
    event: Event,
    bureau: Bureau,
    link_url: str | None,
    issued_on: date | None = None,
    document_number: str | None = None,
    forward_by: date | None = None,
    forward_url: str | None = None,
) -> OutboxMessage:
    """The directive (通知) of a directive event, with its .docx and the 签收 link; to a
    unit that forwards it, its deadline and 转发 page (campaign.forwarding)."""
    assert campaign.id is not None
    existing = find_message(
        session=session, campaign_id=campaign.id, key=event.key, bureau_code=bureau.code
    )
    if existing is not None:
        return existing
    directive, docx = directive_document(
        campaign=campaign,
        plan=plan,
        event=event,
        issued_on=issued_on,
        document_number=document_number,
    )
    context = {
        "directive": directive,
        "event": event,
        "link_url": link_url,
        "ack_by": directive.acknowledge_by if link_url else None,
        "attachment_name": docx.filename,
        "forward_by": forward_by,
        "forward_url": forward_url,
    }
    item = NoticeFor(bureau, event.key, context, attachments=[docx])
    template = event.template or "directive"
    return queue_item(
        session, campaign, plan, "directive", item, template=template, look_first=False
    )


def forward_attachment(notice: Directive) -> Attachment:
    """A unit's forwarding 通知 as the .docx its mail carries; MailRefused if it fails."""
    try:
        name = _filename(f"{notice.title}（{notice.document_number}）.docx")
        return Attachment(name, directive_docx(notice), DOCX_TYPE)
    except Exception as exc:  # any failure to render refuses the notice
        raise MailRefused(f"the forwarded notice .docx could not be rendered: {exc!r}") from exc


def queue_forward(
    *,
    session: Session,
    campaign: Campaign,
    plan: Plan,
    event: Event,
    unit: Bureau,
    bureau: Bureau,
    notice: Directive,
    notice_file: Attachment,
    link_url: str | None,
) -> OutboxMessage:
    """A unit's 通知 forwarding the directive of `event` to one of its units (`bureau`):
    its .docx (`notice_file`, from `forward_attachment`, made once for all its units) and
    the directive's .docx attached, and the 签收 link. Keyed forward:{window}:{unit}."""
    assert campaign.id is not None
    key = f"forward:{event.action_key or event.phase_key}:{unit.code}"
    existing = find_message(
        session=session, campaign_id=campaign.id, key=key, bureau_code=bureau.code
    )
    if existing is not None:
        return existing
    directive, directive_file = directive_document(campaign=campaign, plan=plan, event=event)
    context = {
        "unit": unit,
        "notice": notice,
        "directive": directive,
        "link_url": link_url,
        "ack_by": notice.acknowledge_by if link_url else None,
        "attachment_name": notice_file.filename,
        "directive_attachment_name": directive_file.filename,
    }
    item = NoticeFor(bureau, key, context, attachments=[notice_file, directive_file])
    return queue_item(session, campaign, plan, "forward", item, look_first=False)


@dataclass(frozen=True)
class RequestFor:
    """One bureau's report request to mail: its personal link and last accepted figures."""

    request: ReportRequest
    bureau: Bureau
    link_url: str
    previous_values: Mapping[str, Any] | None = None


def queue_request(
    *,
    session: Session,
    campaign: Campaign,
    plan: Plan,
    request: ReportRequest,
    bureau: Bureau,
    link_url: str,
    previous_values: Mapping[str, Any] | None = None,
    key: str | None = None,
) -> OutboxMessage:
    """A report request with the personal link and the pre-filled .xlsx table.

    key defaults to "{kind}:{duty}:{period}", the key of the schedule's request event.
    """
    item = RequestFor(request, bureau, link_url, previous_values)
    return queue_requests(session=session, campaign=campaign, plan=plan, items=[item], key=key)[0]


def queue_requests(
    *,
    session: Session,
    campaign: Campaign,
    plan: Plan,
    items: Sequence[RequestFor],
    key: str | None = None,
) -> list[OutboxMessage]:
    """queue_request for many bureaus at once (the same key: one request event); the
    messages in the order of `items`, those queued before left as they are."""
    assert campaign.id is not None
    keyed = [
        (key or f"{i.request.kind}:{i.request.duty_key}:{i.request.period_key}", i) for i in items
    ]
    existing = find_messages(
        session=session, campaign_id=campaign.id, keys=[(k, i.bureau.code) for k, i in keyed]
    )
    new: list[NoticeFor] = []
    for k, item in keyed:
        if (k, item.bureau.code) not in existing:
            new.append(_request_notice(campaign, plan, k, item))
    stored = store_notices(
        session=session, campaign=campaign, plan=plan, notice="request", items=new
    )
    by_key = existing | {(m.key, m.bureau_code): m for m in stored}
    return [by_key[(k, i.bureau.code)] for k, i in keyed]


def _request_notice(campaign: Campaign, plan: Plan, key: str, item: RequestFor) -> NoticeFor:
    request, bureau = item.request, item.bureau
    assert request.id is not None
    duty = next((d for d in plan.duties if d.key == request.duty_key), None)
    if duty is None:
        raise MailRefused(f"the plan has no reporting duty {request.duty_key!r}")
    form = plan.form(duty.form) if duty.form else None
    attachments = []
    name = None
    if form is not None:
        name = _filename(f"{form.title}（{bureau.name}，{request.period_label}）.xlsx")
        try:
            table = request_table(
                campaign=campaign,
                form=form,
                request=request,
                bureau_code=bureau.code,
                bureau_name=bureau.name,
                previous_values=item.previous_values,
            )
        except Exception as exc:  # any failure to render refuses the notice
            raise MailRefused(f"the .xlsx table could not be rendered: {exc!r}") from exc
        attachments.append(Attachment(name, table, XLSX_TYPE))
    context = {
        "request": request,
        "duty": duty,
        "duty_name": duty.name,
        "form": form,
        "link_url": item.link_url,
        "attachment_name": name,
    }
    return NoticeFor(bureau, key, context, attachments=attachments)


def request_table(
    *,
    campaign: Campaign,
    form: ReportForm,
    request: ReportRequest,
    bureau_code: str,
    bureau_name: str,
    previous_values: Mapping[str, Any] | None = None,
) -> bytes:
    """The statistical table a request's e-mail carries, pre-filled for its bureau."""
    assert campaign.id is not None and request.id is not None
    return write_table(
        campaign_id=campaign.id,
        document_number=campaign.document_number,
        form=form,
        duty_key=request.duty_key,
        period_key=request.period_key,
        period_label=request.period_label,
        due=request.due_date,
        request_id=request.id,
        bureau_code=bureau_code,
        bureau_name=bureau_name,
        previous_values=previous_values,
    )


def _filename(name: str) -> str:
    return "".join("_" if c in '/\\:*?"<>|\r\n' else c for c in name)


__all__ = [
    "NOTICES",
    "Address",
    "ReminderFor",
    "RequestFor",
    "Attachment",
    "MailRefused",
    "directive_document",
    "forward_attachment",
    "queue_ack_receipt",
    "queue_ad_hoc_alert",
    "queue_directive",
    "queue_escalation",
    "queue_forward",
    "queue_link_reissued",
    "queue_notice",
    "queue_receipt",
    "queue_rejection",
    "queue_reminder",
    "queue_reminders",
    "queue_request",
    "queue_requests",
    "queue_returned",
]
