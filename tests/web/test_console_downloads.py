"""The console's downloads kept per campaign, stage and state of the data: the data key as
a plain function on SQLite and PostgreSQL, the file cache, and over HTTP a second download
served from the cache and a late answer compiling afresh."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from sqlmodel import Session, select

import campaign.web.console_routes as console_routes
from campaign.web.console_downloads import cached_file, data_key
from models.campaign import Campaign
from models.submission import ReportSubmission, ReviewStatus
from tests.web.console_fixture import TODAY, add_request, store_console_fixture
from web.conftest import Web
from web.helpers import send_form
from web.test_admin import login


def _key(session: Session, campaign_id: int, today=TODAY) -> str:  # type: ignore[no-untyped-def]
    campaign = session.get(Campaign, campaign_id)
    assert campaign is not None
    return data_key(session=session, campaign=campaign, today=today)


def test_the_data_key_follows_answers_reviews_units_and_the_day(session: Session) -> None:
    campaign_id = store_console_fixture(session)
    first = _key(session, campaign_id)
    assert _key(session, campaign_id) == first  # nothing changed: the same key
    assert _key(session, campaign_id, TODAY + timedelta(days=1)) != first  # 未报 moves by day
    pending = session.exec(
        select(ReportSubmission).where(ReportSubmission.review_status == ReviewStatus.pending)
    ).first()
    assert pending is not None
    pending.review_status = ReviewStatus.accepted
    session.add(pending)
    session.flush()
    reviewed = _key(session, campaign_id)
    assert reviewed != first  # a review, even without its time
    late = ("2026-w05", "第4周", datetime(2026, 1, 26).date(), datetime(2026, 2, 2).date())
    add_request(session, campaign_id, "001", late, ("submitted", True, "pending", {"a": "1"}))
    session.flush()
    assert _key(session, campaign_id) != reviewed  # a late answer


def test_the_file_is_built_once_per_key(tmp_path: Path) -> None:
    built: list[str] = []

    def build(key: str):  # type: ignore[no-untyped-def]
        def write(directory: Path) -> None:
            built.append(key)
            (directory / "charts").mkdir()
            (directory / "workbook.xlsx").write_text(key)
            (directory / "charts" / "1.png").write_text(key)

        return write

    one = cached_file(tmp_path, 7, "all", "k1", "workbook.xlsx", build("k1"))
    assert one.read_text() == "k1" and built == ["k1"]
    assert cached_file(tmp_path, 7, "all", "k1", "charts/1.png", build("k1")).is_file()
    assert cached_file(tmp_path, 7, "all", "k1", "workbook.xlsx", build("k1")) == one
    assert built == ["k1"]  # both files of the one build, served again
    two = cached_file(tmp_path, 7, "all", "k2", "workbook.xlsx", build("k2"))
    assert two.read_text() == "k2" and built == ["k1", "k2"]
    assert not one.exists()  # the older state of the data is gone
    assert [p.name for p in (tmp_path / "console" / "7" / "all").iterdir()] == ["k2"]

    def broken(directory: Path) -> None:
        (directory / "workbook.xlsx").write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        cached_file(tmp_path, 7, "all", "k3", "workbook.xlsx", broken)
    assert not (tmp_path / "console" / "7" / "all" / "k3" / "workbook.xlsx").exists()


def test_a_second_download_is_cached_and_a_late_answer_recompiles(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled: list[str] = []
    real = console_routes.compile_results

    def counted(frames, *, stage, today):  # type: ignore[no-untyped-def]
        compiled.append(stage[0])
        return real(frames, stage=stage, today=today)

    monkeypatch.setattr(console_routes, "compile_results", counted)
    login(web)
    url = f"/admin/campaigns/{web.world.campaign.id}/stages/all/workbook.xlsx"
    first = web.client.get(url)
    again = web.client.get(url)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content and len(compiled) == 1
    assert again.headers["content-disposition"] == first.headers["content-disposition"]
    send_form(web)  # 武汉 answers: the data changed
    login(web)
    after = web.client.get(url)
    assert after.headers["content-type"] == first.headers["content-type"] and len(compiled) == 2
    book = openpyxl.load_workbook(io.BytesIO(after.content))
    assert "报送情况" in book.sheetnames
    web.clock.now += timedelta(days=1)  # a new day: timeliness is recounted
    login(web)
    next_day = web.client.get(url)
    assert next_day.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert len(compiled) == 3
