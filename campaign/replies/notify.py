"""The one place replies hand e-mails to the mail outbox (campaign.mail.notices).

receipt (回执): to the bureau after every stored answer; returned (退回修改): to the bureau
when the coordinator returns an answer, with a fresh link and the new deadline;
ad_hoc_alert: to the office at once for an ad-hoc report (重大情况); acknowledgement: the
receipt of a 签收. Each is keyed on the submission or request, so a retried unit of work
queues no second message; nothing is sent here (the outbox sender does that).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from campaign.mail.notices import (
    queue_ack_receipt,
    queue_ad_hoc_alert,
    queue_receipt,
    queue_returned,
)
from campaign.replies.reply_context import ReplyContext
from campaign.settings import get_settings
from models.request import ReportRequest
from models.submission import ReportSubmission


def _request(target: ReplyContext) -> ReportRequest:
    assert target.request is not None
    return target.request


def notify_receipt(*, session: Session, target: ReplyContext, submission: ReportSubmission) -> None:
    queue_receipt(
        session=session,
        campaign=target.campaign,
        plan=target.plan,
        request=_request(target),
        bureau=target.bureau,
        submission=submission,
    )


def notify_ad_hoc(*, session: Session, target: ReplyContext, submission: ReportSubmission) -> None:
    base = get_settings().public_url.rstrip("/")
    queue_ad_hoc_alert(
        session=session,
        campaign=target.campaign,
        plan=target.plan,
        bureau=target.bureau,
        submission=submission,
        review_url=f"{base}/admin/submissions/{submission.id}",
    )


def notify_returned(
    *,
    session: Session,
    target: ReplyContext,
    submission: ReportSubmission,
    due: date,
    link_url: str,
) -> None:
    queue_returned(
        session=session,
        campaign=target.campaign,
        plan=target.plan,
        request=_request(target),
        bureau=target.bureau,
        submission=submission,
        comment=submission.review_comment or "",
        link_url=link_url,
        new_due=due,
    )


def notify_acknowledged(
    *, session: Session, target: ReplyContext, directive_title: str, at: datetime
) -> None:
    queue_ack_receipt(
        session=session,
        campaign=target.campaign,
        plan=target.plan,
        request=_request(target),
        bureau=target.bureau,
        directive_title=directive_title,
        acknowledged_at=at,
    )
