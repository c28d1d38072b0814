"""Request tallies for the coordinators' console: every unit's and every period's
requests counted by state (campaign.web.console_data.STATE_TEXT), one grouped query
each, grouped in the order of the covering indexes of migration 0018 so the database
counts the index in order. The figures the 汇总表's targets read start from the latest
accepted period found here (Tally.accepted)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import case, func, select, true
from sqlmodel import Session, col

from campaign.results.compile import REPORT_KINDS
from campaign.web.console_data import ANSWERED, Counts, Period, asked, within
from models.request import ReportRequest, RequestStatus


@dataclass
class Tally:
    """by_duty: duty key → unit code → its requests' states counted; accepted: duty key →
    unit code → the period end of its latest accepted report (what the targets read)."""

    by_duty: dict[str, dict[str, Counts]]
    accepted: dict[str, dict[str, date]]
    pending: int  # answers awaiting review


def _states(status: str, late: bool | None, n: int, not_due: int) -> list[tuple[str, int]]:
    """The states of `n` requests of one status and late flag, `not_due` of them due today
    or later (the case of `_state`, applied to counted groups)."""
    if status in ANSWERED:
        return [("late" if late else "on_time", n)]
    if status == RequestStatus.returned:
        return [("returned", n)]
    return [("not_due", not_due), ("missing", n - not_due)]


def _not_due(today: date) -> Any:
    return func.sum(case((col(ReportRequest.due_date) >= today, 1), else_=0))


def unit_counts(
    *, session: Session, campaign_id: int, today: date, units: frozenset[str] | None = None
) -> Tally:
    """Every unit's requests counted by state, per duty (one grouped query over the
    campaign's requests; answers awaiting review counted too, 重大情况 reports included).
    Grouped by plain columns in the order of the covering index ix_report_request_units
    (migration 0018), so the database counts the index in order, sorting nothing."""
    r = ReportRequest
    query = (
        select(
            col(r.duty_key),
            col(r.bureau_code),
            col(r.kind),
            col(r.status),
            col(r.late),
            func.count(),
            _not_due(today),
            func.max(col(r.period_end)),
        )
        .where(col(r.campaign_id) == campaign_id, within(units))
        .group_by(col(r.duty_key), col(r.bureau_code), col(r.kind), col(r.status), col(r.late))
    )
    found: dict[str, dict[str, Counts]] = defaultdict(lambda: defaultdict(Counts))
    accepted: dict[str, dict[str, date]] = defaultdict(dict)
    pending = 0
    rows = session.connection().execute(query).tuples().all()
    for duty, unit, kind, status, late, n, not_due, end in rows:
        if status == RequestStatus.submitted:
            pending += int(n)
        if kind not in REPORT_KINDS:
            continue  # acknowledgements, reports sent unasked: no period, no state
        counts = found[duty][unit]
        for state, k in _states(status, late, int(n), int(not_due or 0)):
            counts.add(state, k)
        if status == RequestStatus.accepted and end is not None:
            if unit not in accepted[duty] or end > accepted[duty][unit]:
                accepted[duty][unit] = end
    return Tally(found, accepted, pending)


def period_counts(
    *,
    session: Session,
    campaign_id: int,
    today: date,
    units: frozenset[str] | None = None,
    duty: str | None = None,
) -> dict[str, list[Period]]:
    """Each duty's periods in date order, each with its requests' states counted (grouped
    in the order of the covering index ix_report_request_periods, migration 0018); duty:
    of that duty only."""
    r = ReportRequest
    query = (
        select(
            col(r.duty_key),
            col(r.period_key),
            col(r.kind),
            col(r.status),
            col(r.late),
            func.count(),
            _not_due(today),
            func.min(col(r.period_label)),
            func.min(col(r.period_end)),
            func.min(col(r.due_date)),
        )
        .where(
            asked(campaign_id), within(units), true() if duty is None else col(r.duty_key) == duty
        )
        .group_by(col(r.duty_key), col(r.period_key), col(r.kind), col(r.status), col(r.late))
    )
    periods: dict[tuple[str, str], Period] = {}
    rows = session.connection().execute(query).tuples().all()
    for duty_key, key, _kind, status, late, n, not_due, label, end, due in rows:
        period = periods.get((duty_key, key))
        if period is None:
            period = periods[duty_key, key] = Period(key, label or key, end, due, Counts())
        elif due is not None and (period.due is None or due < period.due):
            period = Period(key, period.label, period.end, due, period.counts)
            periods[duty_key, key] = period
        for state, k in _states(status, late, int(n), int(not_due or 0)):
            period.counts.add(state, k)
    found: dict[str, list[Period]] = defaultdict(list)
    for (duty_key, _key), period in periods.items():
        found[duty_key].append(period)
    return {
        key: sorted(ps, key=lambda p: (p.end or p.due or date.max, p.key))
        for key, ps in found.items()
    }
