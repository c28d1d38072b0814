"""The console's summary versions, acceptance report and 整改 entry over HTTP: the login on
every route, the drafts and reports opened back, the forms' token, every problem at once,
names escaped."""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, date, datetime

from docx import Document
from openpyxl import load_workbook
from sqlmodel import Session, select

from campaign.orchestration.summaries import store_version
from campaign.replies.review import accept_submission
from campaign.results.compile import compile_results
from campaign.results.load import load_frames, window_of
from campaign.results.summary import summary_result
from campaign.schedule import Event
from models.audit import AuditEvent, Channel
from models.bureau import Bureau, BureauLevel
from models.rectification import RectificationOrder
from models.request import ReportRequest
from models.submission import ReportSubmission
from web.conftest import Web
from web.helpers import csrf_of, send_form
from web.test_admin import login

EVIL = '<img src=x onerror="alert(1)">局'
EVENT = Event(date=date(2007, 9, 13), kind="summary", key="summary:implementation",
              phase="实施阶段", phase_key="implementation")  # fmt: skip


def _store_version(session: Session, campaign_id: int, basis: str, day: int) -> None:
    frames = load_frames(session=session, campaign_id=campaign_id)
    plan = frames.plan
    compiled = compile_results(frames, stage=window_of(plan, "implementation"),
                               today=date(2007, 9, 13))  # fmt: skip
    result = summary_result(compiled, plan, heading=compiled.stage_name, today=date(2007, 9, 13))
    store_version(session=session, campaign_id=campaign_id, event=EVENT, result=result,
                  basis=basis, as_of=datetime(2007, 9, day, 2, tzinfo=UTC))  # fmt: skip
    session.commit()


def _two_versions(web: Web) -> None:
    """Version 1 before 武汉's report is accepted, version 2 after."""
    cid = web.world.campaign.id
    _store_version(web.session, cid, "a", 13)
    send_form(web)
    submission = web.session.exec(select(ReportSubmission)).one()
    accept_submission(session=web.session, submission_id=submission.id, reviewer="张三")
    web.session.commit()
    _store_version(web.session, cid, "b", 15)


def _urls(cid: int) -> list[str]:
    base = f"/admin/campaigns/{cid}"
    return [f"{base}/acceptance", f"{base}/acceptance/report.xlsx",
            f"{base}/acceptance/report.docx", f"{base}/summaries/1/summary.docx"]  # fmt: skip


def test_the_routes_need_the_login(web: Web) -> None:
    cid = web.world.campaign.id
    for url in _urls(cid):
        response = web.client.get(url, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/admin/login"
    posted = web.client.post(f"/admin/campaigns/{cid}/acceptance/orders", data={"unit": "420200"})
    assert posted.status_code == 403
    assert web.session.exec(select(RectificationOrder)).all() == []


def _text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_the_dashboard_lists_versions_and_their_drafts_download(web: Web) -> None:
    _two_versions(web)
    login(web)
    cid = web.world.campaign.id
    page = web.client.get(f"/admin/campaigns/{cid}").text
    versions = html.unescape(page[page.index('id="versions"') : page.index('id="acceptance"')])
    assert "第2版" in versions and "第1版" in versions and "首次汇总" in versions
    assert "与第1版相比：" in versions and "2007年9月15日" in versions
    links = sorted(set(re.findall(r'href="([^"]+\.docx)"', versions)))
    assert len(links) == 4  # two versions × (阶段小结, 通报)
    for link in links:
        response = web.client.get(link)
        assert response.status_code == 200, link
        assert "filename*=UTF-8''" in response.headers["content-disposition"]
        text = _text(response.content)
        assert "武汉市质量技术监督局" in text or "通报" in text
    bulletin = next(link for link in links if link.endswith("bulletin.docx"))
    assert "通报" in _text(web.client.get(bulletin).content)
    other = web.client.get(f"/admin/campaigns/{cid + 1}/summaries/1/summary.docx")
    assert other.status_code == 404  # a summary of another campaign is not served here


def test_the_acceptance_report_downloads_and_opens(web: Web) -> None:
    login(web)
    cid = web.world.campaign.id
    page = web.client.get(f"/admin/campaigns/{cid}/acceptance").text
    web.client.post(f"/admin/campaigns/{cid}/acceptance/orders", data={
        "csrf_token": csrf_of(page), "unit": "黄石市质量技术监督局",
        "what": "无证企业未关停", "deadline": "2007-12-31"})  # fmt: skip
    book = load_workbook(io.BytesIO(web.client.get(
        f"/admin/campaigns/{cid}/acceptance/report.xlsx").content))  # fmt: skip
    assert {"逐单位目标", "现场检查", "整改"} <= set(book.sheetnames)
    rows = list(book["整改"].iter_rows(values_only=True))
    assert any(r[0] == "第1号" and r[1] == "黄石市质量技术监督局" for r in rows)
    document = web.client.get(f"/admin/campaigns/{cid}/acceptance/report.docx")
    assert "无证企业未关停" in _text(document.content)


def test_entry_forms_store_refuse_and_close(web_on_both: Web) -> None:
    web = web_on_both
    login(web)
    cid = web.world.campaign.id
    base = f"/admin/campaigns/{cid}/acceptance"
    page = web.client.get(base).text
    token = csrf_of(page)
    forged = web.client.post(f"{base}/orders", data={"csrf_token": "forged", "unit": "420200",
                             "what": "x", "deadline": "2007-12-31"})  # fmt: skip
    assert forged.status_code == 403
    bad = web.client.post(f"{base}/orders", data={"csrf_token": token, "unit": "无此局",
                          "what": "", "deadline": "明天"})  # fmt: skip
    assert bad.status_code == 400
    shown = html.unescape(bad.text)
    for problem in ("整改期限：“明天”不是日期", "单位：找不到代码为“无此局”的单位",
                    "整改事项：不能为空", "共3处问题"):  # fmt: skip
        assert problem in shown, problem
    assert 'value="无此局"' in bad.text  # what was typed is kept
    assert web.session.exec(select(RectificationOrder)).all() == []
    done = web.client.post(f"{base}/inspections", data={"csrf_token": token, "unit": "420200",
                           "inspected_on": "2007-09-12", "verdict": "不合格",
                           "findings": EVIL}, follow_redirects=False)  # fmt: skip
    assert done.status_code == 303 and done.headers["location"].endswith("#inspections")
    web.client.post(f"{base}/orders", data={"csrf_token": token, "unit": "420200",
                    "what": EVIL, "deadline": "2007-09-14"})  # fmt: skip
    dashboard = web.client.get(f"/admin/campaigns/{cid}").text
    section = dashboard[dashboard.index('id="acceptance"') : dashboard.index('id="queue"')]
    assert "第1号" in section and "已下达" in section and "2007年9月14日" in section
    assert "2007-09-13下达" in section  # the dates of each step
    assert EVIL not in dashboard and "&lt;img src=x" in section
    listing = web.client.get(base).text
    assert EVIL not in listing and listing.count("&lt;img src=x") == 2
    too_early = web.client.post(f"{base}/orders/1/close", data={"csrf_token": token})
    assert "尚未报告整改完成，不能销号" in html.unescape(too_early.text)
    web.client.post(f"{base}/orders/1/reported", data={"csrf_token": token, "report": "已关停"})
    returned = web.client.post(f"{base}/orders/1/return", data={
        "csrf_token": token, "comment": "请附关停文书", "deadline": "2007-09-20"})  # fmt: skip
    assert returned.status_code == 200 and "退回意见：请附关停文书" in returned.text
    web.client.post(f"{base}/orders/1/reported", data={"csrf_token": token, "report": "已附文书"})
    web.client.post(f"{base}/orders/1/close", data={"csrf_token": token})
    web.session.expire_all()
    order = web.session.exec(select(RectificationOrder)).one()
    request = web.session.get_one(ReportRequest, order.request_id)
    assert (request.status, request.due_date) == ("accepted", date(2007, 9, 20))
    dashboard = web.client.get(f"/admin/campaigns/{cid}").text
    assert "没有未销号的整改通知" in dashboard
    listing = html.unescape(web.client.get(base).text)
    assert "已销号" in listing and "销号人：张三" in listing and "整改情况：已附文书" in listing
    actors = web.session.exec(select(AuditEvent.event, AuditEvent.actor, AuditEvent.channel).where(
        AuditEvent.event.in_(["answer_received", "answer_returned", "answer_accepted"])  # type: ignore[attr-defined]
    ).order_by(AuditEvent.id)).all()  # fmt: skip
    assert [tuple(a) for a in actors] == [
        ("answer_received", "张三", Channel.review),  # on the unit's behalf
        ("answer_returned", "张三", Channel.review),
        ("answer_received", "张三", Channel.review),
        ("answer_accepted", "张三", Channel.review),
    ]


def test_unit_names_in_orders_are_escaped(web: Web) -> None:
    web.session.add(Bureau(code="420300", name=EVIL, parent_code="420000",
                           level=BureauLevel.city, email="b@example.org"))  # fmt: skip
    web.session.commit()
    login(web)
    cid = web.world.campaign.id
    base = f"/admin/campaigns/{cid}/acceptance"
    token = csrf_of(web.client.get(base).text)
    web.client.post(f"{base}/orders", data={"csrf_token": token, "unit": "420300",
                    "what": "整改", "deadline": "2007-12-31"})  # fmt: skip
    for url in (base, f"/admin/campaigns/{cid}"):
        text = web.client.get(url).text
        assert EVIL not in text and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;局" in text
