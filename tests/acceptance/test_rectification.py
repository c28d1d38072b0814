"""Inspections and 整改 orders: refused entries, chasing like reports, 销号, the report."""

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
)
from campaign.acceptance.report import write_acceptance_report
from campaign.orchestration.tick import run_tick
from models.outbox import OutboxMessage
from models.rectification import Inspection, RectificationOrder
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
        select(OutboxMessage).where(OutboxMessage.key.startswith("rectify"))  # type: ignore[attr-defined]
    ).all()
    for row in rows:
        found.setdefault(row.key, []).append(row.bureau_code)
    return found


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


def test_orders_are_chased_like_reports_until_reported_done_and_closed(session, hubei_campaign):
    first, second = order(session, hubei_campaign, HUANGSHI), order(session, hubei_campaign, SHIYAN)
    assert (first.number, second.number) == (1, 2)
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-11-23"))
    assert keys(session, hubei_campaign) == {
        "rectify:1:order": [HUANGSHI],
        "rectify:2:order": [SHIYAN],
    }
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-12-01"))  # -1 (11-29) missed: +1 only
    assert set(keys(session, hubei_campaign)) == {
        "rectify:1:order", "rectify:2:order", "rectify:1:reminder:+1", "rectify:2:reminder:+1",
    }  # fmt: skip
    report_done(session=session, campaign_id=hubei_campaign, number=1, report="已全部关停",
                at=at("2007-12-01"), actor="协调员")  # fmt: skip
    session.commit()
    # 11-30 + 3 working days = 12-05: one escalation to the province listing Shiyan only.
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-12-06"))
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-12-07"))
    found = keys(session, hubei_campaign)
    escalations = {k: v for k, v in found.items() if k.startswith("rectify-escalation")}
    assert escalations == {"rectify-escalation:2007-12-06:2": ["420000"]}
    assert "rectify:1:reminder:+3" not in found and "rectify:2:reminder:+3" in found
    message = session.exec(
        select(OutboxMessage).where(OutboxMessage.key == "rectify-escalation:2007-12-06:2")
    ).one()
    assert "十堰市质量技术监督局（整改通知第2号）" in message.text_body
    with pytest.raises(EntryRefused, match="尚未报告整改完成，不能销号"):
        close_order(session=session, campaign_id=hubei_campaign, number=2, closed_by="协调员",
                    at=at("2007-12-07"))  # fmt: skip
    closed = close_order(session=session, campaign_id=hubei_campaign, number=1,
                         closed_by="协调员", at=at("2007-12-07"))  # fmt: skip
    assert closed.status == "closed"


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
    assert wb["整改"]["E4"].value == "整改中"
    text = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    assert "关于全省质监系统产品质量和食品安全专项整治检查验收情况的报告" in text
    assert "黄石市质量技术监督局：基本合格，两家企业档案不全。" in text
    assert "共下达整改通知1份，已销号0份。" in text
