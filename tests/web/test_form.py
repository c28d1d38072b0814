"""The bureau's form through FastAPI's TestClient: page, refusal kept, receipt, versions."""

from __future__ import annotations

import io
from pathlib import Path

from replies.factories import (
    AFTER_DUE,
    NARRATIVE,
    numeric_entries,
    table_xlsx,
    valid_entries,
    weekly_request,
)
from sqlmodel import select

from campaign.replies.review import accept_submission
from campaign.settings import get_settings
from models.attachment import AttachmentKind, SubmissionAttachment
from models.audit import AuditEvent
from models.outbox import OutboxMessage
from models.request import ReportRequest
from models.submission import ReportSubmission
from web.conftest import Web
from web.helpers import NOTHING, csrf_of, errors, form_data, send_form, send_table, stored, summary


def test_the_link_shows_campaign_period_due_date_and_the_form(web: Web) -> None:
    response = web.client.get(web.url())
    page = response.text
    assert response.status_code == 200
    for text in (
        "鄂质监发〔2007〕77号",
        "全省质监系统产品质量和食品安全专项整治实施方案",
        "武汉市质量技术监督局",
        "第4周（9月10日—9月16日）",
        "2007年9月14日",
        "待报送",
        '<label for="f_sampled_batches">监督抽查批次 <span class="unit">（批次）</span> '
        '<span class="kind">累计数</span></label>',
        '<label for="f_value_involved">涉案货值 <span class="unit">（万元）</span>',
        '<label for="narrative">情况说明</label>',
        'action="/r/' + web.world.tokens["wuhan"] + '/xlsx"',
    ):
        assert text in page, text
    assert "已逾期" not in page
    cookie = response.headers["set-cookie"]
    assert f"Path=/r/{web.world.tokens['wuhan']}" in cookie
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in response.headers["content-security-policy"]


def test_after_the_due_date_the_page_says_late(web: Web) -> None:
    web.clock.now = AFTER_DUE
    assert "（已逾期，现在报送将记为迟报）" in web.client.get(web.url()).text


def test_refused_answer_is_shown_back_with_entries_then_corrected(web: Web) -> None:
    bad = send_form(web, changes={"qualified_batches": "45", "inspections": "八十五"})
    assert bad.status_code == 422
    assert errors(bad.text) == [
        "“抽查合格批次”（45）不能大于“监督抽查批次”（40）",
        "“检查企业”应填写整数",
    ]
    assert summary(bad.text) == errors(bad.text)
    assert "提交未成功，共2处问题" in bad.text
    assert 'name="f_qualified_batches" value="45"' in bad.text
    assert 'name="f_inspections" value="八十五"' in bad.text
    assert NARRATIVE in bad.text
    assert stored(web) == NOTHING

    good = web.client.post(web.url(), data=form_data(csrf_of(bad.text)))
    assert good.status_code == 200
    assert "报送成功" in good.text and "第1版" in good.text
    web.session.rollback()
    web.session.expire_all()
    submission = web.session.exec(select(ReportSubmission)).one()
    assert submission.values == {**valid_entries(), "pass_rate": None}
    assert submission.narrative == NARRATIVE and submission.channel == "web"
    request = web.session.get(ReportRequest, web.world.request.id)
    assert request.status == "submitted" and request.late is False
    assert web.session.exec(select(OutboxMessage.notice)).all() == ["receipt"]
    audit = web.session.exec(select(AuditEvent).where(AuditEvent.event == "answer_received")).one()
    assert audit.channel == "web" and audit.actor == "420100"


def test_a_new_version_keeps_the_earlier_one_and_the_page_prefills_the_latest(web: Web) -> None:
    assert send_form(web).status_code == 200
    page = web.client.get(web.url()).text
    assert "本单位已于2007年9月13日10:00报送第1版" in page
    assert 'name="f_inspections" value="85"' in page
    web.clock.now = AFTER_DUE
    again = web.client.post(web.url(), data=form_data(csrf_of(page), {"inspections": "91"}))
    assert again.status_code == 200 and "第2版（此前各版均已保留）" in again.text
    assert "（迟报）" in again.text
    web.session.rollback()
    web.session.expire_all()
    rows = web.session.exec(select(ReportSubmission).order_by(ReportSubmission.version)).all()
    assert [(r.version, r.values["inspections"], r.late) for r in rows] == [
        (1, "85", False),
        (2, "91", True),
    ]


def test_cumulative_fields_are_prefilled_from_the_last_accepted_report(web: Web) -> None:
    from campaign.replies import submit_report
    from models.reply import ReportCreate

    week36 = weekly_request(web.session, web.world.campaign, "420100", week=36)
    earlier = submit_report(
        session=web.session,
        link_or_request=week36,
        report_in=ReportCreate(
            values={**valid_entries(), "sampled_batches": "30", "qualified_batches": "28"},
            narrative="上周",
        ),
        channel="cli",
        now=AFTER_DUE,
    ).submission
    accept_submission(session=web.session, submission_id=earlier.id, reviewer="张三")
    web.session.commit()
    page = web.client.get(web.url()).text
    assert "累计数已按上次审核通过的报告（第3周（9月3日—9月9日））预填" in page
    assert 'name="f_sampled_batches" value="30"' in page
    assert 'name="f_value_involved" value="12.5"' in page
    assert 'name="f_inspections" value=""' in page  # a per-period figure starts empty


def test_an_attachment_is_stored_under_the_data_dir(web: Web) -> None:
    pdf = b"%PDF-1.4\n" + b"x" * 2000
    response = send_form(web, files=[("attachments", ("检查记录.pdf", pdf, "application/pdf"))])
    assert response.status_code == 200 and "检查记录.pdf" in response.text
    web.session.rollback()
    web.session.expire_all()
    row = web.session.exec(select(SubmissionAttachment)).one()
    assert (
        row.filename == "检查记录.pdf"
        and row.size == len(pdf)
        and row.kind == AttachmentKind.attachment
    )
    assert (Path(get_settings().data_dir) / row.stored_path).read_bytes() == pdf
    assert "检查记录" not in row.stored_path  # stored names never use the bureau's


def test_the_xlsx_table_answers_the_same_request(web: Web) -> None:
    meta = {
        "layout_version": 1,
        "campaign_id": web.world.campaign.id,
        "request_id": web.world.request.id,
        "bureau_code": "420100",
        "form_key": "progress",
    }
    data = table_xlsx(entries=numeric_entries(), meta=meta)
    response = send_table(web, data)
    assert response.status_code == 200, errors(response.text) + summary(response.text)
    assert "上传统计表" in response.text
    web.session.rollback()
    web.session.expire_all()
    submission = web.session.exec(select(ReportSubmission)).one()
    assert submission.channel == "xlsx"
    assert submission.values == {**valid_entries(), "pass_rate": None}
    assert submission.narrative == NARRATIVE
    source = web.session.exec(select(SubmissionAttachment)).one()
    assert source.kind == AttachmentKind.source_xlsx
    assert (Path(get_settings().data_dir) / source.stored_path).read_bytes() == data


def test_an_invalid_table_shows_its_values_with_the_messages(web: Web) -> None:
    entries = numeric_entries() | {"qualified_batches": 44}
    response = send_table(web, table_xlsx(entries=entries))
    assert response.status_code == 422
    assert errors(response.text) == ["“抽查合格批次”（44）不能大于“监督抽查批次”（40）"]
    assert 'name="f_qualified_batches" value="44"' in response.text
    assert stored(web) == NOTHING


def test_acknowledging_a_directive(web: Web) -> None:
    page = web.client.get(web.url("ack"))
    assert page.status_code == 200
    assert (
        "关于开展市场准入集中检查的通知" in page.text
        and "时间：2007年8月20日至2007年9月20日" in page.text
    )
    assert ">签收</button>" in page.text
    done = web.client.post(web.url("ack", "/ack"), data={"csrf_token": csrf_of(page.text)})
    assert done.status_code == 200
    assert "本单位已于2007年9月13日10:00签收。" in done.text
    again = web.client.post(web.url("ack", "/ack"), data={"csrf_token": csrf_of(page.text)})
    assert "本单位已于2007年9月13日10:00签收。" in again.text
    web.session.rollback()
    web.session.expire_all()
    request = web.session.get(ReportRequest, web.world.requests["ack"].id)
    assert request.status == "accepted" and request.late is True  # due 2007-08-22
    events = web.session.exec(
        select(AuditEvent).where(AuditEvent.event == "directive_acknowledged")
    ).all()
    assert len(events) == 1
    assert web.session.exec(select(OutboxMessage.notice)).all() == ["acknowledgement"]


def test_ad_hoc_reports_are_new_requests_and_alert_the_office(web: Web) -> None:
    page = web.client.get(web.url("ad_hoc"))
    assert "重大情况随时报送" in page.text and "本链接长期有效" in page.text
    assert "/xlsx" not in page.text
    for category in ("媒体曝光", "重大案件"):
        fresh = web.client.get(web.url("ad_hoc")).text
        response = web.client.post(
            web.url("ad_hoc"),
            data={
                "csrf_token": csrf_of(fresh),
                "f_category": category,
                "narrative": "某企业被曝光使用非食品原料",
            },
        )
        assert response.status_code == 200 and "报送成功" in response.text
    web.session.rollback()
    web.session.expire_all()
    requests = web.session.exec(select(ReportRequest).where(ReportRequest.kind == "ad_hoc")).all()
    assert len(requests) == 2 and {r.duty_key for r in requests} == {"urgent"}
    assert all(r.status == "submitted" and r.bureau_code == "420100" for r in requests)
    alerts = web.session.exec(
        select(OutboxMessage).where(OutboxMessage.notice == "ad_hoc_alert")
    ).all()
    assert len(alerts) == 2
    assert all(a.to_addrs and "zxzz-office@hbqts.example.org" in str(a.to_addrs) for a in alerts)
    assert "媒体曝光" in alerts[0].text_body or "媒体曝光" in alerts[1].text_body


def test_ad_hoc_report_without_narrative_is_refused(web: Web) -> None:
    fresh = web.client.get(web.url("ad_hoc")).text
    response = web.client.post(
        web.url("ad_hoc"), data={"csrf_token": csrf_of(fresh), "f_category": "事故"}
    )
    assert response.status_code == 422
    assert errors(response.text) == ["请填写“情况说明”"]
    assert stored(web) == NOTHING
    web.session.rollback()
    web.session.expire_all()
    assert web.session.exec(select(ReportRequest).where(ReportRequest.kind == "ad_hoc")).all() == []


_ = io
