"""submit_report: the one way an answer is stored, for the web form, the .xlsx and the CLI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import bindparam, func
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from campaign.audit import record_audit
from campaign.clock import utc
from campaign.replies.adhoc import open_ad_hoc_request
from campaign.replies.attachments import store_attachments
from campaign.replies.errors import ReportInvalid, WrongLink
from campaign.replies.history import last_accepted
from campaign.replies.notify import notify_ad_hoc, notify_receipt
from campaign.replies.reply_context import ReplyContext, ensure_answerable, is_late, resolve_context
from campaign.replies.request_lock import lock_request
from campaign.replies.validation import CleanReport, validate_report
from campaign.rows import detached, insert_row, update_row
from campaign.schedule.deadlines import reported_late
from campaign.schedule.periods import plan_workdays
from campaign.settings import get_settings
from campaign.workdays import WorkCalendar
from models.audit import Channel
from models.form_nonce import FormNonce
from models.link import LinkPurpose, ReplyLink
from models.reply import ReportCreate
from models.request import ReportRequest, RequestStatus
from models.submission import ReportSubmission, ReviewStatus


@dataclass(frozen=True)
class Answer:
    submission: ReportSubmission
    duplicate: bool  # the idempotency key had already produced this submission


def submit_report(
    *,
    session: Session,
    link_or_request: ReplyLink | ReportRequest,
    report_in: ReportCreate,
    channel: Channel,
    now: datetime | None = None,
    actor: str | None = None,
    data_dir: Path | None = None,
    target: ReplyContext | None = None,
    writing: Callable[[], object] | None = None,
) -> Answer:
    """Validate the answer and store it as a new version: Answer(submission, duplicate).

    Raises ReportInvalid (every problem, nothing stored), RequestClosed, RequestSettled or
    WrongLink. A repeated idempotency_key stores nothing and gives the submission it stored
    the first time, with duplicate=True (the web form's double submit). The caller's unit
    of work commits (or rolls back everything, files' rows included). A caller that already
    resolved link_or_request in this session may pass its target (saves the lookups).
    `writing` is called once, right before the first write (after the reads and the
    checks): the web pages take their turn to write to SQLite there (campaign.web.write_turn).
    """
    now = utc(now or datetime.now(UTC))
    if target is None:
        target = resolve_context(session=session, link_or_request=link_or_request)
    if target.purpose == LinkPurpose.acknowledge or target.form is None:
        raise WrongLink("此链接用于签收通知，不能报送报告。")
    ensure_answerable(target)
    nonce = report_in.idempotency_key
    request = target.request
    if request is not None:
        # Checked before the request is locked, so that the lock (on SQLite: the database's
        # one writer) is held for the claim and the writes only. The baseline is another
        # request's answer, which the lock does not guard; the outcome is told in the order
        # it always was: a repeated form first, then a settled request, then the problems.
        baseline = last_accepted(
            session=session, plan=target.plan, form=target.form, request=request
        )
        try:
            checked: CleanReport | ReportInvalid = validate_report(
                form=target.form, report_in=report_in, baseline=baseline
            )
        except ReportInvalid as exc:
            checked = exc
        if writing is not None:
            writing()
        claim = _claim(session, request.id, nonce)  # type: ignore[arg-type]
        if claim.earlier is not None:
            return Answer(session.get_one(ReportSubmission, claim.earlier), duplicate=True)
        if claim.status != request.status:  # reviewed or closed since it was read
            set_committed_value(request, "status", claim.status)
            ensure_answerable(target)
        if isinstance(checked, ReportInvalid):
            raise checked
        clean = checked
        version = claim.next_version
    else:  # an ad-hoc report: a request of its own, opened once the answer is valid
        earlier = submission_for_nonce(session=session, nonce=nonce) if nonce else None
        if earlier is not None:
            return Answer(earlier, duplicate=True)
        clean = validate_report(form=target.form, report_in=report_in, baseline=None)
        if writing is not None:
            writing()
        request = target.request = open_ad_hoc_request(session=session, target=target, now=now)
        version = 1
    late = is_late(request, now, target.timezone) or reported_late(
        plan=target.plan,
        duty=target.duty,
        values=clean.values,
        at=now,
        work=plan_workdays(target.plan, WorkCalendar.from_file(get_settings().holidays_file)),
    )
    row = {
        "request_id": request.id,
        "campaign_id": target.campaign.id,
        "bureau_code": target.bureau.code,
        "version": version,
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
    if nonce:
        used = {"nonce": nonce, "request_id": request.id, "submission_id": submission.id}
        insert_row(session, FormNonce, {**used, "used_at": now})
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
    return Answer(submission, duplicate=False)


def submission_for_nonce(*, session: Session, nonce: str) -> ReportSubmission | None:
    """The submission a form token already produced, if any (double submit)."""
    submission_id = session.execute(_NONCE, {"nonce": nonce}).scalar()
    return None if submission_id is None else session.get(ReportSubmission, submission_id)


_NONCES = FormNonce.__table__.c  # type: ignore[attr-defined]
_NONCE = select(_NONCES.submission_id).where(_NONCES.nonce == bindparam("nonce"))


class _Claim(NamedTuple):
    next_version: int
    earlier: int | None  # the submission the idempotency key already produced
    status: RequestStatus  # the request's status once locked


def _claim(session: Session, request_id: int, nonce: str | None) -> _Claim:
    """Lock the request (answers to it take turns), then read in one statement its next
    version, its status and the nonce's earlier submission: as committed by every answer
    that held the lock before (campaign.replies.request_lock)."""
    lock_request(session, request_id)
    row = session.execute(_CLAIM, {"request_id": request_id, "nonce": nonce or ""}).one()
    return _Claim(next_version=int(row[0] or 0) + 1, earlier=row[1], status=RequestStatus(row[2]))


_REQUESTS = ReportRequest.__table__  # type: ignore[attr-defined]
_SUBMISSIONS = ReportSubmission.__table__.c  # type: ignore[attr-defined]
_CLAIM = select(
    select(func.max(_SUBMISSIONS.version))
    .where(_SUBMISSIONS.request_id == _REQUESTS.c.id)
    .scalar_subquery(),
    select(_NONCES.submission_id).where(_NONCES.nonce == bindparam("nonce")).scalar_subquery(),
    _REQUESTS.c.status,
).where(_REQUESTS.c.id == bindparam("request_id"))


def _notify(*, session: Session, target: ReplyContext, submission: ReportSubmission) -> None:
    notify_receipt(session=session, target=target, submission=submission)
    if target.purpose == LinkPurpose.ad_hoc or (
        target.duty is not None and target.duty.kind == "ad_hoc"
    ):
        notify_ad_hoc(session=session, target=target, submission=submission)
