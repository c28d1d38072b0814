"""What the bureau's pages show: the report form (fields, entries, messages) and the 签收 page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from campaign.acceptance.state import order_of_request
from campaign.clock import local_time, local_today
from campaign.plan.schema import NARRATIVE_KEY, FormField, ReportForm
from campaign.replies.acknowledge import directive_title, directive_window
from campaign.replies.aggregate import is_aggregate
from campaign.replies.attachments import ALLOWED_TEXT, MAX_ATTACHMENTS
from campaign.replies.errors import ATTACHMENTS, CONFIRM_MISSING, UPLOAD, Problem
from campaign.replies.history import last_accepted, latest_version
from campaign.replies.reply_context import ReplyContext
from campaign.replies.values import MAX_TEXT_CHARS
from campaign.results.relay import relay_report
from campaign.templating import cn_date
from campaign.web.aggregate_views import relay_view
from models.link import LinkPurpose
from models.rectification import Inspection
from models.request import ReportRequest, RequestKind, RequestStatus
from models.submission import ReviewStatus

STATUS_TEXT = {
    RequestStatus.open: "待报送",
    RequestStatus.overdue: "已逾期，尚未报送",
    RequestStatus.submitted: "已报送，待审核",
    RequestStatus.accepted: "已审核通过",
    RequestStatus.returned: "已退回，请修改后重新报送",
    RequestStatus.closed: "已关闭",
}
ORDER_STATUS_TEXT = {
    RequestStatus.open: "待报告整改情况",
    RequestStatus.overdue: "已逾期，尚未报告整改情况",
    RequestStatus.submitted: "已报告整改完成，待核实销号",
    RequestStatus.returned: "已退回，请按意见整改后重新报告",
}
INPUT_MODES = {
    "integer": "numeric",
    "decimal": "decimal",
    "percent": "decimal",
    "text": "text",
    "yes_no": "text",
    "date": "numeric",
    "choice": "text",
}
TYPE_HINTS = {
    "integer": "填写整数",
    "decimal": "填写数字",
    "percent": "填写0至100之间的数字",
    "date": "填写日期，如2009-03-05",
}


@dataclass
class FieldView:
    key: str
    label: str
    unit: str
    type: str
    cumulative: bool
    hint: str
    inputmode: str
    value: str = ""
    errors: list[str] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)  # yes/no: 是, 否; a choice: its options
    required: bool = True
    computed: dict[str, Any] | None = None  # an aggregate's figure (aggregate_views.relay_view)


def field_view(
    form_field: FormField,
    value: str,
    errors: list[str],
    computed: dict[str, Any] | None = None,
) -> FieldView:
    hints = [TYPE_HINTS.get(form_field.type, "")]
    if form_field.accumulation == "cumulative":
        hints.append("自方案实施以来累计，不得小于上次审核通过的数")
    if form_field.help:
        hints.append(form_field.help)
    return FieldView(
        key=form_field.key,
        label=form_field.label,
        unit=form_field.unit,
        type=form_field.type,
        cumulative=form_field.accumulation == "cumulative",
        hint="；".join(h for h in hints if h),
        inputmode=INPUT_MODES[form_field.type],
        value=value,
        errors=errors,
        choices=["是", "否"] if form_field.type == "yes_no" else list(form_field.choices),
        required=form_field.required,
        computed=computed,
    )


def report_to(request: ReportRequest | None) -> list[str]:
    """Whom the report goes to, when not only the plan's office (the office is the default
    and goes unsaid); names as stored on the request at its opening."""
    recipients = request.recipients if request is not None else []
    if not any(r.get("code") for r in recipients):
        return []
    return [str(r["name"]) for r in recipients]


def facts(target: ReplyContext, now: datetime) -> dict[str, Any]:
    request = target.request
    late_now = bool(
        request is not None
        and request.due_date is not None
        and local_today(now, target.timezone) > request.due_date
        and request.status not in (RequestStatus.accepted, RequestStatus.closed)
    )
    return {
        "campaign": target.campaign,
        "office": target.plan.office,
        "bureau_name": target.bureau.name,
        "period_label": (request.period_label or request.period_key) if request else "",
        "due_date": request.due_date if request else None,
        "late_now": late_now,
        "status_text": STATUS_TEXT.get(request.status, "") if request else "",
        "recipients": report_to(request),
        "due_title": "报送截止",
        "late_note": "（已逾期，现在报送将记为迟报）",
    }


def report_page(
    *,
    session: Session,
    target: ReplyContext,
    now: datetime,
    token: str,
    csrf_token: str,
    entered: dict[str, str] | None = None,
    narrative: str | None = None,
    problems: list[Problem] | None = None,
    alert: str | None = None,
    note: str = "",
    confirm_missing: bool = False,
) -> dict[str, Any]:
    """The context of report_form.html: entries kept after a refusal, else pre-filled;
    alert: a message about the sending itself, not the entries (e.g. the system was busy).
    An aggregate request's page also shows the computed aggregate and the reporters, as
    the console's aggregate page does, and pre-fills the computed figures."""
    form: ReportForm = target.form  # type: ignore[assignment]
    problems = problems or []
    notes: list[str] = []
    returned_comment = ""
    relay = _relay(session, target)
    prefilled = False  # an aggregate's figures filled in with the computed ones
    if entered is None:
        entered, narrative = {}, ""
        request = target.request
        latest = (
            latest_version(session=session, request_id=request.id)  # type: ignore[arg-type]
            if request
            else None
        )
        if latest is not None and request is not None:
            entered = {k: "" if v is None else str(v) for k, v in latest.values.items()}
            narrative = latest.narrative
            when = local_time(latest.submitted_at, target.timezone)
            notes.append(
                f"本单位已于{cn_date(when)}{when:%H:%M}报送第{latest.version}版。"
                "如需修改，改后再次提交即保存为新版本，此前各版均保留。"
            )
            if latest.review_status == ReviewStatus.returned:
                returned_comment = latest.review_comment or ""
        elif relay is not None:
            entered = {f["key"]: f["computed"] for f in relay["figures"] if f["computed"]}
            prefilled = True
        elif request is not None:
            baseline = last_accepted(session=session, plan=target.plan, form=form, request=request)
            cumulative = [f.key for f in form.fields if f.accumulation == "cumulative"]
            if baseline is not None and cumulative:
                entered = {
                    k: str(baseline.values[k])
                    for k in cumulative
                    if baseline.values.get(k) is not None
                }
                notes.append(
                    f"累计数已按上次审核通过的报告（{baseline.label}）预填，"
                    "请更新为截至本期末的累计数。"
                )
    by_field: dict[str | None, list[str]] = {}
    for problem in problems:
        by_field.setdefault(problem.field, []).append(problem.message)
    computed = {f["key"]: f for f in relay["figures"]} if relay else {}
    is_ad_hoc = target.purpose == LinkPurpose.ad_hoc
    context = facts(target, now)
    context.update(
        title=f"{form.title} - {target.campaign.document_number}",
        heading=target.duty.name if target.duty else form.title,
        form_title=form.title,
        fields=[
            field_view(f, entered.get(f.key, ""), by_field.get(f.key, []), computed.get(f.key))
            for f in form.fields
        ],
        narrative=None
        if form.narrative is None
        else {
            "label": form.narrative.label,
            "required": form.narrative.required,
            "max_length": form.narrative.max_length,
            "value": narrative or "",
            "errors": by_field.get(NARRATIVE_KEY, []),
        },
        attachment=form.attachment,
        attachment_errors=by_field.get(ATTACHMENTS, []),
        upload_errors=by_field.get(UPLOAD, []),
        summary=[{"anchor": _anchor(p.field), "message": p.message} for p in problems],
        problem_count=len(problems),
        notes=notes,
        alert=alert,
        returned_comment=returned_comment,
        csrf_token=csrf_token,
        form_action=f"/r/{token}",
        upload_action=None if is_ad_hoc or not form.fields else f"/r/{token}/xlsx",
        submit_label="报送重大情况" if is_ad_hoc else "提交报送",
        order=None,
        max_attachments=MAX_ATTACHMENTS,
        max_text_chars=MAX_TEXT_CHARS,
        allowed_types=ALLOWED_TEXT,
        aggregate=None
        if relay is None
        else {
            **relay,
            "prefilled": prefilled,
            "note": note,
            "confirm_missing": confirm_missing,
            "confirm_errors": by_field.get(CONFIRM_MISSING, []),
        },
    )
    if target.request is not None and target.request.kind == RequestKind.rectification:
        context.update(order_facts(session, target))
    if is_ad_hoc:
        context.update(
            heading="重大情况随时报送",
            period_label="",
            status_text="",
        )
        notes.insert(
            0, "本链接长期有效：发现重大情况时，请随时填写报送，每次提交即为一份新的报告。"
        )
    return context


def order_facts(session: Session, target: ReplyContext) -> dict[str, Any]:
    """What the page of a 整改 order adds: the order (what, deadline, who ordered it when,
    the inspection it came from) and its own words for the deadline and the button."""
    request = target.request
    assert request is not None and request.id is not None
    order = order_of_request(session, request.id)
    if order is None:
        return {}
    inspection = session.get(Inspection, order.inspection_id) if order.inspection_id else None
    return {
        "heading": request.period_label,
        "period_label": "",
        "due_title": "整改期限",
        "late_note": "（已逾期，请尽快整改并报告）",
        "submit_label": "报告整改完成",
        "status_text": ORDER_STATUS_TEXT.get(request.status, ""),
        "order": {
            "what": order.what,
            "office": target.plan.office.name,
            "ordered_by": order.ordered_by,
            "ordered_on": local_today(order.ordered_at, target.timezone),
            "first_deadline": order.deadline if order.deadline != request.due_date else None,
            "inspection": inspection,
        },
    }


def acknowledge_page(
    *, target: ReplyContext, now: datetime, token: str, csrf_token: str
) -> dict[str, Any]:
    request = target.request
    assert request is not None
    context = facts(target, now)
    window = directive_window(target.plan, request)
    title = directive_title(target.plan, request, target.campaign.title)
    window_text, description, tasks = "", "", []
    if window is not None:
        phase, action = window
        item = action or phase
        window_text = f"时间：{cn_date(item.start)}至{cn_date(item.end)}"
        description = item.description
        tasks = [
            {"title": t.title, "units": "、".join([*t.lead_units, *t.cooperating_named])}
            for t in item.tasks
        ]
    acknowledged_text = ""
    if request.status == RequestStatus.accepted and request.answered_at is not None:
        when = local_time(request.answered_at, target.timezone)
        acknowledged_text = f"本单位已于{cn_date(when)}{when:%H:%M}签收。"
    context.update(
        period_label="",
        due_title="签收期限",
        late_note="（已逾期，请尽快签收）",
        status_text="已签收" if request.status == RequestStatus.accepted else "待签收",
        title=f"签收通知 - {target.campaign.document_number}",
        heading="签收通知",
        directive_title=title,
        window_text=window_text,
        description=description,
        tasks=tasks,
        acknowledged_text=acknowledged_text,
        csrf_token=csrf_token,
        ack_action=f"/r/{token}/ack",
    )
    return context


def _relay(session: Session, target: ReplyContext) -> dict[str, Any] | None:
    """An aggregate request's computed aggregate and reporters (the console's data)."""
    if not is_aggregate(target):
        return None
    return relay_view(relay_report(session=session, request_id=target.request.id))  # type: ignore[union-attr,arg-type]


def _anchor(place: str | None) -> str:
    """The id of the input a problem belongs to (the summary links to it)."""
    anchors = {
        None: "problems",
        NARRATIVE_KEY: "narrative",
        ATTACHMENTS: "attachments",
        UPLOAD: "table",
        CONFIRM_MISSING: "confirm_missing",
    }
    return anchors.get(place, f"f_{place}")
