"""A page that finds its rows locked by another transaction (a tick, the mail sender, the
coordinator) gives its thread back and is retried; past the wait, the bureau is told to
send again, with what it entered kept and nothing stored. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from campaign import db as dbmod
from web.conftest import Web
from web.helpers import NOTHING, csrf_of, errors, form_data, request_status, stored

BUSY_MESSAGE = "系统正在处理大量报送，本次提交未保存，您填写的内容已保留。请稍后再次提交。"


@contextmanager
def rows_locked(web: Web, name: str = "wuhan") -> Iterator[threading.Event]:
    """Another transaction holds the write lock (SQLite) or the request's row (PostgreSQL)
    until the yielded event is set or the block ends."""
    release = threading.Event()
    engine = dbmod.get_engine()
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            request_id = web.world.requests[name].id
            conn.execute(
                text("SELECT id FROM report_request WHERE id = :id FOR UPDATE"), {"id": request_id}
            )
        holder = threading.Thread(target=lambda: (release.wait(30), conn.rollback()))
        holder.start()
        try:
            yield release
        finally:
            release.set()
            holder.join()


def test_a_locked_request_keeps_the_entries_and_stores_nothing(web_on_both: Web) -> None:
    web = web_on_both
    web.client.app.state.bureau_views.busy_wait_s = 0.6  # type: ignore[attr-defined]
    csrf = csrf_of(web.client.get(web.url()).text)
    data = form_data(csrf, {"inspections": "86"}, narrative="锁等待中的报送")
    with rows_locked(web):
        busy = web.client.post(web.url(), data=data)
    assert busy.status_code == 503
    assert BUSY_MESSAGE in busy.text and errors(busy.text) == []
    assert 'value="86"' in busy.text and "锁等待中的报送" in busy.text
    assert stored(web) == NOTHING
    # The same form token works once the lock is gone: stored once, with a receipt.
    again = web.client.post(web.url(), data=form_data(csrf_of(busy.text), {"inspections": "86"}))
    assert again.status_code == 200 and "报送成功" in again.text
    assert stored(web) == {"submissions": 1, "attachments": 0, "mails": 1}


def test_a_lock_released_within_the_wait_is_waited_out(web_on_both: Web) -> None:
    web = web_on_both
    csrf = csrf_of(web.client.get(web.url()).text)
    with rows_locked(web) as release:
        threading.Timer(0.5, release.set).start()
        response = web.client.post(web.url(), data=form_data(csrf))
    assert response.status_code == 200 and "报送成功" in response.text
    assert stored(web) == {"submissions": 1, "attachments": 0, "mails": 1}


def test_a_locked_acknowledgement_says_busy_and_records_nothing(web_on_both: Web) -> None:
    web = web_on_both
    web.client.app.state.bureau_views.busy_wait_s = 0.3  # type: ignore[attr-defined]
    csrf = csrf_of(web.client.get(web.url("ack")).text)
    with rows_locked(web, "ack"):
        busy = web.client.post(web.url("ack", "/ack"), data={"csrf_token": csrf})
    assert busy.status_code == 503 and "系统繁忙，本次签收未完成，请稍后再试。" in busy.text
    assert request_status(web, "ack") == "open"
    done = web.client.post(web.url("ack", "/ack"), data={"csrf_token": csrf})
    assert done.status_code == 200 and request_status(web, "ack") == "accepted"
