"""A relay unit submits its aggregate report: the one composition of the city's report,
whichever way it comes (the console page, the city's personal link, its .xlsx table, a
reply by mail).

The city's figures are checked and stored by `submit_report`, as any answer (receipt,
audit, the office's review); before that, `aggregate_problems` names what the city must
settle first: reporters not yet in the aggregate (allowed once confirmed), and figures
that differ from the computed aggregate without a note explaining why. Every problem is
given at once, the form's own among them, and nothing is stored. The note joins the
narrative where the form has one and is always kept in the audit entry, with who was
left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlmodel import Session

from campaign.accounts import Scope
from campaign.audit import record_audit
from campaign.replies.errors import CONFIRM_MISSING, Problem, ReportInvalid
from campaign.replies.history import last_accepted
from campaign.replies.reply_context import ReplyContext, ensure_answerable, resolve_context
from campaign.replies.submit import Answer, submit_report
from campaign.replies.validation import validate_report
from campaign.results.relay import STATES, RelayReport, relay_report
from models.audit import Channel
from models.link import ReplyLink
from models.reply import ReportCreate
from models.request import ReportRequest, RequestKind

NOTE_HEADING = "与下级汇总数的差异说明："


class AggregateRefused(Exception):
    """An account that may not submit this aggregate (Chinese, for the coordinator)."""


def may_submit(scope: Scope, request: ReportRequest) -> bool:
    """Only the relay unit's own accounts that may act submit its report."""
    return scope.may_act and scope.unit_code == request.bureau_code


def is_aggregate(target: ReplyContext) -> bool:
    return target.request is not None and target.request.kind == RequestKind.aggregate


def differences(report: RelayReport, values: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Fields whose entered figure is not the computed aggregate: (computed, entered)."""
    found: dict[str, tuple[str, str]] = {}
    for figure in report.figures:
        given = (values.get(figure.field.key) or "").strip()
        if figure.computed is None or not given:
            continue
        computed = shown_number(figure.computed)
        try:
            same = Decimal(given) == Decimal(computed)
        except InvalidOperation:  # not a number: the form's own check says so
            continue
        if not same:
            found[figure.field.key] = (computed, given)
    return found


def shown_number(value: float) -> str:
    """A computed figure as a form holds it: no float noise, no trailing zeros."""
    text = format(Decimal(str(round(value, 6))).normalize(), "f")
    return text


def aggregate_problems(
    report: RelayReport, values: dict[str, str], *, note: str, confirm_missing: bool
) -> list[Problem]:
    """What stops the aggregate: each unexplained difference beside its figure, the
    reporters left out beside the confirmation (empty: nothing)."""
    problems = []
    if not note.strip():
        labels = {f.field.key: f.field.label for f in report.figures}
        for key, (computed, given) in differences(report, values).items():
            message = (
                f"“{labels[key]}”填报{given}，与下级审核通过数据的汇总{computed}不一致，"
                "请填写差异说明"
            )
            problems.append(Problem(key, message))
    left_out = report.missing
    if left_out and not confirm_missing:
        names = "、".join(f"{r.name}（{STATES[r.state]}）" for r in left_out)
        message = f"尚有{len(left_out)}个单位未纳入汇总：{names}；仍要报送须确认"
        problems.append(Problem(CONFIRM_MISSING, message))
    return problems


def submit_answer(
    *,
    session: Session,
    link_or_request: ReplyLink | ReportRequest,
    report_in: ReportCreate,
    channel: Channel,
    note: str = "",
    confirm_missing: bool = False,
    now: datetime | None = None,
    actor: str | None = None,
    data_dir: Path | None = None,
    target: ReplyContext | None = None,
    writing: Callable[[], object] | None = None,
) -> Answer:
    """Store an answer as `submit_report` does, an aggregate request's past its rules
    first: what every channel calls (the personal link, its .xlsx upload, the mail intake,
    the console), so none stores a city's report unchecked.

    A relay unit's report (ReportInvalid: every problem, the form's and the aggregate's,
    nothing stored; RequestClosed, RequestSettled as submit_report) keeps `note` in its
    narrative and in an audit entry with who was left out."""
    if target is None:
        target = resolve_context(session=session, link_or_request=link_or_request)
    checked = None
    if is_aggregate(target):
        checked = _checked_aggregate(
            session, target, report_in, note=note.strip(), confirm_missing=confirm_missing
        )
        report_in = checked.report_in
    answer = submit_report(
        session=session,
        link_or_request=link_or_request,
        report_in=report_in,
        channel=channel,
        now=now,
        actor=actor,
        data_dir=data_dir,
        target=target,
        writing=writing,
    )
    if checked is not None and not answer.duplicate:
        _audit_aggregate(session, checked, answer, channel=channel, actor=actor)
    return answer


@dataclass(frozen=True)
class _Checked:
    """A relay unit's report past its rules: what is stored, and what the audit keeps."""

    request: ReportRequest
    report: RelayReport
    values: dict[str, str]
    note: str
    report_in: ReportCreate


def _checked_aggregate(
    session: Session,
    target: ReplyContext,
    report_in: ReportCreate,
    *,
    note: str,
    confirm_missing: bool,
) -> _Checked:
    """ReportInvalid with every problem, the form's own among them, when the aggregate's
    rules stop it; else the report as stored (the note joined to its narrative)."""
    ensure_answerable(target)
    request = target.request
    assert request is not None and request.id is not None and target.form is not None
    report = relay_report(session=session, request_id=request.id)
    values = dict(report_in.values)
    problems = aggregate_problems(report, values, note=note, confirm_missing=confirm_missing)
    if problems:  # with the form's own problems, so all are shown at once
        baseline = last_accepted(
            session=session, plan=target.plan, form=target.form, request=request
        )
        try:
            validate_report(form=target.form, report_in=report_in, baseline=baseline)
        except ReportInvalid as exc:
            problems = [*exc.problems, *problems]
        raise ReportInvalid(problems)
    if note and report.form.narrative is not None:
        text = f"{report_in.narrative.strip()}\n\n{NOTE_HEADING}{note}".strip()
        report_in = report_in.model_copy(update={"narrative": text})
    return _Checked(request, report, values, note, report_in)


def _audit_aggregate(
    session: Session, checked: _Checked, answer: Answer, *, channel: Channel, actor: str | None
) -> None:
    request, report = checked.request, checked.report
    record_audit(
        session=session,
        event="aggregate_submitted",
        actor=actor or request.bureau_code,
        channel=channel,
        campaign_id=request.campaign_id,
        bureau_code=request.bureau_code,
        at=answer.submission.submitted_at,
        request_id=request.id,
        submission_id=answer.submission.id,
        accepted=[r.code for r in report.by_state["accepted"]],
        left_out={r.code: r.state for r in report.missing},
        differences={k: list(v) for k, v in differences(report, checked.values).items()},
        note=checked.note or None,
    )


def submit_for_account(
    *,
    session: Session,
    request_id: int,
    scope: Scope,
    values: dict[str, str],
    narrative: str = "",
    note: str = "",
    confirm_missing: bool = False,
    now: datetime | None = None,
    data_dir: Path | None = None,
) -> Answer:
    """The console's submit (/admin/aggregates): the city's own account only
    (AggregateRefused), then `submit_answer` as every other channel."""
    request = session.get(ReportRequest, request_id)
    if request is None or request.kind != RequestKind.aggregate or not may_submit(scope, request):
        raise AggregateRefused("只有本单位的协调员账号可以报送本单位的汇总报告。")
    return submit_answer(
        session=session,
        link_or_request=request,
        report_in=ReportCreate(values=values, narrative=narrative),
        channel=Channel.web,
        note=note,
        confirm_missing=confirm_missing,
        now=now,
        actor=scope.username,
        data_dir=data_dir,
    )
