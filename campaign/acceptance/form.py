"""The form a unit reports a 整改 order done with: what it put right (required) and,
optionally, files that show it (the replies' attachment limits apply)."""

from __future__ import annotations

from campaign.plan.schema import AttachmentRule, Narrative, ReportForm

RECTIFY_NAME = "整改情况报告"
RECTIFICATION_FORM = ReportForm(
    key="rectification",
    title=RECTIFY_NAME,
    narrative=Narrative(label="整改落实情况", required=True),
    attachment=AttachmentRule(label="整改佐证材料", help="如整改前后的照片、整改报告、处理文书"),
)


def order_label(number: int) -> str:
    """How a request, a mail and a page name the order: 整改通知第N号."""
    return f"整改通知第{number}号"


def order_period(number: int) -> str:
    """The period_key of the order's request (its duty_key is schedule.RECTIFY_DUTY)."""
    return f"order-{number}"
