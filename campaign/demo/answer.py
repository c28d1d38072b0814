"""One simulated bureau answers one request, through the web form's and the upload's own
functions; the coordinator then accepts (or returns) the answer, as on the review page."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from campaign.demo.bureaus import SimulatedBureau, filled_table
from campaign.mail.notices import request_table
from campaign.plan.schema import Plan, ReportForm
from campaign.replies.acknowledge import acknowledge
from campaign.replies.errors import ReportInvalid
from campaign.replies.review import accept_submission, return_submission
from campaign.replies.submit import submit_report
from campaign.replies.xlsx_parse import ExpectedTable, parse_report_xlsx
from campaign.workdays import WorkCalendar
from models.attachment import AttachmentKind
from models.audit import Channel
from models.campaign import Campaign
from models.reply import AttachmentIn, ReportCreate
from models.request import ReportRequest, RequestStatus
from models.submission import ReportSubmission

REVIEWER = "模拟审核人"
RETURN_COMMENT = "部分数据与台账不符，请核实后重新报送。"


def answer_request(
    session: Session,
    campaign: Campaign,
    plan: Plan,
    bureau: SimulatedBureau,
    request: ReportRequest,
    when: datetime,
) -> list[str]:
    """What happened, as outcome words: acknowledged, invalid, returned, on time, late, xlsx."""
    if request.kind == "acknowledgement":
        acknowledge(session=session, link_or_request=request, channel=Channel.web, now=when)
        return ["acknowledged"]
    form = plan.form(plan.duty(request.duty_key).form or "")
    conduct = bureau.conduct(request)
    again = request.status == RequestStatus.returned
    values = bureau.figures(form, request, plan.start, plan.end, plan.targets)
    narrative = bureau.narrative(form, request)
    files = bureau.files(form)
    outcomes = []
    if conduct.invalid and not again:
        broken = bureau.invalid_figures(form, values)
        if broken is not None:
            try:
                broken_in = ReportCreate(values=broken, narrative=narrative, attachments=files)
                _submit(session, request, broken_in, when)
            except ReportInvalid:
                outcomes.append("invalid")
            else:  # pragma: no cover - the checks let a mistake through
                raise AssertionError(f"an invalid answer was accepted: {broken}")
    if conduct.xlsx:
        report = _from_table(campaign, form, bureau, request, values, narrative)
        report.attachments.extend(files)
        channel = Channel.xlsx
        outcomes.append("xlsx")
    else:
        report = ReportCreate(values=values, narrative=narrative, attachments=files)
        channel = Channel.web
    submission = _submit(session, request, report, when, channel)
    assert submission.id is not None
    outcomes.append("late" if submission.late else "on time")
    if conduct.returned and not again:
        return_submission(
            session=session,
            submission_id=submission.id,
            reviewer=REVIEWER,
            comment=RETURN_COMMENT,
            calendar=WorkCalendar(),
            now=when,
        )
        outcomes.append("returned")
    else:
        accept_submission(session=session, submission_id=submission.id, reviewer=REVIEWER, now=when)
    return outcomes


def _submit(
    session: Session,
    request: ReportRequest,
    report: ReportCreate,
    when: datetime,
    channel: Channel = Channel.web,
) -> ReportSubmission:
    return submit_report(
        session=session,
        link_or_request=request,
        report_in=report,
        channel=channel,
        now=when,
        actor=request.bureau_code,
    ).submission


def _from_table(
    campaign: Campaign,
    form: ReportForm,
    bureau: SimulatedBureau,
    request: ReportRequest,
    values: dict[str, str],
    narrative: str,
) -> ReportCreate:
    """The table the request came with, filled in and read back by the upload's parser."""
    assert campaign.id is not None and request.id is not None
    blank = request_table(
        campaign=campaign,
        form=form,
        request=request,
        bureau_code=bureau.code,
        bureau_name=bureau.name,
    )  # the table the request's e-mail carried
    data = filled_table(blank, values, narrative)
    expected = ExpectedTable(campaign.id, bureau.code, form.key, request.id)
    parsed = parse_report_xlsx(data=data, form=form, expected=expected)
    return ReportCreate(
        values=parsed.values,
        narrative=parsed.narrative,
        attachments=[
            AttachmentIn(filename=f"{form.title}.xlsx", data=data, kind=AttachmentKind.source_xlsx)
        ],
    )
