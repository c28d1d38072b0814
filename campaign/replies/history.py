"""Earlier answers: the versions of one request, and the bureau's last accepted report."""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from campaign.plan.schema import Plan, ReportForm
from campaign.replies.validation import Baseline
from models.request import ReportRequest
from models.submission import ReportSubmission, ReviewStatus


def versions(*, session: Session, request_id: int) -> list[ReportSubmission]:
    """Every stored version of the request's answer, oldest first."""
    query = (
        select(ReportSubmission)
        .where(ReportSubmission.request_id == request_id)
        .order_by(col(ReportSubmission.version))
    )
    return list(session.exec(query).all())


def latest_version(*, session: Session, request_id: int) -> ReportSubmission | None:
    query = (
        select(ReportSubmission)
        .where(ReportSubmission.request_id == request_id)
        .order_by(col(ReportSubmission.version).desc())
        .limit(1)
    )
    return session.exec(query).first()


def last_accepted(
    *, session: Session, plan: Plan, form: ReportForm, request: ReportRequest
) -> Baseline | None:
    """The bureau's newest accepted answer of the same form, for an earlier period.

    "Newest" is by the period it covers, then by when it was sent; the request itself
    and periods ending after its own are left out, so reopening an old period compares
    it with what came before it. None when the form has no cumulative figure.
    """
    if not any(f.accumulation == "cumulative" for f in form.fields):
        return None
    duty_keys = [d.key for d in plan.duties if d.form == form.key] or [request.duty_key]
    params = {
        "campaign_id": request.campaign_id,
        "bureau_code": request.bureau_code,
        "duty_keys": duty_keys,
        "request_id": request.id,
        "period_end": request.period_end,
    }
    query = _BASELINE if request.period_end is None else _BASELINE_BEFORE
    row = session.execute(query, params).first()
    if row is None:
        return None
    values, label, key = row
    return Baseline(values=dict(values), label=label or key)


# Built once, of table columns (plain Core: no ORM compile step); the answer path runs
# these for every submission. The bureau's submissions are found by its index: "+ 0"
# keeps SQLite (no statistics) from choosing the campaign's index instead, which read
# every answer of the campaign for each one (15 ms per answer at 300 units, growing).
_SUBMISSIONS = ReportSubmission.__table__  # type: ignore[attr-defined]
_REQUESTS = ReportRequest.__table__  # type: ignore[attr-defined]
_SUBMISSION, _REQUEST = _SUBMISSIONS.c, _REQUESTS.c
_BASELINE = (
    select(_SUBMISSION["values"], _REQUEST.period_label, _REQUEST.period_key)
    .select_from(_SUBMISSIONS.join(_REQUESTS, _REQUEST.id == _SUBMISSION.request_id))
    .where(
        _SUBMISSION.campaign_id + 0 == bindparam("campaign_id"),
        _SUBMISSION.bureau_code == bindparam("bureau_code"),
        _SUBMISSION.review_status == ReviewStatus.accepted,
        _REQUEST.duty_key.in_(bindparam("duty_keys", expanding=True)),
        _REQUEST.id != bindparam("request_id"),
    )
    .order_by(
        _REQUEST.period_end.desc().nulls_last(),
        _SUBMISSION.submitted_at.desc(),
    )
    .limit(1)
)
_BASELINE_BEFORE = _BASELINE.where(
    _REQUEST.period_end.is_(None) | (_REQUEST.period_end < bindparam("period_end"))
)
