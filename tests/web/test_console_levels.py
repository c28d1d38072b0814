"""The console by level on the three-level fixture (tests/results/levels_fixture.py): a
city's page lists its counties against its own report, refused to another city and to a
county; the office's dashboard shows the cities' rows with their counties' completeness
and a drill-down link, and no county row."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from campaign.accounts import add_account
from models.rectification import Inspection, RectificationOrder
from tests.results.levels_fixture import store_levels
from web.conftest import Web
from web.helpers import csrf_of
from web.test_accounts import PASSWORD, login


def _levels_world(web: Web) -> int:
    campaign_id = store_levels(web.session)
    for name, unit, role in (
        ("sheng", "000", "office"),
        ("jia", "100", "coordinator"),
        ("yi", "200", "coordinator"),
        ("yiyi", "201", "coordinator"),
    ):
        add_account(session=web.session, username=name, unit_code=unit, role=role,
                    password=PASSWORD)  # fmt: skip
    web.session.commit()
    web.clock.now = datetime(2026, 1, 25, 2, tzinfo=UTC)
    return campaign_id


def test_a_city_page_lists_its_counties_against_its_report(web_on_both: Web) -> None:
    web = web_on_both
    campaign_id = _levels_world(web)
    login(web.client, "yi")
    page = web.client.get(f"/admin/campaigns/{campaign_id}/units/200")
    assert page.status_code == 200
    text = page.text
    assert "本级汇总报告" in text and "已报1/应报1（迟报1）" in text
    assert "检查企业数：本级上报15家次，所辖单位合计12家次，多3家次" in text
    for county in ("乙一县局", "乙二县局", "乙三县局"):
        assert county in text
    assert "未报：乙三县局" in text
    assert "甲一县局" not in text and "丙市局" not in text
    board = web.client.get(f"/admin/campaigns/{campaign_id}").text  # its own dashboard
    assert f"/admin/campaigns/{campaign_id}/units/200" in board and "甲市局" not in board
    # another city's page, and the office's: refused, the same as a unit that does not exist
    for other in ("100", "300", "000", "999"):
        refused = web.client.get(f"/admin/campaigns/{campaign_id}/units/{other}")
        assert refused.status_code == 404 and "甲一县局" not in refused.text, other


def test_a_county_cannot_open_its_citys_page(web: Web) -> None:
    campaign_id = _levels_world(web)
    login(web.client, "yiyi")
    refused = web.client.get(f"/admin/campaigns/{campaign_id}/units/200")
    assert refused.status_code == 404 and "乙二县局" not in refused.text


def test_the_office_dashboard_shows_cities_with_their_counties(web: Web) -> None:
    campaign_id = _levels_world(web)
    login(web.client, "sheng")
    text = web.client.get(f"/admin/campaigns/{campaign_id}").text
    for code in ("100", "200", "300"):
        assert f'href="/admin/campaigns/{campaign_id}/units/{code}"' in text
    assert "甲一县局" not in text  # counties only under their city's link
    assert "所辖单位：已报2/应报3，未报1" in text  # 乙市's row in the matrix
    assert 'id="levels"' in text
    assert "共3个单位" in text  # the matrix: the cities' own rows
    page = web.client.get(f"/admin/campaigns/{campaign_id}/units/100")
    assert page.status_code == 200 and "甲二县局" in page.text  # the office sees every city


def test_an_answer_awaiting_its_city_is_the_citys_to_review_not_the_offices(web: Web) -> None:
    """丙二县局's answer awaits 丙市's review: counted and queued on 丙市's dashboard and in
    its campaign list, never on the office's (which cannot act on it)."""
    campaign_id = _levels_world(web)
    add_account(session=web.session, username="bing", unit_code="300", role="coordinator",
                password=PASSWORD)  # fmt: skip
    web.session.commit()
    login(web.client, "sheng")
    office = web.client.get(f"/admin/campaigns/{campaign_id}").text
    assert "<dt>待审核</dt><dd>无</dd>" in office and "丙二县局" not in office
    assert (
        f'href="/admin/submissions?campaign_id={campaign_id}"'
        not in web.client.get("/admin/campaigns").text
    )
    web.client.cookies.clear()
    login(web.client, "bing")
    city = web.client.get(f"/admin/campaigns/{campaign_id}").text
    assert "待审核报告（1份）" in city and "丙二县局" in city
    listed = web.client.get("/admin/campaigns").text
    assert f'<a href="/admin/submissions?campaign_id={campaign_id}">1份</a>' in listed


def test_a_city_is_refused_the_province_wide_drafts_and_acceptance(web: Web) -> None:
    campaign_id = _levels_world(web)
    login(web.client, "yi")
    base = f"/admin/campaigns/{campaign_id}"
    token = csrf_of(web.client.get(base).text)
    for url in (f"{base}/acceptance", f"{base}/acceptance/report.xlsx",
                f"{base}/acceptance/report.docx", f"{base}/summaries/1/summary.docx"):  # fmt: skip
        refused = web.client.get(url)
        assert refused.status_code == 403 and "此页面仅限领导小组办公室使用" in refused.text, url
    for path in ("inspections", "orders", "orders/1/reported", "orders/1/close", "orders/1/return"):
        posted = web.client.post(
            f"{base}/acceptance/{path}",
            data={"unit": "200", "what": "整改", "deadline": "2026-02-01", "csrf_token": token},
        )
        assert posted.status_code == 403 and "此页面仅限领导小组办公室使用" in posted.text, path
    assert web.session.exec(select(RectificationOrder)).all() == []
    assert web.session.exec(select(Inspection)).all() == []
