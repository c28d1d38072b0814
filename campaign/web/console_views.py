"""The coordinators' console as plain functions of a database session: the campaigns, and
per campaign a dashboard (timeline, reporting matrix, targets, laggards, summaries to
download, the review queue). Routes in console_routes.py only render what these return."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, true
from sqlmodel import Session, col, select

from campaign.forwarding.status import forward_states
from campaign.plan.schema import Plan
from campaign.plan.stored import plan_of
from campaign.results.targets import NOT_MET
from campaign.tasks.ledger import TaskEntry, not_done
from campaign.tasks.store import task_ledger
from campaign.web.admin_views import KIND_TEXT, REVIEW_TEXT, report_type
from campaign.web.console_data import Counts, Unit, campaign_units
from campaign.web.console_matrix import STATE_FILTERS, MatrixQuery, matrix
from campaign.web.console_queue import pending_count, pending_queue, reviewed_here
from campaign.web.console_relays import top_level
from campaign.web.console_tally import period_counts, unit_counts
from campaign.web.console_targets import target_standing
from models.campaign import Campaign, CampaignStatus
from models.request import ReportRequest
from models.submission import ReportSubmission, ReviewStatus

STATUS_TEXT = {
    CampaignStatus.active: "进行中",
    CampaignStatus.paused: "已暂停",
    CampaignStatus.cancelled: "已撤销",
    CampaignStatus.completed: "已结束",
}
COMPARATOR_TEXT = {">=": "≥", ">": "＞", "<=": "≤", "<": "＜", "==": "＝"}
LAGGARDS_SHOWN = 20
CHARTS = ("报送率", "主要指标趋势", "目标完成情况")  # campaign.results.charts.write_charts order


def campaigns_context(*, session: Session, within: frozenset[str] | None = None) -> dict[str, Any]:
    """The campaigns, each with its answers awaiting review (within: of these units only)."""
    campaigns = session.exec(select(Campaign).order_by(col(Campaign.id).desc())).all()
    seen = true() if within is None else col(ReportSubmission.bureau_code).in_(sorted(within))
    pending = dict(
        session.exec(
            select(col(ReportSubmission.campaign_id), func.count())
            .join(ReportRequest, col(ReportRequest.id) == col(ReportSubmission.request_id))
            .where(
                col(ReportSubmission.review_status) == ReviewStatus.pending,
                seen,
                reviewed_here(within),
            )
            .group_by(col(ReportSubmission.campaign_id))
        ).all()
    )
    rows = []
    for c in campaigns:
        plan = plan_of(c)
        rows.append(
            {
                "id": c.id,
                "title": c.title,
                "document_number": c.document_number,
                "status": STATUS_TEXT.get(c.status, str(c.status)),
                "span": f"{plan.start:%Y-%m-%d} 至 {plan.end:%Y-%m-%d}",
                "pending": int(pending.get(c.id or 0, 0)),
            }
        )
    return {"title": "工作方案", "campaigns": rows}


def timeline(plan: Plan, today: date) -> dict[str, Any]:
    """Phases and their concentrated actions as bars on the campaign's span (SVG units of
    a 1000-wide box), and where today falls."""
    start, end = plan.start, plan.end
    span = max((end - start).days + 1, 1)

    def x(day: date) -> float:
        return round(1000 * min(max((day - start).days, 0), span) / span, 1)

    def state(a: date, b: date) -> str:
        return "已结束" if b < today else ("进行中" if a <= today else "未开始")

    bars, y = [], 0
    for i, phase in enumerate(plan.phases, 1):
        items = [(str(i), phase.name, phase.start, phase.end, "phase")]
        items += [
            (f"{i}.{j}", a.name, a.start, a.end, "action") for j, a in enumerate(phase.actions, 1)
        ]
        for number, name, a, b, kind in items:
            bars.append(
                {
                    "number": number,
                    "name": name,
                    "start": a,
                    "end": b,
                    "kind": kind,
                    "state": state(a, b),
                    "x": x(a),
                    "width": max(x(b + timedelta(days=1)) - x(a), 2),
                    "y": y,
                }
            )
            y += 22
    inside = start <= today <= end
    return {
        "bars": bars,
        "height": y + 4,
        "today_x": x(today) if inside else None,
        "today": today,
        "start": start,
        "end": end,
    }


def _targets_shown(overall: list[dict[str, Any]]) -> list[dict[str, Any]]:
    shown = []
    for row in overall:
        no_data = [n for n in str(row["units_no_data"]).split("、") if n]
        shown.append(
            {
                **row,
                "goal": f"{COMPARATOR_TEXT.get(str(row['comparator']), row['comparator'])}"
                f"{row['threshold']:g}{row['unit_of_measure']}",
                "no_data_count": len(no_data),
                "no_data_names": "、".join(no_data[:10]) + ("等" if len(no_data) > 10 else ""),
            }
        )
    return shown


def _laggards(
    units: list[Unit], totals: dict[str, Counts], behind: dict[str, list[str]]
) -> list[dict[str, Any]]:
    """Units with reports missing, returned or late, or behind a target: the worst first
    (missing and returned, then late), registry order among equals."""
    rows = []
    for unit in units:
        c = totals.get(unit.code)
        missing, returned, late = (
            (c["missing"], c["returned"], c["late"]) if c is not None else (0, 0, 0)
        )
        targets = behind.get(unit.code)
        if not (missing or returned or late or targets):
            continue
        reasons = []
        if missing:
            reasons.append(f"未报{missing}期")
        if returned:
            reasons.append(f"退回待重报{returned}期")
        if late:
            reasons.append(f"迟报{late}次")
        if targets:
            reasons.append("未达标：" + "、".join(targets))
        rows.append(
            {
                "code": unit.code,
                "name": unit.name,
                "parent": unit.parent_name or "",
                "reasons": "；".join(reasons),
                "sort": (-(missing + returned), -late, unit.order),
            }
        )
    return sorted(rows, key=lambda r: r["sort"])


def _levels(
    units: list[Unit],
    own: dict[str, Counts],
    below: dict[str, Counts],
    members: dict[str, set[str]],
    drill: dict[str, str],
) -> list[dict[str, Any]]:
    """Each relay unit of the duty (registry order): its own aggregate reports counted, and
    its detail units' requests (each city's completeness including its counties)."""
    order = {u.code: (u.order, u.name) for u in units}
    rows = []
    for code in sorted(below, key=lambda c: order.get(c, (len(order), c))):
        rows.append(
            {
                "code": code,
                "name": order.get(code, (0, code))[1],
                "own": own.get(code) or Counts(),
                "below": below[code],
                "units": len(members.get(code, ())),
                "link": drill[code],
            }
        )
    return rows


def _stages(plan: Plan, today: date, campaign_id: int) -> list[dict[str, Any]]:
    """The whole campaign and every phase and action begun by today, with their downloads."""
    base = f"/admin/campaigns/{campaign_id}/stages"
    stages = [{"key": "all", "name": "全程", "span": "", "state": ""}]
    for key, (phase, action) in plan.windows().items():
        window = action or phase
        if window.start > today:
            continue
        done = "已结束" if window.end < today else "进行中"
        span = f"{window.start:%Y-%m-%d} 至 {window.end:%Y-%m-%d}"
        stages.append({"key": key, "name": window.name, "span": span, "state": done})
    for stage in stages:
        stage["workbook"] = f"{base}/{stage['key']}/workbook.xlsx"
        stage["charts"] = [  # type: ignore[assignment]
            {"name": name, "url": f"{base}/{stage['key']}/charts/{i}.png"}
            for i, name in enumerate(CHARTS, 1)
        ]
    return stages


def task_rows(entries: list[TaskEntry]) -> list[dict[str, Any]]:
    """The task ledger as the dashboard shows it: the tasks not done first (overdue, then
    in plan order, as `campaign.tasks.ledger.not_done` orders them), then those done."""
    open_ = not_done(entries)
    ordered = open_ + [e for e in entries if e not in open_]
    return [
        {
            "key": e.key,
            "title": e.title,
            "window": e.window,
            "lead": "、".join(e.lead_units),
            "cooperating": "、".join(e.cooperating_units),
            "deadline": e.deadline,
            "state": e.state.value,
            "label": e.label,
            "done": len(e.units_done),
            "total": len(e.units_done) + len(e.units_pending),
            "pending": "、".join(e.units_pending[:10])
            + ("等" if len(e.units_pending) > 10 else ""),
        }
        for e in ordered
    ]


def _queue(
    items: list[tuple[ReportSubmission, ReportRequest, str]], plan: Plan
) -> list[dict[str, Any]]:
    duties = {d.key: d.name for d in plan.duties}
    return [
        {
            "id": submission.id,
            "bureau": bureau,
            "type": report_type(request, duties),
            "kind": KIND_TEXT.get(request.kind, request.kind),
            "period": request.period_label or request.period_key,
            "version": submission.version,
            "late": submission.late,
            "review": REVIEW_TEXT[submission.review_status],
        }
        for submission, request, bureau in items
    ]


def dashboard_context(
    *,
    session: Session,
    campaign_id: int,
    today: date,
    query: MatrixQuery,
    within: frozenset[str] | None = None,
) -> dict[str, Any] | None:
    """within: an account's scope (its unit and those below): counts, matrix, laggards and
    queue of these units only, and no office task list (it names other units); None: all."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        return None
    plan = plan_of(campaign)
    tally = unit_counts(session=session, campaign_id=campaign_id, today=today, units=within)
    periods = period_counts(session=session, campaign_id=campaign_id, today=today, units=within)
    relayed = top_level(  # counties under their city: in its drill-down only
        session=session,
        campaign_id=campaign_id,
        today=today,
        tally=tally,
        periods=periods,
        units=within,
    )
    by_duty = tally.by_duty
    # the answers this scope reviews: not a county's awaiting its city, for the office
    pending = (
        pending_count(session=session, campaign_id=campaign_id, units=within)
        if tally.pending
        else 0
    )
    queue = pending_queue(session=session, campaign_id=campaign_id, units=within) if pending else []
    totals: dict[str, Counts] = {}
    overall = Counts()
    for per_unit in by_duty.values():
        for code, c in per_unit.items():
            if code not in totals:
                totals[code] = Counts()
            totals[code].merge(c)
            overall.merge(c)
    units = campaign_units(session=session, codes=set(totals))
    per_unit_targets, targets_overall = target_standing(
        session=session,
        campaign_id=campaign_id,
        plan=plan,
        units=units,
        tally=tally,
        periods=periods,
    )
    behind: dict[str, list[str]] = {}
    for code, status, name in zip(
        per_unit_targets["unit"],
        per_unit_targets["status"],
        per_unit_targets["target_name"],
        strict=True,
    ):
        if status == NOT_MET:
            behind.setdefault(code, []).append(name)
    laggards = _laggards(units, totals, behind)
    duty_names = {d.key: d.name for d in plan.duties}
    asked = sorted(
        by_duty.items(), key=lambda kv: (-sum(c.owed + c["not_due"] for c in kv[1].values()), kv[0])
    )
    duties = [{"key": k, "name": duty_names.get(k, k)} for k, _ in asked]
    duty_key = query.duty if query.duty in {d["key"] for d in duties} else ""
    duty_key = duty_key or (duties[0]["key"] if duties else "")
    grid = matrix(
        session=session,
        campaign_id=campaign_id,
        today=today,
        query=MatrixQuery(**{**query.__dict__, "duty": duty_key}),
        duty_key=duty_key,
        units=units,
        counts=by_duty.get(duty_key, {}),
        periods=periods.get(duty_key, []),
        behind=set(behind),
        laggards={r["code"] for r in laggards},
        below=relayed.by_relay.get(duty_key, {}),
        drill=f"/admin/campaigns/{campaign_id}/units/",
    )
    drill = {code: f"/admin/campaigns/{campaign_id}/units/{code}" for code in relayed.units_of()}
    tasks = []
    if within is None:
        tasks = task_rows(
            task_ledger(session=session, campaign_id=campaign_id, plan=plan, today=today)
        )
    parents: dict[str, str] = {}
    for u in units:
        if u.parent_code is not None:
            parents.setdefault(u.parent_code, u.parent_name or u.parent_code)
    return {
        "title": campaign.title,
        "campaign": campaign,
        "campaign_status": STATUS_TEXT.get(campaign.status, str(campaign.status)),
        "today": today,
        "timeline": timeline(plan, today),
        "overall": overall,
        "unit_total": len(units),
        "duties": duties,
        "duty_key": duty_key,
        "duty_name": duty_names.get(duty_key, duty_key),
        "matrix": grid,
        "parents": sorted(parents.items()),
        "state_filters": STATE_FILTERS,
        "targets": _targets_shown(targets_overall),
        "levels": _levels(
            units,
            by_duty.get(duty_key, {}),
            relayed.by_relay.get(duty_key, {}),
            relayed.units.get(duty_key, {}),
            drill,
        ),  # fmt: skip
        "drill": drill,
        "laggards": laggards[:LAGGARDS_SHOWN],
        "laggard_count": len(laggards),
        "laggards_link": grid["query"].link(state="laggard", page=1) + "#matrix",
        "tasks": tasks,
        "tasks_open": sum(t["state"] != "done" for t in tasks),
        "stages": _stages(plan, today, campaign_id),
        "queue": _queue(queue, plan),
        "pending": pending,
        "forwarding": forward_states(
            session=session, campaign_id=campaign_id, within=within, today=today
        ),
    }
