"""The coordinator's review pages as plain functions of a database session."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from campaign.accounts import Scope
from campaign.clock import shown_time
from campaign.plan.stored import plan_of
from campaign.replies.history import versions
from campaign.replies.receipt import receipt_context, receipt_number
from campaign.replies.reply_context import resolve_context
from campaign.replies.review import ReviewItem, review_queue
from models.attachment import SubmissionAttachment
from models.campaign import Campaign
from models.request import ReportRequest, RequestKind
from models.submission import ReportSubmission, ReviewStatus

REVIEW_TEXT = {
    ReviewStatus.pending: "待审核",
    ReviewStatus.accepted: "已通过",
    ReviewStatus.returned: "已退回",
}
KIND_TEXT: dict[str, str] = {
    RequestKind.request: "定期报告",
    RequestKind.stage_summary: "阶段小结",
    RequestKind.final_summary: "总结报告",
    RequestKind.ad_hoc: "重大情况",
    RequestKind.acknowledgement: "签收",
    RequestKind.aggregate: "汇总报告",
    RequestKind.task_progress: "任务进展",
    RequestKind.rectification: "整改情况报告（审核通过即销号）",
}
STATUS_FILTERS = {
    "pending": ReviewStatus.pending,
    "accepted": ReviewStatus.accepted,
    "returned": ReviewStatus.returned,
    "all": None,
}


def _when(moment: datetime, campaign: Campaign) -> str:
    """Local time, zone named, as everywhere a coordinator reads a time."""
    return shown_time(moment, campaign.timezone)


def report_type(request: ReportRequest, duty_names: dict[str, str]) -> str:
    """The report type a coordinator reads: the duty's name in the plan (动态信息, 阶段小结…),
    else the kind of request."""
    return duty_names.get(request.duty_key) or KIND_TEXT.get(request.kind, "报告")


def list_context(
    *,
    session: Session,
    status: str,
    campaign_id: int | None,
    scope: Scope | None = None,
) -> dict[str, Any]:
    """The review queue of an account (campaign.replies.review.review_queue)."""
    items: list[ReviewItem] = review_queue(
        session=session, campaign_id=campaign_id, status=STATUS_FILTERS.get(status), scope=scope
    )
    campaigns = {c.id: c for c in session.exec(select(Campaign)).all()}
    duty_names = {cid: {d.key: d.name for d in plan_of(c).duties} for cid, c in campaigns.items()}
    rows = [
        {
            "id": item.submission.id,
            "receipt_number": receipt_number(item.submission),
            "document_number": campaigns[item.submission.campaign_id].document_number,
            "bureau": item.bureau_name,
            "duty": item.request.duty_key,
            "type": report_type(item.request, duty_names[item.submission.campaign_id]),
            "period": item.request.period_label or item.request.period_key,
            "version": item.submission.version,
            "submitted": _when(
                item.submission.submitted_at, campaigns[item.submission.campaign_id]
            ),
            "late": item.submission.late,
            "review": REVIEW_TEXT[item.submission.review_status],
            "ad_hoc": item.request.kind == RequestKind.ad_hoc,
            "aggregate": item.request.kind == RequestKind.aggregate,
        }
        for item in items
    ]
    return {"title": "报送审核", "rows": rows, "current": status}


def detail_context(*, session: Session, submission_id: int) -> dict[str, Any] | None:
    submission = session.get(ReportSubmission, submission_id)
    if submission is None:
        return None
    request = session.get(ReportRequest, submission.request_id)
    assert request is not None
    target = resolve_context(session=session, link_or_request=request)
    context = receipt_context(target, submission)
    attachments = session.exec(
        select(SubmissionAttachment)
        .where(SubmissionAttachment.submission_id == submission.id)
        .order_by(col(SubmissionAttachment.id))
    ).all()
    history = [
        {
            "id": v.id,
            "version": v.version,
            "submitted": _when(v.submitted_at, target.campaign),
            "channel": v.channel,
            "review": REVIEW_TEXT[v.review_status],
            "reviewer": v.reviewer or "",
            "comment": v.review_comment or "",
            "current": v.id == submission.id,
        }
        for v in versions(session=session, request_id=request.id)  # type: ignore[arg-type]
    ]
    newest = history[-1]["id"] == submission.id if history else True
    return {
        "title": f"报送记录 {context['receipt_number']}",
        "campaign": target.campaign,
        "r": context,
        "submission_id": submission.id,
        "review": REVIEW_TEXT[submission.review_status],
        "review_comment": submission.review_comment or "",
        "reviewable": newest and submission.review_status == ReviewStatus.pending,
        "attachments": attachments,
        "history": history,
        "is_ad_hoc": request.kind == RequestKind.ad_hoc,
    }
