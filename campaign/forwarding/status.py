"""Who has forwarded, and who has signed a forwarded 通知: what the console shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from campaign.schedule import ACK_DUTY, FORWARD_DUTY, forwarded_period
from models.bureau import Bureau
from models.forwarding import ForwardRecord
from models.request import ReportRequest, RequestStatus


@dataclass(frozen=True)
class ForwardState:
    """A forwarding unit's state for one directive: forwarded (with its number and date),
    not yet, or overdue."""

    unit_code: str
    unit_name: str
    window: str
    label: str
    due: date | None
    state: str  # forwarded, open, overdue
    document_number: str = ""
    forwarded_on: date | None = None
    late: bool = False

    @property
    def shown(self) -> str:
        if self.state == "forwarded":
            return "已转发" + ("（逾期）" if self.late else "")
        return "逾期未转发" if self.state == "overdue" else "未转发"


def forward_states(
    *, session: Session, campaign_id: int, within: frozenset[str] | None, today: date
) -> list[ForwardState]:
    """Every forwarding unit the account sees (within None: all), by directive and unit."""
    query = (
        select(ReportRequest, Bureau)
        .join(Bureau, col(Bureau.code) == col(ReportRequest.bureau_code))
        .where(
            col(ReportRequest.campaign_id) == campaign_id,
            col(ReportRequest.duty_key) == FORWARD_DUTY,
        )
        .order_by(col(ReportRequest.period_start), col(ReportRequest.bureau_code))
    )
    records = {
        (r.window_key, r.unit_code): r
        for r in session.exec(
            select(ForwardRecord).where(col(ForwardRecord.campaign_id) == campaign_id)
        ).all()
    }
    states = []
    for request, unit in session.exec(query).all():
        if within is not None and unit.code not in within:
            continue
        record = records.get((request.period_key, unit.code))
        base = dict(
            unit_code=unit.code,
            unit_name=unit.name,
            window=request.period_key,
            label=request.period_label,
            due=request.due_date,
        )
        if record is not None:
            states.append(
                ForwardState(
                    **base,  # type: ignore[arg-type]
                    state="forwarded",
                    document_number=record.document_number,
                    forwarded_on=record.issued_on,
                    late=request.late,
                )
            )
        else:
            late = request.status == RequestStatus.overdue or bool(
                request.due_date and today > request.due_date
            )
            states.append(ForwardState(**base, state="overdue" if late else "open"))  # type: ignore[arg-type]
    return states


@dataclass(frozen=True)
class Signed:
    unit_name: str
    signed_at: datetime | None
    due: date | None
    late: bool


def signatures(*, session: Session, campaign_id: int, window: str, unit_code: str) -> list[Signed]:
    """The 签收 of a unit's forwarded 通知 by each unit it went to."""
    query = (
        select(ReportRequest, Bureau)
        .join(Bureau, col(Bureau.code) == col(ReportRequest.bureau_code))
        .where(
            col(ReportRequest.campaign_id) == campaign_id,
            col(ReportRequest.duty_key) == ACK_DUTY,
            col(ReportRequest.period_key) == forwarded_period(window, unit_code),
        )
        .order_by(col(ReportRequest.bureau_code))
    )
    return [
        Signed(
            unit_name=unit.name,
            signed_at=r.answered_at if r.status == RequestStatus.accepted else None,
            due=r.due_date,
            late=r.late,
        )
        for r, unit in session.exec(query).all()
    ]
