"""整改 orders chased like reports, on every tick, with the plan's reminder policy.

Each open order gets its notice (整改通知) once; a reminder on each day of the policy
before and after its deadline (only the latest one due, when ticks were missed); once
past the deadline by `escalate_after`, one notice per parent unit and day listing every
order of its units escalated that day. Every message is keyed in the outbox
(rectify:{number}:…), so a re-run or two ticks at once queue each once. An order the unit
has reported done, or closed, is not chased.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from campaign.mail.notices import queue_notice
from campaign.plan.schema import Plan
from campaign.schedule import offset_date
from campaign.workdays import WorkCalendar
from models.bureau import Bureau
from models.campaign import Campaign
from models.rectification import OrderStatus, RectificationOrder

NOTICE = "rectification"


@dataclass(frozen=True)
class Step:
    key: str  # the outbox key
    step: str  # order, reminder or escalation


def due_step(plan: Plan, order: RectificationOrder, today: date, work: WorkCalendar) -> Step:
    """The notice an open order is owed today: its order notice, else the latest reminder
    fallen due (None-like step "" when nothing)."""
    policy = plan.reminders
    days = [(order.deadline - timedelta(d), f"-{d}") for d in policy.before_due] + [
        (order.deadline + timedelta(d), f"+{d}") for d in policy.after_due
    ]
    fallen = [(day, label) for day, label in days if order.ordered_at.date() < day <= today]
    if fallen:
        day, label = max(fallen)
        return Step(f"rectify:{order.number}:reminder:{label}", "reminder")
    return Step(f"rectify:{order.number}:order", "order")


def escalation_due(plan: Plan, order: RectificationOrder, today: date, work: WorkCalendar) -> bool:
    after = plan.reminders.escalate_after
    if after is None or order.escalated_at is not None:
        return False
    return today >= offset_date(order.deadline, after, work)


def chase_orders(
    *, session: Session, campaign: Campaign, plan: Plan, today: date, at: datetime
) -> list[str]:
    """Queue what the open orders are owed today; returns the keys queued (or found)."""
    assert campaign.id is not None
    work = WorkCalendar()
    orders = session.exec(
        select(RectificationOrder).where(
            col(RectificationOrder.campaign_id) == campaign.id,
            col(RectificationOrder.status) == OrderStatus.open.value,
        )
    ).all()
    keys = []
    escalate: dict[str, list[RectificationOrder]] = {}
    for order in orders:
        bureau = session.get_one(Bureau, order.bureau_code)
        first = Step(f"rectify:{order.number}:order", "order")
        steps = [first]
        step = due_step(plan, order, today, work)
        if step != first:
            steps.append(step)
        for s in steps:
            queue_notice(
                session=session,
                campaign=campaign,
                plan=plan,
                bureau=bureau,
                notice=NOTICE,
                key=s.key,
                context=_context(order, s.step, today, [order]),
            )
            keys.append(s.key)
        if escalation_due(plan, order, today, work) and bureau.parent_code:
            escalate.setdefault(bureau.parent_code, []).append(order)
    for parent_code, late in sorted(escalate.items()):
        claimed = [o for o in late if _claim_escalation(session, o, at)]
        if not claimed:
            continue
        parent = session.get_one(Bureau, parent_code)
        key = f"rectify-escalation:{today.isoformat()}:" + ",".join(str(o.number) for o in claimed)
        queue_notice(
            session=session,
            campaign=campaign,
            plan=plan,
            bureau=parent,
            notice=NOTICE,
            key=key,
            context=_context(claimed[0], "escalation", today, claimed, session),
        )
        keys.append(key)
    return keys


def _claim_escalation(session: Session, order: RectificationOrder, at: datetime) -> bool:
    """Mark the order escalated, once (a conditional update: two ticks claim it once)."""
    done = session.execute(
        update(RectificationOrder)
        .where(col(RectificationOrder.id) == order.id, col(RectificationOrder.escalated_at) == None)  # noqa: E711
        .values(escalated_at=at)
        .execution_options(synchronize_session=False)
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


def _context(
    order: RectificationOrder,
    step: str,
    today: date,
    orders: list[RectificationOrder],
    session: Session | None = None,
) -> dict[str, object]:
    names = {}
    if session is not None:
        names = {o.bureau_code: session.get_one(Bureau, o.bureau_code).name for o in orders}
    return {
        "step": step,
        "order": order,
        "orders": [
            {"order": o, "unit": names.get(o.bureau_code, ""), "overdue": (today - o.deadline).days}
            for o in orders
        ],
        "as_of": today,
        "overdue_days": (today - order.deadline).days,
    }
