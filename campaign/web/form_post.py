"""What a bureau's POST carries, what a page function returns, and the ReportCreate of a post."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from campaign.plan.schema import NARRATIVE_KEY
from campaign.replies.errors import ATTACHMENTS, Problem, ReportInvalid
from campaign.replies.reply_context import ReplyContext
from models.reply import AttachmentIn, ReportCreate


@dataclass
class PostOutcome:
    response: HTMLResponse
    bad_token: bool = False
    busy: bool = False  # rows were locked by another transaction: worth another try
    queued_mail: bool = False  # e-mail was queued (receipt, alert): deliver it now


@dataclass
class FormPost:
    csrf_cookie: str | None
    csrf_field: str | None
    entries: dict[str, str]
    narrative: str = ""
    attachments: tuple[AttachmentIn, ...] = ()
    note: str = ""  # an aggregate's: why a figure differs from the computed one
    confirm_missing: bool = False  # an aggregate's: sent with reporters left out


def build_report_in(target: ReplyContext, post: FormPost, nonce: str) -> ReportCreate:
    """The ReportCreate of a form post; entries too long for it become problems."""
    try:
        return ReportCreate(
            values=post.entries,
            narrative=post.narrative,
            attachments=list(post.attachments),
            idempotency_key=nonce,
        )
    except ValidationError as exc:
        labels = {f.key: f.label for f in target.form.fields} if target.form else {}
        problems = []
        for error in exc.errors():
            loc = error["loc"]
            if loc[:1] == ("values",) and len(loc) > 1 and str(loc[1]) in labels:
                problems.append(Problem(str(loc[1]), f"“{labels[str(loc[1])]}”内容过长"))
            elif loc[:1] == ("narrative",):
                problems.append(Problem(NARRATIVE_KEY, "情况说明内容过长"))
            elif loc[:1] == ("attachments",):
                problems.append(Problem(ATTACHMENTS, "附件过多"))
            else:
                problems.append(Problem(None, "提交的内容不符合要求"))
        raise ReportInvalid(problems) from None
