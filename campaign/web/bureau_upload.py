"""The .xlsx table a bureau uploads through its personal link (/r/{token}/xlsx): the link
checked on a page thread, the file read by a parse worker (table_parsing.py: never on a
page thread), then stored as BureauViews.submit stores a form."""

from __future__ import annotations

from functools import partial

from sqlmodel import Session

from campaign.plan.schema import ReportForm
from campaign.replies.errors import Problem, RequestClosed, RequestSettled
from campaign.replies.reply_context import ensure_answerable
from campaign.replies.xlsx_parse import ExpectedTable
from campaign.web.bureau_views import BureauViews
from campaign.web.form_post import FormPost, PostOutcome
from campaign.web.pages import error_page
from campaign.web.table_parsing import ParserBusy
from models.attachment import AttachmentKind
from models.audit import Channel
from models.link import LinkPurpose
from models.reply import AttachmentIn

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def receive_table(
    views: BureauViews, token: str, post: FormPost, filename: str, data: bytes
) -> PostOutcome:
    """The table stored as a form's answer; a refused or unread table shows the form again
    with the reason."""
    opened = await views.run(partial(_upload_target, views), token, post)
    if isinstance(opened, PostOutcome):
        return opened
    form, expected = opened
    again = partial(_upload_again, views)
    try:
        parsed = await views.parser.parse(data, form, expected)
    except ParserBusy as exc:
        return await views.run(again, token, post, [], exc.message)
    if parsed.table is None:
        return await views.run(again, token, post, parsed.problems, None)
    source = AttachmentIn(
        filename=filename or "统计表.xlsx",
        content_type=XLSX_TYPE,
        data=data,
        kind=AttachmentKind.source_xlsx,
    )
    table_post = FormPost(
        csrf_cookie=post.csrf_cookie,
        csrf_field=post.csrf_field,
        entries=parsed.table.values,
        narrative=parsed.table.narrative,
        attachments=(source, *post.attachments),
    )
    return await views.run(partial(views.submit, channel=Channel.xlsx), token, table_post)


def _upload_target(
    views: BureauViews, token: str, post: FormPost
) -> PostOutcome | tuple[ReportForm, ExpectedTable]:
    """The form an upload answers and whom its table must name, or the refusal."""
    with Session(views.engine, expire_on_commit=False) as session:
        posted = views.posted(session, token, post)
        if isinstance(posted, PostOutcome):
            return posted
        target, _ = posted
        if target.purpose != LinkPurpose.report or target.form is None:
            return PostOutcome(error_page("无法上传", "此链接不接收统计表。", status=400))
        try:
            ensure_answerable(target)
        except (RequestClosed, RequestSettled) as exc:
            return PostOutcome(views.closed(target, exc))
        return target.form, ExpectedTable(
            campaign_id=target.campaign.id,  # type: ignore[arg-type]
            bureau_code=target.bureau.code,
            form_key=target.form.key,
            request_id=target.request.id if target.request else None,
        )


def _upload_again(
    views: BureauViews, token: str, post: FormPost, problems: list[Problem], alert: str | None
) -> PostOutcome:
    """The form again after an upload: the table's problems, or why it was not read."""
    with Session(views.engine, expire_on_commit=False) as session:
        posted = views.posted(session, token, post)
        if isinstance(posted, PostOutcome):
            return posted
        target, _ = posted
        csrf = post.csrf_field or ""
        status = 422 if problems else 503
        return PostOutcome(
            views.form_again(
                session, target, token, csrf, problems, None, None, alert=alert, status=status
            )
        )
