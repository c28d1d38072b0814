"""A tracked task's state from its units' requests and reports: plain functions.

A task is 已完成 when the latest report of every unit that reports on it meets the
deliverable; otherwise 逾期 once its deadline (or, without one, the last due date of its
progress reports) has passed; 推进中 once a unit has reported; 未启动 before that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from campaign.plan.schema import Deliverable, Task
from models.task import TaskState

STATE_LABELS = {
    TaskState.not_started: "未启动",
    TaskState.in_progress: "推进中",
    TaskState.done: "已完成",
    TaskState.overdue: "逾期",
}
YES = {"1", "是", "true", "yes", "已完成"}


@dataclass(frozen=True)
class UnitProgress:
    """One unit's record on a task: its requests' due dates, whether it answered, and the
    values of its latest counted report (None: none yet)."""

    code: str
    answered: bool = False
    late: int = 0  # its task reports that came late or not at all by their due date
    values: dict[str, Any] | None = None


@dataclass
class TaskEntry:
    """One line of the task ledger."""

    key: str
    title: str
    window: str
    lead_units: list[str]
    cooperating_units: list[str]
    deadline: date | None
    state: TaskState
    units_done: list[str] = field(default_factory=list)
    units_pending: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "window": self.window,
            "lead_units": self.lead_units,
            "cooperating_units": self.cooperating_units,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "state": self.state.value,
            "state_label": self.label,
            "units_done": self.units_done,
            "units_pending": self.units_pending,
        }


def delivered(deliverable: Deliverable, values: dict[str, Any] | None) -> bool:
    """Whether a report's values meet the deliverable."""
    value = (values or {}).get(deliverable.field)
    if value is None or str(value).strip() == "":
        return False
    if deliverable.type == "document":
        return True
    if deliverable.type == "done":
        return str(value).strip().lower() in YES
    if deliverable.target is None:
        return True
    try:
        return Decimal(str(value)) >= Decimal(str(deliverable.target))
    except InvalidOperation:
        return False


def task_state(
    task: Task, units: list[UnitProgress], today: date, last_due: date | None
) -> TaskState:
    assert task.deliverable is not None
    if units and all(delivered(task.deliverable, u.values) for u in units):
        return TaskState.done
    deadline = task.deadline or last_due
    if deadline is not None and today > deadline:
        return TaskState.overdue
    if any(u.answered for u in units):
        return TaskState.in_progress
    return TaskState.not_started


def task_entry(
    task: Task,
    window: str,
    units: list[UnitProgress],
    names: dict[str, str],
    today: date,
    last_due: date | None,
) -> TaskEntry:
    assert task.key is not None and task.deliverable is not None
    done = [u.code for u in units if delivered(task.deliverable, u.values)]
    return TaskEntry(
        key=task.key,
        title=task.title,
        window=window,
        lead_units=list(task.lead_units),
        cooperating_units=task.cooperating_named,
        deadline=task.deadline or last_due,
        state=task_state(task, units, today, last_due),
        units_done=[names.get(c, c) for c in done],
        units_pending=[names.get(u.code, u.code) for u in units if u.code not in done],
    )


def not_done(entries: list[TaskEntry]) -> list[TaskEntry]:
    """The tasks not done, overdue first, in plan order."""
    open_ = [e for e in entries if e.state is not TaskState.done]
    return sorted(open_, key=lambda e: e.state is not TaskState.overdue)
