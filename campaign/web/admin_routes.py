"""Coordinator pages (/admin): login, the review queue, one answer, accept / return."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from campaign.accounts import any_account, authenticate
from campaign.replies.review import (
    ReviewError,
    accept_submission,
    may_review,
    refusal,
    return_submission,
)
from campaign.web.admin_auth import (
    DEVICE_COOKIE,
    DEVICE_MAX_AGE,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    SESSION_MAX_AGE,
    Coordinator,
)
from campaign.web.admin_views import detail_context, list_context
from campaign.web.pages import error_page, page
from models.attachment import SubmissionAttachment
from models.bureau import normalize_key
from models.request import ReportRequest
from models.submission import ReportSubmission

router = APIRouter(prefix="/admin", tags=["coordinator"])
DISABLED = "协调员页面未启用：尚未开设账号（campaign accounts add）。"
HOME = "/admin/campaigns"  # the console (console_routes)
STALE = "页面已过期，操作未执行。请刷新页面后重试。"


def _state(request: Request) -> Any:
    return request.app.state


def _secure(request: Request) -> bool:
    """Secure cookies when the public URL is https or this request came over https."""
    return bool(_state(request).secure_cookies) or request.url.scheme == "https"


def _set_cookie(
    request: Request, response: Response, name: str, value: str, path: str, max_age: int
) -> None:
    response.set_cookie(
        name,
        value,
        path=path,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )


async def _gate(request: Request) -> Response | Coordinator:
    auth = _state(request).auth
    cookie = request.cookies.get(SESSION_COOKIE)
    now = _state(request).clock()
    who = await _run(request, lambda s: auth.read_session(s, cookie, now=now)) if cookie else None
    if who is None:
        if not await _run(request, auth.open):
            return error_page("协调员页面未启用", DISABLED, status=403)
        if request.method == "GET":
            return RedirectResponse("/admin/login", status_code=303)
        return error_page("请先登录", "登录已过期，请重新登录。", status=403)
    return who


async def _gate_post(request: Request, csrf_token: str) -> Response | Coordinator:
    """_gate for a form POST: also the form's token, bound to the login session."""
    who = await _gate(request)
    if not isinstance(who, Coordinator):
        return who
    if _state(request).tokens.verify(csrf_token, f"coord:{who.session_id}") is None:
        return error_page("页面已过期", STALE, status=403)
    return who


NOT_YOURS = "没有这条报送记录"
READ_ONLY = "您的账号只能查看，不能审核或更改。"


def forbidden() -> Response:
    """A read-only account tried to act."""
    return error_page("无权操作", READ_ONLY, status=403)


def office_only(who: Coordinator) -> Response | None:
    """Refusal for pages only the issuing office opens (held mail, accounts)."""
    if who.scope.is_office:
        return None
    return error_page("无权访问", "此页面仅限领导小组办公室使用。", status=403)


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


async def _act_on(request: Request, who: Coordinator, submission_id: int) -> Response | None:
    """Refusal for acting on an answer: read-only account (403), another unit's (404), an
    answer reviewed by another unit (403: a relayed one, or the account's own unit's)."""
    if not who.scope.may_act:
        return forbidden()
    seen = await _run(request, lambda s: _submission_visible(s, submission_id, who))
    if not seen:
        return error_page(NOT_YOURS, f"没有编号为{submission_id}的报送记录。", status=404)
    why = await _run(request, lambda s: _review_refusal(s, submission_id, who))
    if why is not None:
        return error_page("无权审核", why + "。", status=403)
    return None


def _run(request: Request, work: Any, *args: Any) -> Any:
    def unit() -> Any:
        with Session(_state(request).engine, expire_on_commit=False) as session:
            result = work(session, *args)
            session.commit()
            return result

    return run_in_threadpool(unit)


def _login_form(request: Request, accounts: bool, error: str = "", status: int = 200) -> Response:
    token = _state(request).tokens.issue("login")
    response = page(
        "admin_login.html",
        status=status,
        title="协调员登录",
        csrf_token=token,
        error=error,
        accounts=accounts,
    )
    _set_cookie(request, response, LOGIN_COOKIE, token, "/admin/login", 3600)
    return response


def _wait_text(seconds: float) -> str:
    return f"请于{math.ceil(seconds)}秒后再试。"


@router.get("/login", response_class=HTMLResponse, summary="Coordinator login page")
async def login_page(request: Request) -> Response:
    auth = _state(request).auth
    is_open, accounts = await _run(request, lambda s: (auth.open(s), any_account(s)))
    if not is_open:
        return error_page("协调员页面未启用", DISABLED, status=403)
    return _login_form(request, accounts)


@router.post("/login", response_class=HTMLResponse, summary="Log in as coordinator")
async def login(
    request: Request,
    password: str = Form(""),
    name: str = Form(""),
    username: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    """Attempts are spaced out after bad passwords, per client and per account
    (ratelimit.LoginThrottle): one made too early is refused without the password being
    looked at. Once an account exists only accounts log in (the shared password no more)."""
    state = _state(request)
    is_open, accounts = await _run(request, lambda s: (state.auth.open(s), any_account(s)))
    if not is_open:
        return error_page("协调员页面未启用", DISABLED, status=403)
    address = request.client.host if request.client else "unknown"
    device = state.auth.read_device(request.cookies.get(DEVICE_COOKIE))
    account_key = (normalize_key(username).lower()[:50] or None) if accounts else None
    wait = state.login_throttle.wait(address, device, account_key)
    if wait > 0:
        refused = error_page(
            "请稍后再试", "密码错误次数过多，登录暂停。" + _wait_text(wait), status=429
        )
        refused.headers["retry-after"] = str(math.ceil(wait))
        return refused
    cookie = request.cookies.get(LOGIN_COOKIE)
    if cookie != csrf_token or state.tokens.verify(csrf_token, "login") is None:
        return error_page("页面已过期", STALE, status=403)
    if accounts:
        account = await _run(
            request, lambda s: authenticate(session=s, username=username, password=password)
        )
        good, who, user = account is not None, username, account.username if account else None
    else:
        good, who, user = state.auth.check_password(password), name.strip() or "协调员", None
    if not good:
        wait = state.login_throttle.failed(address, device, account_key)
        wrong = "用户名或密码不正确。" if accounts else "密码不正确。"
        return _login_form(request, accounts, wrong + (_wait_text(wait) if wait else ""), 401)
    state.login_throttle.succeeded(address, device, account_key)
    presented, now = request.cookies.get(SESSION_COOKIE), state.clock()
    session_cookie = await _run(
        request,
        lambda s: state.auth.start_session(
            s, user or who, now=now, replacing=presented, username=user
        ),
    )
    response = RedirectResponse(HOME, status_code=303)
    _set_cookie(request, response, SESSION_COOKIE, session_cookie, "/admin", SESSION_MAX_AGE)
    if device is None:
        device_cookie = state.auth.make_device()
        _set_cookie(request, response, DEVICE_COOKIE, device_cookie, "/admin/login", DEVICE_MAX_AGE)
    return response


@router.post("/logout", summary="Log out")
async def logout(request: Request, csrf_token: str = Form("")) -> Response:
    """Ends the session on the server: the cookie, wherever copied, no longer opens a page."""
    who = await _gate_post(request, csrf_token)
    if not isinstance(who, Coordinator):
        return who
    cookie = request.cookies.get(SESSION_COOKIE)
    await _run(request, lambda s: _state(request).auth.end_session(s, cookie))
    response = RedirectResponse("/admin/login", status_code=303)
    response.delete_cookie(
        SESSION_COOKIE, path="/admin", httponly=True, samesite="strict", secure=_secure(request)
    )
    return response


@router.get("", include_in_schema=False)
async def home() -> Response:
    return RedirectResponse(HOME, status_code=303)


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
    csrf = _state(request).tokens.issue(f"coord:{who.session_id}")
    return page(
        "admin_list.html", csrf_token=csrf, who=who.name, office=who.scope.is_office, **context
    )


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
    csrf = _state(request).tokens.issue(f"coord:{who.session_id}")
    today = _state(request).clock().date().isoformat()
    return page(
        "admin_submission.html",
        status=status,
        csrf_token=csrf,
        error=error,
        who=who.name,
        office=who.scope.is_office,
        may_act=who.scope.may_act and context["not_reviewer"] is None,
        today=today,
        **context,
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
    who = await _gate_post(request, csrf_token)
    if not isinstance(who, Coordinator):
        return who
    refused = await _act_on(request, who, submission_id)
    if refused is not None:
        return refused
    now = _state(request).clock()
    try:
        await _run(
            request,
            lambda s: accept_submission(
                session=s,
                submission_id=submission_id,
                reviewer=who.name,
                comment=comment,
                now=now,
                scope=who.scope,
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
    who = await _gate_post(request, csrf_token)
    if not isinstance(who, Coordinator):
        return who
    refused = await _act_on(request, who, submission_id)
    if refused is not None:
        return refused
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
                scope=who.scope,
            ),
        )
    except ReviewError as exc:
        return await _detail(request, who, submission_id, str(exc), 409)
    _state(request).mail_delivery.kick()
    return RedirectResponse(f"/admin/submissions/{submission_id}", status_code=303)


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
