"""The task ledger read from the database (`task_ledger`) and stored by the tick
(`refresh_task_ledger`: one row per task, each change of state audited once)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import select as select_columns
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


@dataclass(frozen=True)
class TaskInputs:
    """What the task ledger and the accountability rules read from the database, whatever
    the day: loaded once, then evaluated for each day (`refresh_summaries` evaluates it for
    every stored summary at every tick)."""

    requests: list[Asked]  # every request of the campaign
    values: dict[tuple[str, str], dict[str, Any]]  # (task, unit) → latest counted values
    names: dict[str, str]  # unit code → name
    units: list[str] = field(default_factory=list)  # names of the units below the root


def load_task_inputs(*, session: Session, campaign_id: int, plan: Plan) -> TaskInputs:
    from campaign.bureaus import load_registry  # noqa: PLC0415

    keys = [t.key for t, _ in tracked_tasks(plan) if t.key]
    registry = load_registry(session=session, plan=plan)
    return TaskInputs(
        requests=_asked(session, campaign_id),
        values=_latest_values(session, campaign_id, keys) if keys else {},
        names=dict(session.exec(select(col(Bureau.code), col(Bureau.name))).all()),
        units=[
            u.name for _, u in sorted(registry.units.items()) if u.active and registry.below_root(u)
        ],
    )


def task_ledger(
    *, session: Session, campaign_id: int, plan: Plan, today: date, inputs: TaskInputs | None = None
) -> list[TaskEntry]:
    """Every tracked task of the plan with its state at `today`, in plan order."""
    tasks = tracked_tasks(plan)
    keys = {t.key for t, _ in tasks if t.key}
    if not keys:
        return []
    inputs = inputs or load_task_inputs(session=session, campaign_id=campaign_id, plan=plan)
    values, names = inputs.values, inputs.names
    by_task: dict[str, dict[str, list[Asked]]] = defaultdict(lambda: defaultdict(list))
    for request in inputs.requests:
        if request.duty_key in keys:
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


class Asked(NamedTuple):
    """What the task ledger reads of a request: no entity, no JSON column to decode (the
    summaries read it once per stored summary at every tick)."""

    duty_key: str
    bureau_code: str
    status: str
    late: bool
    due_date: date | None


def _asked(session: Session, campaign_id: int, *where: Any) -> list[Asked]:
    r = ReportRequest
    query = select_columns(  # five columns: more than sqlmodel's select is typed for
        col(r.duty_key), col(r.bureau_code), col(r.status), col(r.late), col(r.due_date)
    ).where(col(r.campaign_id) == campaign_id, *where)
    return [Asked(*row) for row in session.execute(query).tuples()]


def _late(request: Asked, today: date) -> bool:
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


def late_by_unit(inputs: TaskInputs, today: date) -> dict[str, int]:
    """Unit name → its reports (签收 aside) answered late or unanswered past their due date."""
    from campaign.schedule import ACK_DUTY  # noqa: PLC0415 (schedule imports the plan)

    counts: dict[str, int] = defaultdict(int)
    for request in inputs.requests:
        if request.duty_key != ACK_DUTY and _late(request, today):
            counts[inputs.names.get(request.bureau_code, request.bureau_code)] += 1
    return dict(counts)


def task_summary(
    *, session: Session, campaign_id: int, plan: Plan, today: date, inputs: TaskInputs | None = None
) -> dict[str, Any]:
    """What the summaries add for tasks and accountability: the ledger, the tasks not done,
    and each accountability rule with the units it applies to. `inputs`: loaded once for
    several days (else loaded here)."""
    from campaign.tasks.accountability import apply_rules  # noqa: PLC0415
    from campaign.tasks.ledger import not_done  # noqa: PLC0415

    inputs = inputs or load_task_inputs(session=session, campaign_id=campaign_id, plan=plan)
    entries = task_ledger(
        session=session, campaign_id=campaign_id, plan=plan, today=today, inputs=inputs
    )
    late = late_by_unit(inputs, today)
    return {
        "tasks": [e.to_json() for e in entries],
        "tasks_not_done": [e.to_json() for e in not_done(entries)],
        "accountability": apply_rules(plan, late, overdue_tasks_by_unit(entries), inputs.units),
    }
