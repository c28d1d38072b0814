"""The console in a real headless Chromium with JavaScript turned off, at desktop (1280 px)
and phone (390 px) width: log in, open the dashboard, read the matrix, filter, page,
download the 汇总表 and open it back."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from replies.factories import World
from sqlmodel import Session

from campaign import db as dbmod
from web.test_admin import PASSWORD
from web.test_browser import chromium, served  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser
SHOTS = Path(tempfile.gettempdir())


@pytest.fixture(autouse=True)
def _coordinator_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAIGN_COORDINATOR_PASSWORD", PASSWORD)
    dbmod.get_settings.cache_clear()


@pytest.fixture
def without_js(request: pytest.FixtureRequest) -> Iterator[object]:
    with chromium(request.param, java_script_enabled=False, accept_downloads=True) as context:
        yield context


@pytest.mark.parametrize("without_js", [1280, 390], indirect=True, ids=["desktop", "phone"])
def test_the_dashboard_in_chromium(
    served: tuple[str, World, Session],  # noqa: F811
    without_js,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    base, world, _session = served
    page = without_js.new_page()
    width = page.viewport_size["width"]
    page.goto(f"{base}/admin/login")
    page.fill("#name", "张三")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    assert page.url == f"{base}/admin/campaigns"
    page.click(f"a[href='/admin/campaigns/{world.campaign.id}']")
    assert page.locator("header h1").inner_text() == world.campaign.title

    matrix = page.locator("#matrix table.matrix")
    rows = matrix.locator("tbody th.unit")
    assert rows.all_inner_texts() == ["武汉市质量技术监督局", "黄石市质量技术监督局"]
    assert matrix.locator("td.s-not_due").count() == 2  # week 4 is due on Friday
    assert matrix.locator("tbody tr.group th").inner_text() == "湖北省质量技术监督局"
    for section in ("#overview", "#timeline", "#targets", "#laggards", "#summaries", "#queue"):
        assert page.locator(section).is_visible(), section
    # The page itself never scrolls sideways: the matrix scrolls in its own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    box = page.locator("#matrix .scroll").bounding_box()
    assert box is not None and box["width"] <= width
    page.screenshot(path=str(SHOTS / f"campaign-console-{width}.png"), full_page=True)

    page.fill("input[name=name]", "黄石")
    page.click("#matrix form.filters button[type=submit]")
    assert "name=%E9%BB%84%E7%9F%B3" in page.url
    assert matrix.locator("tbody th.unit").all_inner_texts() == ["黄石市质量技术监督局"]
    assert "符合条件1个" in page.locator("#matrix-found").inner_text()

    with page.expect_download() as download:
        page.click("#summaries a[href$='/stages/all/workbook.xlsx']")
    saved = tmp_path / "汇总表-全程.xlsx"  # not beside the screenshots: read back at once
    download.value.save_as(saved)
    assert download.value.suggested_filename == "汇总表-全程.xlsx"
    book = openpyxl.load_workbook(saved)
    assert "报送情况" in book.sheetnames
