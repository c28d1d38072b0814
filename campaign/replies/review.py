"""Review: the coordinator accepts an answer, or returns it with a comment and a new deadline.

Who reviews (`may_review`): an answer to a request relayed to a unit (a routed duty's
reporter) is reviewed by that unit's accounts only, as the office reviews the others; the
office's queue lists only answers sent to it (relay_to None). Given a `scope`, accept and
return refuse what it may not review, whatever way in (console, CLI `--as`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import bindparam, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, or_, select

from campaign.accounts import Scope
from campaign.audit import record_audit
from campaign.clock import local_today, utc
from campaign.links import issue_link
from campaign.replies.notify import notify_returned
from campaign.replies.reply_context import resolve_context
from campaign.rows import update_row
from campaign.workdays import WorkCalendar
from models.audit import Channel
from models.bureau import Bureau
from models.link import LinkPurpose
from models.request import ReportRequest, RequestStatus
from models.submission import ReportSubmission, ReviewStatus

DEFAULT_RETURN_WORKING_DAYS = 3
MAX_RETURN_WORKING_DAYS = 60  # about three months: a returned answer is a correction


class ReviewError(Exception):
    """A review that cannot be done; the message says why (Chinese, for the coordinator)."""


@dataclass(frozen=True)
class ReviewItem:
    submission: ReportSubmission
    request: ReportRequest
    bureau_name: str


@dataclass(frozen=True)
class Returned:
    submission: ReportSubmission
    request: ReportRequest
    due: date
    link_url: str


def may_review(scope: Scope, request: ReportRequest) -> bool:
    """Whether the account may accept or return answers to this request: one relayed to a
    unit only by that unit's accounts; any other by the office, or by a coordinator whose
    units include the answering one. Read-only accounts never."""
    if not scope.may_act:
        return False
    if request.relay_to is not None:
        return scope.unit_code == request.relay_to
    return scope.sees(request.bureau_code)


def review_queue(
    *,
    session: Session,
    campaign_id: int | None = None,
    status: ReviewStatus | None = ReviewStatus.pending,
    limit: int = 200,
    scope: Scope | None = None,
) -> list[ReviewItem]:
    """Submissions to review (newest first); status None lists every review state.
    scope: the queue of this account: the office's lists the answers sent to the office
    (relay_to None); a unit's, those relayed to it and those of its units sent to the
    office. None: every answer."""
    query = (
        select(ReportSubmission, ReportRequest, Bureau)
        .join(ReportRequest, col(ReportRequest.id) == col(ReportSubmission.request_id))
        .join(Bureau, col(Bureau.code) == col(ReportSubmission.bureau_code))
        .order_by(col(ReportSubmission.submitted_at).desc(), col(ReportSubmission.id).desc())
        .limit(limit)
    )
    if campaign_id is not None:
        query = query.where(ReportSubmission.campaign_id == campaign_id)
    if status is not None:
        query = query.where(ReportSubmission.review_status == status)
    relay = col(ReportRequest.relay_to)
    if scope is not None and scope.units is None:
        query = query.where(relay == None)  # noqa: E711
    elif scope is not None:
        query = query.where(or_(relay == scope.unit_code, relay == None))  # noqa: E711
    items = [ReviewItem(s, r, b.name) for s, r, b in session.exec(query).all()]
    if scope is None:
        return items
    return [i for i in items if i.request.relay_to is not None or scope.sees(i.request.bureau_code)]


def _reviewable(
    session: Session, submission_id: int, scope: Scope | None
) -> tuple[ReportSubmission, ReportRequest]:
    row = session.execute(_REVIEWED, {"submission_id": submission_id}).first()
    if row is None:
        raise ReviewError(f"没有编号为{submission_id}的报送记录")
    submission, newest = row
    request = session.get(ReportRequest, submission.request_id)
    assert request is not None  # a foreign key
    if scope is not None and not may_review(scope, request):
        raise ReviewError(refusal(session, request))
    if newest != submission.version:  # (request, version) is unique
        raise ReviewError(
            f"报送记录{submission_id}是第{submission.version}版，已有更新的第{newest}版，"
            "请审核最新版本"
        )
    if submission.review_status != ReviewStatus.pending:
        raise ReviewError(f"报送记录{submission_id}已审核（{submission.review_status.value}）")
    return submission, request


# The submission and its request's newest version, in one statement.
_VERSIONS = aliased(ReportSubmission)
_REVIEWED = select(
    ReportSubmission,
    select(func.max(_VERSIONS.version))
    .where(_VERSIONS.request_id == ReportSubmission.request_id)
    .scalar_subquery(),
).where(ReportSubmission.id == bindparam("submission_id"))


def refusal(session: Session, request: ReportRequest) -> str:
    """Why an account may not review answers to this request (Chinese, for the person)."""
    if request.relay_to is not None:
        relay = session.get(Bureau, request.relay_to)
        name = relay.name if relay is not None else request.relay_to
        return f"此报送由{name}审核汇总，您的账号不能审核"
    return "您的账号无权审核此报送"


def _audit_review(
    session: Session,
    event: str,
    submission: ReportSubmission,
    reviewer: str,
    at: datetime,
    **detail: object,
) -> None:
    """The review in the audit log, naming the answer: its request, id and version."""
    record_audit(
        session=session,
        event=event,
        actor=reviewer,
        channel=Channel.review,
        campaign_id=submission.campaign_id,
        bureau_code=submission.bureau_code,
        at=at,
        request_id=submission.request_id,
        submission_id=submission.id,
        version=submission.version,
        **detail,
    )


def accept_submission(
    *,
    session: Session,
    submission_id: int,
    reviewer: str,
    comment: str | None = None,
    now: datetime | None = None,
    scope: Scope | None = None,
) -> ReportSubmission:
    """Accept the newest version of an answer; its request is settled. scope: the account
    reviewing (refused unless `may_review`); None: no account (the library's callers)."""
    now = utc(now or datetime.now(UTC))
    submission, request = _reviewable(session, submission_id, scope)
    update_row(
        session,
        submission,
        review_status=ReviewStatus.accepted,
        reviewed_at=now,
        reviewer=reviewer,
        review_comment=(comment or "").strip() or None,
    )
    update_row(session, request, status=RequestStatus.accepted)
    _audit_review(session, "answer_accepted", submission, reviewer, now)
    session.flush()
    return submission


def return_submission(
    *,
    session: Session,
    submission_id: int,
    reviewer: str,
    comment: str,
    due: date | None = None,
    working_days: int | None = None,
    calendar: WorkCalendar | None = None,
    now: datetime | None = None,
    scope: Scope | None = None,
) -> Returned:
    """Return an answer with a comment: its request reopens with a new due date (given, or
    `working_days` 工作日 from today, default 3), a fresh link, and the bureau is told."""
    now = utc(now or datetime.now(UTC))
    comment = comment.strip()
    if not comment:
        raise ReviewError("退回时请填写退回意见")
    if working_days is not None and not 1 <= working_days <= MAX_RETURN_WORKING_DAYS:
        raise ReviewError(
            f"新的报送期限须为1至{MAX_RETURN_WORKING_DAYS}个工作日（收到的是{working_days}）"
        )
    submission, request = _reviewable(session, submission_id, scope)
    target = resolve_context(session=session, link_or_request=request)
    today = local_today(now, target.timezone)
    if due is None:
        days = DEFAULT_RETURN_WORKING_DAYS if working_days is None else working_days
        due = (calendar or WorkCalendar()).add_workdays(today, days)
    elif due < today:
        raise ReviewError(f"新的报送期限（{due.isoformat()}）早于今天")
    submission.review_status = ReviewStatus.returned
    submission.reviewed_at = now
    submission.reviewer = reviewer
    submission.review_comment = comment
    previous_due = request.due_date
    request.status = RequestStatus.returned
    request.due_date = due
    session.add_all([submission, request])
    issued = issue_link(
        session=session,
        campaign_id=request.campaign_id,
        bureau_code=request.bureau_code,
        purpose=LinkPurpose.report,
        request_id=request.id,
    )
    _audit_review(
        session,
        "answer_returned",
        submission,
        reviewer,
        now,
        comment=comment,
        previous_due=previous_due.isoformat() if previous_due else None,
        due=due.isoformat(),
    )
    notify_returned(
        session=session, target=target, submission=submission, due=due, link_url=issued.url
    )
    session.flush()
    return Returned(submission=submission, request=request, due=due, link_url=issued.url)
