"""What a plan's tracked tasks reach in a registry.

A task names its units by registry code or name (`lead_units`, `cooperating_units`). A name
that matches no unit is a warning (`campaign validate --bureaus`, the launch): the unit would
neither be asked nor counted. A task whose reporting units all match nothing refuses the
launch, as a duty whose reporters match nothing does (campaign.plan.reach). Cooperating units
the plan names only in words (相关处室) belong in `cooperating_note`, which is never resolved.
"""

from __future__ import annotations

from collections.abc import Iterator

from campaign.i18n import _
from campaign.plan.checks import Path, Problem
from campaign.plan.schema import Plan, Task
from campaign.plan.units import Registry


def task_places(plan: Plan) -> Iterator[tuple[Path, Task]]:
    """Every tracked task with its path in the plan file."""
    for p, phase in enumerate(plan.phases):
        for t, task in enumerate(phase.tasks):
            if task.key is not None:
                yield ("phases", p, "tasks", t), task
        for a, action in enumerate(phase.actions):
            for t, task in enumerate(action.tasks):
                if task.key is not None:
                    yield ("phases", p, "actions", a, "tasks", t), task


def unknown_task_units(plan: Plan, registry: Registry) -> list[Problem]:
    """Each unit a tracked task names that is not in the registry, at its place."""
    problems = []
    for at, task in task_places(plan):
        for name in ("lead_units", "cooperating_units"):
            for i, ref in enumerate(getattr(task, name)):
                if not registry.lookup(ref):
                    problems.append(
                        Problem(
                            (*at, name, i),
                            _(
                                "task {title} ({key}): unit {unit} is not in the registry; it "
                                "would be neither asked nor counted (units named only in words "
                                "go in cooperating_note)"
                            ).format(title=task.title, key=task.key, unit=ref),
                        )
                    )
    return problems


def unreached_tasks(plan: Plan, registry: Registry) -> list[Problem]:
    """Tracked tasks none of whose reporting units is an active unit of the registry."""
    problems = []
    for at, task in task_places(plan):
        found = [u for ref in task.reporting_units() for u in registry.lookup(ref)]
        if not any(unit.active for unit in found):
            problems.append(
                Problem(
                    (*at, "lead_units" if task.lead_units else "cooperating_units"),
                    _(
                        "task {title} ({key}): none of its reporting units ({units}) is in the "
                        "registry, so nobody would report on it; import the units "
                        "(`campaign bureaus import`) or correct the names"
                    ).format(
                        title=task.title, key=task.key, units="、".join(task.reporting_units())
                    ),
                )
            )
    return problems
