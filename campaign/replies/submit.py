"""submit_report: the one way an answer is stored, for the web form, the .xlsx and the CLI."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from campaign.clock import utc
from campaign.replies.adhoc import open_ad_hoc_request
from campaign.replies.attachments import store_attachments
from campaign.replies.errors import WrongLink
from campaign.replies.history import last_accepted, next_version
from campaign.replies.notify import notify_ad_hoc, notify_receipt
from campaign.replies.targets import Target, ensure_answerable, is_late, resolve_target
from campaign.replies.validation import validate_report
from campaign.settings import get_settings
from models.audit import record_audit
from models.form_nonce import FormNonce
from models.link import LinkPurpose, ReplyLink
from models.reply import ReportCreate
from models.request import ReportRequest, RequestStatus
from models.rows import detached, insert_row, update_row
from models.submission import ReportSubmission, ReviewStatus


def submit_report(
    *,
    session: Session,
    link_or_request: ReplyLink | ReportRequest,
    report_in: ReportCreate,
    channel: str,
    now: datetime | None = None,
    actor: str | None = None,
    data_dir: Path | None = None,
    target: Target | None = None,
    nonce_checked: bool = False,
) -> ReportSubmission:
    """Validate the answer and store it as a new version; returns the stored submission.

    Raises ReportInvalid (every problem, nothing stored), RequestClosed, RequestSettled or
    WrongLink. A repeated idempotency_key returns the submission it stored the first time.
    The caller's unit of work commits (or rolls back everything, files' rows included).

    A caller that already resolved link_or_request in this session may pass its target
    (saves the lookups), and nonce_checked=True when it has just found, in this session
    and under the write lock, that the idempotency key produced no submission yet.
    """
    now = utc(now or datetime.now(UTC))
    if target is None:
        target = resolve_target(session=session, link_or_request=link_or_request)
    if target.purpose == LinkPurpose.acknowledge or target.form is None:
        raise WrongLink("此链接用于签收通知，不能报送报告。")
    ensure_answerable(target)
    if report_in.idempotency_key and not nonce_checked:
        earlier = submission_for_nonce(session=session, nonce=report_in.idempotency_key)
        if earlier is not None:
            return earlier

    request = target.request
    baseline = None
    if request is not None:
        baseline = last_accepted(
            session=session, plan=target.plan, form=target.form, request=request
        )
    clean = validate_report(form=target.form, report_in=report_in, baseline=baseline)

    if request is None:
        request = open_ad_hoc_request(session=session, target=target, now=now)
        target.request = request
    else:
        _lock(session, request)
    late = is_late(request, now, target.timezone)
    row = {
        "request_id": request.id,
        "campaign_id": target.campaign.id,
        "bureau_code": target.bureau.code,
        "version": next_version(session=session, request_id=request.id),  # type: ignore[arg-type]
        "values": clean.values,
        "narrative": clean.narrative,
        "channel": channel,
        "submitted_at": now,
        "late": late,
        "review_status": ReviewStatus.pending,
    }
    submission = detached(ReportSubmission, row, insert_row(session, ReportSubmission, row))
    store_attachments(
        session=session,
        submission=submission,
        attachments=list(report_in.attachments),
        data_dir=data_dir or get_settings().data_dir,
    )
    if report_in.idempotency_key:
        nonce = {
            "nonce": report_in.idempotency_key,
            "request_id": request.id,
            "submission_id": submission.id,
            "used_at": now,
        }
        insert_row(session, FormNonce, nonce)
    update_row(session, request, status=RequestStatus.submitted, answered_at=now, late=late)
    record_audit(
        session=session,
        event="answer_received",
        actor=actor or target.bureau.code,
        channel=channel,
        campaign_id=target.campaign.id,
        bureau_code=target.bureau.code,
        at=now,
        request_id=request.id,
        submission_id=submission.id,
        version=submission.version,
        late=late,
    )
    _notify(session=session, target=target, submission=submission)
    return submission


def submission_for_nonce(*, session: Session, nonce: str) -> ReportSubmission | None:
    """The submission a form token already produced, if any (double submit)."""
    submission_id = session.execute(_NONCE, {"nonce": nonce}).scalar()
    return None if submission_id is None else session.get(ReportSubmission, submission_id)


_NONCES = FormNonce.__table__.c  # type: ignore[attr-defined]
_NONCE = select(_NONCES.submission_id).where(_NONCES.nonce == bindparam("nonce"))


def _lock(session: Session, request: ReportRequest) -> None:
    """Serialize answers to one request (PostgreSQL row lock; SQLite has one writer anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_LOCK, {"request_id": request.id}).first()


_LOCK = (
    select(col(ReportRequest.id))
    .where(col(ReportRequest.id) == bindparam("request_id"))
    .with_for_update()
)


def _notify(*, session: Session, target: Target, submission: ReportSubmission) -> None:
    notify_receipt(session=session, target=target, submission=submission)
    if target.purpose == LinkPurpose.ad_hoc or (
        target.duty is not None and target.duty.kind == "ad_hoc"
    ):
        notify_ad_hoc(session=session, target=target, submission=submission)
