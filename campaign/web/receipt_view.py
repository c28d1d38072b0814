"""The receipt page (回执) after a stored answer, or after a repeated submit of the same form."""

from __future__ import annotations

from fastapi.responses import HTMLResponse
from sqlmodel import Session, col, select

from campaign.replies.receipt import receipt_context
from campaign.replies.reply_context import ReplyContext
from campaign.web.pages import page
from models.attachment import SubmissionAttachment
from models.request import ReportRequest
from models.submission import ReportSubmission


def receipt_response(
    session: Session,
    target: ReplyContext,
    submission: ReportSubmission,
    token: str,
    *,
    duplicate: bool = False,
    with_files: bool = True,
) -> HTMLResponse:
    """with_files=False: the caller knows no file came with the answer (saves a query)."""
    if target.request is None or target.request.id != submission.request_id:
        target.request = session.get(ReportRequest, submission.request_id)
    attachments = (
        session.exec(
            select(SubmissionAttachment)
            .where(SubmissionAttachment.submission_id == submission.id)
            .order_by(col(SubmissionAttachment.id))
        ).all()
        if with_files
        else []
    )
    context = receipt_context(target, submission)
    return page(
        "receipt.html",
        title=f"报送回执 {context['receipt_number']}",
        campaign=target.campaign,
        r=context,
        attachments=attachments,
        duplicate=duplicate,
        back_url=f"/r/{token}",
    )
