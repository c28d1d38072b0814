"""The bureau's pages as plain functions of (token, form input): run in a worker thread,
one database session each. Routes (bureau_routes.py) only read the HTTP request."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack, nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from campaign.db import is_lock_conflict
from campaign.link_expiry import expired
from campaign.links import find_link, replaced_link
from campaign.replies.acknowledge import acknowledge
from campaign.replies.aggregate import submit_answer
from campaign.replies.errors import (
    Problem,
    ReplyError,
    ReportInvalid,
    RequestClosed,
    RequestSettled,
)
from campaign.replies.reply_context import ReplyContext, ensure_answerable, resolve_context
from campaign.web.csrf import FormTokens
from campaign.web.expired_view import expired_page, replaced_page
from campaign.web.form_post import FormPost, PostOutcome, build_report_in
from campaign.web.form_view import acknowledge_page, report_page
from campaign.web.pages import error_page, page, refused
from campaign.web.receipt_view import receipt_response
from campaign.web.table_parsing import TableParser
from campaign.web.write_turn import WriteTurn, sqlite_turn_file
from models.audit import Channel
from models.form_nonce import FormNonce
from models.link import LinkPurpose

Result = TypeVar("Result")
CSRF_COOKIE = "csrf"
# Two threads overlap one page's database round trips with another page's Python; more
# only add GIL contention (measured: 2 threads 204/s p99 46-60 ms, 8 threads 180/s p99
# 88-93 ms, bench/bench_submit.py). Few threads are safe because no page thread waits
# long for a lock: see PAGE_LOCK_WAIT_MS.
POSTGRES_PAGE_THREADS = 2
# A page's statement waits this long for a lock another transaction holds (a tick, the
# mail sender, the coordinator), then the page gives its thread back and is retried from
# the event loop, for up to BUSY_WAIT_S; after that the bureau is told to try again,
# with what it entered kept.
PAGE_LOCK_WAIT_MS = 200
BUSY_WAIT_S = 10.0
STALE_FORM = "页面已过期或来源不明，本次提交未保存。请重新打开邮件中的链接，填写后再提交。"
BUSY_TITLE = "系统繁忙"
BUSY = "系统正在处理大量报送，本次提交未保存，您填写的内容已保留。请稍后再次提交。"


class BureauViews:
    def __init__(
        self,
        *,
        engine: Engine,
        clock: Callable[[], datetime],
        tokens: FormTokens,
        data_dir: Path,
        secure_cookies: bool,
        busy_wait_s: float = BUSY_WAIT_S,
        parser: TableParser | None = None,
    ) -> None:
        """engine: one made with get_engine(lock_wait_ms=PAGE_LOCK_WAIT_MS)."""
        self.engine, self.clock, self.tokens = engine, clock, tokens
        self.data_dir, self.secure_cookies = data_dir, secure_cookies
        self.busy_wait_s = busy_wait_s
        self.parser = parser or TableParser()
        # SQLite takes one writer at a time and makes the others sleep and retry: within
        # this process its pages run on one thread of their own instead (no lock waits, no
        # threads contending for the GIL), and writes take turns with the other threads
        # and server processes (campaign.web.write_turn). PostgreSQL pages use a few
        # threads; answers lock their request row.
        sqlite = engine.dialect.name == "sqlite"
        self.writes: AbstractContextManager[object] = (
            WriteTurn(sqlite_turn_file(engine.url.database)) if sqlite else nullcontext()
        )
        workers = 1 if sqlite else POSTGRES_PAGE_THREADS
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pages")

    def close(self) -> None:
        self._executor.shutdown(wait=False)
        self.parser.close()
        if isinstance(self.writes, WriteTurn):
            self.writes.close()

    async def run(self, func: Callable[..., Result], *args: Any) -> Result:
        """Run a page function off the event loop (see __init__ for which thread); again,
        after a pause that holds no thread, while it finds its rows locked (PostOutcome.busy)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.busy_wait_s
        pause = 0.02
        while True:
            outcome = await loop.run_in_executor(self._executor, func, *args)
            busy = isinstance(outcome, PostOutcome) and outcome.busy
            if not busy or loop.time() + pause > deadline:
                return outcome
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.5)

    # helpers -------------------------------------------------------------------------------
    def _set_csrf(self, response: HTMLResponse, token: str, csrf: str) -> HTMLResponse:
        response.set_cookie(
            CSRF_COOKIE,
            csrf,
            path=f"/r/{token}",
            httponly=True,
            samesite="strict",
            secure=self.secure_cookies,
            max_age=self.tokens.max_age,
        )
        return response

    def _form_token(self, session: Session, target: ReplyContext, cookie: str | None) -> str:
        """The visitor's current form token if still unused, else a fresh one."""
        scope = f"link:{target.link.id}"  # type: ignore[union-attr]
        nonce = self.tokens.verify(cookie, scope)
        if cookie and nonce and session.get(FormNonce, nonce) is None:
            return cookie
        return self.tokens.issue(scope)

    def posted(
        self, session: Session, token: str, post: FormPost
    ) -> tuple[ReplyContext, str] | PostOutcome:
        """The target of a POST and the nonce of its form token, or the refusal to send."""
        target = self._open(session, token)
        if isinstance(target, PostOutcome):
            return target
        nonce = None
        if post.csrf_cookie and post.csrf_cookie == post.csrf_field:
            nonce = self.tokens.verify(post.csrf_field, f"link:{target.link.id}")  # type: ignore[union-attr]
        if nonce is None:
            return PostOutcome(error_page("页面已过期", STALE_FORM, status=403))
        return target, nonce

    def _open(self, session: Session, token: str) -> ReplyContext | PostOutcome:
        """The link's target, or the answer to a bad token (counted) or an expired link
        (campaign.link_expiry: after the grace period that follows its request's end)."""
        found = find_link(session=session, token=token)
        if found is None:
            replaced = replaced_link(session=session, token=token)
            if replaced is not None:
                return PostOutcome(replaced_page(*replaced))
            return PostOutcome(refused(), bad_token=True)
        closed = expired(session=session, found=found, now=self.clock())
        if closed is not None:
            return PostOutcome(expired_page(found, closed))
        try:
            return resolve_context(session=session, link_or_request=found.link, loaded=found)
        except ReplyError:
            return PostOutcome(refused(), bad_token=True)

    @staticmethod
    def closed(target: ReplyContext, exc: ReplyError) -> HTMLResponse:
        heading = "报送已审核通过" if isinstance(exc, RequestSettled) else "报送已关闭"
        return page(
            "closed.html",
            status=409 if isinstance(exc, RequestSettled) else 410,
            title=heading,
            heading=heading,
            message=exc.message,
            campaign=target.campaign,
            office=target.plan.office,
        )

    def form_again(
        self,
        session: Session,
        target: ReplyContext,
        token: str,
        csrf: str,
        problems: list[Problem],
        entries: dict[str, str] | None,
        narrative: str | None,
        *,
        alert: str | None = None,
        status: int = 422,
        note: str = "",
        confirm_missing: bool = False,
    ) -> HTMLResponse:
        context = report_page(
            session=session,
            target=target,
            now=self.clock(),
            token=token,
            csrf_token=csrf,
            entered=entries,
            narrative=narrative,
            problems=problems,
            alert=alert,
            note=note,
            confirm_missing=confirm_missing,
        )
        return self._set_csrf(page("report_form.html", status=status, **context), token, csrf)

    # pages -----------------------------------------------------------------------------------
    def show(self, token: str, csrf_cookie: str | None) -> PostOutcome:
        with Session(self.engine, expire_on_commit=False) as session:
            target = self._open(session, token)
            if isinstance(target, PostOutcome):
                return target
            try:
                ensure_answerable(target)
            except (RequestClosed, RequestSettled) as exc:
                return PostOutcome(self.closed(target, exc))
            csrf = self._form_token(session, target, csrf_cookie)
            now = self.clock()
            if target.purpose == LinkPurpose.acknowledge:
                context = acknowledge_page(target=target, now=now, token=token, csrf_token=csrf)
                response = page("acknowledge.html", **context)
            else:
                context = report_page(
                    session=session, target=target, now=now, token=token, csrf_token=csrf
                )
                response = page("report_form.html", **context)
            return PostOutcome(self._set_csrf(response, token, csrf))

    def submit(self, token: str, post: FormPost, *, channel: Channel = Channel.web) -> PostOutcome:
        for attempt in range(3):
            try:
                return self._submit_once(token, post, channel)
            except IntegrityError:  # a concurrent submit won a race: look again
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _submit_once(self, token: str, post: FormPost, channel: Channel) -> PostOutcome:
        with Session(self.engine, expire_on_commit=False) as session:
            posted = self.posted(session, token, post)
            if isinstance(posted, PostOutcome):
                return posted
            target, nonce = posted
            if target.purpose == LinkPurpose.acknowledge:
                return PostOutcome(
                    error_page("无法报送", "此链接用于签收通知，不能报送报告。", status=400)
                )
            try:
                ensure_answerable(target)
            except (RequestClosed, RequestSettled) as exc:
                return PostOutcome(self.closed(target, exc))
            problem: ReplyError | None = None
            busy = False
            # One writer at a time on SQLite (no busy-wait sleeps), from the first write to
            # the commit or rollback: the reads and checks before it take no turn.
            with ExitStack() as turn:
                try:
                    answer = submit_answer(
                        session=session,
                        link_or_request=target.link,  # type: ignore[arg-type]
                        report_in=build_report_in(target, post, nonce),
                        channel=channel,
                        note=post.note,
                        confirm_missing=post.confirm_missing,
                        now=self.clock(),
                        data_dir=self.data_dir,
                        target=target,
                        writing=lambda: turn.enter_context(self.writes),
                    )
                    session.commit()
                except (ReportInvalid, RequestClosed, RequestSettled) as exc:
                    session.rollback()
                    problem = exc
                except OperationalError as exc:
                    if not is_lock_conflict(exc):
                        raise
                    session.rollback()
                    busy = True
            if busy or isinstance(problem, ReportInvalid):
                response = self.form_again(
                    session,
                    target,
                    token,
                    post.csrf_field or "",
                    problem.problems if isinstance(problem, ReportInvalid) else [],
                    post.entries,
                    post.narrative,
                    alert=BUSY if busy else None,
                    status=503 if busy else 422,
                    note=post.note,
                    confirm_missing=post.confirm_missing,
                )
                return PostOutcome(response, busy=busy)
            if problem is not None:
                return PostOutcome(self.closed(target, problem))
            response = receipt_response(
                session,
                target,
                answer.submission,
                token,
                duplicate=answer.duplicate,
                with_files=answer.duplicate or bool(post.attachments),
            )
            return PostOutcome(response, queued_mail=not answer.duplicate)

    def ack(self, token: str, post: FormPost) -> PostOutcome:
        with Session(self.engine, expire_on_commit=False) as session:
            posted = self.posted(session, token, post)
            if isinstance(posted, PostOutcome):
                return posted
            target, nonce = posted
            if target.purpose != LinkPurpose.acknowledge:
                return PostOutcome(error_page("无法签收", "此链接不是签收链接。", status=400))
            try:
                with self.writes:
                    acknowledge(
                        session=session,
                        link_or_request=target.link,  # type: ignore[arg-type]
                        channel=Channel.web,
                        now=self.clock(),
                        idempotency_key=nonce,
                    )
                    session.commit()
            except (RequestClosed, RequestSettled) as exc:
                return PostOutcome(self.closed(target, exc))
            except OperationalError as exc:
                if not is_lock_conflict(exc):
                    raise
                session.rollback()
                busy_page = error_page(
                    BUSY_TITLE, "系统繁忙，本次签收未完成，请稍后再试。", status=503
                )
                return PostOutcome(busy_page, busy=True)
            context = acknowledge_page(
                target=target, now=self.clock(), token=token, csrf_token=post.csrf_field or ""
            )
            return PostOutcome(page("acknowledge.html", **context), queued_mail=True)
