"""Inspections and 整改 orders as a coordinator records them: plain functions, Chinese errors.

Every problem of an entry is named at once (field by field) and nothing is stored when
there is one. An order is chased by `chase.chase_orders` on each tick.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from campaign.audit import record_audit
from models.audit import Channel
from models.bureau import Bureau
from models.rectification import Inspection, OrderStatus, RectificationOrder

VERDICTS = ("合格", "基本合格", "不合格")


class EntryRefused(ValueError):
    """An entry with problems; `problems` lists each in Chinese."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


def _unit(session: Session, code: str, problems: list[str]) -> Bureau | None:
    bureau = session.get(Bureau, code.strip())
    if bureau is None:
        problems.append(f"单位：找不到代码为“{code}”的单位")
    return bureau


def record_inspection(
    *,
    session: Session,
    campaign_id: int,
    bureau_code: str,
    inspected_on: date,
    inspector: str,
    verdict: str,
    findings: str,
    at: datetime,
    channel: Channel = Channel.cli,
) -> Inspection:
    problems: list[str] = []
    _unit(session, bureau_code, problems)
    if not inspector.strip():
        problems.append("检查人：不能为空")
    if verdict not in VERDICTS:
        problems.append(f"检查结论：应为{'、'.join(VERDICTS)}之一，收到“{verdict}”")
    if problems:
        raise EntryRefused(problems)
    row = Inspection(
        campaign_id=campaign_id,
        bureau_code=bureau_code.strip(),
        inspected_on=inspected_on,
        inspector=inspector.strip(),
        verdict=verdict,
        findings=findings.strip(),
        recorded_at=at,
    )
    session.add(row)
    session.flush()
    _audit(session, "inspection_recorded", campaign_id, row.bureau_code, inspector, at, channel,
           id=row.id)  # fmt: skip
    return row


def order_rectification(
    *,
    session: Session,
    campaign_id: int,
    bureau_code: str,
    what: str,
    deadline: date,
    ordered_by: str,
    today: date,
    at: datetime,
    inspection_id: int | None = None,
    channel: Channel = Channel.cli,
) -> RectificationOrder:
    """A new 整改 order, numbered 1, 2, … within the campaign."""
    problems: list[str] = []
    _unit(session, bureau_code, problems)
    if not what.strip():
        problems.append("整改事项：不能为空")
    if deadline < today:
        problems.append(f"整改期限：{deadline.isoformat()}已过（今天是{today.isoformat()}）")
    if inspection_id is not None and session.get(Inspection, inspection_id) is None:
        problems.append(f"检查记录：没有编号为{inspection_id}的检查记录")
    if problems:
        raise EntryRefused(problems)
    number = (
        session.execute(
            select(func.max(col(RectificationOrder.number))).where(
                col(RectificationOrder.campaign_id) == campaign_id
            )
        ).scalar()
        or 0
    ) + 1
    order = RectificationOrder(
        campaign_id=campaign_id,
        number=number,
        bureau_code=bureau_code.strip(),
        inspection_id=inspection_id,
        what=what.strip(),
        deadline=deadline,
        ordered_by=ordered_by,
        ordered_at=at,
    )
    session.add(order)
    session.flush()
    _audit(session, "rectification_ordered", campaign_id, order.bureau_code, ordered_by, at,
           channel, number=number, deadline=deadline.isoformat())  # fmt: skip
    return order


def find_order(session: Session, campaign_id: int, number: int) -> RectificationOrder:
    order = session.exec(
        select(RectificationOrder).where(
            col(RectificationOrder.campaign_id) == campaign_id,
            col(RectificationOrder.number) == number,
        )
    ).first()
    if order is None:
        raise EntryRefused([f"整改通知：没有第{number}号"])
    return order


def report_done(
    *,
    session: Session,
    campaign_id: int,
    number: int,
    report: str,
    at: datetime,
    actor: str,
    channel: Channel = Channel.cli,
) -> RectificationOrder:
    """The unit reports the order done (what it did); chasing stops."""
    order = find_order(session, campaign_id, number)
    problems = []
    if order.status == OrderStatus.closed:
        problems.append(f"整改通知：第{number}号已销号")
    if not report.strip():
        problems.append("整改情况：不能为空")
    if problems:
        raise EntryRefused(problems)
    order.status, order.report, order.reported_at = OrderStatus.reported, report.strip(), at
    session.add(order)
    _audit(session, "rectification_reported", campaign_id, order.bureau_code, actor, at,
           channel, number=number)  # fmt: skip
    return order


def close_order(
    *,
    session: Session,
    campaign_id: int,
    number: int,
    closed_by: str,
    at: datetime,
    channel: Channel = Channel.cli,
) -> RectificationOrder:
    """销号: only an order the unit has reported done."""
    order = find_order(session, campaign_id, number)
    if order.status == OrderStatus.open:
        raise EntryRefused([f"整改通知：第{number}号单位尚未报告整改完成，不能销号"])
    if order.status == OrderStatus.reported:
        order.status, order.closed_at, order.closed_by = OrderStatus.closed, at, closed_by
        session.add(order)
        _audit(session, "rectification_closed", campaign_id, order.bureau_code, closed_by, at,
               channel, number=number)  # fmt: skip
    return order


def orders_of(session: Session, campaign_id: int) -> list[RectificationOrder]:
    return list(
        session.exec(
            select(RectificationOrder)
            .where(col(RectificationOrder.campaign_id) == campaign_id)
            .order_by(col(RectificationOrder.number))
        ).all()
    )


def inspections_of(session: Session, campaign_id: int) -> list[Inspection]:
    return list(
        session.exec(
            select(Inspection)
            .where(col(Inspection.campaign_id) == campaign_id)
            .order_by(col(Inspection.inspected_on), col(Inspection.id))
        ).all()
    )


def _audit(
    session: Session,
    event: str,
    campaign_id: int,
    code: str,
    actor: str,
    at: datetime,
    channel: Channel,
    **detail: object,
) -> None:
    record_audit(
        session=session,
        event=event,
        actor=actor,
        channel=channel,
        campaign_id=campaign_id,
        bureau_code=code,
        at=at,
        **detail,
    )
