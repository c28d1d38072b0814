"""A relay unit submits its aggregate report: the one composition of the city's report.

The city's figures are checked and stored by `submit_report`, as any answer (receipt,
audit, the office's review); before that, this refuses what the city must settle first:
reporters not yet in the aggregate (allowed once confirmed), and figures that differ from
the computed aggregate without a note explaining why. The note joins the narrative where
the form has one and is always kept in the audit entry, with who was left out.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlmodel import Session

from campaign.accounts import Scope
from campaign.audit import record_audit
from campaign.replies.submit import Answer, submit_report
from campaign.results.relay import STATES, RelayReport, relay_report
from models.audit import Channel
from models.reply import ReportCreate

NOTE_HEADING = "与下级汇总数的差异说明："


class AggregateRefused(Exception):
    """What stops the aggregate report being submitted (Chinese, for the coordinator)."""


def may_submit(scope: Scope, report: RelayReport) -> bool:
    """Only the relay unit's own accounts that may act submit its report."""
    return scope.may_act and scope.unit_code == report.request.bureau_code


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
        except InvalidOperation:
            same = False
        if not same:
            found[figure.field.key] = (computed, given)
    return found


def shown_number(value: float) -> str:
    """A computed figure as a form holds it: no float noise, no trailing zeros."""
    text = format(Decimal(str(round(value, 6))).normalize(), "f")
    return text


def submit_aggregate(
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
    """Store the relay unit's report (ReportInvalid: the form's problems, nothing stored;
    AggregateRefused: not its account, reporters left out unconfirmed, an unexplained
    difference)."""
    report = relay_report(session=session, request_id=request_id)
    if not may_submit(scope, report):
        raise AggregateRefused("只有本单位的协调员账号可以报送本单位的汇总报告。")
    left_out = report.missing
    if left_out and not confirm_missing:
        names = "、".join(f"{r.name}（{STATES[r.state]}）" for r in left_out)
        raise AggregateRefused(
            f"尚有{len(left_out)}个单位未纳入汇总：{names}。确认仍要报送，请勾选确认后再报送。"
        )
    differ = differences(report, values)
    note = note.strip()
    if differ and not note:
        labels = {f.field.key: f.field.label for f in report.figures}
        listed = "；".join(
            f"{labels[k]}：汇总{computed}，填报{given}" for k, (computed, given) in differ.items()
        )
        raise AggregateRefused(
            f"以下指标与下级审核通过数据的汇总不一致，请填写差异说明：{listed}。"
        )
    text = narrative.strip()
    if note and report.form.narrative is not None:
        text = f"{text}\n\n{NOTE_HEADING}{note}".strip()
    answer = submit_report(
        session=session,
        link_or_request=report.request,
        report_in=ReportCreate(values=values, narrative=text),
        channel=Channel.web,
        now=now,
        actor=scope.username,
        data_dir=data_dir,
    )
    if not answer.duplicate:
        record_audit(
            session=session,
            event="aggregate_submitted",
            actor=scope.username or "office",
            channel=Channel.web,
            campaign_id=report.request.campaign_id,
            bureau_code=report.request.bureau_code,
            at=answer.submission.submitted_at,
            request_id=request_id,
            submission_id=answer.submission.id,
            accepted=[r.code for r in report.by_state["accepted"]],
            left_out={r.code: r.state for r in left_out},
            differences={k: list(v) for k, v in differ.items()},
            note=note or None,
        )
    return answer
