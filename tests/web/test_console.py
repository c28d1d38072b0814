"""The console over HTTP: login on every page, the dashboard of the Hubei world, downloads
opened back, names escaped, the logout form's token."""

from __future__ import annotations

import io
import re

import openpyxl
from PIL import Image

from campaign.results.charts import CJKFontMissing, cjk_font
from models.bureau import Bureau, BureauLevel
from models.request import RequestStatus
from tests.support.parts import missing_part
from web.conftest import Web
from web.helpers import csrf_of, send_form
from web.test_admin import login

EVIL = '<img src=x onerror="alert(1)">局'


def _console_urls(web: Web) -> list[str]:
    cid = web.world.campaign.id
    base = f"/admin/campaigns/{cid}"
    return [
        "/admin/campaigns",
        base,
        f"{base}?state=missing&name=武汉",
        f"{base}/stages/all/workbook.xlsx",
        f"{base}/stages/all/charts/1.png",
    ]


def test_every_console_page_needs_the_login(web: Web) -> None:
    for url in _console_urls(web):
        response = web.client.get(url, follow_redirects=False)
        assert response.status_code == 303, url
        assert response.headers["location"] == "/admin/login"
    assert login(web).headers["location"] == "/admin/campaigns"  # the console is home
    assert web.client.get("/admin", follow_redirects=False).headers["location"] == (
        "/admin/campaigns"
    )
    for url in _console_urls(web)[:3]:
        assert web.client.get(url).status_code == 200, url


def test_campaigns_and_the_dashboard(web: Web) -> None:
    send_form(web)  # 武汉 answers week 4 on time: pending review
    login(web)
    listing = web.client.get("/admin/campaigns").text
    cid = web.world.campaign.id
    assert f'href="/admin/campaigns/{cid}"' in listing
    assert "全省质监系统产品质量和食品安全专项整治实施方案" in listing and "1份" in listing
    page = web.client.get(f"/admin/campaigns/{cid}").text
    for heading in ("总体情况", "工作进度", "报送情况：动态信息", "目标完成情况", "落后单位"):
        assert heading in page, heading
    assert "汇总与图表" in page and "待审核报告（1份）" in page
    assert '<line class="today"' in page  # 2007-09-13 is inside the campaign
    assert "2007年9月13日" in page
    matrix = page[page.index('id="matrix"') : page.index('id="targets"')]
    assert re.search(r"武汉市质量技术监督局</th><td class=\"s-on_time\">按时<sup>审</sup>", matrix)
    assert re.search(r"黄石市质量技术监督局</th><td class=\"s-not_due\">未到期", matrix)
    queue = page[page.index('id="queue"') :]
    assert "武汉市质量技术监督局" in queue and "动态信息" in queue  # the report type
    assert f'href="/admin/campaigns/{cid}/stages/all/workbook.xlsx"' in page
    review = web.client.get("/admin/submissions").text  # the queue names the report type
    assert "<th>报告类型</th>" in review and "<td>动态信息</td>" in review


def test_filters_arrive_by_query_string(web: Web) -> None:
    login(web)
    cid = web.world.campaign.id
    page = web.client.get(f"/admin/campaigns/{cid}", params={"name": "黄石"}).text
    matrix = page[page.index('id="matrix"') : page.index('id="targets"')]
    assert "黄石市质量技术监督局" in matrix and "武汉市质量技术监督局" not in matrix
    assert "符合条件1个" in matrix and 'value="黄石"' in matrix
    odd = web.client.get(f"/admin/campaigns/{cid}", params={"page": "x", "state": "<b>"})
    assert odd.status_code == 200 and "<b>" not in odd.text


def test_names_are_escaped(web: Web) -> None:
    web.session.add(
        Bureau(
            code="420300",
            name=EVIL,
            parent_code="420000",
            level=BureauLevel.city,
            email="b420300@example.org",
        )
    )
    web.session.flush()
    from replies.factories import weekly_request

    weekly_request(web.session, web.world.campaign, "420300", status=RequestStatus.open)
    web.session.commit()
    login(web)
    page = web.client.get(f"/admin/campaigns/{web.world.campaign.id}").text
    assert EVIL not in page and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;局" in page
    searched = web.client.get(
        f"/admin/campaigns/{web.world.campaign.id}", params={"name": '"><script>'}
    ).text
    assert '"><script>' not in searched and "&#34;&gt;&lt;script&gt;" in searched


def test_unknown_campaign_and_stage(web: Web) -> None:
    login(web)
    assert web.client.get("/admin/campaigns/999").status_code == 404
    cid = web.world.campaign.id
    missing = web.client.get(f"/admin/campaigns/{cid}/stages/nothing/workbook.xlsx")
    assert missing.status_code == 404 and "方案中没有阶段“nothing”" in missing.text
    assert web.client.get(f"/admin/campaigns/{cid}/stages/all/charts/9.png").status_code == 404


def test_the_workbook_downloads_and_opens(web: Web) -> None:
    send_form(web)
    login(web)
    cid = web.world.campaign.id
    response = web.client.get(f"/admin/campaigns/{cid}/stages/all/workbook.xlsx")
    assert response.status_code == 200
    assert "filename*=UTF-8''%E6%B1%87%E6%80%BB%E8%A1%A8" in response.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert {"按单位", "报送情况", "目标", "未报"} <= set(book.sheetnames)
    names = [row[1] for row in book["报送情况"].iter_rows(values_only=True)]
    assert "武汉市质量技术监督局" in names and "黄石市质量技术监督局" in names
    stage = web.client.get(f"/admin/campaigns/{cid}/stages/implementation/workbook.xlsx")
    assert stage.status_code == 200
    openpyxl.load_workbook(io.BytesIO(stage.content))


def test_a_chart_downloads_as_a_png(web: Web) -> None:
    try:
        cjk_font()
    except CJKFontMissing:
        missing_part("fonts-noto-cjk is not installed (scripts/setup.sh --system)")
    login(web)
    response = web.client.get(f"/admin/campaigns/{web.world.campaign.id}/stages/all/charts/1.png")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG" and image.size[0] > 400


def test_logout_from_the_console_needs_its_token(web: Web) -> None:
    login(web)
    page = web.client.get("/admin/campaigns").text
    refused = web.client.post("/admin/logout", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    done = web.client.post(
        "/admin/logout", data={"csrf_token": csrf_of(page)}, follow_redirects=False
    )
    assert done.status_code == 303
    assert web.client.get("/admin/campaigns", follow_redirects=False).status_code == 303


def test_three_thousand_units_send_one_page(web: Web) -> None:
    """3,000 units under 30 parents: one page of 50 rows, not the whole matrix."""
    from datetime import date

    from sqlalchemy import insert

    from models.request import ReportRequest

    parents = [
        {"code": f"43{p:02d}00", "name": f"第{p}市局", "parent_code": "420000", "level": "city"}
        for p in range(30)
    ]
    units = [
        {"code": f"5{i:05d}", "name": f"第{i}县局", "parent_code": f"43{i % 30:02d}00"}
        for i in range(3000)
    ]
    common = {"email": "x@example.org", "contact": "", "phone": "", "active": True}
    with web.session.get_bind().begin() as conn:  # type: ignore[union-attr]
        conn.execute(insert(Bureau.__table__), [{**p, **common} for p in parents])  # type: ignore[attr-defined]
        conn.execute(
            insert(Bureau.__table__),  # type: ignore[attr-defined]
            [{**u, **common, "level": "county"} for u in units],
        )
        conn.execute(
            insert(ReportRequest.__table__),  # type: ignore[attr-defined]
            [
                {
                    "campaign_id": web.world.campaign.id,
                    "duty_key": "weekly-progress",
                    "period_key": "2007-W36",
                    "period_label": "第3周",
                    "period_end": date(2007, 9, 9),
                    "due_date": date(2007, 9, 7),
                    "bureau_code": u["code"],
                    "kind": "request",
                    "status": "overdue",
                    "late": False,
                    "opened_at": web.clock.now,
                }
                for u in units
            ],
        )
    login(web)
    page = web.client.get(f"/admin/campaigns/{web.world.campaign.id}")
    assert page.status_code == 200 and len(page.content) < 200_000
    matrix = page.text[page.text.index('id="matrix"') : page.text.index('id="targets"')]
    body = matrix[matrix.index("<tbody>") : matrix.index("</tbody>")]
    assert body.count('<th scope="row" class="unit">') == 50 and "符合条件3002个" in matrix
    assert "第1/61页" in matrix and 'rel="next"' in matrix
    assert "落后单位（3000个）" in page.text  # every county missed week 3, by name
    laggards = page.text[page.text.index('id="laggards"') : page.text.index('id="summaries"')]
    assert laggards.count("<li>") == 20 and "第0县局" in laggards
