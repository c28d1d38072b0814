"""What the coordinators' console reads, in aggregate queries: 3,000 units × 17 periods
answer in tens of milliseconds because the database counts, and only one page of the
unit × period matrix is read cell by cell. This module holds the vocabulary (states, units,
counts, periods, cells), the scope filters and the matrix's page of cells; the tallies are
in console_tally, the review queue in console_queue, the top-level rule in console_relays,
the targets' standing in console_targets.

A report request's state on a day (a matrix cell, as DHIS2's reporting-rate view shows it):
按时 / 迟报 (answered, by the request's late flag; awaiting review or accepted), 退回
(returned: a corrected version is owed, whatever its new deadline), 未到期 (not answered,
due date not passed), 未报 (not answered, due date passed). The state is the request's own
status, the one the tick and the reminders read. Figures behind the targets are each
unit's latest accepted report, evaluated by campaign.results.targets.evaluate as in the
汇总表 (console_targets).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case, select, true
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from campaign.results.compile import REPORT_KINDS
from models.bureau import Bureau
from models.request import ReportRequest, RequestStatus

STATE_TEXT = {
    "on_time": "按时",
    "late": "迟报",
    "missing": "未报",
    "returned": "退回",
    "not_due": "未到期",
}
OWED = ("on_time", "late", "missing", "returned")
ANSWERED = (RequestStatus.submitted, RequestStatus.accepted)


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    parent_code: str | None
    parent_name: str | None
    order: int  # registry order (by code)


class Counts:
    """How many requests are in each state (STATE_TEXT keys)."""

    __slots__ = ("by_state",)

    def __init__(self) -> None:
        self.by_state = dict.fromkeys(STATE_TEXT, 0)

    def add(self, state: str, n: int) -> None:
        self.by_state[state] += n

    def merge(self, other: Counts) -> None:
        for state, n in other.by_state.items():
            self.by_state[state] += n

    def __getitem__(self, state: str) -> int:
        return self.by_state[state]

    @property
    def owed(self) -> int:
        b = self.by_state
        return b["on_time"] + b["late"] + b["missing"] + b["returned"]

    @property
    def reported(self) -> int:
        return self.by_state["on_time"] + self.by_state["late"]

    @property
    def rate(self) -> float | None:
        """Reporting rate (percent of owed), None when nothing is owed yet."""
        return round(100 * self.reported / self.owed, 1) if self.owed else None

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.by_state["on_time"] / self.owed, 1) if self.owed else None


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    end: date | None
    due: date | None
    counts: Counts


@dataclass(frozen=True)
class Cell:
    state: str
    pending: bool  # answered, awaiting review


def _state(today: date) -> Any:
    r = ReportRequest
    answered = col(r.status).in_(list(ANSWERED))
    return case(
        (and_(answered, col(r.late) == true()), "late"),
        (answered, "on_time"),
        (col(r.status) == RequestStatus.returned, "returned"),
        (col(r.due_date) >= today, "not_due"),
        else_="missing",
    )


def asked(campaign_id: int) -> Any:
    r = ReportRequest
    return and_(col(r.campaign_id) == campaign_id, col(r.kind).in_(REPORT_KINDS))


def within(units: frozenset[str] | None) -> Any:
    """Only these units' requests (an account's scope); None: every unit."""
    return true() if units is None else col(ReportRequest.bureau_code).in_(sorted(units))


def campaign_units(*, session: Session, codes: set[str]) -> list[Unit]:
    """The units asked for a report (codes, as unit_counts found them), grouped by parent
    (parents in code order), then in registry order."""
    parent = aliased(Bureau)
    query = (
        select(col(Bureau.code), col(Bureau.name), col(Bureau.parent_code), col(parent.name))
        .outerjoin(parent, col(parent.code) == col(Bureau.parent_code))
        .where(col(Bureau.code).in_(sorted(codes)))
        .order_by(col(Bureau.code))
    )
    rows = session.connection().execute(query).tuples().all()
    units = [Unit(c, n, p, pn, i) for i, (c, n, p, pn) in enumerate(rows)]
    return sorted(units, key=lambda u: (u.parent_code or "", u.order))


def matrix_cells(
    *, session: Session, campaign_id: int, duty_key: str, today: date, units: list[str]
) -> dict[tuple[str, str], Cell]:
    """(unit code, period key) → the cell, for the given units only (one page)."""
    if not units:
        return {}
    r = ReportRequest
    query = select(col(r.bureau_code), col(r.period_key), _state(today), col(r.status)).where(
        asked(campaign_id), col(r.duty_key) == duty_key, col(r.bureau_code).in_(units)
    )
    rows = session.connection().execute(query).tuples().all()
    return {
        (unit, period): Cell(st, status == RequestStatus.submitted)
        for unit, period, st, status in rows
    }
