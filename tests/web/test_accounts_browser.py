"""A city's account in a real headless Chromium (JavaScript off): it logs in with its own
user name, its dashboard's matrix holds its own unit only, the office's pages are not
offered, and logging out ends the session."""

from __future__ import annotations

import pytest
from replies.factories import World
from sqlmodel import Session

from campaign.accounts import add_account
from web.test_browser import served  # noqa: F401  (fixture)
from web.test_console_browser import without_js  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser
PASSWORD = "黄石-口令-2026-足够长"


@pytest.mark.parametrize("without_js", [1280], indirect=True, ids=["desktop"])
def test_a_city_account_in_chromium(
    served: tuple[str, World, Session],  # noqa: F811
    without_js,  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    base, world, session = served
    for name, unit in (("office", "420000"), ("huangshi", "420200")):
        role = "office" if name == "office" else "coordinator"
        add_account(session=session, username=name, unit_code=unit, role=role, password=PASSWORD)
    session.commit()
    page = without_js.new_page()
    page.goto(f"{base}/admin/login")
    assert page.locator("#name").count() == 0  # accounts exist: no shared password
    page.fill("#username", "huangshi")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    assert page.url == f"{base}/admin/campaigns"
    page.click(f"a[href='/admin/campaigns/{world.campaign.id}']")
    rows = page.locator("#matrix table.matrix tbody th.unit")
    assert rows.all_inner_texts() == ["黄石市质量技术监督局"]
    assert "武汉" not in page.content()
    assert page.locator("a[href='/admin/accounts']").count() == 0
    assert page.locator("a[href='/admin/inbox']").count() == 0
    page.click("form[action='/admin/logout'] button")
    assert page.url == f"{base}/admin/login"
    page.goto(f"{base}/admin/campaigns")
    assert page.url == f"{base}/admin/login"
