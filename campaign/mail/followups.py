"""Builders for the follow-up notices: reminders (催报), escalations (督办), receipts (回执),
rejections, returns for revision, 签收 receipts and ad-hoc alerts to the office.

Each gives the template a fixed, documented context (docs/mail.md) and a default key, so
callers need not know the templates. All are keyword-only and idempotent per key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from campaign.acceptance.form import RECTIFICATION_FORM, RECTIFY_NAME
from campaign.mail.addresses import Address
from campaign.mail.outbox import find_messages
from campaign.mail.queue import NoticeFor, queue_item, store_notices
from campaign.plan.schema import Plan, ReportForm
from models.bureau import Bureau
from models.campaign import Campaign
from models.outbox import OutboxMessage
from models.rectification import RectificationOrder
from models.request import ReportRequest, RequestKind
from models.submission import ReportSubmission

ACK_NAME = "通知签收"
FORWARD_NAME = "通知转发"


def queue_reminder(
    *,
    session: Session,
    campaign: Campaign,
    plan: Plan,
    request: ReportRequest,
    bureau: Bureau,
    link_url: str,
    as_of: date,
    key: str,
) -> OutboxMessage:
    """A reminder before the due date, or 催报 after it (also for unacknowledged directives,
    and in the words of the 整改 notice for an order);
    key: the schedule's reminder event key, e.g. reminder:weekly-progress:2007-W35:+1."""
    item = ReminderFor(request, bureau, link_url)
    return queue_reminders(
        session=session, campaign=campaign, plan=plan, items=[item], as_of=as_of, key=key
    )[0]


@dataclass(frozen=True)
class ReminderFor:
    """One bureau's unanswered request to remind it of, and the link to answer it."""

    request: ReportRequest
    bureau: Bureau
    link_url: str


def queue_reminders(
    *,
    session: Session,
    campaign: Campaign,
    plan: Plan,
    items: Sequence[ReminderFor],
    as_of: date,
    key: str,
) -> list[OutboxMessage]:
    """queue_reminder for many bureaus at once (one reminder event); the messages in the
    order of `items`, those queued before left as they are."""
    assert campaign.id is not None
    existing = find_messages(
        session=session, campaign_id=campaign.id, keys=[(key, i.bureau.code) for i in items]
    )
    fresh = [i for i in items if (key, i.bureau.code) not in existing]
    orders = _orders(session, [i.request for i in fresh])
    by_template: dict[str | None, list[NoticeFor]] = {}
    for i in fresh:
        context = {**_request_context(plan, i.request, orders), "link_url": i.link_url}
        context |= {"as_of": as_of, "overdue_days": _overdue(i.request, as_of), "step": "reminder"}
        template = "rectification" if i.request.id in orders else None
        by_template.setdefault(template, []).append(NoticeFor(i.bureau, key, context))
    found = dict(existing)
    for template, notices in by_template.items():
        stored = store_notices(
            session=session,
            campaign=campaign,
            plan=plan,
            notice="reminder",
            items=notices,
            template=template,
        )
        found |= {(m.key, m.bureau_code): m for m in stored}
    return [found[(key, i.bureau.code)] for i in items]


def queue_link_reissued(
    *,
    session: Session,
    campaign: Campaign,
    plan: Plan,
    bureau: Bureau,
    request: ReportRequest | None,
    link_url: str,
    key: str,
) -> OutboxMessage:
    """A reissued personal link (the earlier ones no longer work); key: link:{link id}."""
    context = (
        _request_context(plan, request)
        if request is not None
        else {"request": None, "is_acknowledgement": False}
    )
    item = NoticeFor(bureau, key, {**context, "link_url": link_url})
    return queue_item(session, campaign, plan, "link_reissued", item)


def queue_escalation(
    *,
    session: Session,
    campaign: Campaign,
    plan: Plan,
    parent: Bureau,
    late: Sequence[tuple[Bureau, ReportRequest]],
    as_of: date,
    key: str,
) -> OutboxMessage:
    """逾期督办 to a parent unit: every late unit under it, each with what it owes (reports
    not sent, directives not acknowledged) and how many days overdue as of `as_of`.

    key: one per parent and set of late requests, e.g. escalation:2007-08-29:{digest}."""
    units: dict[str, dict[str, Any]] = {}
    orders = _orders(session, [request for _, request in late])
    for bureau, request in late:
        unit = units.setdefault(bureau.code, {"bureau": bureau, "late": []})
        unit["late"].append(
            {**_request_context(plan, request, orders), "overdue_days": _overdue(request, as_of)}
        )
    acknowledgements = [request.kind == RequestKind.acknowledgement for _, request in late]
    forwards = [request.kind == RequestKind.forward for _, request in late]
    context = {
        "parent": parent,
        "as_of": as_of,
        "units": list(units.values()),
        "item_count": len(late),
        "acknowledgement_only": all(acknowledgements),
        "has_acknowledgement": any(acknowledgements),
        "forward_only": all(forwards),
    }
    item = NoticeFor(parent, key, context, to=[str(Address(parent.name, parent.email))])
    return queue_item(session, campaign, plan, "escalation", item)


def queue_ack_receipt(
    *,
    session: Session,
    campaign: Campaign,
    plan: Plan,
    request: ReportRequest,
    bureau: Bureau,
    directive_title: str,
    acknowledged_at: datetime,
) -> OutboxMessage:
    """The receipt of a 签收 (the acknowledgement request `request` was answered)."""
    context = {
        "request": request,
        "directive_title": directive_title,
        "acknowledged_at": _local(plan, acknowledged_at),
    }
    item = NoticeFor(bureau, f"acknowledgement:{request.id}", context)
    return queue_item(session, campaign, plan, "acknowledgement", item)


def queue_receipt(
    *,
    session: Session,
    campaign: Campaign,
    plan: Plan,
    request: ReportRequest,
    bureau: Bureau,
    submission: ReportSubmission,
) -> OutboxMessage:
    """回执: the answer was received (version, time, late or not, the figures as received).

    Keyed on the submission, which its own unit of work has just stored: no need to look
    for an earlier message first (the outbox still returns one already there)."""
    context = _request_context(plan, request)
    context |= {
        "submission": submission,
        "submitted_at": _local(plan, submission.submitted_at),
        "rows": _rows(context["form"], submission.values),
    }
    item = NoticeFor(bureau, f"receipt:{submission.id}", context)
    return queue_item(session, campaign, plan, "receipt", item, look_first=False)


def queue_rejection(
    *,
    session: Session,
    campaign: Campaign,
    plan: Plan,
    request: ReportRequest,
    bureau: Bureau,
    reasons: list[str],
    link_url: str | None,
    key: str,
) -> OutboxMessage:
    """An answer that could not be accepted as sent (e.g. a table that fails checks), with
    every reason; key: unique per rejected attempt, e.g. rejection:{request}:{file sha}."""
    context = {**_request_context(plan, request), "reasons": reasons, "link_url": link_url}
    return queue_item(session, campaign, plan, "rejection", NoticeFor(bureau, key, context))


def queue_returned(
    *,
    session: Session,
    campaign: Campaign,
    plan: Plan,
    request: ReportRequest,
    bureau: Bureau,
    submission: ReportSubmission,
    comment: str,
    link_url: str,
    new_due: date | None = None,
) -> OutboxMessage:
    """退回修改: the coordinator sent an accepted-for-review answer back with a comment."""
    context = _request_context(plan, request)
    context |= {
        "submission": submission,
        "comment": comment,
        "link_url": link_url,
        "new_due": new_due or request.due_date,
    }
    item = NoticeFor(bureau, f"returned:{submission.id}", context)
    return queue_item(session, campaign, plan, "returned", item)


def queue_ad_hoc_alert(
    *,
    session: Session,
    campaign: Campaign,
    plan: Plan,
    bureau: Bureau,
    submission: ReportSubmission,
    review_url: str | None = None,
) -> OutboxMessage:
    """重大情况: tell the coordinator office at once that `bureau` sent an ad-hoc report."""
    context = {
        "reporting_bureau": bureau,
        "submission": submission,
        "submitted_at": _local(plan, submission.submitted_at),
        "category": str(submission.values.get("category") or "重大情况"),
        "narrative": submission.narrative,
        "review_url": review_url,
    }
    office = [str(Address(plan.office.name, plan.office.email))]
    item = NoticeFor(bureau, f"ad_hoc_alert:{submission.id}", context, to=office)
    return queue_item(session, campaign, plan, "ad_hoc_alert", item)


def _request_context(
    plan: Plan, request: ReportRequest, orders: dict[int, RectificationOrder] | None = None
) -> dict[str, Any]:
    """What the templates know of a request; `order`: the 整改 order it is, if any."""
    duty = next((d for d in plan.duties if d.key == request.duty_key), None)
    form = plan.form(duty.form) if duty and duty.form else None
    is_ack = request.kind == RequestKind.acknowledgement
    is_forward = request.kind == RequestKind.forward
    is_order = request.kind == RequestKind.rectification
    name = duty.name if duty else request.duty_key
    name = ACK_NAME if is_ack else (FORWARD_NAME if is_forward else name)
    if is_order:
        form, name = RECTIFICATION_FORM, RECTIFY_NAME
    # A 签收 of a forwarded 通知 records the unit that forwarded it as its recipient.
    forwarded_by = request.recipients[0].get("name") if is_ack and request.recipients else None
    return {
        "request": request,
        "duty": duty,
        "duty_name": name,
        "form": form,
        "is_acknowledgement": is_ack,
        "is_forward": is_forward,
        "issuer": forwarded_by or plan.issuing_authority,
        "order": (orders or {}).get(request.id or 0),
    }


def _orders(session: Session, requests: Sequence[ReportRequest]) -> dict[int, RectificationOrder]:
    """The 整改 orders among the requests, by request id (one query, none without orders)."""
    ids = [r.id for r in requests if r.kind == RequestKind.rectification and r.id is not None]
    if not ids:
        return {}
    rows = session.exec(
        select(RectificationOrder).where(col(RectificationOrder.request_id).in_(ids))
    ).all()
    return {o.request_id: o for o in rows}


def _local(plan: Plan, moment: datetime) -> datetime:
    """moment in the plan's timezone (stored times are UTC; SQLite returns them naive)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(plan.timezone))


def _overdue(request: ReportRequest, as_of: date) -> int:
    return (as_of - request.due_date).days if request.due_date else 0


def _rows(form: ReportForm | None, values: dict[str, Any]) -> list[tuple[str, str, str]]:
    if form is None:
        return [(k, str(v), "") for k, v in values.items()]
    return [(f.label, str(values.get(f.key, "")), f.unit) for f in form.fields if f.key in values]
