"""The targets' standing on the console: each unit's latest accepted figures, read period
by period through the requests' unique index, evaluated by
campaign.results.targets.evaluate as in the 汇总表."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session, col

from campaign.plan.schema import Plan
from campaign.results.targets import evaluate
from campaign.web.console_data import Period, Unit
from campaign.web.console_tally import Tally
from models.request import ReportRequest, RequestStatus
from models.submission import ReportSubmission, ReviewStatus


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
