"""The task ledger read from the database (`task_ledger`) and stored by the tick
(`refresh_task_ledger`: one row per task, each change of state audited once)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from campaign.audit import record_audit
from campaign.plan.schema import Plan
from campaign.rows import insert_missing
from campaign.tasks.duties import tracked_tasks
from campaign.tasks.ledger import TaskEntry, UnitProgress, task_entry
from models.audit import Channel
from models.bureau import Bureau
from models.request import ReportRequest, RequestStatus
from models.submission import ReportSubmission, ReviewStatus
from models.task import TrackedTask

ANSWERED = (RequestStatus.submitted.value, RequestStatus.accepted.value)
COUNTED = (ReviewStatus.accepted.value, ReviewStatus.pending.value)


def task_ledger(*, session: Session, campaign_id: int, plan: Plan, today: date) -> list[TaskEntry]:
    """Every tracked task of the plan with its state at `today`, in plan order."""
    tasks = tracked_tasks(plan)
    keys = [t.key for t, _ in tasks if t.key]
    if not keys:
        return []
    requests = session.exec(
        select(ReportRequest).where(
            col(ReportRequest.campaign_id) == campaign_id, col(ReportRequest.duty_key).in_(keys)
        )
    ).all()
    values = _latest_values(session, campaign_id, keys)
    names = dict(session.exec(select(col(Bureau.code), col(Bureau.name))).all())
    by_task: dict[str, dict[str, list[ReportRequest]]] = defaultdict(lambda: defaultdict(list))
    for request in requests:
        by_task[request.duty_key][request.bureau_code].append(request)
    windows = plan.windows()
    entries = []
    for task, window in tasks:
        assert task.key is not None
        units = [
            UnitProgress(
                code=code,
                answered=any(r.status in ANSWERED for r in asked),
                late=sum(_late(r, today) for r in asked),
                values=values.get((task.key, code)),
            )
            for code, asked in sorted(by_task[task.key].items())
        ]
        dues = [r.due_date for asked in by_task[task.key].values() for r in asked if r.due_date]
        phase, action = windows[window]
        entries.append(
            task_entry(
                task, (action or phase).name, units, names, today, max(dues) if dues else None
            )
        )
    return entries


def overdue_tasks_by_unit(entries: list[TaskEntry]) -> dict[str, int]:
    """Unit name → how many overdue tasks it has not delivered."""
    counts: dict[str, int] = defaultdict(int)
    for entry in entries:
        if entry.state.value == "overdue":
            for name in entry.units_pending:
                counts[name] += 1
    return dict(counts)


def refresh_task_ledger(
    *, session: Session, campaign_id: int, plan: Plan, today: date, at: datetime
) -> int:
    """Store each task's state; audit each change once (a conditional UPDATE). Returns the
    number of tasks whose state changed."""
    entries = task_ledger(session=session, campaign_id=campaign_id, plan=plan, today=today)
    rows = [
        dict(campaign_id=campaign_id, task_key=e.key, state="not_started", changed_at=at, units={})
        for e in sorted(entries, key=lambda e: e.key)
    ]
    insert_missing(session=session, model=TrackedTask, rows=rows, keys=("campaign_id", "task_key"))
    changed = 0
    for entry in entries:
        where = (
            col(TrackedTask.campaign_id) == campaign_id,
            col(TrackedTask.task_key) == entry.key,
        )
        detail: dict[str, Any] = {n: "done" for n in entry.units_done} | {
            n: "pending" for n in entry.units_pending
        }
        session.execute(
            update(TrackedTask)
            .where(*where)
            .values(
                deadline=entry.deadline,
                units_done=len(entry.units_done),
                units_total=len(entry.units_done) + len(entry.units_pending),
                units=detail,
            )
            .execution_options(synchronize_session=False)
        )
        moved = session.execute(
            update(TrackedTask)
            .where(*where, col(TrackedTask.state) != entry.state.value)
            .values(state=entry.state.value, changed_at=at)
            .returning(col(TrackedTask.id))
            .execution_options(synchronize_session=False)
        ).first()
        if moved is not None:
            changed += 1
            record_audit(
                session=session,
                event="task_state_changed",
                actor="system",
                channel=Channel.tick,
                campaign_id=campaign_id,
                at=at,
                task=entry.key,
                state=entry.state.value,
            )
    return changed


def _late(request: ReportRequest, today: date) -> bool:
    if request.status in ANSWERED:
        return request.late
    due = request.due_date
    return request.status != RequestStatus.closed.value and due is not None and due < today


def _latest_values(
    session: Session, campaign_id: int, keys: list[str]
) -> dict[tuple[str, str], dict[str, Any]]:
    """(task, unit) → the values of the unit's latest counted report on the task."""
    query = (
        select(
            col(ReportRequest.duty_key),
            col(ReportSubmission.bureau_code),
            col(ReportSubmission.values),
        )
        .join(ReportRequest, col(ReportSubmission.request_id) == col(ReportRequest.id))
        .where(
            col(ReportSubmission.campaign_id) == campaign_id,
            col(ReportSubmission.review_status).in_(COUNTED),
            col(ReportRequest.duty_key).in_(keys),
        )
        .order_by(
            col(ReportRequest.period_end), col(ReportSubmission.version), col(ReportSubmission.id)
        )
    )
    return {(d, c): dict(v or {}) for d, c, v in session.execute(query).tuples()}


def late_by_unit(*, session: Session, campaign_id: int, today: date) -> dict[str, int]:
    """Unit name → its reports (签收 aside) answered late or unanswered past their due date."""
    from campaign.schedule import ACK_DUTY  # noqa: PLC0415 (schedule imports the plan)

    names = dict(session.exec(select(col(Bureau.code), col(Bureau.name))).all())
    requests = session.exec(
        select(ReportRequest).where(
            col(ReportRequest.campaign_id) == campaign_id, col(ReportRequest.duty_key) != ACK_DUTY
        )
    ).all()
    counts: dict[str, int] = defaultdict(int)
    for request in requests:
        if _late(request, today):
            counts[names.get(request.bureau_code, request.bureau_code)] += 1
    return dict(counts)


def task_summary(*, session: Session, campaign_id: int, plan: Plan, today: date) -> dict[str, Any]:
    """What the summaries add for tasks and accountability: the ledger, the tasks not done,
    and each accountability rule with the units it applies to."""
    from campaign.bureaus import load_registry  # noqa: PLC0415
    from campaign.tasks.accountability import apply_rules  # noqa: PLC0415
    from campaign.tasks.ledger import not_done  # noqa: PLC0415

    entries = task_ledger(session=session, campaign_id=campaign_id, plan=plan, today=today)
    registry = load_registry(session=session, plan=plan)
    units = [
        u.name for _, u in sorted(registry.units.items()) if u.active and registry.below_root(u)
    ]
    late = late_by_unit(session=session, campaign_id=campaign_id, today=today)
    return {
        "tasks": [e.to_json() for e in entries],
        "tasks_not_done": [e.to_json() for e in not_done(entries)],
        "accountability": apply_rules(plan, late, overdue_tasks_by_unit(entries), units),
    }
