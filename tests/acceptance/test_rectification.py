"""Inspections and 整改 orders: refused entries, chased as report requests (the order
notice, reminders, the day's one escalation per parent unit, overdue marking), 销号 refused
until reported done, a return and the report again, the acceptance report."""

from __future__ import annotations

from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlmodel import select

from campaign.acceptance.orders import (
    EntryRefused,
    close_order,
    order_rectification,
    record_inspection,
    report_done,
    return_order,
)
from campaign.acceptance.report import write_acceptance_report
from campaign.acceptance.state import OrderState
from campaign.orchestration.lifecycle import amend_dates
from campaign.orchestration.tick import run_tick
from campaign.replies.submit import submit_report
from campaign.workdays import WorkCalendar
from models.audit import AuditEvent, Channel
from models.campaign import Campaign
from models.outbox import OutboxMessage
from models.rectification import Inspection, RectificationOrder
from models.reply import ReportCreate
from models.request import ReportRequest, RequestStatus
from models.schedule import ScheduledEvent
from tests.orchestration.orchestration_support import at

HUANGSHI, SHIYAN = "420200", "420300"


def order(session, campaign_id: int, unit: str, deadline: str = "2007-11-30"):  # type: ignore[no-untyped-def]
    row = order_rectification(
        session=session,
        campaign_id=campaign_id,
        bureau_code=unit,
        what="无证生产企业未全部关停",
        deadline=date.fromisoformat(deadline),
        ordered_by="协调员",
        today=date(2007, 11, 22),
        at=at("2007-11-22"),
    )
    session.commit()
    return row


def keys(session, campaign_id: int) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    session.rollback()
    found: dict[str, list[str]] = {}
    rows = session.exec(
        select(OutboxMessage).where(OutboxMessage.key.contains(":rectification:"))  # type: ignore[attr-defined]
    ).all()
    for row in rows:
        found.setdefault(row.key, []).append(row.bureau_code)
    return found


def message(session, key: str) -> OutboxMessage:  # type: ignore[no-untyped-def]
    session.rollback()
    return session.exec(select(OutboxMessage).where(OutboxMessage.key == key)).one()


def test_a_bad_entry_names_every_problem_and_stores_nothing(session, hubei_campaign):
    with pytest.raises(EntryRefused) as refused:
        order_rectification(
            session=session, campaign_id=hubei_campaign, bureau_code="999999", what=" ",
            deadline=date(2007, 11, 1), ordered_by="协调员", today=date(2007, 11, 22),
            at=at("2007-11-22"),
        )  # fmt: skip
    assert refused.value.problems == [
        "单位：找不到代码为“999999”的单位",
        "整改事项：不能为空",
        "整改期限：2007-11-01已过（今天是2007-11-22）",
    ]
    with pytest.raises(EntryRefused) as refused:
        record_inspection(
            session=session, campaign_id=hubei_campaign, bureau_code=HUANGSHI,
            inspected_on=date(2007, 11, 22), inspector="", verdict="良好", findings="",
            at=at("2007-11-22"),
        )  # fmt: skip
    assert refused.value.problems == [
        "检查人：不能为空",
        "检查结论：应为合格、基本合格、不合格之一，收到“良好”",
    ]
    session.rollback()
    assert session.exec(select(RectificationOrder)).all() == []
    assert session.exec(select(Inspection)).all() == []


def test_an_unanswered_order_is_reminded_and_escalated_like_a_report(session, hubei_campaign):
    first, second = order(session, hubei_campaign, HUANGSHI), order(session, hubei_campaign, SHIYAN)
    assert (first.number, second.number) == (1, 2)
    # The order notice leaves with the order, with the unit's personal link.
    notice = message(session, "order:rectification:order-2")
    assert notice.bureau_code == SHIYAN and "/r/" in notice.text_body
    assert "无证生产企业未全部关停" in notice.text_body and "2007年11月30日前" in notice.text_body
    # The plan's policy: a day before, three days after. Missed ticks send the latest only.
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-12-04"))
    found = keys(session, hubei_campaign)
    assert found["reminder:rectification:order-1:+3"] == [HUANGSHI]
    assert found["reminder:rectification:order-2:+3"] == [SHIYAN]
    assert "reminder:rectification:order-1:-1" not in found
    reminder = message(session, "reminder:rectification:order-2:+3")
    assert "整改通知第2号（无证生产企业未全部关停）的整改期限为2007年11月30日" in reminder.text_body
    assert "已逾期4天" in reminder.text_body and "/r/" in reminder.text_body
    assert reminder.notice == "reminder"
    request = session.get_one(ReportRequest, second.request_id)
    assert request.status == RequestStatus.overdue  # the reports' overdue marking
    report_done(session=session, campaign_id=hubei_campaign, number=1, report="已全部关停",
                at=at("2007-12-04"), actor="协调员")  # fmt: skip
    session.commit()
    # 11-30 + 3 working days = 12-05: escalated on 12-06 in the province's one notice of the
    # day, with the late reports of its cities; Shiyan's order only (Huangshi reported).
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-12-06"))
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-12-07"))
    session.rollback()
    escalations = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.notice == "escalation",  # type: ignore[arg-type]
            OutboxMessage.bureau_code == "420000",  # type: ignore[arg-type]
            OutboxMessage.key.startswith("escalation:2007-12-06"),  # type: ignore[attr-defined]
        )
    ).all()
    assert len(escalations) == 1
    text = escalations[0].text_body
    assert (
        "整改通知第2号（无证生产企业未全部关停）（整改期限2007年11月30日），已逾期6天未报告整改完成"
        in text
    )
    assert "整改通知第1号" not in text
    assert not session.exec(
        select(OutboxMessage).where(OutboxMessage.key.startswith("escalation:2007-12-07"))  # type: ignore[attr-defined]
    ).all()


def test_close_is_refused_until_reported_and_a_return_asks_again(session, hubei_campaign):
    placed = order(session, hubei_campaign, HUANGSHI)
    with pytest.raises(EntryRefused, match="尚未报告整改完成，不能销号"):
        close_order(session=session, campaign_id=hubei_campaign, number=1, closed_by="协调员",
                    at=at("2007-11-23"))  # fmt: skip
    with pytest.raises(EntryRefused) as refused:
        report_done(session=session, campaign_id=hubei_campaign, number=1, report=" ",
                    at=at("2007-11-23"), actor="协调员")  # fmt: skip
    assert refused.value.problems == ["整改情况：请填写“整改落实情况”"]
    report_done(session=session, campaign_id=hubei_campaign, number=1, report="已补齐一家",
                at=at("2007-11-26"), actor="协调员")  # fmt: skip
    session.commit()
    returned = return_order(session=session, campaign_id=hubei_campaign, number=1,
                            comment="另一家仍未建档", deadline=date(2007, 12, 5),
                            returned_by="协调员", at=at("2007-11-27"))  # fmt: skip
    session.commit()
    assert returned.state(date(2007, 11, 27)) == OrderState.returned
    assert returned.request.due_date == date(2007, 12, 5)
    # Chased again for the new deadline: the first round's pending events give way.
    pending = session.exec(
        select(ScheduledEvent.key, ScheduledEvent.date)
        .where(
            ScheduledEvent.duty == "rectification",  # type: ignore[arg-type]
            ScheduledEvent.completed_at == None,  # type: ignore[arg-type]  # noqa: E711
        )
        .order_by(ScheduledEvent.date)  # type: ignore[arg-type]
    ).all()
    assert [tuple(p) for p in pending] == [
        ("reminder:rectification:order-1:-1:v2", date(2007, 12, 4)),
        ("reminder:rectification:order-1:+1:v2", date(2007, 12, 6)),
        ("reminder:rectification:order-1:+3:v2", date(2007, 12, 10)),  # 12-08 is a Saturday
        ("escalation:rectification:order-1:v2", date(2007, 12, 10)),
    ]
    mail = message(session, f"returned:{returned.latest.id}")  # type: ignore[union-attr]
    assert "另一家仍未建档" in mail.text_body and "/r/" in mail.text_body
    with pytest.raises(EntryRefused, match="尚未报告整改完成，不能销号"):
        close_order(session=session, campaign_id=hubei_campaign, number=1, closed_by="协调员",
                    at=at("2007-11-28"))  # fmt: skip
    request = session.get_one(ReportRequest, placed.request_id)
    submit_report(session=session, link_or_request=request, channel=Channel.web,
                  report_in=ReportCreate(narrative="两家均已建档"),
                  now=at("2007-11-29"))  # fmt: skip
    session.commit()
    closed = close_order(session=session, campaign_id=hubei_campaign, number=1,
                         closed_by="张三", at=at("2007-11-30"))  # fmt: skip
    session.commit()
    assert closed.state(date(2007, 11, 30)) == OrderState.closed
    assert closed.latest is not None and closed.latest.version == 2
    assert closed.dates("Asia/Shanghai") == [
        ("下达", date(2007, 11, 22)), ("报告整改完成", date(2007, 11, 29)),
        ("销号", date(2007, 11, 30)),
    ]  # fmt: skip
    audit = session.exec(
        select(AuditEvent.event, AuditEvent.actor, AuditEvent.channel)
        .where(AuditEvent.bureau_code == HUANGSHI)  # type: ignore[arg-type]
        .order_by(AuditEvent.id)  # type: ignore[arg-type]
    ).all()
    assert [tuple(a) for a in audit] == [
        ("rectification_ordered", "协调员", Channel.cli),
        ("answer_received", "协调员", Channel.cli),  # on the unit's behalf, by the coordinator
        ("answer_returned", "协调员", Channel.review),
        ("answer_received", HUANGSHI, Channel.web),
        ("answer_accepted", "张三", Channel.review),
    ]


def test_the_acceptance_report_lists_every_target_for_every_unit(session, hubei_campaign, tmp_path):
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-08-27"))  # the first reports asked for
    record_inspection(
        session=session, campaign_id=hubei_campaign, bureau_code=HUANGSHI,
        inspected_on=date(2007, 11, 25), inspector="检查组", verdict="基本合格",
        findings="两家企业档案不全", at=at("2007-11-25"),
    )  # fmt: skip
    order(session, hubei_campaign, HUANGSHI)
    xlsx, docx = write_acceptance_report(
        session=session, campaign_id=hubei_campaign, out=tmp_path, today=date(2007, 12, 10)
    )
    wb = load_workbook(xlsx)
    rows = list(wb["逐单位目标"].iter_rows(min_row=4, values_only=True))
    assert len(rows) == 17 * 9  # 17 cities × the plan’s 9 targets
    assert rows[0][0] == "武汉市质量技术监督局" and rows[0][5] == "无数据（未报）"
    assert rows[0][6] == "未报"
    assert [c.value for c in wb["现场检查"][4]][:4] == [
        "黄石市质量技术监督局",
        "2007-11-25",
        "检查组",
        "基本合格",
    ]
    assert [c.value for c in wb["整改"][4]][3:6] == [
        "2007-11-30", "逾期", "2007-11-22下达"]  # on 12-10, past its deadline  # fmt: skip
    text = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    assert "关于全省质监系统产品质量和食品安全专项整治检查验收情况的报告" in text
    assert "黄石市质量技术监督局：基本合格，两家企业档案不全。" in text
    assert "共下达整改通知1份，已销号0份。" in text


def test_an_amendment_keeps_the_chase_of_an_order(session, hubei_campaign):
    """Amending the plan's dates recomputes the plan's events only: an order's reminders and
    escalation are not the plan's and stay."""
    order(session, hubei_campaign, SHIYAN)
    kept = _order_events(session)
    assert len(kept) == 3  # -1, +3, the escalation
    amend_dates(session=session, campaign=session.get_one(Campaign, hubei_campaign),
                window="market-access", end=date(2007, 9, 25), start=None, work=WorkCalendar(),
                actor="王", channel=Channel.cli)  # fmt: skip
    session.commit()
    assert _order_events(session) == kept


def _order_events(session) -> list[str]:  # type: ignore[no-untyped-def]
    rows = session.exec(
        select(ScheduledEvent.key).where(ScheduledEvent.duty == "rectification")  # type: ignore[arg-type]
    ).all()
    return sorted(rows)
