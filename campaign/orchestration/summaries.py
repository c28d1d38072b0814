"""Stage summaries and the final acceptance: targets evaluated over the reports, stored."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from campaign.orchestration.targets import evaluate_targets
from campaign.plan.schema import Plan
from campaign.schedule import ACK_DUTY, SUMMARY_KIND, Event
from campaign.tasks.store import task_summary
from models.request import ReportRequest, RequestStatus
from models.submission import ReportSubmission, ReviewStatus
from models.summary import CampaignSummary

COUNTED = (ReviewStatus.accepted.value, ReviewStatus.pending.value)
RECEIVED = (RequestStatus.submitted.value, RequestStatus.accepted.value)


def latest_figures(
    *, session: Session, campaign_id: int, plan: Plan, until: date | None
) -> dict[str, dict[str, dict[str, Any]]]:
    """form -> bureau -> the figures of its latest accepted or pending report up to `until`."""
    form_of = {d.key: d.form for d in plan.duties if d.form}
    query = (
        select(
            col(ReportRequest.duty_key),
            col(ReportSubmission.bureau_code),
            col(ReportSubmission.values),
        )
        .join(ReportRequest, col(ReportSubmission.request_id) == col(ReportRequest.id))
        .where(
            col(ReportSubmission.campaign_id) == campaign_id,
            col(ReportSubmission.review_status).in_(COUNTED),
            col(ReportRequest.duty_key).in_(list(form_of)),
        )
        .order_by(
            col(ReportRequest.period_end), col(ReportSubmission.version), col(ReportSubmission.id)
        )
    )
    if until is not None:
        query = query.where(col(ReportRequest.period_end) <= until)
    figures: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for duty_key, code, values in session.execute(query).tuples():
        figures[form_of[duty_key]][code] = dict(values or {})
    return dict(figures)


def expected_by_form(
    *, session: Session, campaign_id: int, plan: Plan, until: date | None
) -> dict[str, list[str]]:
    """form -> bureaus asked for a report on it (by `until`)."""
    form_of = {d.key: d.form for d in plan.duties if d.form}
    query = select(col(ReportRequest.duty_key), col(ReportRequest.bureau_code)).where(
        col(ReportRequest.campaign_id) == campaign_id,
        col(ReportRequest.duty_key).in_(list(form_of)),
    )
    if until is not None:
        query = query.where(col(ReportRequest.period_end) <= until)
    expected: dict[str, set[str]] = defaultdict(set)
    for duty_key, code in session.execute(query).tuples():
        expected[form_of[duty_key]].add(code)
    return {form: sorted(codes) for form, codes in expected.items()}


def report_counts(
    *, session: Session, campaign_id: int, duty_key: str | None, period_key: str | None
) -> dict[str, Any]:
    """How many reports were asked for, received (and late), and who has not reported."""
    query = select(
        col(ReportRequest.bureau_code), col(ReportRequest.status), col(ReportRequest.late)
    ).where(col(ReportRequest.campaign_id) == campaign_id, col(ReportRequest.duty_key) != ACK_DUTY)
    if duty_key is not None:
        query = query.where(col(ReportRequest.duty_key) == duty_key)
    if period_key is not None:
        query = query.where(col(ReportRequest.period_key) == period_key)
    rows = session.execute(query).tuples().all()
    received = [(c, late) for c, status, late in rows if status in RECEIVED]
    missing: defaultdict[str, int] = defaultdict(int)
    for code, status, _ in rows:
        if status not in RECEIVED:
            missing[code] += 1
    return {
        "expected": len(rows),
        "received": len(received),
        "late": sorted({c for c, late in received if late}),
        "missing": dict(sorted(missing.items())),
    }


def compile_summary(
    *, session: Session, campaign_id: int, plan: Plan, event: Event, as_of: datetime
) -> CampaignSummary:
    """Evaluate the targets at a stage deadline (summary) or at the acceptance; store it."""
    if event.kind == SUMMARY_KIND:
        until, duty_key, period_key = event.period_end, event.duty, event.period
    else:
        until, duty_key, period_key = None, None, None
    figures = latest_figures(session=session, campaign_id=campaign_id, plan=plan, until=until)
    expected = expected_by_form(session=session, campaign_id=campaign_id, plan=plan, until=until)
    targets = evaluate_targets(plan, figures, expected)
    result = {
        "title": event.period_label if event.kind == SUMMARY_KIND else event.phase,
        "window_end": until.isoformat() if until else None,
        "targets": [t.to_json() for t in targets],
        "reports": report_counts(
            session=session, campaign_id=campaign_id, duty_key=duty_key, period_key=period_key
        ),
        **task_summary(session=session, campaign_id=campaign_id, plan=plan, today=event.date),
    }
    summary = CampaignSummary(
        campaign_id=campaign_id,
        key=event.key,
        kind=event.kind,
        window_end=until,
        as_of=as_of,
        result=result,
    )
    session.add(summary)
    session.flush()
    return summary
