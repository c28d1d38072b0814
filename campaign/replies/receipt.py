"""What a receipt says: the same facts on the receipt page and in the receipt e-mail."""

from __future__ import annotations

from typing import Any

from campaign.clock import local_time
from campaign.replies.reply_context import ReplyContext
from campaign.settings import get_settings
from models.submission import ReportSubmission

CHANNEL_LABELS = {
    "web": "网页填报",
    "xlsx": "上传统计表",
    "cli": "{issuer}代为录入",  # the issuing bureau as its plan names it (省局, 市局…)
    "review": "{issuer}代为录入",  # a coordinator in the console, on the unit's behalf
    "email": "电子邮件",
}


def channel_label(channel: str, issuer: str) -> str:
    """How a receipt names the way an answer came in; the issuer's own name for the CLI."""
    return CHANNEL_LABELS.get(channel, channel).format(issuer=issuer)


def receipt_number(submission: ReportSubmission) -> str:
    """回执编号: campaign, submission and version, e.g. 1-000042-2."""
    return f"{submission.campaign_id}-{submission.id:06d}-{submission.version}"


def value_rows(target: ReplyContext, submission: ReportSubmission) -> list[dict[str, str]]:
    """(label, value, unit) of each form field as stored; '' for fields left empty."""
    if target.form is None:
        return []
    return [
        {
            "key": f.key,
            "label": f.label,
            "value": str(submission.values.get(f.key) or ""),
            "unit": f.unit,
        }
        for f in target.form.fields
    ]


def receipt_context(target: ReplyContext, submission: ReportSubmission) -> dict[str, Any]:
    request = target.request
    assert request is not None
    submitted = local_time(submission.submitted_at, target.timezone)
    return {
        "document_number": target.campaign.document_number,
        "campaign_title": target.campaign.title,
        "bureau_name": target.bureau.name,
        "duty_name": target.duty.name
        if target.duty
        else (target.form.title if target.form else ""),
        "form_title": target.form.title if target.form else "",
        "period_label": request.period_label or request.period_key,
        "due_date": request.due_date,
        "late": submission.late,
        "version": submission.version,
        "receipt_number": receipt_number(submission),
        "submitted_at": submitted,
        "submitted_at_text": f"{submitted.year}年{submitted.month}月{submitted.day}日"
        f"{submitted:%H:%M}",
        "channel": channel_label(submission.channel, target.plan.issuer),
        "values": value_rows(target, submission),
        "narrative_label": target.form.narrative.label
        if target.form and target.form.narrative
        else "情况说明",
        "narrative": submission.narrative,
        "office": target.plan.office,
        "issuer": target.plan.issuer,
        "review_url": f"{get_settings().public_url.rstrip('/')}/admin/submissions/{submission.id}",
    }
