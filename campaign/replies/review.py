"""Review: the coordinator accepts an answer, or returns it with a comment and a new deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import Session, col, select

from campaign.audit import record_audit
from campaign.clock import local_today, utc
from campaign.links import issue_link
from campaign.replies.history import latest_version
from campaign.replies.notify import notify_returned
from campaign.replies.reply_context import resolve_context
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


def review_queue(
    *,
    session: Session,
    campaign_id: int | None = None,
    status: ReviewStatus | None = ReviewStatus.pending,
    limit: int = 200,
) -> list[ReviewItem]:
    """Submissions to review (newest first); status None lists every review state."""
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
    return [ReviewItem(s, r, b.name) for s, r, b in session.exec(query).all()]


def _reviewable(session: Session, submission_id: int) -> tuple[ReportSubmission, ReportRequest]:
    submission = session.get(ReportSubmission, submission_id)
    if submission is None:
        raise ReviewError(f"没有编号为{submission_id}的报送记录")
    request = session.get(ReportRequest, submission.request_id)
    assert request is not None  # a foreign key
    newest = latest_version(session=session, request_id=request.id)  # type: ignore[arg-type]
    if newest is not None and newest.id != submission.id:
        raise ReviewError(
            f"报送记录{submission_id}是第{submission.version}版，已有更新的第{newest.version}版，"
            "请审核最新版本"
        )
    if submission.review_status != ReviewStatus.pending:
        raise ReviewError(f"报送记录{submission_id}已审核（{submission.review_status.value}）")
    return submission, request


def accept_submission(
    *,
    session: Session,
    submission_id: int,
    reviewer: str,
    comment: str | None = None,
    now: datetime | None = None,
) -> ReportSubmission:
    """Accept the newest version of an answer; its request is settled."""
    now = utc(now or datetime.now(UTC))
    submission, request = _reviewable(session, submission_id)
    submission.review_status = ReviewStatus.accepted
    submission.reviewed_at = now
    submission.reviewer = reviewer
    submission.review_comment = (comment or "").strip() or None
    request.status = RequestStatus.accepted
    session.add_all([submission, request])
    record_audit(
        session=session,
        event="answer_accepted",
        actor=reviewer,
        channel=Channel.review,
        campaign_id=submission.campaign_id,
        bureau_code=submission.bureau_code,
        at=now,
        request_id=request.id,
        submission_id=submission.id,
        version=submission.version,
    )
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
    submission, request = _reviewable(session, submission_id)
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
    record_audit(
        session=session,
        event="answer_returned",
        actor=reviewer,
        channel=Channel.review,
        campaign_id=submission.campaign_id,
        bureau_code=submission.bureau_code,
        at=now,
        request_id=request.id,
        submission_id=submission.id,
        version=submission.version,
        comment=comment,
        previous_due=previous_due.isoformat() if previous_due else None,
        due=due.isoformat(),
    )
    notify_returned(
        session=session, target=target, submission=submission, due=due, link_url=issued.url
    )
    session.flush()
    return Returned(submission=submission, request=request, due=due, link_url=issued.url)
