"""Uploaded tables are parsed in worker processes, never on a page thread.

Reading an .xlsx is pure Python (openpyxl) and holds the GIL: a table within xlsx_safety's
limits can still cost seconds (a 0.5 MB file measured 1.3 s). On SQLite every page of a
web process runs on one thread (bureau_views.py), so those seconds stalled every bureau's
page; on a thread of its own the parse would still hold the GIL against them. A worker
process costs the pages neither. The workers are few (PARSE_WORKERS, one pool per web
process, started at its first upload) and the parses in flight are bounded (MAX_PARSES, running
or waiting for a worker) as is the wait for one (PARSE_TIMEOUT_S). Past either bound the
bureau is told to upload again later: nothing was stored, nothing is lost.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from campaign.plan.schema import ReportForm
from campaign.replies.errors import UPLOAD, Problem, ReportInvalid, UploadRejected
from campaign.replies.xlsx_parse import ExpectedTable, ParsedTable, parse_report_xlsx

PARSE_WORKERS = 2
MAX_PARSES = 4
PARSE_TIMEOUT_S = 30.0
BUSY = "系统正在处理其他单位上传的统计表，本次上传未保存，不会丢失任何已报送内容。请稍后重新上传。"
TOO_SLOW = (
    "上传的统计表内容过多，未能在规定时间内读取，本次上传未保存。"
    "请删除多余的工作表或内容后重新上传，或直接在网页上填写报送。"
)


@dataclass(frozen=True)
class Parsed:
    """The table's entries, or every problem found in it (then table is None)."""

    table: ParsedTable | None
    problems: list[Problem] = field(default_factory=list)


class ParserBusy(Exception):
    """No worker could read the table in time; .message says so to the bureau."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def parse_table(data: bytes, form: ReportForm, expected: ExpectedTable) -> Parsed:
    """parse_report_xlsx with its refusals as problems (run in a worker process: exceptions
    with extra attributes do not survive pickling)."""
    try:
        return Parsed(parse_report_xlsx(data=data, form=form, expected=expected))
    except UploadRejected as exc:
        return Parsed(None, [Problem(UPLOAD, exc.message)])
    except ReportInvalid as exc:
        return Parsed(None, list(exc.problems))


def _follow_parent(parent: int) -> None:
    """A worker ends when its web process does, however that ended (killed, it cannot
    stop its workers, which would wait on their queue for good)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="follow-parent", daemon=True).start()


class TableParser:
    """The web process's way to parse an upload: bounded in number and in time. Its
    workers start at the first upload and stop with close() (the app's shutdown)."""

    def __init__(self, *, max_parses: int = MAX_PARSES, timeout_s: float = PARSE_TIMEOUT_S) -> None:
        self.max_parses, self.timeout_s = max_parses, timeout_s
        self._running = 0
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None

    def close(self) -> None:
        """Stop the workers (after the parse under way, if any)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    async def parse(self, data: bytes, form: ReportForm, expected: ExpectedTable) -> Parsed:
        """The parsed table; ParserBusy when MAX_PARSES are under way, or past the timeout
        (a parse still running keeps its place until it ends)."""
        with self._lock:
            if self._running >= self.max_parses:
                raise ParserBusy(BUSY)
            self._running += 1
            pool = self._workers()
        try:
            job: Future[Parsed] = pool.submit(parse_table, data, form, expected)
        except BrokenProcessPool:  # a worker died (e.g. out of memory): a new pool
            self._release()
            self._renew(pool)
            raise ParserBusy(BUSY) from None
        job.add_done_callback(self._release)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(job), self.timeout_s)
        except TimeoutError:
            raise ParserBusy(TOO_SLOW) from None
        except BrokenProcessPool:
            self._renew(pool)
            raise ParserBusy(BUSY) from None

    def _workers(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn: a fork of a web process would copy its threads' locks mid-use.
            self._pool = ProcessPoolExecutor(
                PARSE_WORKERS,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_follow_parent,
                initargs=(os.getpid(),),
            )
        return self._pool

    def _renew(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is broken:
                self._pool = None
        broken.shutdown(wait=False, cancel_futures=True)

    def _release(self, _: object = None) -> None:
        with self._lock:
            self._running -= 1
