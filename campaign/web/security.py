"""ASGI middleware: a size limit on request bodies, and security headers on every answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from campaign.replies.xlsx_safety import TOO_LARGE as XLSX_TOO_LARGE
from campaign.web.pages import render_text

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MB = 1024 * 1024
FORM_LIMIT = 30 * MB  # five 5 MB attachments and the entries
XLSX_LIMIT = 5 * MB + 64 * 1024  # the table and the form token
OTHER_LIMIT = 1 * MB
FORM_TOO_LARGE = "提交的内容过大（超过30 MB），请压缩或减少附件后重新提交"

HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        b"frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]
NO_STORE = (b"cache-control", b"no-store")


def body_limit(path: str) -> tuple[int, str]:
    if path.startswith("/r/"):
        if path.endswith("/xlsx"):
            return XLSX_LIMIT, XLSX_TOO_LARGE
        return FORM_LIMIT, FORM_TOO_LARGE
    return OTHER_LIMIT, "提交的内容过大"


class _TooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """413 with a Chinese page for bodies over the path's limit (declared or streamed)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, message = body_limit(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(send, message)
            return
        received = 0
        started = exceeded = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            event = await receive()
            if event["type"] == "http.request":
                received += len(event.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _TooLarge
            return event

        async def watched_send(event: Message) -> None:
            nonlocal started
            if exceeded:  # the app's own answer to a body cut short: replaced below
                return
            if event["type"] == "http.response.start":
                started = True
            await send(event)

        try:
            await self.app(scope, limited_receive, watched_send)
        except _TooLarge:
            pass
        if exceeded and not started:
            await self._refuse(send, message)

    @staticmethod
    async def _refuse(send: Send, message: str) -> None:
        body = render_text("error.html", title="提交的内容过大", message=message).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"text/html; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = scope["path"].startswith(("/r/", "/admin"))

        async def with_headers(event: Message) -> None:
            if event["type"] == "http.response.start":
                headers = list(event.get("headers", []))
                headers.extend(HEADERS)
                if private:
                    headers.append(NO_STORE)
                event["headers"] = headers
            await send(event)

        await self.app(scope, receive, with_headers)
