"""Answers and 签收 sent at the same moment to one request, through the real server (uvicorn
in a process of its own, its page threads and connection pool): every answer is stored as
the next version, none is refused or lost; a 签收 is recorded and audited once. Both
databases."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from replies.factories import build_world
from sqlmodel import Session, col, select

from campaign import db as dbmod
from models.audit import AuditEvent
from models.form_nonce import FormNonce
from models.outbox import OutboxMessage
from models.request import ReportRequest
from models.submission import ReportSubmission
from web.server import Server, running_server


@pytest.fixture
def server(db_url: str, tmp_path: Path) -> Iterator[tuple[Server, Session]]:
    with Session(dbmod.get_engine(db_url), expire_on_commit=False) as session:
        world = build_world(session)
        with running_server(db_url, world, session, tmp_path / "data") as running:
            yield running, session


@pytest.fixture
def two_processes(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[Server, Session]]:
    """SQLite served by two processes (`campaign serve --workers 2`)."""
    with Session(dbmod.get_engine(sqlite_url), expire_on_commit=False) as session:
        world = build_world(session)
        with running_server(sqlite_url, world, session, tmp_path / "data", workers=2) as running:
            yield running, session


def _at_once(count: int, send: Callable[[httpx.Client, int], httpx.Response]) -> list[int]:
    """count requests released together, each on its own connection: their statuses."""
    start = threading.Barrier(count)

    def one(n: int) -> int:
        with httpx.Client(timeout=60) as client:
            start.wait()
            return send(client, n).status_code

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


def test_twenty_answers_at_once_are_all_stored_as_versions_1_to_20(
    server: tuple[Server, Session],
) -> None:
    _twenty_answers_at_once(*server)


def test_twenty_answers_at_once_to_two_processes_on_sqlite(
    two_processes: tuple[Server, Session],
) -> None:
    _twenty_answers_at_once(*two_processes)


def _twenty_answers_at_once(running: Server, session: Session) -> None:
    statuses = _at_once(
        20, lambda client, n: running.post_form(client, changes={"inspections": str(100 + n)})
    )
    assert statuses == [200] * 20, running.log.read_text(errors="replace")[-3000:]
    session.expire_all()
    request_id = running.world.request.id
    rows = session.exec(
        select(ReportSubmission).where(ReportSubmission.request_id == request_id)
    ).all()
    assert sorted(r.version for r in rows) == list(range(1, 21))
    assert sorted(r.values["inspections"] for r in rows) == [str(100 + n) for n in range(20)]
    audited = session.exec(
        select(AuditEvent.detail).where(AuditEvent.event == "answer_received")
    ).all()
    assert sorted(detail["version"] for detail in audited) == list(range(1, 21))
    assert len(session.exec(select(FormNonce)).all()) == 20
    assert len(session.exec(select(OutboxMessage)).all()) == 20  # one receipt each
    assert "Traceback" not in running.log.read_text(errors="replace")


def test_ten_acknowledgements_at_once_are_recorded_and_audited_once(
    server: tuple[Server, Session],
) -> None:
    running, session = server
    statuses = _at_once(10, lambda client, n: running.post_ack(client))
    assert statuses == [200] * 10, running.log.read_text(errors="replace")[-3000:]
    session.expire_all()
    request = session.get_one(ReportRequest, running.world.requests["ack"].id)
    assert request.status == "accepted"
    events = session.exec(
        select(AuditEvent).where(col(AuditEvent.event) == "directive_acknowledged")
    ).all()
    assert len(events) == 1
    receipts = session.exec(
        select(OutboxMessage).where(OutboxMessage.notice == "acknowledgement")
    ).all()
    assert len(receipts) == 1
