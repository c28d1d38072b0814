"""Every notice renders from its builder, in the plan's register, with the right recipients."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session

from campaign.mail.notices import (
    NOTICES,
    queue_ack_receipt,
    queue_ad_hoc_alert,
    queue_escalation,
    queue_receipt,
    queue_rejection,
    queue_reminder,
    queue_returned,
)
from campaign.templating import TEMPLATES_DIR
from models.submission import ReportSubmission


def submission(session: Session, request, **fields) -> ReportSubmission:  # type: ignore[no-untyped-def]
    row = ReportSubmission(
        request_id=request.id,
        campaign_id=request.campaign_id,
        bureau_code=request.bureau_code,
        version=fields.pop("version", 1),
        values=fields.pop("values", {"sampled_batches": "40", "qualified_batches": "37"}),
        narrative=fields.pop("narrative", "本周开展专项监督抽查。"),
        channel="web",
        submitted_at=datetime(2007, 8, 30, 2, 15, tzinfo=UTC),
        **fields,
    )
    session.add(row)
    session.commit()
    return row


def test_every_notice_has_its_three_templates() -> None:
    for notice in NOTICES:
        for suffix in ("subject.txt", "txt", "html"):
            assert (TEMPLATES_DIR / "email" / f"{notice}.{suffix}").is_file(), (notice, suffix)


def test_reminders_before_and_after_due_and_for_acknowledgement(
    session: Session, campaign, cities, hubei_plan, make_request
) -> None:
    request = make_request(cities[0])
    common = dict(session=session, campaign=campaign, plan=hubei_plan, bureau=cities[0])
    before = queue_reminder(
        **common, request=request, link_url="http://x/r/a", as_of=date(2007, 8, 30), key="r:-1"
    )
    assert before.subject == "【提醒】动态信息（8月27日至9月2日）将于8月31日截止报送"
    after = queue_reminder(
        **common, request=request, link_url="http://x/r/a", as_of=date(2007, 9, 3), key="r:+3"
    )
    assert after.subject == "【催报】动态信息（8月27日至9月2日）已逾期3天，请尽快报送"
    assert "截至2007年9月3日已逾期3天" in after.text_body and "http://x/r/a" in after.html_body
    ack = make_request(
        cities[0], duty_key="ack", period_key="directive:mobilization", kind="acknowledgement"
    )
    chase = queue_reminder(
        **common, request=ack, link_url="http://x/r/b", as_of=date(2007, 8, 16), key="ack:+1"
    )
    assert chase.subject == "【催签收】请尽快签收湖北省质量技术监督局的通知"
    assert "尚未签收" in chase.text_body


def test_one_escalation_to_the_parent_lists_every_late_unit_and_what_it_owes(
    session: Session, campaign, hubei_bureaus, cities, hubei_plan, make_request
) -> None:
    province = next(b for b in hubei_bureaus if b.code == "420000")
    report = make_request(cities[0])
    ack = make_request(
        cities[1],
        duty_key="acknowledgement",
        period_key="mobilization",
        period_label="宣传发动阶段通知签收",
        kind="acknowledgement",
        due=date(2007, 9, 2),
    )
    message = queue_escalation(
        session=session,
        campaign=campaign,
        plan=hubei_plan,
        parent=province,
        late=[(cities[0], report), (cities[1], ack)],
        as_of=date(2007, 9, 5),
        key="escalation:2007-09-05:0123456789ab",
    )
    assert message.bureau_code == province.code
    assert [a["email"] for a in message.to_addrs] == [province.email]
    assert message.cc_addrs == []
    assert message.subject == f"【逾期督办】{cities[0].name}等2个单位逾期未报送或未签收"
    assert message.text_body.startswith(f"{province.name}：")
    assert (
        f"1．{cities[0].name}：8月27日至9月2日动态信息（报送期限2007年8月31日），已逾期5天未报送。"
    ) in message.text_body
    assert (
        f"2．{cities[1].name}：宣传发动阶段通知签收（签收期限2007年9月2日），已逾期3天未签收。"
    ) in message.text_body
    assert "请督促上述单位立即报送、签收。" in message.text_body
    assert "已逾期3天未签收" in message.html_body and cities[1].name in message.html_body


def test_an_escalation_about_acknowledgements_only_reads_as_such(
    session: Session, campaign, hubei_bureaus, cities, hubei_plan, make_request
) -> None:
    city, county = cities[0], cities[1]  # any parent unit, not the campaign's root
    ack = make_request(
        county,
        duty_key="acknowledgement",
        period_key="market-access",
        period_label="市场准入集中行动通知签收",
        kind="acknowledgement",
        due=date(2007, 9, 2),
    )
    message = queue_escalation(
        session=session,
        campaign=campaign,
        plan=hubei_plan,
        parent=city,
        late=[(county, ack)],
        as_of=date(2007, 9, 5),
        key="escalation:2007-09-05:ba9876543210",
    )
    assert message.subject == f"【逾期督办】{county.name}逾期未签收"
    assert "报送" not in message.text_body.split("——")[0]
    assert f"{hubei_plan.issuing_authority}将予以通报" in message.text_body


def test_receipt_rejection_returned_acknowledgement_and_alert(
    session: Session, campaign, cities, hubei_plan, make_request
) -> None:
    bureau = cities[3]
    request = make_request(bureau)
    answer = submission(session, request, late=True)
    common = dict(session=session, campaign=campaign, plan=hubei_plan, bureau=bureau)

    receipt = queue_receipt(**common, request=request, submission=answer)
    assert receipt.subject == f"【回执】已收到{bureau.name}报送的动态信息（8月27日至9月2日）"
    assert "监督抽查批次：40批次" in receipt.text_body and "逾期报送" in receipt.text_body
    assert "2007年8月30日" in receipt.text_body  # 02:15 UTC is 10:15 in Beijing, same day
    assert receipt.key == f"receipt:{answer.id}"

    rejection = queue_rejection(
        **common,
        request=request,
        reasons=["抽查合格批次（37）不能大于监督抽查批次（30）", "缺少情况说明"],
        link_url="http://x/r/c",
        key="rejection:1:sha",
    )
    assert rejection.subject.startswith("【未受理】动态信息")
    assert "1．抽查合格批次（37）不能大于监督抽查批次（30）" in rejection.text_body
    assert "<li>缺少情况说明</li>" in rejection.html_body

    returned = queue_returned(
        **common,
        request=request,
        submission=answer,
        comment="请核实涉案货值<单位：万元>。",
        link_url="http://x/r/d",
        new_due=date(2007, 9, 7),
    )
    assert returned.subject == "【退回修改】动态信息（8月27日至9月2日）请修改后于9月7日前重新报送"
    assert "请核实涉案货值&lt;单位：万元&gt;。" in returned.html_body  # HTML is escaped
    assert "请核实涉案货值<单位：万元>。" in returned.text_body  # plain text is not

    ack = queue_ack_receipt(
        **common,
        request=request,
        directive_title="关于做好某阶段工作的通知",
        acknowledged_at=datetime(2007, 8, 12, 1, 5, tzinfo=UTC),
    )
    assert ack.subject == "【签收回执】已签收《关于做好某阶段工作的通知》"
    assert "2007年8月12日09:05" in ack.text_body

    urgent = submission(
        session,
        make_request(bureau, duty_key="urgent", period_key="adhoc-1", kind="ad_hoc", due=None),
        values={"category": "重大案件"},
        narrative="查获无证生产窝点一处。",
    )
    alert = queue_ad_hoc_alert(**common, submission=urgent, review_url="http://x/review/9")
    assert [a["email"] for a in alert.to_addrs] == [hubei_plan.office.email]
    assert alert.subject == f"【重大情况】{bureau.name}报送：重大案件"
    assert "查获无证生产窝点一处。" in alert.text_body and "http://x/review/9" in alert.html_body


def test_the_link_footer_only_in_mail_that_carries_a_link(
    session: Session, campaign, cities, hubei_plan, make_request
) -> None:
    common = dict(session=session, campaign=campaign, plan=hubei_plan, bureau=cities[0])
    request = make_request(cities[0])
    with_link = queue_reminder(
        **common, request=request, link_url="http://x/r/a", as_of=date(2007, 8, 30), key="r:-1"
    )
    receipt = queue_receipt(**common, request=request, submission=submission(session, request))
    footer = "专用链接仅供贵单位使用，请勿转发"
    assert footer in with_link.text_body and footer in with_link.html_body
    assert footer not in receipt.text_body and footer not in receipt.html_body
    assert "本邮件由工作报送系统发送。" in receipt.text_body


def test_a_filter_failing_on_a_value_refuses_the_notice(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """cn_date of a missing date raises inside Jinja; the caller gets MailRefused (one
    message fails), never an AttributeError that ends the whole tick."""
    import pytest

    from campaign.mail.errors import MailRefused
    from campaign.mail.render import render_notice

    email = tmp_path / "email"
    email.mkdir()
    (email / "odd.subject.txt").write_text("截止{{ due | cn_date }}", encoding="utf-8")
    (email / "odd.txt").write_text("正文", encoding="utf-8")
    (email / "odd.html").write_text("<p>正文</p>", encoding="utf-8")
    with pytest.raises(MailRefused, match="AttributeError"):
        render_notice(template="odd", context={"due": None}, plan_templates=tmp_path)


def test_a_request_to_many_units_is_one_batch_leaving_queued_ones_as_they_are(
    session: Session, campaign, cities, hubei_plan, make_request
) -> None:
    """queue_requests: units queued before keep their row; a unit that cannot be addressed
    gets its failed row and audit event; the others are rendered each for its own unit."""
    from sqlmodel import select

    from campaign.mail.notices import RequestFor, queue_request, queue_requests
    from models.audit import AuditEvent
    from models.outbox import MailState, OutboxMessage

    requests = {b.code: make_request(b) for b in cities[:5]}
    link = "http://x/r/{}".format
    common = dict(session=session, campaign=campaign, plan=hubei_plan, key="request:w35")
    before = queue_request(
        **common, request=requests[cities[1].code], bureau=cities[1], link_url=link(1)
    )
    session.commit()
    cities[3].name = "十堰市\x0b质量技术监督局"  # cannot go in a header
    items = [RequestFor(requests[b.code], b, link(i)) for i, b in enumerate(cities[:5])]
    stored = queue_requests(**common, items=items)
    session.commit()
    assert [m.bureau_code for m in stored] == [b.code for b in cities[:5]]
    assert stored[1].id == before.id and stored[1].message_id == before.message_id
    assert [m.state for m in stored] == [MailState.pending] * 3 + [MailState.failed] + [
        MailState.pending
    ]
    for i, (message, bureau) in enumerate(zip(stored, cities[:5], strict=True)):
        if i != 3:
            assert (
                link(i) in message.html_body and bureau.name in message.attachments[0]["filename"]
            )
    rows = session.exec(select(OutboxMessage)).all()
    assert sorted(r.bureau_code for r in rows) == sorted(b.code for b in cities[:5])
    assert len({r.message_id for r in rows}) == 5
    failed = session.exec(select(AuditEvent).where(AuditEvent.event == "mail_failed")).one()
    assert failed.bureau_code == cities[3].code
    again = queue_requests(**common, items=items)  # the same rows, nothing new
    assert [m.id for m in again] == [m.id for m in stored]
    assert len(session.exec(select(OutboxMessage)).all()) == 5
