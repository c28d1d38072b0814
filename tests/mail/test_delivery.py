"""Directives and report requests go out through a real SMTP server, once each, intact."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm
from sqlmodel import Session, select

from campaign.links import issue_link
from campaign.mail.notices import queue_directive, queue_request
from campaign.mail.sender import send_pending
from campaign.plan import Plan
from campaign.schedule import build_schedule
from models.link import LinkPurpose
from models.outbox import MailState, OutboxMessage
from tests.mail.conftest import attachment, body, stored


def directive_event(plan: Plan, key: str = "directive:mobilization"):  # type: ignore[no-untyped-def]
    return next(e for e in build_schedule(plan) if e.key == key)


def test_seventeen_bureaus_receive_one_directive_each(
    session: Session, db_url, campaign, cities, hubei_plan, make_request, mailserver
) -> None:
    assert len(cities) == 17
    event = directive_event(hubei_plan)
    links = {}
    for bureau in cities:
        ack = make_request(
            bureau, duty_key="ack", period_key=event.key, period_label="", kind="acknowledgement"
        )
        link = issue_link(
            session=session,
            campaign_id=campaign.id,
            bureau_code=bureau.code,
            purpose=LinkPurpose.acknowledge,
            request_id=ack.id,
        )
        links[bureau.email] = link.url
        queue_directive(
            session=session,
            campaign=campaign,
            plan=hubei_plan,
            event=event,
            bureau=bureau,
            link_url=link.url,
        )
    session.commit()

    report = send_pending(url=db_url)
    assert (report.sent, report.failed, report.retrying) == (17, 0, 0)
    assert send_pending(url=db_url).sent == 0  # nothing left: a second run sends nothing

    rows = {m.to_addrs[0]["email"]: m for m in session.exec(select(OutboxMessage)).all()}
    assert {m.state for m in rows.values()} == {MailState.sent}
    messages = stored(mailserver)
    assert len(messages) == len(mailserver.received) == 17
    assert sorted(e.recipients[0] for e in mailserver.received) == sorted(b.email for b in cities)
    title = "关于印发《全省质监系统产品质量和食品安全专项整治实施方案》的通知"
    for message in messages:
        address = message["To"].addresses[0]
        row = rows[address.addr_spec]
        bureau = next(b for b in cities if b.email == address.addr_spec)
        # Long names are folded into several RFC 2047 words; CPython's address parser puts a
        # space between them (RFC 2047 6.2 says to ignore it), so compare without spaces.
        assert address.display_name.replace(" ", "") == bureau.name
        assert message["Subject"] == f"【通知】{title}（鄂质监发〔2007〕77号）"
        assert message["Message-ID"] == row.message_id
        assert row.message_id.endswith("@hbqts.example.org>")
        assert message["From"].addresses[0].addr_spec == "zxzz-office@hbqts.example.org"
        text, html = body(message, "plain"), body(message, "html")
        assert links[address.addr_spec] in text and links[address.addr_spec] in html
        assert "请于8月29日前" in text and f"{bureau.name}：" in text
        assert "向当地党委政府主要领导汇报" in text and "<b>" in html
    assert len({m["Message-ID"] for m in messages}) == 17

    name, docx_bytes = attachment(messages[0], ".docx")
    assert name == f"{title}（鄂质监发〔2007〕77号）.docx"
    doc = Document(io.BytesIO(docx_bytes))
    section = doc.sections[0]
    for measured, mm in (
        (section.top_margin, 37),
        (section.bottom_margin, 35),
        (section.left_margin, 28),
        (section.right_margin, 26),
        (section.page_width, 210),
        (section.page_height, 297),
    ):
        assert abs(measured - Mm(mm)) < Mm(0.1)
    texts = [p.text for p in doc.paragraphs]
    assert "湖北省质量技术监督局文件" in texts
    assert "鄂质监发〔2007〕77号" in texts
    assert title in texts
    assert "各市州、省直管市、神农架林区质量技术监督局：" in texts
    assert any("（责任单位：省局办公室；配合单位：法规处）" in t for t in texts)
    assert any("阶段工作小结" in t and "9月5日前" in t for t in texts)
    assert "2007年8月27日" in texts
    colophon = [c.text for row in doc.tables[-1].rows for c in row.cells]  # 版记, at the foot
    assert colophon == [
        "抄送：国家质检总局、省政府。",
        "湖北省质量技术监督局办公室\t2007年8月27日印发",
    ]
    mark = next(p for p in doc.paragraphs if p.text == "湖北省质量技术监督局文件")
    assert str(mark.runs[0].font.color.rgb) == "FF0000"
    fonts = mark.runs[0]._element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    title_run = next(p for p in doc.paragraphs if p.text == title).runs[0]
    assert title_run.font.size.pt == 22
    assert title_run._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "方正小标宋简体"
    body_para = next(p for p in doc.paragraphs if "向当地党委政府主要领导汇报" in p.text)
    for run in body_para.runs:
        assert run.font.size.pt == 16
        assert run._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines"  # 28 characters come from condensed spacing
    assert int(grid.get(qn("w:linePitch"))) == 579  # 225 mm / 22 lines
    number = next(p for p in doc.paragraphs if p.text == "鄂质监发〔2007〕77号")
    red_rule = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert red_rule.get(qn("w:color")) == "FF0000"


def test_report_requests_carry_link_and_prefilled_table(
    session: Session, db_url, campaign, cities, hubei_plan, make_request, mailserver
) -> None:
    sent_links = {}
    for bureau in cities[:3]:
        request = make_request(bureau)
        link = issue_link(
            session=session,
            campaign_id=campaign.id,
            bureau_code=bureau.code,
            purpose=LinkPurpose.report,
            request_id=request.id,
        )
        sent_links[bureau.code] = (request.id, link.url)
        queue_request(
            session=session,
            campaign=campaign,
            plan=hubei_plan,
            request=request,
            bureau=bureau,
            link_url=link.url,
            previous_values={"sampled_batches": "40", "value_involved": "12.5"},
        )
    session.commit()
    assert send_pending(url=db_url).sent == 3
    messages = stored(mailserver)
    assert len(messages) == 3
    form = hubei_plan.form("progress")
    for message in messages:
        bureau = next(b for b in cities if b.email == message["To"].addresses[0].addr_spec)
        request_id, url = sent_links[bureau.code]
        assert message["Subject"] == "【报送通知】请于8月31日前报送动态信息（8月27日至9月2日）"
        assert url in body(message, "plain") and url in body(message, "html")
        name, data = attachment(message, ".xlsx")
        assert bureau.name in name
        wb = openpyxl.load_workbook(io.BytesIO(data))
        ws = wb.worksheets[0]
        assert ws["A1"].value == form.title and ws["B2"].value == bureau.name
        assert (ws["B3"].value, ws["B4"].value) == ("8月27日至9月2日", "2007-08-31")
        assert [ws.cell(6, c).value for c in range(1, 7)] == [
            "序号",
            "指标名称",
            "计量单位",
            "填报数值",
            "指标代码",
            "填报说明",
        ]
        keys = [ws.cell(r, 5).value for r in range(7, 7 + len(form.fields) + 1)]
        assert keys == [f.key for f in form.fields] + ["__narrative__"]
        by_key = {ws.cell(r, 5).value: r for r in range(7, ws.max_row + 1)}
        assert ws.cell(by_key["sampled_batches"], 4).value == 40
        assert ws.cell(by_key["value_involved"], 4).value == 12.5
        assert ws.cell(by_key["food_enterprises"], 4).value is None
        meta = {r[0].value: r[1].value for r in wb["_meta"].iter_rows()}
        assert wb["_meta"].sheet_state == "hidden"
        assert meta["request_id"] == str(request_id)
        assert meta["bureau_code"] == bureau.code
        assert meta["period_key"] == "2007-W35" and meta["form_key"] == "progress"


def test_queueing_twice_stores_and_sends_once(
    session: Session, db_url, campaign, cities, hubei_plan, mailserver
) -> None:
    event = directive_event(hubei_plan)
    first = queue_directive(
        session=session,
        campaign=campaign,
        plan=hubei_plan,
        event=event,
        bureau=cities[0],
        link_url="http://x/r/1",
    )
    session.commit()
    again = queue_directive(
        session=session,
        campaign=campaign,
        plan=hubei_plan,
        event=event,
        bureau=cities[0],
        link_url="http://x/r/other",
    )
    assert again.id == first.id and again.message_id == first.message_id
    assert len(session.exec(select(OutboxMessage)).all()) == 1
    send_pending(url=db_url)
    send_pending(url=db_url)
    assert len(mailserver.received) == 1
    assert stored(mailserver)[0]["Subject"].startswith("【通知】关于印发")
    assert "12月1日以前" in body(stored(mailserver)[0], "plain")
    assert event.date == date(2007, 8, 27)
