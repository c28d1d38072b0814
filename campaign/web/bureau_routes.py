"""Routes of the personal links: /r/{token} (form or 签收 page), its POSTs, the .xlsx upload."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from campaign.replies.attachments import MAX_ATTACHMENT_BYTES
from campaign.replies.xlsx_safety import MAX_UPLOAD_BYTES
from campaign.web.bureau_upload import receive_table
from campaign.web.bureau_views import CSRF_COOKIE, BureauViews
from campaign.web.form_post import FormPost, PostOutcome
from campaign.web.pages import error_page
from campaign.web.ratelimit import FailureLimiter
from models.reply import AttachmentIn

router = APIRouter(prefix="/r", tags=["bureau"])
TOO_MANY = "来自您所在网络的无效请求过多，请稍后再试。如有疑问，请与发出通知的单位联系。"


def _no_files() -> list[UploadFile]:
    """The default of a form without files. A Python function, not the builtin list:
    pydantic inspects the factory's signature on every request, slow for a builtin."""
    return []


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _guarded(request: Request, call: Callable[[], Awaitable[PostOutcome]]) -> Response:
    """Hold or refuse a link presented with many bad tokens of the same prefix from this
    address (another bureau's link behind the same address is not held); count new ones."""
    limiter: FailureLimiter = request.app.state.limiter
    address, token = _address(request), str(request.path_params.get("token", ""))
    if limiter.blocked(address, token):
        return error_page("请求过多", TOO_MANY, status=429)
    delay = limiter.delay_for(address, token)
    if delay:
        await asyncio.sleep(delay)
    outcome = await call()
    if outcome.bad_token:
        limiter.record_failure(address, token)
    if outcome.queued_mail:
        request.app.state.mail_delivery.kick()
    return outcome.response


async def _run(request: Request, page: str, *args: Any) -> PostOutcome:
    """One of BureauViews' page functions, on the thread BureauViews.run picks."""
    views: BureauViews = request.app.state.bureau_views
    return await views.run(getattr(views, page), *args)


async def _read(upload: UploadFile, limit: int) -> bytes:
    """At most limit + 1 bytes: enough to tell a file over the limit without keeping it all."""
    return await upload.read(limit + 1)


async def _files(uploads: list[UploadFile]) -> tuple[AttachmentIn, ...]:
    """The files added to a form (the file inputs left empty skipped)."""
    files = []
    for upload in uploads:
        if not upload.filename:  # a file input left empty
            continue
        data = await _read(upload, MAX_ATTACHMENT_BYTES)
        files.append(
            AttachmentIn(
                filename=upload.filename[:255],
                content_type=(upload.content_type or "application/octet-stream")[:100],
                data=data,
            )
        )
    return tuple(files)


@router.get("/{token}", response_class=HTMLResponse, summary="The bureau's page for its link")
async def show(request: Request, token: str) -> Response:
    cookie = request.cookies.get(CSRF_COOKIE)
    return await _guarded(request, lambda: _run(request, "show", token, cookie))


@router.post("/{token}", response_class=HTMLResponse, summary="Send the report form")
async def submit(
    request: Request,
    token: str,
    csrf_token: str = Form(""),
    narrative: str = Form(""),
    note: str = Form(""),
    confirm_missing: str = Form(""),
    attachments: list[UploadFile] = File(default_factory=_no_files),
) -> Response:
    form = await request.form()
    entries = {
        key[2:]: value
        for key, value in form.multi_items()
        if key.startswith("f_") and isinstance(value, str)
    }
    post = FormPost(
        csrf_cookie=request.cookies.get(CSRF_COOKIE),
        csrf_field=csrf_token,
        entries=entries,
        narrative=narrative,
        attachments=await _files(attachments),
        note=note,
        confirm_missing=confirm_missing == "yes",
    )
    return await _guarded(request, lambda: _run(request, "submit", token, post))


@router.post("/{token}/xlsx", response_class=HTMLResponse, summary="Send the filled-in .xlsx table")
async def upload_table(
    request: Request,
    token: str,
    csrf_token: str = Form(""),
    table: UploadFile | None = File(None),
    attachments: list[UploadFile] = File(default_factory=_no_files),
) -> Response:
    data = await _read(table, MAX_UPLOAD_BYTES) if table is not None else b""
    filename = (table.filename or "") if table is not None else ""
    post = FormPost(
        csrf_cookie=request.cookies.get(CSRF_COOKIE),
        csrf_field=csrf_token,
        entries={},
        attachments=await _files(attachments),
    )
    views: BureauViews = request.app.state.bureau_views
    return await _guarded(request, lambda: receive_table(views, token, post, filename, data))


@router.post("/{token}/ack", response_class=HTMLResponse, summary="Acknowledge (签收) a directive")
async def acknowledge(request: Request, token: str, csrf_token: str = Form("")) -> Response:
    post = FormPost(csrf_cookie=request.cookies.get(CSRF_COOKIE), csrf_field=csrf_token, entries={})
    return await _guarded(request, lambda: _run(request, "ack", token, post))
