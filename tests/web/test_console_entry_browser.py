"""The 整改 entry form in a real headless Chromium without JavaScript at phone width
(390 px): a refused order shows its problems, a corrected one is listed, reported done,
closed (销号), and the dashboard no longer lists it."""

from __future__ import annotations

import pytest
from replies.factories import World
from sqlmodel import Session

from web.test_admin import PASSWORD
from web.test_browser import served  # noqa: F401  (fixture)
from web.test_console_browser import _coordinator_password, without_js  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("without_js", [390], indirect=True, ids=["phone"])
def test_an_order_entered_and_closed_at_phone_width(
    served: tuple[str, World, Session],  # noqa: F811
    without_js,  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    base, world, _session = served
    page = without_js.new_page()
    page.goto(f"{base}/admin/login")
    page.fill("#name", "张三")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{base}/admin/campaigns/{world.campaign.id}")
    page.click("#acceptance a[href$='/acceptance']")
    assert page.locator("#orders h2").inner_text() == "整改通知（0份）"

    page.fill("#o-unit", "黄石市质量技术监督局")
    page.fill("#o-what", "无证生产企业未全部关停")
    page.fill("#o-deadline", "2007-09-01")  # already past on 2007-09-13
    page.click("#orders form[action$='/acceptance/orders'] button[type=submit]")
    problems = page.locator("#problems li").all_inner_texts()
    assert problems == ["整改期限：2007-09-01已过（今天是2007-09-13）"]
    assert page.input_value("#o-what") == "无证生产企业未全部关停"  # kept for the correction
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.fill("#o-deadline", "2007-09-30")
    page.click("#orders form[action$='/acceptance/orders'] button[type=submit]")
    assert page.locator("#orders h2").inner_text() == "整改通知（1份）"
    row = page.locator("#orders table tr").nth(1)
    assert "第1号" in row.inner_text() and "已下达" in row.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.fill("#r-1", "已全部关停并立案查处")
    page.click("#orders form[action$='/orders/1/reported'] button")
    assert "已报告整改完成" in page.locator("#orders table").inner_text()
    page.click("#orders form[action$='/orders/1/close'] button")
    assert "已销号" in page.locator("#orders table").inner_text()
    page.goto(f"{base}/admin/campaigns/{world.campaign.id}")
    assert "没有未销号的整改通知" in page.locator("#acceptance").inner_text()
