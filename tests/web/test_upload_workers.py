"""Uploaded tables are read by worker processes: an expensive one stalls no other page,
and past the bounds (parses in flight, time) the bureau is told to upload again later,
with nothing stored."""

from __future__ import annotations

import io
import random
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from replies.factories import build_world, numeric_entries, rezip, table_xlsx
from sqlmodel import Session

from campaign import db as dbmod
from campaign.replies.xlsx_parse import ExpectedTable
from campaign.web.table_parsing import BUSY, TOO_SLOW, parse_table
from web.conftest import Web
from web.helpers import NOTHING, send_table, stored
from web.server import Server, running_server

SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def expensive_table(strings: int = 120_000) -> bytes:
    """A valid table (0.9 MB) whose shared-strings part holds `strings` entries nobody uses:
    openpyxl reads them all (seconds of CPU), within every limit of xlsx_safety."""
    data = table_xlsx(entries=numeric_entries())
    source = zipfile.ZipFile(io.BytesIO(data))
    noise = random.Random(7)
    items = "".join(f"<si><t>{noise.getrandbits(40):010x}统计</t></si>" for _ in range(strings))
    table = (
        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main" count="{strings}" uniqueCount="{strings}">{items}</sst>'
    )
    types = source.read("[Content_Types].xml").decode()
    types = types.replace(
        "</Types>",
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS}"/></Types>',
    )
    rels = source.read("xl/_rels/workbook.xml.rels").decode()
    rels = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rIdS" Type="{RELATIONSHIP}" Target="sharedStrings.xml"/>'
        "</Relationships>",
    )
    return rezip(
        data,
        add={"xl/sharedStrings.xml": table.encode()},
        replace={
            "[Content_Types].xml": types.encode(),
            "xl/_rels/workbook.xml.rels": rels.encode(),
        },
    )


@pytest.fixture
def server(sqlite_url: str, tmp_path: Path) -> Iterator[Server]:
    """SQLite, where every page of the process runs on one thread. Its parse workers end
    with it, quietly."""
    with Session(dbmod.get_engine(sqlite_url), expire_on_commit=False) as session:
        world = build_world(session)
        with running_server(sqlite_url, world, session, tmp_path / "data") as running:
            yield running
            workers = running.children()
        assert workers, "no parse worker was started"
        deadline = time.monotonic() + 10
        while any(Path(f"/proc/{pid}").exists() for pid in workers):
            assert time.monotonic() < deadline, f"parse workers left running: {workers}"
            time.sleep(0.2)
        assert "leaked" not in running.log.read_text(errors="replace")


def test_an_expensive_upload_stalls_no_other_page(server: Server) -> None:
    table = expensive_table()
    campaign_id = int(server.world.campaign.id)  # type: ignore[arg-type]
    expected = ExpectedTable(campaign_id=campaign_id, bureau_code="420100", form_key="progress")
    began = time.perf_counter()
    assert parse_table(table, server.world.plan.form("progress"), expected).table is not None
    parse_s = time.perf_counter() - began  # here, in this process: about the same there
    assert parse_s > 0.5, f"the table is too cheap to show anything ({parse_s:.2f} s)"

    with httpx.Client(timeout=60) as client:
        assert client.get(server.url("huangshi")).status_code == 200  # templates compiled
        upload: dict[str, object] = {}

        def send() -> None:
            with httpx.Client(timeout=60) as own:
                upload["response"] = server.post_table(own, table)
            upload["done"] = time.perf_counter()

        sender = threading.Thread(target=send)
        started = time.perf_counter()
        sender.start()
        time.sleep(0.2)  # the upload is received and being read
        pages: list[tuple[float, float]] = []  # (ended, seconds) of another bureau's page
        while sender.is_alive() and time.perf_counter() - started < 60:
            before = time.perf_counter()
            response = client.get(server.url("huangshi"))
            assert response.status_code == 200
            pages.append((time.perf_counter(), time.perf_counter() - before))
        sender.join()

    answer = upload["response"]
    assert isinstance(answer, httpx.Response) and answer.status_code == 200, answer
    assert "报送成功" in answer.text
    during = [seconds for ended, seconds in pages if ended < upload["done"]]  # type: ignore[operator]
    # Before: the first page waited for the whole parse, and was the only one meanwhile.
    assert len(during) >= 3, (parse_s, pages)
    assert max(during) < max(0.5, parse_s / 3), (parse_s, during)


def test_past_the_parses_in_flight_the_bureau_is_told_to_upload_later(web: Web) -> None:
    web.client.app.state.bureau_views.parser.max_parses = 0  # type: ignore[attr-defined]
    response = send_table(web, table_xlsx(entries=numeric_entries()))
    assert response.status_code == 503
    assert BUSY in response.text and "请稍后重新上传" in BUSY
    assert 'id="upload-form"' in response.text  # the form again, to upload from
    assert stored(web) == NOTHING


def test_a_table_that_takes_too_long_is_not_stored(web: Web) -> None:
    web.client.app.state.bureau_views.parser.timeout_s = 0.05  # type: ignore[attr-defined]
    response = send_table(web, expensive_table())
    assert response.status_code == 503
    assert TOO_SLOW in response.text
    assert stored(web) == NOTHING
