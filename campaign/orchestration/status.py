"""Where a campaign stands at `as_of`: phases, next deadlines, and each bureau's reports."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from campaign.acceptance.form import RECTIFY_NAME
from campaign.clock import local_date, utc
from campaign.orchestration.store import load_rows
from campaign.plan.stored import plan_of
from campaign.schedule import ACK_DUTY, FORWARD_DUTY, RECTIFY_DUTY, is_request_kind
from campaign.tasks.store import task_ledger
from models.bureau import Bureau
from models.campaign import Campaign
from models.ledger import ActionRecord, ActionState
from models.request import ReportRequest, RequestStatus

ANSWERED = (RequestStatus.submitted.value, RequestStatus.accepted.value)
WAITING = (RequestStatus.open.value, RequestStatus.returned.value)
NEXT_EVENTS = 8
LATE_MARK = " (迟报)"  # appended to an answered request's label when it came late


@dataclass
class BureauStanding:
    code: str
    name: str
    outstanding: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    actions_done: int = 0


@dataclass
class CampaignStanding:
    id: int
    document_number: str
    title: str
    status: str
    as_of: str
    today: date
    timeline_percent: float
    reports_expected: int
    reports_received: int
    active_phases: list[dict[str, Any]]
    next_events: list[dict[str, Any]]
    bureaus: list[BureauStanding]
    tasks: list[dict[str, Any]] = field(default_factory=list)  # the task ledger (任务台账)

    @property
    def reports_percent(self) -> float:
        if not self.reports_expected:
            return 0.0
        return round(100 * self.reports_received / self.reports_expected, 1)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["today"] = self.today.isoformat()
        data["reports_percent"] = self.reports_percent
        return data


def campaign_standing(*, session: Session, campaign_id: int, as_of: datetime) -> CampaignStanding:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise LookupError(f"no campaign {campaign_id}")
    plan = plan_of(campaign)
    today = local_date(as_of, campaign.timezone)
    span = max((plan.end - plan.start).days, 1)
    timeline = min(max((today - plan.start).days / span, 0.0), 1.0) * 100
    duty_names = {d.key: d.name for d in plan.duties} | {
        ACK_DUTY: "签收",
        FORWARD_DUTY: "转发",
        RECTIFY_DUTY: RECTIFY_NAME,
    }
    names = dict(session.exec(select(col(Bureau.code), col(Bureau.name))).all())
    bureaus: dict[str, BureauStanding] = {}

    def standing(code: str) -> BureauStanding:
        if code not in bureaus:
            bureaus[code] = BureauStanding(code=code, name=names.get(code, code))
        return bureaus[code]

    expected = received = 0
    query = select(ReportRequest).where(col(ReportRequest.campaign_id) == campaign_id)
    moment = utc(as_of)
    for request in session.exec(
        query.order_by(col(ReportRequest.due_date), col(ReportRequest.id))
    ).all():
        if utc(request.opened_at) > moment:
            continue  # not yet asked for at as_of
        label = f"{duty_names.get(request.duty_key, request.duty_key)} {request.period_label}"
        entry = standing(request.bureau_code)
        answered = answered_by(request, moment)
        if answered:
            entry.done.append(label + (LATE_MARK if request.late else ""))
        elif request.due_date is None or request.due_date >= today:
            entry.outstanding.append(label)  # not yet due at as_of, whatever its status now
        else:
            entry.late.append(label)
        if request.duty_key not in (ACK_DUTY, FORWARD_DUTY, RECTIFY_DUTY):  # reports only
            expected += 1
            received += answered
    for code, count in actions_done(session=session, campaign_id=campaign_id).items():
        standing(code).actions_done = count
    rows = load_rows(session=session, campaign_id=campaign_id, pending_only=True)
    upcoming = [
        {
            "date": r.date.isoformat(),
            "kind": r.kind,
            "key": r.key,
            "what": " ".join(filter(None, [duty_names.get(r.duty or ""), r.period_label]))
            or r.action
            or r.phase,
            "due": r.due.isoformat() if r.due and is_request_kind(r.kind) else None,
        }
        for r in rows
        if r.date >= today
    ][:NEXT_EVENTS]
    return CampaignStanding(
        id=campaign_id,
        document_number=campaign.document_number,
        title=campaign.title,
        status=campaign.status,
        as_of=as_of.isoformat(),
        today=today,
        timeline_percent=round(timeline, 1),
        reports_expected=expected,
        reports_received=received,
        active_phases=[
            {"key": p.key, "name": p.name, "start": p.start.isoformat(), "end": p.end.isoformat()}
            for p in plan.phases
            if p.start <= today <= p.end
        ],
        next_events=upcoming,
        bureaus=sorted(bureaus.values(), key=lambda b: b.code),
        tasks=[
            e.to_json()
            for e in task_ledger(session=session, campaign_id=campaign_id, plan=plan, today=today)
        ],
    )


def answered_by(request: ReportRequest, moment: datetime) -> bool:
    """Whether the request stood answered (submitted or accepted) at `moment` (UTC): an
    answer sent later does not count at an earlier as_of."""
    if request.status not in ANSWERED:
        return False
    return request.answered_at is None or utc(request.answered_at) <= moment


def actions_done(*, session: Session, campaign_id: int) -> dict[str, int]:
    """Ledger actions carried out per bureau."""
    query = (
        select(col(ActionRecord.bureau_code), func.count())
        .where(
            col(ActionRecord.campaign_id) == campaign_id,
            col(ActionRecord.state) == ActionState.done.value,
            col(ActionRecord.bureau_code) != "",
        )
        .group_by(col(ActionRecord.bureau_code))
    )
    return dict(session.exec(query).all())


def tick_table(standing: CampaignStanding, done_now: Counter[str]) -> list[dict[str, Any]]:
    """One row per bureau for the tick's table artifact (the coordinator reads Chinese)."""
    return [
        {
            "单位代码": b.code,
            "单位": b.name,
            "本次办理": done_now.get(b.code, 0),
            "累计办理": b.actions_done,
            "已报": len(b.done),
            "待报": "；".join(b.outstanding),
            "逾期未报": "；".join(b.late),
        }
        for b in standing.bureaus
    ]


def done_per_bureau(outcomes: list[dict[str, Any]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for outcome in outcomes:
        counts.update(code for code in outcome.get("done", []) if code)
    return counts
