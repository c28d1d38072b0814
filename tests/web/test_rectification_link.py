"""A 整改 order through the unit's personal link: the order notice's link opens a page with
the order, a bad report names every problem beside its field and stores nothing, a good one
gives the receipt page and the receipt mail; after 销号 the link says so. Over HTTP on both
databases, and once in real Chromium at phone width."""

from __future__ import annotations

import html
import re
import tempfile
from datetime import date
from pathlib import Path

from replies.factories import BEFORE_DUE, World, count
from sqlmodel import Session, select

from campaign.acceptance.orders import order_rectification, record_inspection
from campaign.acceptance.state import OrderState, find_order
from campaign.replies.attachments import ALLOWED_TEXT
from models.attachment import SubmissionAttachment
from models.outbox import OutboxMessage
from models.rectification import RectificationOrder
from models.request import ReportRequest, RequestStatus
from models.submission import ReportSubmission
from web.conftest import Web
from web.helpers import csrf_of, errors, summary
from web.test_admin import login
from web.test_browser import browser, served  # noqa: F401  (fixtures)

SCREENSHOT = Path(tempfile.gettempdir()) / "campaign-rectification-form.png"

WHAT = "两家食品企业未建立进货查验记录"
LINK = re.compile(r"/r/([A-Za-z0-9_-]{20,})")


def give_order(session: Session, world: World) -> tuple[str, RectificationOrder]:
    """Order Huangshi to put something right; the token of the link its order notice carries."""
    campaign_id = world.campaign.id
    assert campaign_id is not None
    inspection = record_inspection(
        session=session, campaign_id=campaign_id, bureau_code="420200",
        inspected_on=date(2007, 9, 12), inspector="省局检查组", verdict="基本合格",
        findings="进货查验记录不全", at=BEFORE_DUE,
    )  # fmt: skip
    order = order_rectification(
        session=session, campaign_id=campaign_id, bureau_code="420200", what=WHAT,
        deadline=date(2007, 9, 28), ordered_by="李四", today=date(2007, 9, 13), at=BEFORE_DUE,
        inspection_id=inspection.id,
    )  # fmt: skip
    session.commit()
    notice = session.exec(
        select(OutboxMessage).where(OutboxMessage.key == "order:rectification:order-1")
    ).one()
    found = LINK.search(notice.text_body)
    assert found, notice.text_body
    return found.group(1), order


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_the_unit_reports_its_order_done_through_its_link(web_on_both: Web) -> None:
    web = web_on_both
    token, order = give_order(web.session, web.world)
    shown = web.client.get(f"/r/{token}")
    assert shown.status_code == 200, shown.text
    words = text_of(shown.text)
    expected = [
        "整改通知第1号", WHAT, "整改期限", "2007年9月28日", web.world.plan.office.name,
        "李四", "2007年9月12日", "省局检查组", "基本合格", "进货查验记录不全",
        "整改落实情况", "整改佐证材料", "报告整改完成",
    ]  # fmt: skip
    for phrase in expected:
        assert phrase in words, phrase
    assert "上传统计表" not in words  # a narrative and files, no table

    bad = web.client.post(
        f"/r/{token}",
        data={"csrf_token": csrf_of(shown.text), "narrative": "  "},
        files=[("attachments", ("整改.exe", b"MZ" + b"x" * 100, "application/octet-stream"))],
    )
    assert bad.status_code == 422
    problems = [
        "请填写“整改落实情况”",
        f"附件“整改.exe”的类型不予接收（可上传{ALLOWED_TEXT}文件）",
    ]
    assert errors(bad.text) == problems and summary(bad.text) == problems
    assert 'id="order-what"' in bad.text  # the order still shown above the form
    assert count(web.session, ReportSubmission) == 0
    assert count(web.session, SubmissionAttachment) == 0

    pdf = b"%PDF-1.4\n" + b"x" * 2000
    good = web.client.post(
        f"/r/{token}",
        data={"csrf_token": csrf_of(bad.text), "narrative": "两家企业已建立进货查验记录并建档。"},
        files=[("attachments", ("整改照片.pdf", pdf, "application/pdf"))],
    )
    assert good.status_code == 200, good.text
    words = text_of(good.text)
    assert "报送成功" in words and "整改通知第1号" in words and "整改情况报告" in words
    assert "两家企业已建立进货查验记录并建档。" in words and "整改照片.pdf" in words
    web.session.expire_all()
    request = web.session.get_one(ReportRequest, order.request_id)
    assert request.status == RequestStatus.submitted
    submission = web.session.exec(select(ReportSubmission)).one()
    assert (submission.channel, submission.bureau_code) == ("web", "420200")
    receipt = web.session.exec(
        select(OutboxMessage).where(OutboxMessage.key == f"receipt:{submission.id}")
    ).one()
    assert receipt.bureau_code == "420200" and "整改通知第1号" in receipt.subject

    # The coordinator reviews it in the review queue: accepting it is 销号.
    login(web)
    review = web.client.get(f"/admin/submissions/{submission.id}")
    assert review.status_code == 200 and "整改情况报告" in review.text
    web.client.post(f"/admin/submissions/{submission.id}/accept",
                    data={"csrf_token": csrf_of(review.text)})  # fmt: skip
    web.session.expire_all()
    view = find_order(web.session, web.world.campaign.id, 1)  # type: ignore[arg-type]
    assert view.state(date(2007, 9, 14)) == OrderState.closed
    closed = web.client.get(f"/r/{token}")
    assert closed.status_code == 409 and "整改通知第1号已销号" in text_of(closed.text)


def test_the_order_page_in_chromium_at_phone_width(served, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    base, world, session = served
    token, _order = give_order(session, world)
    page = browser.new_page()
    page.goto(f"{base}/r/{token}")
    assert WHAT in page.locator("#order-what").inner_text()
    page.click("#report-form button[type=submit]")  # nothing written: refused, shown beside
    assert page.locator("#err_narrative").inner_text() == "请填写“整改落实情况”"
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert count(session, ReportSubmission) == 0
    page.fill("#narrative", "已建立进货查验记录。")
    page.click("#report-form button[type=submit]")
    assert page.locator("h2.ok").inner_text() == "报送成功"
    assert "已建立进货查验记录。" in page.locator("#narrative-echo").inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 414  # no sideways scrolling on a phone
    assert count(session, ReportSubmission) == 1
