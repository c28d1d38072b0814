"""A relay unit's report of a routed duty's period: the aggregate of its reporters.

`relay_report` reads what the city's aggregate page shows: its reporters (counties) by
state (accepted, awaiting review, returned, missing), the figures of the accepted ones
compiled as the office's summary compiles them (`campaign.results.figures.form_figures`:
numbers summed, percents as minimum / median / maximum, never summed), and the figures the
relay unit last submitted, with their differences from the computed aggregate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd
from sqlmodel import Session

from campaign.plan.schema import FormField, Plan, ReportForm
from campaign.replies.history import latest_version
from campaign.results.figures import ACCEPTED, answered_requests, form_figures
from campaign.results.levels import under
from campaign.results.load import load_frames
from models.request import ReportRequest, RequestKind
from models.submission import ReportSubmission

STATES = {  # a reporter's request as the relay unit reads it
    "accepted": "已审核通过",
    "pending": "待审核",
    "returned": "已退回重报",
    "missing": "未报",
}


@dataclass(frozen=True)
class Reporter:
    code: str
    name: str
    state: str  # a key of STATES
    submission_id: int | None


@dataclass(frozen=True)
class FieldFigure:
    field: FormField
    computed: float | None  # the accepted reporters' total (a percent: None)
    low: float | None  # a percent: minimum, median and maximum over the reporters
    median: float | None
    high: float | None
    submitted: str | None  # what the relay unit last submitted

    @property
    def differs(self) -> bool:
        """The submitted figure is not the computed total (a percent is never summed)."""
        if self.computed is None or self.submitted in (None, ""):
            return False
        try:
            return Decimal(str(self.submitted)) != Decimal(str(self.computed))
        except InvalidOperation:
            return True


@dataclass(frozen=True)
class RelayReport:
    request: ReportRequest
    plan: Plan
    form: ReportForm
    reporters: list[Reporter]
    figures: list[FieldFigure]
    submission: ReportSubmission | None  # the relay unit's latest answer
    by_state: dict[str, list[Reporter]] = field(default_factory=dict)

    @property
    def missing(self) -> list[Reporter]:
        """Reporters whose answer is not (yet) in the aggregate: all but the accepted."""
        return [r for r in self.reporters if r.state != "accepted"]


def relay_report(*, session: Session, request_id: int) -> RelayReport:
    """The aggregate page of a relay unit's aggregate request (LookupError: no such)."""
    request = session.get(ReportRequest, request_id)
    if request is None or request.kind != RequestKind.aggregate:
        raise LookupError(f"没有编号为{request_id}的汇总报送")
    frames = under(
        load_frames(session=session, campaign_id=request.campaign_id),
        request.bureau_code,
        request.duty_key,
        request.period_key,
    )
    plan = frames.plan
    form = plan.form(plan.duty(request.duty_key).form or "")
    joined = answered_requests(frames.requests, frames.answers)
    figures = form_figures(plan, form, frames.units, joined, frames.values, ACCEPTED)
    reporters = _reporters(session, joined, frames.units)
    own = latest_version(session=session, request_id=request_id)
    totals = {row["field"]: row for row in figures.totals.to_dict("records")}
    shown = [
        _figure(f, totals.get(f.key), (own.values if own else {}).get(f.key))
        for f in form.fields
        if f.numeric
    ]
    by_state = {s: [r for r in reporters if r.state == s] for s in STATES}
    return RelayReport(request, plan, form, reporters, shown, own, by_state)


def _number(value: object) -> float | None:
    """A compiled figure, without float noise (0.1 + 0.2 is 0.3 here)."""
    if value is None or pd.isna(value):
        return None
    return round(float(value), 6)  # type: ignore[arg-type]


def _figure(f: FormField, total: dict[str, Any] | None, submitted: object) -> FieldFigure:
    total = total or {}
    return FieldFigure(
        field=f,
        computed=_number(total.get("total")),
        low=_number(total.get("min")),
        median=_number(total.get("median")),
        high=_number(total.get("max")),
        submitted=None if submitted is None else str(submitted),
    )


def _reporters(session: Session, joined: pd.DataFrame, units: pd.DataFrame) -> list[Reporter]:
    names = dict(zip(units["code"], units["name"], strict=True))
    found = []
    for row in joined.sort_values("unit").itertuples(index=False):
        status = row.review_status if isinstance(row.review_status, str) else None
        state = status if status in ("accepted", "pending", "returned") else "missing"
        latest = latest_version(session=session, request_id=int(row.request_id))
        found.append(
            Reporter(row.unit, names.get(row.unit, row.unit), state, latest.id if latest else None)
        )
    return found
