"""Coordinator pages for answers by e-mail (/admin/inbox): held mail with its sender,
subject and reason, and the actions assign-to-a-request and dismiss; recent mail read."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, select

from campaign.clock import local_time
from campaign.inbox.held import HeldError, assign, dismiss, list_messages
from campaign.inbox.match import bureau_of_sender
from campaign.plan.stored import plan_of
from campaign.web.admin_auth import Coordinator
from campaign.web.admin_session import _gate, _gate_post, _run, _state, bar
from campaign.web.pages import page
from models.bureau import Bureau
from models.campaign import Campaign
from models.inbox import InboxMessage, InboxOutcome
from models.request import ReportRequest, RequestStatus

router = APIRouter(prefix="/admin/inbox", tags=["coordinator"])
OUTCOME_TEXT = {
    InboxOutcome.accepted: "已受理",
    InboxOutcome.rejected: "未受理（已回复原因）",
    InboxOutcome.held: "待人工处理",
    InboxOutcome.ignored: "不予处理",
    InboxOutcome.dismissed: "已忽略",
}
ANSWERABLE = (
    RequestStatus.open,
    RequestStatus.overdue,
    RequestStatus.submitted,
    RequestStatus.returned,
)
ZONE = ZoneInfo("Asia/Shanghai")


def _candidates(session: Session, message: InboxMessage) -> list[dict[str, Any]]:
    """Requests the held mail may answer: the one matched, and the open requests of the
    bureau it names or the sender belongs to."""
    codes = {message.bureau_code} if message.bureau_code else set()
    sender = bureau_of_sender(session=session, address=message.from_addr)
    if sender is not None:
        codes.add(sender.code)
    query = select(ReportRequest).where(
        col(ReportRequest.bureau_code).in_(codes),
        col(ReportRequest.status).in_([s.value for s in ANSWERABLE]),
        ReportRequest.kind != "acknowledgement",
    )
    requests = list(session.exec(query.order_by(col(ReportRequest.id).desc()).limit(20)).all())
    if message.request_id and all(r.id != message.request_id for r in requests):
        matched = session.get(ReportRequest, message.request_id)
        requests = [matched, *requests] if matched else requests
    out = []
    for request in requests:
        bureau = session.get(Bureau, request.bureau_code)
        campaign = session.get_one(Campaign, request.campaign_id)
        duty = next((d for d in plan_of(campaign).duties if d.key == request.duty_key), None)
        label = f"{bureau.name if bureau else request.bureau_code} · "
        label += f"{duty.name if duty else request.duty_key} · {request.period_label}"
        out.append({"id": request.id, "label": label, "matched": request.id == message.request_id})
    return out


def inbox_context(*, session: Session) -> dict[str, Any]:
    held = [
        {
            "id": m.id,
            "received": f"{local_time(m.received_at, ZONE):%Y-%m-%d %H:%M}",
            "sender": m.from_addr or "（无发件人）",
            "sender_name": m.from_name,
            "subject": m.subject or "（无主题）",
            "reason": m.reason,
            "kind": m.kind.value,
            "candidates": _candidates(session, m),
        }
        for m in list_messages(session=session, outcome=InboxOutcome.held)
    ]
    recent = [
        {
            "id": m.id,
            "received": f"{local_time(m.received_at, ZONE):%Y-%m-%d %H:%M}",
            "sender": m.from_addr,
            "subject": m.subject,
            "outcome": OUTCOME_TEXT[m.outcome],
            "submission_id": m.submission_id,
            "reason": m.reason,
        }
        for m in list_messages(session=session, outcome=None, limit=50)
        if m.outcome != InboxOutcome.held
    ]
    return {"title": "邮件来信", "held": held, "recent": recent}


async def _page(request: Request, who: Coordinator, error: str = "", status: int = 200) -> Response:
    context = await _run(request, lambda s: inbox_context(session=s))
    return page("admin_inbox.html", status=status, error=error, **context, **bar(request, who))


@router.get("", response_class=HTMLResponse, summary="Mail held for a coordinator")
async def inbox(request: Request) -> Response:
    who = await _gate(request, office=True)  # held mail is not yet any unit's
    if not isinstance(who, Coordinator):
        return who
    return await _page(request, who)


@router.post("/{inbox_id}/assign", response_class=HTMLResponse, summary="Assign held mail")
async def assign_mail(
    request: Request,
    inbox_id: int,
    csrf_token: str = Form(""),
    request_id: str = Form(""),
    remember: str = Form(""),
) -> Response:
    who = await _gate_post(request, csrf_token, office=True)
    if not isinstance(who, Coordinator):
        return who
    if not request_id.strip().isdigit():
        return await _page(request, who, "请选择这封来信所答复的报送事项", 422)
    now = _state(request).clock()
    try:
        await _run(
            request,
            lambda s: assign(
                session=s,
                inbox_id=inbox_id,
                request_id=int(request_id),
                actor=who.name,
                remember_sender=bool(remember),
                now=now,
            ),
        )
    except HeldError as exc:
        return await _page(request, who, str(exc), 409)
    _state(request).mail_delivery.kick()
    return RedirectResponse("/admin/inbox", status_code=303)


@router.post("/{inbox_id}/dismiss", response_class=HTMLResponse, summary="Dismiss held mail")
async def dismiss_mail(request: Request, inbox_id: int, csrf_token: str = Form("")) -> Response:
    who = await _gate_post(request, csrf_token, office=True)
    if not isinstance(who, Coordinator):
        return who
    try:
        await _run(request, lambda s: dismiss(session=s, inbox_id=inbox_id, actor=who.name))
    except HeldError as exc:
        return await _page(request, who, str(exc), 409)
    return RedirectResponse("/admin/inbox", status_code=303)
