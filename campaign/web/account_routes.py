"""The office's account page (/admin/accounts): every console account, a small form to
open one for a unit, and disabling. Only the issuing office's accounts open it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, select

from campaign.accounts import AccountError, add_account, disable_account, list_accounts
from campaign.web.admin_auth import Coordinator
from campaign.web.admin_session import _gate, _gate_post, _run, bar
from campaign.web.pages import page
from models.account import AccountRole
from models.audit import Channel
from models.bureau import Bureau

router = APIRouter(prefix="/admin/accounts", tags=["coordinator"])
ROLE_TEXT = {
    AccountRole.office: "领导小组办公室（全部单位，可审核）",
    AccountRole.coordinator: "协调员（本单位及下级单位，可审核）",
    AccountRole.viewer: "查看（本单位及下级单位，只读）",
}


def accounts_context(*, session: Session) -> dict[str, Any]:
    names = dict(session.exec(select(col(Bureau.code), col(Bureau.name))).all())
    rows = [
        {
            "username": a.username,
            "unit": f"{names.get(a.unit_code, a.unit_code)}（{a.unit_code}）",
            "role": ROLE_TEXT[a.role],
            "disabled": a.disabled,
        }
        for a in list_accounts(session=session)
    ]
    units = sorted(names.items())
    roles = [(r.value, text) for r, text in ROLE_TEXT.items()]
    return {"title": "账号管理", "accounts": rows, "units": units, "roles": roles}


async def _page(request: Request, who: Coordinator, error: str = "", status: int = 200) -> Response:
    context = await _run(request, lambda s: accounts_context(session=s))
    return page("admin_accounts.html", status=status, error=error, **context, **bar(request, who))


@router.get("", response_class=HTMLResponse, summary="Console accounts")
async def accounts(request: Request) -> Response:
    who = await _gate(request, office=True)
    if not isinstance(who, Coordinator):
        return who
    return await _page(request, who)


@router.post("", response_class=HTMLResponse, summary="Open an account for a unit")
async def add(
    request: Request,
    csrf_token: str = Form(""),
    username: str = Form(""),
    unit: str = Form(""),
    role: str = Form(""),
    password: str = Form(""),
    password_again: str = Form(""),
) -> Response:
    who = await _gate_post(request, csrf_token, office=True)
    if not isinstance(who, Coordinator):
        return who
    if password != password_again:
        return await _page(request, who, "两次输入的密码不一致，账号未开设。", 422)
    try:
        await _run(
            request,
            lambda s: add_account(
                session=s,
                username=username,
                unit_code=unit,
                role=role,
                password=password,
                actor=who.name,
                channel=Channel.review,
            ),
        )
    except AccountError as exc:
        return await _page(request, who, str(exc), 422)
    return RedirectResponse("/admin/accounts", status_code=303)


@router.post("/{username}/disable", response_class=HTMLResponse, summary="Disable an account")
async def disable(request: Request, username: str, csrf_token: str = Form("")) -> Response:
    who = await _gate_post(request, csrf_token, office=True)
    if not isinstance(who, Coordinator):
        return who
    try:
        await _run(
            request,
            lambda s: disable_account(
                session=s, username=username, actor=who.name, channel=Channel.review
            ),
        )
    except AccountError as exc:
        return await _page(request, who, str(exc), 404)
    return RedirectResponse("/admin/accounts", status_code=303)
