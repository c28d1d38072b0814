"""Coordinator review pages (/admin): the review queue, one answer, accept / return, a
bureau's file. Login, logout and the gate are in admin_session."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from campaign.replies.review import (
    ReviewError,
    accept_submission,
    may_review,
    refusal,
    return_submission,
)
from campaign.web.admin_auth import Coordinator
from campaign.web.admin_session import _gate, _gate_post, _run, _state, bar, forbidden
from campaign.web.admin_views import detail_context, list_context
from campaign.web.pages import error_page, page
from models.attachment import SubmissionAttachment
from models.request import ReportRequest
from models.submission import ReportSubmission

router = APIRouter(prefix="/admin", tags=["coordinator"])
NOT_YOURS = "没有这条报送记录"


def _submission_visible(session: Session, submission_id: int, who: Coordinator) -> bool:
    row = session.get(ReportSubmission, submission_id)
    return row is not None and who.scope.sees(row.bureau_code)


def _review_refusal(session: Session, submission_id: int, who: Coordinator) -> str | None:
    """Why this account may not review the answer (None: it may; see review.may_review)."""
    row = session.get(ReportSubmission, submission_id)
    request = session.get(ReportRequest, row.request_id) if row is not None else None
    if request is None or may_review(who.scope, request):
        return None
    return refusal(session, request)


async def _reviewer(
    request: Request, csrf_token: str, submission_id: int
) -> Coordinator | Response:
    """The coordinator posting a review of this answer, or the refusal: the gate's, a
    read-only account (403), another unit's answer (404), an answer reviewed by another
    unit (403: a relayed one, or the account's own unit's)."""
    who = await _gate_post(request, csrf_token)
    if not isinstance(who, Coordinator):
        return who
    if not who.scope.may_act:
        return forbidden()
    seen = await _run(request, lambda s: _submission_visible(s, submission_id, who))
    if not seen:
        return error_page(NOT_YOURS, f"没有编号为{submission_id}的报送记录。", status=404)
    why = await _run(request, lambda s: _review_refusal(s, submission_id, who))
    if why is not None:
        return error_page("无权审核", why + "。", status=403)
    return who


async def _reviewed(
    request: Request, who: Coordinator, submission_id: int, review: Callable[[Session], object]
) -> Response:
    """Run the review in a unit of work: its refusal shown on the answer's page (409), else
    the mail it queued kicked off and back to the answer."""
    try:
        await _run(request, review)
    except ReviewError as exc:
        return await _detail(request, who, submission_id, str(exc), 409)
    _state(request).mail_delivery.kick()
    return RedirectResponse(f"/admin/submissions/{submission_id}", status_code=303)


@router.get("/submissions", response_class=HTMLResponse, summary="The review queue")
async def submissions(
    request: Request, status: str = "pending", campaign_id: int | None = None
) -> Response:
    who = await _gate(request)
    if not isinstance(who, Coordinator):
        return who
    status = status if status in ("pending", "accepted", "returned", "all") else "pending"
    context = await _run(
        request,
        lambda s: list_context(session=s, status=status, campaign_id=campaign_id, scope=who.scope),
    )
    return page("admin_list.html", **context, **bar(request, who))


async def _detail(
    request: Request, who: Coordinator, sid: int, error: str = "", status: int = 200
) -> Response:
    def build(session: Session) -> dict[str, Any] | None:
        if not _submission_visible(session, sid, who):
            return None
        context = detail_context(session=session, submission_id=sid)
        if context is not None:
            context["not_reviewer"] = _review_refusal(session, sid, who)
        return context

    context = await _run(request, build)
    if context is None:
        return error_page("没有这条报送记录", f"没有编号为{sid}的报送记录。", status=404)
    today = _state(request).clock().date().isoformat()
    return page(
        "admin_submission.html",
        status=status,
        error=error,
        may_act=who.scope.may_act and context["not_reviewer"] is None,
        today=today,
        **context,
        **bar(request, who),
    )


@router.get("/submissions/{submission_id}", response_class=HTMLResponse, summary="One answer")
async def submission(request: Request, submission_id: int) -> Response:
    who = await _gate(request)
    if not isinstance(who, Coordinator):
        return who
    return await _detail(request, who, submission_id)


@router.post(
    "/submissions/{submission_id}/accept", response_class=HTMLResponse, summary="Accept an answer"
)
async def accept(
    request: Request, submission_id: int, csrf_token: str = Form(""), comment: str = Form("")
) -> Response:
    who = await _reviewer(request, csrf_token, submission_id)
    if not isinstance(who, Coordinator):
        return who
    now = _state(request).clock()
    return await _reviewed(
        request,
        who,
        submission_id,
        lambda s: accept_submission(
            session=s,
            submission_id=submission_id,
            reviewer=who.name,
            comment=comment,
            now=now,
            scope=who.scope,
        ),
    )


@router.post(
    "/submissions/{submission_id}/return",
    response_class=HTMLResponse,
    summary="Return an answer with a comment and a new deadline",
)
async def return_(
    request: Request,
    submission_id: int,
    csrf_token: str = Form(""),
    comment: str = Form(""),
    due: str = Form(""),
    working_days: str = Form(""),
) -> Response:
    who = await _reviewer(request, csrf_token, submission_id)
    if not isinstance(who, Coordinator):
        return who
    state = _state(request)
    try:
        due_date = date.fromisoformat(due) if due.strip() else None
        days = int(working_days) if working_days.strip() else None
    except ValueError:
        return await _detail(request, who, submission_id, "新的报送期限格式不正确", 422)
    return await _reviewed(
        request,
        who,
        submission_id,
        lambda s: return_submission(
            session=s,
            submission_id=submission_id,
            reviewer=who.name,
            comment=comment,
            due=due_date,
            working_days=days,
            calendar=state.calendar,
            now=state.clock(),
            scope=who.scope,
        ),
    )


@router.get("/attachments/{attachment_id}", summary="Download a file a bureau sent")
async def attachment(request: Request, attachment_id: int) -> Response:
    who = await _gate(request)
    if not isinstance(who, Coordinator):
        return who

    def find(session: Session) -> SubmissionAttachment | None:
        row = session.get(SubmissionAttachment, attachment_id)
        if row is None or not _submission_visible(session, row.submission_id, who):
            return None
        return row

    row = await _run(request, find)
    if row is None:
        return error_page("没有这个文件", "没有这个文件。", status=404)
    path = Path(_state(request).data_dir) / row.stored_path
    if not path.is_file():
        return error_page("文件不存在", "文件已不在存储目录中。", status=404)
    return FileResponse(
        path,
        media_type="application/octet-stream",
        filename=row.filename,
        content_disposition_type="attachment",
    )
