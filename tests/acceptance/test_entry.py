"""Inspections and 整改 orders as the console's forms enter them, and the console's lists of
summary versions and open orders: plain functions on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from campaign.acceptance.entry import (
    enter_closed,
    enter_inspection,
    enter_order,
    enter_reported,
    enter_returned,
)
from campaign.acceptance.orders import EntryRefused
from campaign.orchestration.summaries import store_version
from campaign.schedule import Event
from campaign.web.console_results import open_orders, summary_versions
from models.audit import AuditEvent, Channel
from models.rectification import Inspection, RectificationOrder
from tests.orchestration.orchestration_support import at

TODAY = date(2007, 11, 22)


def _order(session, campaign_id: int, **form: str) -> RectificationOrder:  # type: ignore[no-untyped-def]
    fields = {"unit": "黄石市质量技术监督局", "what": "无证企业未关停", "deadline": "2007-11-30"}
    return enter_order(session=session, campaign_id=campaign_id, form=fields | form,
                       actor="李四", today=TODAY, at=at("2007-11-22"))  # fmt: skip


def test_every_problem_of_a_form_at_once_and_nothing_stored(session, hubei_campaign):
    with pytest.raises(EntryRefused) as refused:
        _order(session, hubei_campaign, unit="不存在的局", what=" ", deadline="2007-13-01")
    assert refused.value.problems == [
        "整改期限：“2007-13-01”不是日期，应写作2007-11-30",
        "单位：找不到代码为“不存在的局”的单位",
        "整改事项：不能为空",
    ]
    with pytest.raises(EntryRefused) as refused:  # only the date wrong: still nothing stored
        _order(session, hubei_campaign, deadline="下周五")
    assert refused.value.problems == ["整改期限：“下周五”不是日期，应写作2007-11-30"]
    with pytest.raises(EntryRefused) as refused:
        enter_inspection(session=session, campaign_id=hubei_campaign, actor="李四",
                         at=at("2007-11-22"), form={"unit": "420200", "inspected_on": "",
                                                    "verdict": "良好"})  # fmt: skip
    assert refused.value.problems == [
        "检查日期：不能为空",
        "检查结论：应为合格、基本合格、不合格之一，收到“良好”",
    ]
    session.commit()
    assert session.exec(select(RectificationOrder)).all() == []
    assert session.exec(select(Inspection)).all() == []


def test_an_order_entered_reported_and_closed_audited_with_the_coordinator(session, hubei_campaign):
    inspection = enter_inspection(
        session=session, campaign_id=hubei_campaign, actor="李四", at=at("2007-11-22"),
        form={"unit": "420200", "inspected_on": "2007/11/21", "verdict": "不合格",
              "findings": "两家企业无证生产"},
    )  # fmt: skip
    assert (inspection.inspected_on, inspection.inspector) == (date(2007, 11, 21), "李四")
    first = _order(session, hubei_campaign)  # the unit by its name
    second = _order(session, hubei_campaign, unit="420300", deadline="2007-11-23")
    session.commit()
    assert (first.number, first.bureau_code, second.number) == (1, "420200", 2)
    shown = open_orders(session=session, campaign_id=hubei_campaign, today=date(2007, 11, 24))
    assert [(o["number"], o["state"], o["overdue"]) for o in shown] == [
        (2, "逾期", True),  # the earlier deadline first
        (1, "已下达", False),
    ]
    with pytest.raises(EntryRefused) as refused:
        enter_closed(session=session, campaign_id=hubei_campaign, number=1, actor="李四",
                     at=at("2007-11-25"))  # fmt: skip
    assert refused.value.problems == ["整改通知：第1号单位尚未报告整改完成，不能销号"]
    enter_reported(session=session, campaign_id=hubei_campaign, number=1, report="已全部关停",
                   actor="李四", at=at("2007-11-26"))  # fmt: skip
    with pytest.raises(EntryRefused) as refused:  # a return names its comment and deadline
        enter_returned(session=session, campaign_id=hubei_campaign, number=1, actor="李四",
                       at=at("2007-11-26"), form={"comment": "", "deadline": "明天"})  # fmt: skip
    assert refused.value.problems == [
        "新的整改期限：“明天”不是日期，应写作2007-11-30",
        "退回意见：不能为空",
    ]
    shown = open_orders(session=session, campaign_id=hubei_campaign, today=date(2007, 11, 26))
    assert [(o["number"], o["state"], o["steps"]) for o in shown] == [
        (2, "逾期", "2007-11-22下达"),
        (1, "已报告整改完成", "2007-11-22下达；2007-11-26报告整改完成"),
    ]
    enter_closed(session=session, campaign_id=hubei_campaign, number=1, actor="李四",
                 at=at("2007-11-27"))  # fmt: skip
    session.commit()
    shown = open_orders(session=session, campaign_id=hubei_campaign, today=date(2007, 11, 27))
    assert [o["number"] for o in shown] == [2]
    audit = session.exec(
        select(AuditEvent.event, AuditEvent.actor, AuditEvent.channel)
        .where(AuditEvent.event.in_(  # type: ignore[attr-defined]
            ["inspection_recorded", "rectification_ordered", "answer_received",
             "answer_accepted"]))
        .order_by(AuditEvent.id)  # type: ignore[arg-type]
    ).all()  # fmt: skip
    assert [tuple(a) for a in audit] == [
        ("inspection_recorded", "李四", Channel.web),
        ("rectification_ordered", "李四", Channel.web),
        ("rectification_ordered", "李四", Channel.web),
        ("answer_received", "李四", Channel.review),  # on the unit's behalf
        ("answer_accepted", "李四", Channel.review),
    ]


def test_summary_versions_with_dates_and_the_change(session, hubei_campaign):
    event = Event(date=date(2007, 9, 26), kind="summary", key="summary:x", phase="实施阶段",
                  phase_key="implementation", period_label="集中整治阶段小结")  # fmt: skip
    result = {"heading": "集中整治阶段小结", "stage": {"key": "market"}, "notes": [],
              "reports": {"reported": 1}}  # fmt: skip
    store_version(session=session, campaign_id=hubei_campaign, event=event, result=result,
                  basis="a", as_of=at("2007-09-26"))  # fmt: skip
    store_version(session=session, campaign_id=hubei_campaign, event=event,
                  result={**result, "reports": {"reported": 2}}, basis="b",
                  as_of=at("2007-09-28"))  # fmt: skip
    session.commit()
    (shown,) = summary_versions(session=session, campaign_id=hubei_campaign)
    assert (shown["heading"], shown["label"]) == ("集中整治阶段小结", "阶段小结")
    newest, oldest = shown["versions"]
    assert (newest["version"], newest["date"], oldest["date"]) == (
        2, date(2007, 9, 28), date(2007, 9, 26))  # fmt: skip
    assert newest["note"] == "与第1版相比：报送情况：已报由1变为2。"
    assert oldest["note"] == "首次汇总"
    assert newest["summary_url"].endswith(f"/summaries/{newest['id']}/summary.docx")
