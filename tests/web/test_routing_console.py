"""A routed duty in the console: the city reviews its counties and submits its aggregate
report; every other account is refused, server side (TestClient, SQLite and PostgreSQL);
and a city's account through it all in a real headless Chromium (JavaScript off)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from campaign import db as dbmod
from campaign.accounts import scope_of
from campaign.orchestration.tick import run_tick
from campaign.replies.review import accept_submission
from campaign.web.app import create_app
from models.audit import AuditEvent
from models.submission import ReportSubmission
from tests.support.routed import (
    CITIES,
    COUNTIES,
    PASSWORD,
    at,
    county_answers,
    launch_routed,
    request_of,
)
from web.conftest import Clock
from web.helpers import csrf_of
from web.server import app_in_thread, public_port
from web.test_console_browser import without_js  # noqa: F401  (fixture)

NOW = at("2026-04-08", 10)


def relay_world(session: Session) -> dict[str, Any]:
    """Launched, the month opened, every county answered; 甲市 accepted 东县 and 北县."""
    campaign_id = launch_routed(session)
    run_tick(campaign_id=campaign_id, as_of=at("2026-04-01"))
    sids = {code: county_answers(session, code, at("2026-04-03", 10)) for code in COUNTIES}
    jia = scope_of(session, "jia")
    assert jia is not None
    for code in ("980101", "980103"):
        accept_submission(session=session, submission_id=sids[code], reviewer="jia", scope=jia)
    session.commit()
    aggregates = {c: request_of(session, c, "aggregate").id for c in CITIES}
    return {"campaign_id": campaign_id, "sids": sids, "aggregates": aggregates}


def login(client: TestClient, username: str) -> None:
    page = client.get("/admin/login").text
    data = {"username": username, "password": PASSWORD, "csrf_token": csrf_of(page)}
    assert client.post("/admin/login", data=data, follow_redirects=False).status_code == 303


@pytest.fixture
def routed(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, Session]]:
    monkeypatch.setenv("CAMPAIGN_PUBLIC_URL", "http://testserver")
    dbmod.get_settings.cache_clear()
    with Session(dbmod.get_engine(db_url), expire_on_commit=False) as session:
        app = create_app(clock=Clock(NOW))
        with TestClient(app, base_url="http://testserver") as client:
            yield client, session


def test_only_the_relay_city_reviews_and_submits(routed: tuple[TestClient, Session]) -> None:
    client, session = routed
    world = relay_world(session)
    pending, jia_report = world["sids"]["980102"], world["aggregates"]["980100"]
    for name in ("yi", "jia-dong", "office"):  # another city, the county, the office
        other = TestClient(client.app)  # type: ignore[arg-type]
        login(other, name)
        token = csrf_of(other.get("/admin/submissions").text)
        accept = other.post(f"/admin/submissions/{pending}/accept", data={"csrf_token": token})
        assert accept.status_code in (403, 404), name
        queue = other.get("/admin/submissions").text
        assert "甲市西县" not in queue, name
        page = other.get(f"/admin/aggregates/{jia_report}")
        posted = other.post(
            f"/admin/aggregates/{jia_report}",
            data={"csrf_token": token, "v_makers_checked": "1", "confirm_missing": "yes"},
        )
        if name == "office":  # the office reads the city's page, never submits it
            assert page.status_code == 200 and posted.status_code == 403
        else:
            assert page.status_code == 404 and posted.status_code == 404, name
    session.expire_all()
    assert session.get_one(ReportSubmission, pending).review_status == "pending"
    assert (
        session.exec(select(ReportSubmission).where(ReportSubmission.bureau_code == "980100")).all()
        == []
    )

    login(client, "jia")
    queue = client.get("/admin/submissions").text
    assert "甲市西县质量技术监督局" in queue and "乙市" not in queue
    token = csrf_of(queue)
    accepted = client.post(
        f"/admin/submissions/{pending}/accept", data={"csrf_token": token}, follow_redirects=False
    )
    assert accepted.status_code == 303
    page = client.get(f"/admin/aggregates/{jia_report}").text
    assert 'id="v_makers_checked" name="v_makers_checked" value="6"' in page  # 1 + 2 + 3
    values = {
        "v_makers_checked": "7",
        "v_lots_tested": "60",
        "v_lots_failed": "3",
        "v_penalties": "1.5",
    }
    refused = client.post(f"/admin/aggregates/{jia_report}", data={"csrf_token": token, **values})
    assert (
        refused.status_code == 422
        and "“检查生产企业数”填报7，与下级审核通过数据的汇总6不一致" in refused.text
    )
    done = client.post(
        f"/admin/aggregates/{jia_report}",
        data={"csrf_token": token, **values, "note": "市局直接检查1家"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    session.expire_all()
    row = session.exec(
        select(ReportSubmission).where(ReportSubmission.bureau_code == "980100")
    ).one()
    assert row.values["makers_checked"] == "7" and "市局直接检查1家" in row.narrative
    actors = session.exec(select(AuditEvent.actor).where(AuditEvent.bureau_code == "980100")).all()
    assert "jia" in actors


@pytest.mark.browser
@pytest.mark.parametrize("without_js", [1280], indirect=True, ids=["desktop"])
def test_a_city_account_reviews_and_reports_in_chromium(
    lite_session: Session,
    monkeypatch: pytest.MonkeyPatch,
    without_js,  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    port, base = public_port(monkeypatch)
    world = relay_world(lite_session)
    with app_in_thread(create_app(clock=Clock(NOW)), port):
        page = without_js.new_page()
        page.goto(f"{base}/admin/login")
        page.fill("#username", "jia")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.click("a[href='/admin/submissions']")
        assert "乙市" not in page.content()
        page.click(f"a[href='/admin/submissions/{world['sids']['980102']}']")
        page.click("form[action$='/accept'] button[type=submit]")
        assert "已通过" in page.content()
        page.click("a[href='/admin/aggregates']")
        page.click(f"a[href='/admin/aggregates/{world['aggregates']['980100']}']")
        assert page.input_value("#v_makers_checked") == "6"
        assert "已审核通过3个" in page.inner_text("#counts")
        page.click("#submit")
        assert page.inner_text("#status") == "已报送，待审核"
    lite_session.expire_all()
    row = lite_session.exec(
        select(ReportSubmission).where(ReportSubmission.bureau_code == "980100")
    ).one()
    assert row.values["makers_checked"] == "6" and row.channel == "web"
