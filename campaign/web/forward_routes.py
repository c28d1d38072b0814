"""转发 in the console: a unit's coordinator forwards a directive to the units below as the
unit's own 通知 (/admin/campaigns/{id}/forward/{window}): the form, a preview of the 通知,
then sending; afterwards the page shows who has signed. The unit is the account's own;
every problem is shown beside its field and nothing is stored while any remains."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from campaign.clock import local_date
from campaign.forwarding.form import ForwardInput, check_forwarding
from campaign.forwarding.record import Draft, ForwardError, draft, find_record, forward_directive
from campaign.forwarding.status import signatures
from campaign.web.admin_auth import Coordinator
from campaign.web.admin_session import _gate, _gate_post, _run, _state, bar, forbidden
from campaign.web.pages import error_page, page
from models.audit import Channel

router = APIRouter(prefix="/admin/campaigns", tags=["coordinator"])


def _draft(session: Session, who: Coordinator, campaign_id: int, window: str) -> Draft:
    if who.scope.unit_code is None:
        raise ForwardError("请使用本单位的账号登录后转发。")
    return draft(
        session=session, campaign_id=campaign_id, unit_code=who.scope.unit_code, window=window
    )


def _context(
    request: Request, session: Session, who: Coordinator, target: Draft, **extra: Any
) -> dict[str, Any]:
    assert target.campaign.id is not None
    record = find_record(
        session=session,
        campaign_id=target.campaign.id,
        window=target.window,
        unit_code=target.unit.code,
    )
    signed = []
    if record is not None:
        signed = signatures(
            session=session,
            campaign_id=target.campaign.id,
            window=target.window,
            unit_code=target.unit.code,
        )
    return {
        "title": "转发通知",
        "campaign": target.campaign,
        "unit": target.unit,
        "directive": target.directive,
        "forward_request": target.request,
        "children": target.children,
        "record": record,
        "signed": signed,
        "may_act": who.scope.may_act,
        "action": f"/admin/campaigns/{target.campaign.id}/forward/{target.window}",
        **bar(request, who),
        **extra,
    }


def _blank(target: Draft) -> ForwardInput:
    return ForwardInput(title=target.default_title(), recipients=[b.code for b in target.children])


@router.get("/{campaign_id}/forward/{window}", response_class=HTMLResponse, summary="转发")
async def forward_page(request: Request, campaign_id: int, window: str) -> Response:
    who = await _gate(request)
    if not isinstance(who, Coordinator):
        return who

    def build(session: Session) -> dict[str, Any] | str:
        try:
            target = _draft(session, who, campaign_id, window)
        except ForwardError as exc:
            return str(exc)
        return _context(request, session, who, target, form=_blank(target), errors={})

    context = await _run(request, build)
    if isinstance(context, str):
        return error_page("没有需要转发的通知", context, status=404)
    return page("console_forward.html", **context)


@router.post("/{campaign_id}/forward/{window}", response_class=HTMLResponse, summary="转发")
async def forward_post(request: Request, campaign_id: int, window: str) -> Response:
    form = await request.form()
    who = await _gate_post(request, str(form.get("csrf_token", "")))
    if not isinstance(who, Coordinator):
        return who
    if not who.scope.may_act:
        return forbidden()
    raw = ForwardInput(
        document_number=str(form.get("document_number", "")),
        title=str(form.get("title", "")),
        requirements=str(form.get("requirements", "")),
        issued_on=str(form.get("issued_on", "")),
        recipients=[str(v) for v in form.getlist("recipients")],
    )
    step = str(form.get("step", "preview"))
    state = _state(request)

    def act(session: Session) -> dict[str, Any] | str | None:
        try:
            target = _draft(session, who, campaign_id, window)
        except ForwardError as exc:
            return str(exc)
        today = local_date(state.clock(), target.campaign.timezone)
        checked = check_forwarding(
            raw,
            children=target.children,
            directive_number=target.directive.document_number,
            directive_issued=target.directive.issued_on,
            today=today,
        )
        if checked.forwarding is None or step == "edit":
            return _context(request, session, who, target, form=raw, errors=checked.errors)
        if step != "send":
            preview = target.notice(checked.forwarding, today)
            return _context(request, session, who, target, form=raw, errors={}, preview=preview)
        try:
            forward_directive(
                session=session,
                target=target,
                forwarding=checked.forwarding,
                username=who.name,
                channel=Channel.web,
                now=state.clock(),
            )
        except ForwardError as exc:
            return _context(request, session, who, target, form=raw, errors={"": str(exc)})
        return None

    outcome = await _run(request, act)
    if isinstance(outcome, str):
        return error_page("没有需要转发的通知", outcome, status=404)
    if outcome is None:
        state.mail_delivery.kick()
        return RedirectResponse(f"/admin/campaigns/{campaign_id}/forward/{window}", status_code=303)
    status = 422 if outcome["errors"] else 200
    return page("console_forward.html", status=status, **outcome)
