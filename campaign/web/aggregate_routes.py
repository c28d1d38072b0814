"""The relay unit's aggregate report (/admin/aggregates): a city reads its counties'
reports compiled, explains any difference and submits its own report to the office.
Seen by the accounts whose units include the city; submitted only by the city's own
(campaign.replies.aggregate, which the city's personal link also goes through)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from campaign.replies.aggregate import AggregateRefused, submit_for_account
from campaign.replies.errors import ReplyError
from campaign.web.admin_auth import Coordinator
from campaign.web.admin_session import _gate, _gate_post, _run, _state, bar
from campaign.web.aggregate_views import aggregate_context, aggregates_context
from campaign.web.pages import error_page, page

router = APIRouter(prefix="/admin/aggregates", tags=["coordinator"])
NOT_FOUND = "没有这份汇总报送"


@router.get("", response_class=HTMLResponse, summary="The aggregate reports of relay units")
async def aggregates(request: Request) -> Response:
    who = await _gate(request)
    if not isinstance(who, Coordinator):
        return who
    context = await _run(request, lambda s: aggregates_context(session=s, scope=who.scope))
    return page("console_aggregates.html", **context, **bar(request, who))


async def _page(
    request: Request,
    who: Coordinator,
    request_id: int,
    *,
    error: str = "",
    status: int = 200,
    entered: dict[str, str] | None = None,
) -> Response:
    context = await _run(
        request, lambda s: aggregate_context(session=s, request_id=request_id, scope=who.scope)
    )
    if context is None:
        return error_page(NOT_FOUND, f"没有编号为{request_id}的汇总报送。", status=404)
    if entered is not None:  # a refused submit shows what was typed
        for item in [*context["figures"], *context["own_fields"]]:
            item["value"] = entered.get(f"v_{item['key']}", item["value"])
        context["narrative_value"] = entered.get("narrative", "")
    context["note"] = (entered or {}).get("note", "")
    return page(
        "console_aggregate.html", status=status, error=error, **context, **bar(request, who)
    )


@router.get("/{request_id}", response_class=HTMLResponse, summary="A relay unit's aggregate")
async def aggregate(request: Request, request_id: int) -> Response:
    who = await _gate(request)
    if not isinstance(who, Coordinator):
        return who
    return await _page(request, who, request_id)


@router.post(
    "/{request_id}", response_class=HTMLResponse, summary="Submit a relay unit's aggregate"
)
async def submit(request: Request, request_id: int) -> Response:
    form = await request.form()
    entered = {k: v for k, v in form.items() if isinstance(v, str)}
    who = await _gate_post(request, entered.get("csrf_token", ""))
    if not isinstance(who, Coordinator):
        return who
    seen = await _run(
        request, lambda s: aggregate_context(session=s, request_id=request_id, scope=who.scope)
    )
    if seen is None:
        return error_page(NOT_FOUND, f"没有编号为{request_id}的汇总报送。", status=404)
    if not seen["may_submit"]:
        refusal = "只有本单位的协调员账号可以报送本单位的汇总报告。"
        return error_page("无权操作", refusal, status=403)
    state = _state(request)
    values = {k[2:]: v for k, v in entered.items() if k.startswith("v_")}

    def store(session: Session) -> None:
        submit_for_account(
            session=session,
            request_id=request_id,
            scope=who.scope,
            values=values,
            narrative=entered.get("narrative", ""),
            note=entered.get("note", ""),
            confirm_missing=entered.get("confirm_missing") == "yes",
            now=state.clock(),
            data_dir=state.data_dir,
        )

    try:
        await _run(request, store)
    except (AggregateRefused, ReplyError) as exc:
        return await _page(request, who, request_id, error=str(exc), status=422, entered=entered)
    state.mail_delivery.kick()
    return RedirectResponse(f"/admin/aggregates/{request_id}", status_code=303)
