"""Inspections and 整改 orders as a coordinator records them: plain functions, Chinese errors.

Every problem of an entry is named at once (field by field) and nothing is stored when
there is one. An order is a report request (kind rectification): giving it opens the
request, mails the unit its personal link (the order notice) and stores the reminders and
the escalation the plan's reminder policy sets for its deadline, which the tick carries
out as for any report. The unit reports it done through the link (or a reply to the mail);
a coordinator may record that report on its behalf (audited as such). 销号 accepts the
report; a return sends it back with a comment and a new deadline.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from campaign.acceptance.form import order_label, order_period
from campaign.acceptance.state import EntryRefused, OrderView, find_order
from campaign.audit import record_audit
from campaign.clock import local_date
from campaign.links import issue_link
from campaign.mail.notices import queue_notice
from campaign.orchestration.requests import open_requests
from campaign.orchestration.store import store_schedule
from campaign.plan.schema import Plan
from campaign.plan.stored import plan_of
from campaign.replies.errors import ReplyError, ReportInvalid
from campaign.replies.review import ReviewError, accept_submission, return_submission
from campaign.replies.submit import submit_report
from campaign.schedule import RECTIFY_DUTY, Event, chase_events
from campaign.settings import get_settings
from campaign.workdays import WorkCalendar
from models.audit import Channel
from models.bureau import Bureau
from models.campaign import Campaign
from models.link import LinkPurpose
from models.rectification import Inspection, RectificationOrder
from models.reply import AttachmentIn, ReportCreate
from models.request import ReportRequest, RequestKind, RequestStatus
from models.schedule import ScheduledEvent

VERDICTS = ("合格", "基本合格", "不合格")


def _unit(session: Session, code: str, problems: list[str]) -> Bureau | None:
    bureau = session.get(Bureau, code.strip())
    if bureau is None:
        problems.append(f"单位：找不到代码为“{code}”的单位")
    return bureau


def record_inspection(
    *,
    session: Session,
    campaign_id: int,
    bureau_code: str,
    inspected_on: date,
    inspector: str,
    verdict: str,
    findings: str,
    at: datetime,
    channel: Channel = Channel.cli,
) -> Inspection:
    problems: list[str] = []
    _unit(session, bureau_code, problems)
    if not inspector.strip():
        problems.append("检查人：不能为空")
    if verdict not in VERDICTS:
        problems.append(f"检查结论：应为{'、'.join(VERDICTS)}之一，收到“{verdict}”")
    if problems:
        raise EntryRefused(problems)
    row = Inspection(
        campaign_id=campaign_id,
        bureau_code=bureau_code.strip(),
        inspected_on=inspected_on,
        inspector=inspector.strip(),
        verdict=verdict,
        findings=findings.strip(),
        recorded_at=at,
    )
    session.add(row)
    session.flush()
    _audit(session, "inspection_recorded", campaign_id, row.bureau_code, inspector, at, channel,
           id=row.id)  # fmt: skip
    return row


def order_rectification(
    *,
    session: Session,
    campaign_id: int,
    bureau_code: str,
    what: str,
    deadline: date,
    ordered_by: str,
    today: date,
    at: datetime,
    inspection_id: int | None = None,
    channel: Channel = Channel.cli,
    work: WorkCalendar | None = None,
) -> RectificationOrder:
    """A new 整改 order, numbered 1, 2, … within the campaign: its request, its chase events
    and the order notice with the unit's personal link, in the caller's transaction."""
    problems: list[str] = []
    bureau = _unit(session, bureau_code, problems)
    if not what.strip():
        problems.append("整改事项：不能为空")
    if deadline < today:
        problems.append(f"整改期限：{deadline.isoformat()}已过（今天是{today.isoformat()}）")
    inspection = None
    if inspection_id is not None:
        inspection = session.get(Inspection, inspection_id)
        if inspection is None or inspection.campaign_id != campaign_id:
            problems.append(f"检查记录：没有编号为{inspection_id}的检查记录")
    if problems or bureau is None:
        raise EntryRefused(problems)
    campaign = session.get_one(Campaign, campaign_id)
    plan = plan_of(campaign)
    number = (
        session.execute(
            select(func.max(col(RectificationOrder.number))).where(
                col(RectificationOrder.campaign_id) == campaign_id
            )
        ).scalar()
        or 0
    ) + 1
    asked = _asked(plan, number, today, deadline)
    request_id = open_requests(
        session=session, campaign_id=campaign_id, event=asked, kind=RequestKind.rectification,
        duty_key=RECTIFY_DUTY, period_key=order_period(number), period_label=order_label(number),
        bureau_codes=[bureau.code], opened_at=at,
    )[bureau.code]  # fmt: skip
    work = work or WorkCalendar.from_file(get_settings().holidays_file)
    store_schedule(session=session, campaign_id=campaign_id, events=chase_events(plan, asked, work))
    order = RectificationOrder(
        campaign_id=campaign_id,
        number=number,
        bureau_code=bureau.code,
        inspection_id=inspection_id,
        what=what.strip(),
        deadline=deadline,
        request_id=request_id,
        ordered_by=ordered_by,
        ordered_at=at,
    )
    session.add(order)
    session.flush()
    link = issue_link(session=session, campaign_id=campaign_id, bureau_code=bureau.code,
                      purpose=LinkPurpose.report, request_id=request_id)  # fmt: skip
    queue_notice(
        session=session, campaign=campaign, plan=plan, bureau=bureau, notice="rectification",
        key=f"order:{RECTIFY_DUTY}:{order_period(number)}",
        context={"step": "order", "order": order, "inspection": inspection,
                 "request": session.get_one(ReportRequest, request_id), "link_url": link.url,
                 "as_of": today, "overdue_days": 0},
    )  # fmt: skip
    _audit(session, "rectification_ordered", campaign_id, order.bureau_code, ordered_by, at,
           channel, number=number, deadline=deadline.isoformat(),
           request_id=request_id)  # fmt: skip
    return order


def _asked(plan: Plan, number: int, today: date, deadline: date) -> Event:
    """The order as an asked request, for its chase events: in the phase of today (else the
    plan's last), so that the tick groups its reminders with that phase's events."""
    phase = next((p for p in plan.phases if p.start <= today <= p.end), None)
    phase = phase or max(plan.phases, key=lambda p: p.end)
    return Event(
        date=today, kind="request", key=f"order:{RECTIFY_DUTY}:{order_period(number)}",
        phase=phase.name, phase_key=phase.key, duty=RECTIFY_DUTY, period=order_period(number),
        period_label=order_label(number), period_start=today, period_end=deadline, due=deadline,
    )  # fmt: skip


def report_done(
    *,
    session: Session,
    campaign_id: int,
    number: int,
    report: str,
    at: datetime,
    actor: str,
    channel: Channel = Channel.cli,
    attachments: tuple[AttachmentIn, ...] = (),
) -> OrderView:
    """A coordinator records the unit's report that the order is done, on its behalf (the
    answer's actor and channel say so; the unit gets its receipt). Chasing stops."""
    view = find_order(session, campaign_id, number)
    try:
        submit_report(
            session=session,
            link_or_request=view.request,
            report_in=ReportCreate(narrative=report, attachments=list(attachments)),
            channel=channel,
            now=at,
            actor=actor,
        )
    except ReportInvalid as exc:
        raise EntryRefused([f"整改情况：{p.message}" for p in exc.problems]) from None
    except ReplyError as exc:
        raise EntryRefused([f"整改通知第{number}号：{exc.message}"]) from None
    return find_order(session, campaign_id, number)


def _reported(session: Session, campaign_id: int, number: int, doing: str) -> OrderView:
    view = find_order(session, campaign_id, number)
    if view.request.status == RequestStatus.accepted:
        raise EntryRefused([f"整改通知：第{number}号已销号"])
    if view.request.status != RequestStatus.submitted or view.latest is None:
        raise EntryRefused([f"整改通知：第{number}号单位尚未报告整改完成，不能{doing}"])
    return view


def close_order(
    *,
    session: Session,
    campaign_id: int,
    number: int,
    closed_by: str,
    at: datetime,
) -> OrderView:
    """销号: accept the unit's report; refused until the unit has reported the order done
    (an order closed already stays so: a repeated 销号 changes nothing)."""
    done = find_order(session, campaign_id, number)
    if done.request.status == RequestStatus.accepted:
        return done
    view = _reported(session, campaign_id, number, "销号")
    assert view.latest is not None and view.latest.id is not None
    try:
        accept_submission(session=session, submission_id=view.latest.id, reviewer=closed_by, now=at)
    except ReviewError as exc:
        raise EntryRefused([str(exc)]) from None
    return find_order(session, campaign_id, number)


def return_order(
    *,
    session: Session,
    campaign_id: int,
    number: int,
    comment: str,
    deadline: date | None,
    returned_by: str,
    at: datetime,
    work: WorkCalendar | None = None,
) -> OrderView:
    """退回: the report is sent back with a comment and a new deadline (None: 3 working
    days); the unit gets a fresh link, is chased again for the new deadline (the plan's
    reminders and escalation) and reports again."""
    problems = [] if comment.strip() else ["退回意见：不能为空"]
    try:
        view = _reported(session, campaign_id, number, "退回")
    except EntryRefused as refused:
        raise EntryRefused([*refused.problems, *problems]) from None
    if problems:
        raise EntryRefused(problems)
    assert view.latest is not None and view.latest.id is not None
    work = work or WorkCalendar.from_file(get_settings().holidays_file)
    try:
        returned = return_submission(session=session, submission_id=view.latest.id,
                                     reviewer=returned_by, comment=comment, due=deadline,
                                     calendar=work, now=at)  # fmt: skip
    except ReviewError as exc:
        raise EntryRefused([f"新的整改期限：{exc}"]) from None
    _chase_again(session, view, returned.due, at, work, f"v{view.latest.version + 1}")
    return find_order(session, campaign_id, number)


def _chase_again(
    session: Session, view: OrderView, due: date, at: datetime, work: WorkCalendar, round_: str
) -> None:
    """The order's chase events not yet carried out give way to those of its new deadline
    (their keys end in :{round_}, so that each round is keyed apart in the ledger)."""
    order = view.order
    campaign = session.get_one(Campaign, order.campaign_id)
    plan = plan_of(campaign)
    session.execute(
        delete(ScheduledEvent).where(
            col(ScheduledEvent.campaign_id) == order.campaign_id,
            col(ScheduledEvent.duty) == RECTIFY_DUTY,
            col(ScheduledEvent.period) == order_period(order.number),
            col(ScheduledEvent.completed_at) == None,  # noqa: E711
        )
    )
    asked = _asked(plan, order.number, local_date(at, campaign.timezone), due)
    events = [replace(e, key=f"{e.key}:{round_}") for e in chase_events(plan, asked, work)]
    store_schedule(session=session, campaign_id=order.campaign_id, events=events)


def inspections_of(session: Session, campaign_id: int) -> list[Inspection]:
    return list(
        session.exec(
            select(Inspection)
            .where(col(Inspection.campaign_id) == campaign_id)
            .order_by(col(Inspection.inspected_on), col(Inspection.id))
        ).all()
    )


def _audit(
    session: Session,
    event: str,
    campaign_id: int,
    code: str,
    actor: str,
    at: datetime,
    channel: Channel,
    **detail: object,
) -> None:
    record_audit(
        session=session,
        event=event,
        actor=actor,
        channel=channel,
        campaign_id=campaign_id,
        bureau_code=code,
        at=at,
        **detail,
    )
