"""A 整改 order's state, read from its report request and the unit's latest report: the one
reading of it for the acceptance report, the console and the CLI (campaign.acceptance.orders
records orders; nothing of their state is stored twice)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlmodel import Session, col, select

from campaign.clock import local_date
from models.rectification import RectificationOrder
from models.request import ReportRequest, RequestStatus
from models.submission import ReportSubmission, ReviewStatus


class OrderState(StrEnum):
    """An order's state, read from its request (and the date, for 逾期)."""

    ordered = "ordered"
    overdue = "overdue"
    reported = "reported"
    returned = "returned"
    closed = "closed"  # 销号
    ended = "ended"  # the campaign ended before the unit reported it done


STATE_CN = {
    OrderState.ordered: "已下达",
    OrderState.overdue: "逾期",
    OrderState.reported: "已报告整改完成",
    OrderState.returned: "退回",
    OrderState.closed: "已销号",
    OrderState.ended: "已关闭",
}


class EntryRefused(ValueError):
    """An entry with problems; `problems` lists each in Chinese."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class OrderView:
    """An order with its request and the unit's latest report (None: none yet)."""

    order: RectificationOrder
    request: ReportRequest
    latest: ReportSubmission | None

    def state(self, today: date) -> OrderState:
        status, due = self.request.status, self.request.due_date
        if status == RequestStatus.accepted:
            return OrderState.closed
        if status == RequestStatus.submitted:
            return OrderState.reported
        if status == RequestStatus.closed:
            return OrderState.ended
        if status == RequestStatus.returned:
            return OrderState.returned
        if status == RequestStatus.overdue or (due is not None and due < today):
            return OrderState.overdue
        return OrderState.ordered

    def dates(self, timezone: str) -> list[tuple[str, date]]:
        """(what happened, day) in order: 下达, 报告整改完成, 退回 or 销号 of the latest report."""
        found = [("下达", local_date(self.order.ordered_at, timezone))]
        latest = self.latest
        if latest is not None:
            found.append(("报告整改完成", local_date(latest.submitted_at, timezone)))
            if latest.reviewed_at is not None and latest.review_status != ReviewStatus.pending:
                done = "销号" if latest.review_status == ReviewStatus.accepted else "退回"
                found.append((done, local_date(latest.reviewed_at, timezone)))
        return found


def find_order(session: Session, campaign_id: int, number: int) -> OrderView:
    found = _views(session, campaign_id, number)
    if not found:
        raise EntryRefused([f"整改通知：没有第{number}号"])
    return found[0]


def orders_of(session: Session, campaign_id: int) -> list[OrderView]:
    return _views(session, campaign_id, None)


def order_of_request(session: Session, request_id: int) -> RectificationOrder | None:
    return session.exec(
        select(RectificationOrder).where(col(RectificationOrder.request_id) == request_id)
    ).first()


def _views(session: Session, campaign_id: int, number: int | None) -> list[OrderView]:
    query = (
        select(RectificationOrder, ReportRequest)
        .join(ReportRequest, col(ReportRequest.id) == col(RectificationOrder.request_id))
        .where(col(RectificationOrder.campaign_id) == campaign_id)
        .order_by(col(RectificationOrder.number))
    )
    if number is not None:
        query = query.where(col(RectificationOrder.number) == number)
    rows = session.exec(query).all()
    latest: dict[int, ReportSubmission] = {}
    ids = [r.id for _, r in rows if r.id is not None]
    if ids:
        for s in session.exec(
            select(ReportSubmission)
            .where(col(ReportSubmission.request_id).in_(ids))
            .order_by(col(ReportSubmission.version))
        ).all():
            latest[s.request_id] = s
    return [OrderView(o, r, latest.get(r.id or 0)) for o, r in rows]
