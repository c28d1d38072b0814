"""The relay unit's aggregate pages (/admin/aggregates) as plain functions of a session:
its aggregate requests, and one of them with its reporters and the computed figures."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from campaign.accounts import Scope
from campaign.plan.stored import plan_of
from campaign.replies.aggregate import may_submit, shown_number
from campaign.results.relay import STATES, RelayReport, relay_report
from models.bureau import Bureau
from models.campaign import Campaign
from models.request import ReportRequest, RequestKind, RequestStatus

STATUS_TEXT = {
    RequestStatus.open: "待报送",
    RequestStatus.overdue: "已逾期",
    RequestStatus.submitted: "已报送，待审核",
    RequestStatus.accepted: "已审核通过",
    RequestStatus.returned: "被退回，待重报",
    RequestStatus.closed: "已关闭",
}


def aggregates_context(*, session: Session, scope: Scope) -> dict[str, Any]:
    """The aggregate requests the account sees: its own unit's first."""
    query = (
        select(ReportRequest, Bureau, Campaign)
        .join(Bureau, col(Bureau.code) == col(ReportRequest.bureau_code))
        .join(Campaign, col(Campaign.id) == col(ReportRequest.campaign_id))
        .where(col(ReportRequest.kind) == RequestKind.aggregate.value)
        .order_by(col(ReportRequest.due_date).desc(), col(ReportRequest.bureau_code))
    )
    if scope.units is not None:
        query = query.where(col(ReportRequest.bureau_code).in_(sorted(scope.units)))
    names: dict[int, dict[str, str]] = {}
    rows = []
    for request, bureau, campaign in session.exec(query).all():
        if campaign.id not in names:
            names[campaign.id] = {d.key: d.name for d in plan_of(campaign).duties}  # type: ignore[index]
        rows.append(
            {
                "id": request.id,
                "unit": bureau.name,
                "duty": names[campaign.id].get(request.duty_key, request.duty_key),  # type: ignore[index]
                "period": request.period_label or request.period_key,
                "due": request.due_date.isoformat() if request.due_date else "",
                "status": STATUS_TEXT.get(request.status, str(request.status)),
                "own": request.bureau_code == scope.unit_code,
            }
        )
    rows.sort(key=lambda r: not r["own"])
    return {"title": "汇总上报", "rows": rows}


def aggregate_context(*, session: Session, request_id: int, scope: Scope) -> dict[str, Any] | None:
    """One aggregate request as its page shows it; None: not one the account sees."""
    request = session.get(ReportRequest, request_id)
    if request is None or request.kind != RequestKind.aggregate:
        return None
    if not scope.sees(request.bureau_code):
        return None
    report = relay_report(session=session, request_id=request_id)
    bureau = session.get(Bureau, request.bureau_code)
    entered = report.submission.values if report.submission else {}
    shown = relay_view(report)
    for figure in shown["figures"]:
        figure["value"] = _text(entered.get(figure["key"])) or figure["computed"]
    own = [  # the unit's own fields: text, yes/no, choices, dates
        {
            "key": f.key,
            "label": f.label,
            "type": f.type,
            "choices": list(f.choices),
            "value": _text(entered.get(f.key)),
        }
        for f in report.form.fields
        if not f.numeric
    ]
    return {
        "title": f"{bureau.name if bureau else request.bureau_code}汇总上报",
        "request_id": request.id,
        "unit": bureau.name if bureau else request.bureau_code,
        "form_title": report.form.title,
        "issuer": report.plan.issuer,
        "duty": report.plan.duty(request.duty_key).name,
        "period": request.period_label or request.period_key,
        "due": request.due_date.isoformat() if request.due_date else "",
        "request_status": STATUS_TEXT.get(request.status, str(request.status)),
        "answerable": request.status not in (RequestStatus.accepted, RequestStatus.closed),
        "may_submit": may_submit(scope, request),
        "own_fields": own,
        "narrative": report.form.narrative,
        "narrative_value": report.submission.narrative if report.submission else "",
        **shown,
    }


def relay_view(report: RelayReport) -> dict[str, Any]:
    """The computed aggregate and the reporters' states, as the console page and the
    city's personal link both show them: figures (key, label, unit, computed, spread,
    differs), reporters (code, name, state, key, id), counts by state, left_out."""
    figures = [
        {
            "key": f.field.key,
            "label": f.field.label,
            "unit": f.field.unit,
            "computed": shown_number(f.computed) if f.computed is not None else "",
            "spread": (
                ""
                if f.low is None or f.computed is not None
                else f"最小{shown_number(f.low)}，中位数{shown_number(f.median or 0)}，"
                f"最大{shown_number(f.high or 0)}"
            ),
            "differs": f.differs,
        }
        for f in report.figures
    ]
    reporters = [
        {
            "code": r.code,
            "name": r.name,
            "state": STATES[r.state],
            "key": r.state,
            "id": r.submission_id,
        }
        for r in report.reporters
    ]
    return {
        "figures": figures,
        "reporters": reporters,
        "counts": {state: len(found) for state, found in report.by_state.items()},
        "left_out": len(report.missing),
    }


def _text(value: object) -> str:
    return "" if value is None else str(value)
