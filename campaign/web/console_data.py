"""What the coordinators' console reads, in aggregate queries: 3,000 units × 17 periods
answer in tens of milliseconds because the database counts, and only one page of the
unit × period matrix is read cell by cell.

A report request's state on a day (a matrix cell, as DHIS2's reporting-rate view shows it):
按时 / 迟报 (answered, by the request's late flag; awaiting review or accepted), 退回
(returned: a corrected version is owed, whatever its new deadline), 未到期 (not answered,
due date not passed), 未报 (not answered, due date passed). The state is the request's own
status, the one the tick and the reminders read. Figures behind the targets are each
unit's latest accepted report, evaluated by campaign.results.targets.evaluate as in the
汇总表.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import and_, case, func, or_, select, true
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from campaign.plan.schema import Plan
from campaign.results.compile import REPORT_KINDS
from campaign.results.targets import evaluate
from models.bureau import Bureau
from models.request import ReportRequest, RequestStatus
from models.submission import ReportSubmission, ReviewStatus

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


def _asked(campaign_id: int) -> Any:
    r = ReportRequest
    return and_(col(r.campaign_id) == campaign_id, col(r.kind).in_(REPORT_KINDS))


def _within(units: frozenset[str] | None) -> Any:
    """Only these units' requests (an account's scope); None: every unit."""
    return true() if units is None else col(ReportRequest.bureau_code).in_(sorted(units))


def reviewed_here(units: frozenset[str] | None) -> Any:
    """The answers a scope reviews (campaign.replies.review.review_queue): the office's,
    those sent to the office (relay_to None); a unit's, those too (of its units) and those
    relayed to a unit within it. A county's answer awaiting its city is the city's."""
    relay = col(ReportRequest.relay_to)
    if units is None:
        return relay.is_(None)
    return or_(relay.is_(None), relay.in_(sorted(units)))


def pending_count(
    *, session: Session, campaign_id: int, units: frozenset[str] | None = None
) -> int:
    """The answers awaiting review that this scope reviews (the queue's length)."""
    r = ReportRequest
    query = select(func.count()).where(
        col(r.campaign_id) == campaign_id,
        col(r.status) == RequestStatus.submitted,
        _within(units),
        reviewed_here(units),
    )
    return int(session.connection().execute(query).scalar_one())


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
        .where(col(r.campaign_id) == campaign_id, _within(units))
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
            _asked(campaign_id), _within(units), true() if duty is None else col(r.duty_key) == duty
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


def matrix_cells(
    *, session: Session, campaign_id: int, duty_key: str, today: date, units: list[str]
) -> dict[tuple[str, str], Cell]:
    """(unit code, period key) → the cell, for the given units only (one page)."""
    if not units:
        return {}
    r = ReportRequest
    query = select(col(r.bureau_code), col(r.period_key), _state(today), col(r.status)).where(
        _asked(campaign_id), col(r.duty_key) == duty_key, col(r.bureau_code).in_(units)
    )
    rows = session.connection().execute(query).tuples().all()
    return {
        (unit, period): Cell(st, status == RequestStatus.submitted)
        for unit, period, st, status in rows
    }


def latest_figures(
    *,
    session: Session,
    campaign_id: int,
    duties: list[str],
    fields: list[str],
    tally: Tally,
    periods: dict[str, list[Period]],
) -> pd.DataFrame:
    """Each unit's latest accepted report (by period end) over the given duties (a form's):
    the given fields as floats, indexed by unit — what the 汇总表's targets read, only the
    fields they need. The tally says which period that is; the answers are then read
    period by period through the requests' unique index, never all of them."""
    r, s = ReportRequest, ReportSubmission
    latest: dict[str, tuple[date, str]] = {}
    for duty in duties:
        for unit, end in tally.accepted.get(duty, {}).items():
            if unit not in latest or end > latest[unit][0]:
                latest[unit] = (end, duty)
    keys = {(duty, p.end): p.key for duty in duties for p in periods.get(duty, [])}
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    for unit, (end, duty) in latest.items():
        groups[duty, keys[duty, end]].add(unit)
    rows: list[tuple[Any, ...]] = []
    for (duty, period_key), members in groups.items():
        query = (
            select(col(r.bureau_code), *(col(s.values)[f].as_string() for f in fields))
            .join(s, col(s.request_id) == col(r.id))
            .where(
                col(r.campaign_id) == campaign_id,
                col(r.duty_key) == duty,
                col(r.period_key) == period_key,
                col(r.status) == RequestStatus.accepted,
                col(s.review_status) == ReviewStatus.accepted,
            )
        )
        found = session.connection().execute(query).tuples().all()
        rows += [tuple(row) for row in found if row[0] in members]
    frame = pd.DataFrame(rows, columns=["unit", *fields]).set_index("unit")
    return frame.apply(pd.to_numeric, errors="coerce").astype(float)


def target_standing(
    *,
    session: Session,
    campaign_id: int,
    plan: Plan,
    units: list[Unit],
    tally: Tally,
    periods: dict[str, list[Period]],
) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """(per-unit rows, overall rows) of every target, as campaign.results.targets.evaluate
    gives them over the whole campaign to date."""
    frame = pd.DataFrame(
        [(u.code, u.name) for u in sorted(units, key=lambda u: u.order)], columns=["code", "name"]
    )
    per_unit, overall = [], []
    for form_key in dict.fromkeys(t.form for t in plan.targets):
        targets = [t for t in plan.targets if t.form == form_key]
        fields = []
        for t in targets:
            ratio = t.metric.ratio
            fields += [ratio.numerator, ratio.denominator] if ratio else [t.metric.field or ""]
        latest = latest_figures(
            session=session,
            campaign_id=campaign_id,
            duties=[d.key for d in plan.duties if d.form == form_key],
            fields=[f for f in dict.fromkeys(fields) if f],
            tally=tally,
            periods=periods,
        )
        for target in targets:
            rows, row = evaluate(plan, target, latest, frame)
            rows["target_name"] = target.name
            per_unit.append(rows)
            overall.append(row)
    if not per_unit:
        return pd.DataFrame(columns=["target", "unit", "name", "status", "target_name"]), []
    return pd.concat(per_unit, ignore_index=True), overall


def pending_queue(
    *,
    session: Session,
    campaign_id: int,
    limit: int = 10,
    units: frozenset[str] | None = None,
) -> list[tuple[ReportSubmission, ReportRequest, str]]:
    """The newest `limit` answers awaiting review, with their request and unit name (the
    count is Tally.pending). Found through the requests' status, not every answer."""
    r, s = ReportRequest, ReportSubmission
    query = (
        select(s, r, col(Bureau.name))
        .join(r, col(r.id) == col(s.request_id))
        .join(Bureau, col(Bureau.code) == col(r.bureau_code))
        .where(
            col(r.campaign_id) == campaign_id,
            col(r.status) == RequestStatus.submitted,
            col(s.review_status) == ReviewStatus.pending,
            _within(units),
            reviewed_here(units),
        )
        .order_by(col(r.answered_at).desc().nulls_last(), col(s.id).desc())
        .limit(limit)
    )
    return [(a, b, c) for a, b, c in session.exec(query).all()]  # type: ignore[call-overload]


@dataclass
class RelayTally:
    """The requests relayed to a unit (report_request.relay_to; campaign.results.levels):
    detail rows, not the office's. by_relay: duty → relay unit → its detail units'
    requests counted; units: duty → relay unit → its detail units."""

    by_relay: dict[str, dict[str, Counts]]
    units: dict[str, dict[str, set[str]]]

    def units_of(self) -> set[str]:
        """Every relay unit, of any duty."""
        return {relay for per_relay in self.units.values() for relay in per_relay}


def top_level(
    *,
    session: Session,
    campaign_id: int,
    today: date,
    tally: Tally,
    periods: dict[str, list[Period]],
    units: frozenset[str] | None = None,
) -> RelayTally:
    """Take the relayed requests out of the tallies, in place (the top-level rule): what
    is left are the office's own — the relay units' aggregate reports and the direct
    reporters; the relayed ones are counted per relay unit instead. A duty's detail units
    are read from its latest period (one lookup by the requests' unique index: a routed
    duty relays every period of a unit); a routed duty's periods are counted again over
    its top-level units (through the covering index ix_report_request_units)."""
    r = ReportRequest
    found = RelayTally(defaultdict(dict), {})
    for duty, duty_periods in periods.items():
        if not duty_periods:
            continue
        query = select(col(r.bureau_code), col(r.relay_to)).where(
            col(r.campaign_id) == campaign_id,
            col(r.duty_key) == duty,
            col(r.period_key) == duty_periods[-1].key,
            _within(units),
        )
        rows = session.connection().execute(query).tuples().all()
        relay_of = {unit: relay for unit, relay in rows if relay is not None}
        if not relay_of:
            continue
        counted = tally.by_duty.get(duty, {})
        for unit, relay in relay_of.items():
            found.units.setdefault(duty, {}).setdefault(relay, set()).add(unit)
            c = counted.pop(unit, None)
            if c is not None:
                found.by_relay[duty].setdefault(relay, Counts()).merge(c)
            tally.accepted.get(duty, {}).pop(unit, None)
        top = frozenset(counted) if units is None else frozenset(counted) & units
        again = period_counts(
            session=session, campaign_id=campaign_id, today=today, units=top, duty=duty
        )
        periods[duty] = again.get(duty, [])
    return found
