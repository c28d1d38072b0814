"""Coordinator pages (/admin): login, the review queue, one answer, accept / return."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from campaign.replies.review import ReviewError, accept_submission, return_submission
from campaign.web.admin_auth import LOGIN_COOKIE, SESSION_COOKIE, CoordinatorSession
from campaign.web.admin_views import detail_context, list_context
from campaign.web.pages import error_page, page
from models.attachment import SubmissionAttachment

router = APIRouter(prefix="/admin", tags=["coordinator"])
DISABLED = "协调员页面未启用：尚未配置协调员密码（CAMPAIGN_COORDINATOR_PASSWORD）。"
STALE = "页面已过期，操作未执行。请刷新页面后重试。"


def _state(request: Request) -> Any:
    return request.app.state


def _gate(request: Request) -> Response | CoordinatorSession:
    auth = _state(request).auth
    if not auth.enabled:
        return error_page("协调员页面未启用", DISABLED, status=403)
    who = auth.read_session(request.cookies.get(SESSION_COOKIE))
    if who is None:
        if request.method == "GET":
            return RedirectResponse("/admin/login", status_code=303)
        return error_page("请先登录", "登录已过期，请重新登录。", status=403)
    return who


def _gate_post(request: Request, csrf_token: str) -> Response | CoordinatorSession:
    """_gate for a form POST: also the form's token, bound to the login session."""
    who = _gate(request)
    if not isinstance(who, CoordinatorSession):
        return who
    if _state(request).tokens.verify(csrf_token, f"coord:{who.session_id}") is None:
        return error_page("页面已过期", STALE, status=403)
    return who


def _run(request: Request, work: Any, *args: Any) -> Any:
    def unit() -> Any:
        with Session(_state(request).engine, expire_on_commit=False) as session:
            result = work(session, *args)
            session.commit()
            return result

    return run_in_threadpool(unit)


@router.get("/login", response_class=HTMLResponse, summary="Coordinator login page")
async def login_page(request: Request) -> Response:
    if not _state(request).auth.enabled:
        return error_page("协调员页面未启用", DISABLED, status=403)
    token = _state(request).tokens.issue("login")
    response = page("admin_login.html", title="协调员登录", csrf_token=token, error="")
    response.set_cookie(LOGIN_COOKIE, token, path="/admin/login", httponly=True, samesite="strict")
    return response


@router.post("/login", response_class=HTMLResponse, summary="Log in as coordinator")
async def login(
    request: Request, password: str = Form(""), name: str = Form(""), csrf_token: str = Form("")
) -> Response:
    state = _state(request)
    if not state.auth.enabled:
        return error_page("协调员页面未启用", DISABLED, status=403)
    address = request.client.host if request.client else "unknown"
    cookie = request.cookies.get(LOGIN_COOKIE)
    if state.limiter.blocked(address):
        return error_page("请求过多", "登录失败次数过多，请稍后再试。", status=429)
    if cookie != csrf_token or state.tokens.verify(csrf_token, "login") is None:
        return error_page("页面已过期", STALE, status=403)
    if not state.auth.check_password(password):
        state.limiter.record_failure(address)
        return page(
            "admin_login.html",
            status=401,
            title="协调员登录",
            csrf_token=csrf_token,
            error="密码不正确。",
        )
    response = RedirectResponse("/admin/submissions", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        state.auth.make_session(name.strip() or "协调员"),
        path="/admin",
        httponly=True,
        samesite="strict",
        secure=state.secure_cookies,
    )
    return response


@router.post("/logout", summary="Log out")
async def logout(request: Request, csrf_token: str = Form("")) -> Response:
    who = _gate_post(request, csrf_token)
    if not isinstance(who, CoordinatorSession):
        return who
    response = RedirectResponse("/admin/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/admin")
    return response


@router.get("", include_in_schema=False)
async def home() -> Response:
    return RedirectResponse("/admin/submissions", status_code=303)


@router.get("/submissions", response_class=HTMLResponse, summary="The review queue")
async def submissions(
    request: Request, status: str = "pending", campaign_id: int | None = None
) -> Response:
    who = _gate(request)
    if not isinstance(who, CoordinatorSession):
        return who
    status = status if status in ("pending", "accepted", "returned", "all") else "pending"
    context = await _run(
        request, lambda s: list_context(session=s, status=status, campaign_id=campaign_id)
    )
    csrf = _state(request).tokens.issue(f"coord:{who.session_id}")
    return page("admin_list.html", csrf_token=csrf, who=who.name, **context)


async def _detail(
    request: Request, who: CoordinatorSession, sid: int, error: str = "", status: int = 200
) -> Response:
    context = await _run(request, lambda s: detail_context(session=s, submission_id=sid))
    if context is None:
        return error_page("没有这条报送记录", f"没有编号为{sid}的报送记录。", status=404)
    csrf = _state(request).tokens.issue(f"coord:{who.session_id}")
    today = _state(request).clock().date().isoformat()
    return page(
        "admin_submission.html",
        status=status,
        csrf_token=csrf,
        error=error,
        who=who.name,
        today=today,
        **context,
    )


@router.get("/submissions/{submission_id}", response_class=HTMLResponse, summary="One answer")
async def submission(request: Request, submission_id: int) -> Response:
    who = _gate(request)
    if not isinstance(who, CoordinatorSession):
        return who
    return await _detail(request, who, submission_id)


@router.post(
    "/submissions/{submission_id}/accept", response_class=HTMLResponse, summary="Accept an answer"
)
async def accept(
    request: Request, submission_id: int, csrf_token: str = Form(""), comment: str = Form("")
) -> Response:
    who = _gate_post(request, csrf_token)
    if not isinstance(who, CoordinatorSession):
        return who
    now = _state(request).clock()
    try:
        await _run(
            request,
            lambda s: accept_submission(
                session=s, submission_id=submission_id, reviewer=who.name, comment=comment, now=now
            ),
        )
    except ReviewError as exc:
        return await _detail(request, who, submission_id, str(exc), 409)
    _state(request).mail_delivery.kick()
    return RedirectResponse(f"/admin/submissions/{submission_id}", status_code=303)


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
    who = _gate_post(request, csrf_token)
    if not isinstance(who, CoordinatorSession):
        return who
    state = _state(request)
    try:
        due_date = date.fromisoformat(due) if due.strip() else None
        days = int(working_days) if working_days.strip() else None
    except ValueError:
        return await _detail(request, who, submission_id, "新的报送期限格式不正确", 422)
    try:
        await _run(
            request,
            lambda s: return_submission(
                session=s,
                submission_id=submission_id,
                reviewer=who.name,
                comment=comment,
                due=due_date,
                working_days=days,
                calendar=state.calendar,
                now=state.clock(),
            ),
        )
    except ReviewError as exc:
        return await _detail(request, who, submission_id, str(exc), 409)
    _state(request).mail_delivery.kick()
    return RedirectResponse(f"/admin/submissions/{submission_id}", status_code=303)


@router.get("/attachments/{attachment_id}", summary="Download a file a bureau sent")
async def attachment(request: Request, attachment_id: int) -> Response:
    who = _gate(request)
    if not isinstance(who, CoordinatorSession):
        return who
    row = await _run(request, lambda s: s.get(SubmissionAttachment, attachment_id))
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
