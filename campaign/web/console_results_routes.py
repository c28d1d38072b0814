"""The console's results and acceptance routes, behind the coordinator login:

- GET  /admin/campaigns/{id}/summaries/{summary id}/{summary,bulletin}.docx: a stored
  summary version's draft (阶段小结 or 工作总结, and 通报), campaign.results.outputs;
- GET  /admin/campaigns/{id}/acceptance/report.{xlsx,docx}: the acceptance report;
- GET  /admin/campaigns/{id}/acceptance: inspections and 整改 orders, with the forms;
- POST …/acceptance/inspections, …/acceptance/orders, …/acceptance/orders/{n}/reported
  (on the unit's behalf), …/acceptance/orders/{n}/close (销号), …/acceptance/orders/{n}/return
  (退回 with a comment and a new deadline): the entries (the session-bound form token; every
  problem named at once, nothing stored on error; audited with the coordinator's name).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from campaign.acceptance.entry import (
    enter_closed,
    enter_inspection,
    enter_order,
    enter_reported,
    enter_returned,
)
from campaign.acceptance.orders import EntryRefused
from campaign.acceptance.report import acceptance_bytes
from campaign.clock import local_date
from campaign.results.outputs import summary_document
from campaign.web.admin_auth import Coordinator
from campaign.web.admin_session import _gate, _gate_post, _run, _state, bar
from campaign.web.console_results import DOCUMENTS, acceptance_context, summary_kind
from campaign.web.console_routes import NO_CAMPAIGN, XLSX, _download
from campaign.web.pages import error_page, page
from models.campaign import Campaign
from models.summary import CampaignSummary

router = APIRouter(prefix="/admin/campaigns", tags=["coordinator"])
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FIELDS = ("unit", "inspected_on", "inspector", "verdict", "findings", "what", "deadline",
          "report", "number", "comment")  # fmt: skip


def _missing(campaign_id: int) -> Response:
    return error_page(NO_CAMPAIGN, f"没有编号为{campaign_id}的专项行动。", status=404)


@router.get("/{campaign_id}/summaries/{summary_id}/{document}.docx", summary="A summary's draft")
async def summary_draft(
    request: Request, campaign_id: int, summary_id: int, document: str
) -> Response:
    who = await _gate(request, office=True)  # province-wide drafts and acceptance
    if not isinstance(who, Coordinator):
        return who
    if document not in ("summary", "bulletin"):
        return error_page("没有这份文稿", "没有这份文稿。", status=404)

    def build(session: Session) -> Response:
        summary = session.get(CampaignSummary, summary_id)
        if summary is None or summary.campaign_id != campaign_id:
            return error_page("没有这份汇总", f"没有编号为{summary_id}的汇总。", status=404)
        kind = summary_kind(summary.result) if document == "summary" else "bulletin"
        data = summary_document(session=session, summary_id=summary_id, kind=kind)  # type: ignore[arg-type]
        label = DOCUMENTS["bulletin" if kind == "bulletin" else
                          ("summary" if kind == "stage" else "final")]  # fmt: skip
        heading = summary.result.get("heading") or summary.key
        return _download(data, f"{label}（草稿）-{heading}（第{summary.version}版）.docx", DOCX)

    result: Response = await _run(request, build)
    return result


@router.get("/{campaign_id}/acceptance/report.{suffix}", summary="The acceptance report")
async def acceptance_report(request: Request, campaign_id: int, suffix: str) -> Response:
    who = await _gate(request, office=True)  # province-wide drafts and acceptance
    if not isinstance(who, Coordinator):
        return who
    if suffix not in ("xlsx", "docx"):
        return error_page("没有这份文件", "没有这份文件。", status=404)

    def build(session: Session) -> Response:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            return _missing(campaign_id)
        today = local_date(_state(request).clock(), campaign.timezone)
        files = acceptance_bytes(session=session, campaign_id=campaign_id, today=today)
        name = next(n for n in files if n.endswith(f".{suffix}"))
        return _download(files[name], name, XLSX if suffix == "xlsx" else DOCX)

    result: Response = await _run(request, build)
    return result


async def _acceptance_page(
    request: Request,
    who: Coordinator,
    campaign_id: int,
    *,
    problems: list[str] | None = None,
    entered: dict[str, str] | None = None,
    form: str = "",
) -> Response:
    def build(session: Session) -> dict[str, Any] | None:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            return None
        today = local_date(_state(request).clock(), campaign.timezone)
        context = acceptance_context(session=session, campaign_id=campaign_id, today=today)
        return {**context, "campaign": campaign, "title": campaign.title, "today": today}

    context = await _run(request, build)
    if context is None:
        return _missing(campaign_id)
    return page(
        "console_acceptance.html",
        status=400 if problems else 200,
        problems=problems or [],
        entered=entered or {},
        form=form,
        **context,
        **bar(request, who),
    )


@router.get("/{campaign_id}/acceptance", response_class=HTMLResponse, summary="检查验收 entry")
async def acceptance(request: Request, campaign_id: int) -> Response:
    who = await _gate(request, office=True)  # province-wide drafts and acceptance
    if not isinstance(who, Coordinator):
        return who
    return await _acceptance_page(request, who, campaign_id)


Entry = Callable[[Session, int, dict[str, str], str, date, datetime], object]


async def _post(request: Request, campaign_id: int, form_name: str, entry: Entry) -> Response:
    """Read the form, check its token, store the entry or show the page again with every
    problem and what was typed."""
    raw = await request.form()
    fields = {k: str(raw.get(k, ""))[:4000] for k in FIELDS}
    who = await _gate_post(request, str(raw.get("csrf_token", "")), office=True)
    if not isinstance(who, Coordinator):
        return who

    def store(session: Session) -> list[str] | None:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            return None
        now = _state(request).clock()
        today = local_date(now, campaign.timezone)
        try:
            entry(session, campaign_id, fields, who.name, today, now)
        except EntryRefused as refused:
            session.rollback()
            return refused.problems
        return []

    problems = await _run(request, store)
    if problems is None:
        return _missing(campaign_id)
    if problems:
        return await _acceptance_page(
            request, who, campaign_id, problems=problems, entered=fields, form=form_name
        )
    return RedirectResponse(
        f"/admin/campaigns/{campaign_id}/acceptance#{form_name}", status_code=303
    )


@router.post("/{campaign_id}/acceptance/inspections", summary="Record an inspection")
async def post_inspection(request: Request, campaign_id: int) -> Response:
    return await _post(
        request,
        campaign_id,
        "inspections",
        lambda s, cid, f, who, today, now: enter_inspection(
            session=s, campaign_id=cid, form=f, actor=who, at=now
        ),
    )


@router.post("/{campaign_id}/acceptance/orders", summary="Issue a 整改 order")
async def post_order(request: Request, campaign_id: int) -> Response:
    return await _post(
        request,
        campaign_id,
        "orders",
        lambda s, cid, f, who, today, now: enter_order(
            session=s, campaign_id=cid, form=f, actor=who, today=today, at=now
        ),
    )


@router.post("/{campaign_id}/acceptance/orders/{number}/reported", summary="Order reported done")
async def post_reported(request: Request, campaign_id: int, number: int) -> Response:
    return await _post(
        request,
        campaign_id,
        "orders",
        lambda s, cid, f, who, today, now: enter_reported(
            session=s, campaign_id=cid, number=number, report=f["report"], actor=who, at=now
        ),
    )


@router.post("/{campaign_id}/acceptance/orders/{number}/close", summary="Close an order (销号)")
async def post_close(request: Request, campaign_id: int, number: int) -> Response:
    return await _post(
        request,
        campaign_id,
        "orders",
        lambda s, cid, f, who, today, now: enter_closed(
            session=s, campaign_id=cid, number=number, actor=who, at=now
        ),
    )


@router.post("/{campaign_id}/acceptance/orders/{number}/return", summary="Return an order (退回)")
async def post_return(request: Request, campaign_id: int, number: int) -> Response:
    return await _post(
        request,
        campaign_id,
        "orders",
        lambda s, cid, f, who, today, now: enter_returned(
            session=s, campaign_id=cid, number=number, form=f, actor=who, at=now
        ),
    )
