"""The progress duty of each tracked task: what the pipeline requests from its units."""

from __future__ import annotations

from typing import TYPE_CHECKING

from campaign.plan.fields import NAME_LENGTH

if TYPE_CHECKING:
    from campaign.plan.schema import Duty, Plan, Task


def tracked_tasks(plan: Plan) -> list[tuple[Task, str]]:
    """Every tracked task of the plan with the key of its phase or action, in plan order."""
    found: list[tuple[Task, str]] = []
    for phase in plan.phases:
        found += [(t, phase.key) for t in phase.tasks if t.key is not None]
        for action in phase.actions:
            found += [(t, action.key) for t in action.tasks if t.key is not None]
    return found


def task_duties(plan: Plan) -> list[Duty]:
    """One duty per tracked task: its units report on its form, on its progress schedule
    or once by its deadline."""
    from campaign.plan.schema import ByDate, Duty  # noqa: PLC0415 (schema imports this)

    duties = []
    for task, window in tracked_tasks(plan):
        assert task.key is not None
        schedule = task.progress
        if schedule is None:
            assert task.deadline is not None
            schedule = ByDate(type="by_date", due=task.deadline, opens=task.start)
        duties.append(
            Duty(
                key=task.key,
                name=task.title[:NAME_LENGTH],
                kind="task",
                form=task.form,
                phase=window,
                reporters={"units": task.reporting_units()},
                schedule=schedule,
                reminders=task.reminders,
            )
        )
    return duties
