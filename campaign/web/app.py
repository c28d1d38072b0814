"""The web app: bureaus answer through their personal links; the coordinator reviews.

`create_app()` builds it from the settings; `campaign serve` runs it with uvicorn.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from campaign.clock import service_clock
from campaign.db import get_engine, migrate
from campaign.settings import Settings, get_settings
from campaign.templating import TEMPLATES_DIR
from campaign.web import (
    account_routes,
    admin_inbox,
    admin_routes,
    admin_session,
    aggregate_routes,
    bureau_routes,
    console_results_routes,
    console_routes,
    forward_routes,
)
from campaign.web.admin_auth import CoordinatorAuth
from campaign.web.bureau_views import PAGE_LOCK_WAIT_MS, BureauViews
from campaign.web.csrf import FormTokens
from campaign.web.mail_delivery import MailDelivery
from campaign.web.pages import error_page
from campaign.web.ratelimit import FailureLimiter, LoginThrottle
from campaign.web.security import BodyLimitMiddleware, SecurityHeadersMiddleware
from campaign.workdays import WorkCalendar

STYLESHEET = (TEMPLATES_DIR / "web" / "site.css").read_bytes()


def settle_heap() -> None:
    """Once started: collect, then freeze what is alive (modules, templates, the plan
    cache) so the collector no longer walks it. A dashboard over 3,000 units allocates
    enough to trigger full collections, each walking the whole heap (~80 ms of the page
    on the console's benchmark); frozen, they walk only what requests made."""
    gc.collect()
    gc.freeze()


def create_app(
    *,
    settings: Settings | None = None,
    clock: Callable[[], datetime] | None = None,
    limiter: FailureLimiter | None = None,
    login_throttle: LoginThrottle | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    clock = clock or service_clock(settings.clock)
    url = settings.resolved_database_url

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        migrate(url)
        app.state.mail_delivery.start()
        settle_heap()
        yield
        await app.state.mail_delivery.stop()
        app.state.bureau_views.close()

    app = FastAPI(
        title="工作报送",
        summary="Personal reply links of bureaus and the coordinator's review pages.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    engine = get_engine(url)
    tokens = FormTokens(settings.secret_key)
    secure = settings.public_url.startswith("https://")
    state = app.state
    state.settings, state.engine, state.clock, state.tokens = settings, engine, clock, tokens
    state.limiter = limiter or FailureLimiter()
    state.login_throttle = login_throttle or LoginThrottle()
    state.auth = CoordinatorAuth(secret=settings.secret_key, password=settings.coordinator_password)
    state.calendar = WorkCalendar.from_file(settings.holidays_file)
    state.data_dir = settings.data_dir
    state.secure_cookies = secure
    state.mail_delivery = MailDelivery(url=url, enabled=settings.web_delivers_mail)
    state.bureau_views = BureauViews(
        engine=get_engine(url, lock_wait_ms=PAGE_LOCK_WAIT_MS),
        clock=clock,
        tokens=tokens,
        data_dir=settings.data_dir,
        secure_cookies=secure,
    )
    app.include_router(bureau_routes.router)
    app.include_router(admin_session.router)
    app.include_router(admin_routes.router)
    app.include_router(admin_inbox.router)
    app.include_router(console_routes.router)
    app.include_router(account_routes.router)
    app.include_router(console_results_routes.router)
    app.include_router(forward_routes.router)
    app.include_router(aggregate_routes.router)

    @app.get("/assets/site.css", include_in_schema=False)
    async def stylesheet() -> Response:
        return Response(
            STYLESHEET,
            media_type="text/css; charset=utf-8",
            headers={"cache-control": "public, max-age=3600"},
        )

    @app.get("/healthz", response_class=PlainTextResponse, summary="Liveness check")
    async def healthz() -> str:
        return "ok"

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return error_page("页面不存在", "您访问的页面不存在。", status=404)
        if exc.status_code == 405:
            return error_page("请求方式不正确", "请从邮件中的链接打开页面。", status=405)
        return error_page(
            "请求有误", "请求无法处理，请从邮件中的链接重新打开页面。", status=exc.status_code
        )

    @app.exception_handler(RequestValidationError)
    async def bad_request(_: Request, exc: RequestValidationError) -> Response:
        return error_page(
            "提交的内容格式不正确", "请从邮件中的链接重新打开页面后提交。", status=422
        )

    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(BodyLimitMiddleware)
    return app
