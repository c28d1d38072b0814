"""The one composition "read a filled-in .xlsx table and store it as the answer".

parse_report_xlsx (safety checks, layout, _meta) then submit_report (validation, version,
receipt), with the table itself kept as the answer's source file. The mail intake uses
it; the web upload and `campaign reply submit --xlsx` are meant to call it too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from campaign.documents.xlsx_table import CONTENT_TYPE as XLSX_TYPE
from campaign.replies.aggregate import submit_answer
from campaign.replies.errors import UPLOAD, Problem, ReportInvalid, UploadRejected, WrongLink
from campaign.replies.reply_context import ReplyContext, resolve_context
from campaign.replies.submit import Answer
from campaign.replies.xlsx_parse import ExpectedTable, ParsedTable, parse_report_xlsx
from models.attachment import AttachmentKind
from models.audit import Channel
from models.link import ReplyLink
from models.reply import AttachmentIn, ReportCreate
from models.request import ReportRequest

NO_FORM = "此事项没有统计表，不能以统计表报送。"


def read_xlsx_answer(*, target: ReplyContext, data: bytes) -> ParsedTable:
    """The table's entries for this target; UploadRejected or ReportInvalid otherwise."""
    if target.form is None:
        raise WrongLink(NO_FORM)
    expected = ExpectedTable(
        campaign_id=target.campaign.id,  # type: ignore[arg-type]
        bureau_code=target.bureau.code,
        form_key=target.form.key,
        request_id=target.request.id if target.request else None,
    )
    return parse_report_xlsx(data=data, form=target.form, expected=expected)


def submit_xlsx_answer(
    *,
    session: Session,
    link_or_request: ReplyLink | ReportRequest,
    data: bytes,
    filename: str,
    channel: Channel,
    narrative: str = "",
    values: Mapping[str, str] | None = None,
    attachments: Sequence[AttachmentIn] = (),
    idempotency_key: str | None = None,
    now: datetime | None = None,
    actor: str | None = None,
    data_dir: Path | None = None,
    target: ReplyContext | None = None,
) -> Answer:
    """Store the answer the table holds, as a new version of the request's answer.

    `narrative` is used when the table has none (e.g. the body of the e-mail it came
    with); `values` override the table's (the CLI's --value); `attachments` are further
    files stored with the answer. Raises ReportInvalid listing every problem (an
    UploadRejected file becomes one problem of it), RequestClosed, RequestSettled or
    WrongLink; nothing is stored then. An aggregate request's table passes its rules
    (campaign.replies.aggregate): a table carries no note and no confirmation, so a
    difference or a reporter left out is one of the problems. The caller's unit of
    work commits.
    """
    if target is None:
        target = resolve_context(session=session, link_or_request=link_or_request)
    try:
        parsed = read_xlsx_answer(target=target, data=data)
    except UploadRejected as exc:
        raise ReportInvalid([Problem(UPLOAD, exc.message)]) from exc
    source = AttachmentIn(
        filename=(filename or "统计表.xlsx")[:255],
        content_type=XLSX_TYPE,
        data=data,
        kind=AttachmentKind.source_xlsx,
    )
    report_in = ReportCreate(
        values={**parsed.values, **(values or {})},
        narrative=parsed.narrative.strip() or narrative,
        attachments=[*attachments, source],
        idempotency_key=idempotency_key,
    )
    return submit_answer(
        session=session,
        link_or_request=link_or_request,
        report_in=report_in,
        channel=channel,
        now=now,
        actor=actor,
        data_dir=data_dir,
        target=target,
    )
