"""The coordinator's session (/admin): login and logout with their slowing-down, the
cookies, and the gate every console page passes (_gate, _gate_post, form_token)."""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from campaign.accounts import any_account, authenticate
from campaign.web.admin_auth import (
    DEVICE_COOKIE,
    DEVICE_MAX_AGE,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    SESSION_MAX_AGE,
    Coordinator,
)
from campaign.web.pages import error_page, page
from models.bureau import normalize_key

router = APIRouter(prefix="/admin", tags=["coordinator"])
DISABLED = "协调员页面未启用：尚未开设账号（campaign accounts add）。"
HOME = "/admin/campaigns"  # the console (console_routes)
STALE = "页面已过期，操作未执行。请刷新页面后重试。"
READ_ONLY = "您的账号只能查看，不能审核或更改。"


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


def _run(request: Request, work: Any, *args: Any) -> Any:
    def unit() -> Any:
        with Session(_state(request).engine, expire_on_commit=False) as session:
            result = work(session, *args)
            session.commit()
            return result

    return run_in_threadpool(unit)


def office_only(who: Coordinator) -> Response | None:
    """Refusal for pages only the issuing office opens (held mail, accounts)."""
    if who.scope.is_office:
        return None
    return error_page("无权访问", "此页面仅限领导小组办公室使用。", status=403)


def forbidden() -> Response:
    """A read-only account tried to act."""
    return error_page("无权操作", READ_ONLY, status=403)


async def _gate(request: Request, *, office: bool = False) -> Response | Coordinator:
    """The logged-in coordinator, or the page that refuses; office=True: a page only the
    issuing office opens (office_only)."""
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
    if office and (refused := office_only(who)) is not None:
        return refused
    return who


async def _gate_post(
    request: Request, csrf_token: str, *, office: bool = False
) -> Response | Coordinator:
    """_gate for a form POST: also the form's token (form_token), bound to the login session."""
    who = await _gate(request)
    if not isinstance(who, Coordinator):
        return who
    if _state(request).tokens.verify(csrf_token, f"coord:{who.session_id}") is None:
        return error_page("页面已过期", STALE, status=403)
    if office and (refused := office_only(who)) is not None:
        return refused
    return who


def form_token(request: Request, who: Coordinator) -> str:
    """The token a console page's forms carry back to _gate_post."""
    return str(_state(request).tokens.issue(f"coord:{who.session_id}"))


def bar(request: Request, who: Coordinator) -> dict[str, Any]:
    """What the coordinator bar of a console page needs: the name, the unit, whether the
    office, and the form token (logout and the page's own forms)."""
    return {
        "who": who.name,
        "unit_code": who.scope.unit_code,
        "office": who.scope.is_office,
        "csrf_token": form_token(request, who),
    }


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
