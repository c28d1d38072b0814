"""What a plan's unit selectors reach in a registry.

`launch_problems`: what refuses a launch (a duty or tracked task whose reporters, or
directives whose recipients, match no unit: the campaign would send nothing; forwarding
by a level none of whose directed units has units below).
`registry_warnings`: what `campaign validate --bureaus` also reports (groups without
members, named units missing, a task's unit names unknown, reporters without the
recipient their report goes to). Both are plain functions over a `Registry`
(campaign.plan.units), so the launch, validate and tests share them.
"""

from __future__ import annotations

from collections.abc import Iterator

from campaign.forwarding.reach import forwarding_units
from campaign.i18n import _
from campaign.plan.checks import Problem
from campaign.plan.routing import relay_problems
from campaign.plan.schema import Plan
from campaign.plan.units import Recipient, Registry, Selector, resolve_recipients, resolve_units
from campaign.tasks.reach import unknown_task_units, unreached_tasks

SHOWN = 5  # units named in a warning before "…"


def describe(chosen: Selector) -> str:
    """A selector as the plan wrote it, for a message: `level: city; kind: government`."""
    if chosen.label:
        return chosen.label
    if (shorthand := chosen.shorthand()) is not None:
        return shorthand
    clauses = []
    for clause in chosen.any_of:
        if clause.office:
            clauses.append("office")
            continue
        parts = [
            f"{name}: {', '.join(values)}"
            for name, values in (
                ("level", clause.level),
                ("kind", clause.kind),
                ("group", clause.group),
                ("units", clause.units),
            )
            if values
        ]
        clauses.append("; ".join(parts) or "level: all")
    return " | ".join(clauses)


def launch_problems(plan: Plan, registry: Registry) -> list[Problem]:
    """Selectors that match no active unit of the registry, each with its plan path."""
    problems = []
    if not resolve_units(plan.directive_to, registry):
        problems.append(
            Problem(
                ("directive_to",),
                _(
                    "the directives' recipients ({selector}) match no unit of the registry: "
                    "no directive would be sent"
                ).format(selector=describe(plan.directive_to)),
            )
        )
    for i, duty in enumerate(plan.duties):
        if duty.kind != "task" and not resolve_units(duty.reporters, registry):
            problems.append(
                Problem(
                    ("duties", i, "reporters"),
                    _(
                        "duty {name} ({key}): its reporters ({selector}) match no unit of the "
                        "registry, so nobody would be asked to report; import the units "
                        "(`campaign bureaus import`) or correct the reporters"
                    ).format(name=duty.name, key=duty.key, selector=describe(duty.reporters)),
                )
            )
    forward = plan.document.forward
    directed = [u.code for u in resolve_units(plan.directive_to, registry)]
    if forward is not None and directed and not forwarding_units(plan, registry, directed):
        problems.append(
            Problem(
                ("document", "forward", "by"),
                _(
                    "the directives are forwarded by the {level} units (document.forward), "
                    "but no {level} unit receiving them has units below it to forward to"
                ).format(level=forward.by),
            )
        )
    return [*problems, *relay_problems(plan, registry), *unreached_tasks(plan, registry)]


def registry_warnings(plan: Plan, registry: Registry) -> list[Problem]:
    """What may be wrong with the plan against this registry, short of refusing it."""
    return [
        *_named(plan, registry),
        *unknown_task_units(plan, registry),
        *_recipients(plan, registry),
    ]


def _selectors(plan: Plan) -> Iterator[tuple[tuple[str | int, ...], Selector]]:
    yield ("directive_to",), plan.directive_to
    for i, duty in enumerate(plan.duties):
        if duty.kind != "task":  # a task's units are checked at its own place (tasks.reach)
            yield ("duties", i, "reporters"), duty.reporters


def _named(plan: Plan, registry: Registry) -> Iterator[Problem]:
    for path, chosen in _selectors(plan):
        for group in sorted(chosen.groups):
            if not registry.members.get(group):
                yield Problem(
                    path,
                    _("group {group} has no member in the plan or the registry").format(
                        group=group
                    ),
                )
        for code in sorted(ref for ref in chosen.units if not registry.lookup(ref)):
            yield Problem(path, _("unit {code} is not in the registry").format(code=code))
    for g, named in enumerate(plan.groups):
        for code in sorted(ref for ref in named.units if not registry.lookup(ref)):
            yield Problem(
                ("groups", g, "units"),
                _("unit {code} is not in the registry").format(code=code),
            )


def recipient_name(recipient: Recipient) -> str:
    names = {
        "office": _("the office"),
        "parent": _("the parent unit"),
        "government": _("the unit's own government"),
    }
    return names.get(recipient.to, recipient.unit or "")


def _recipients(plan: Plan, registry: Registry) -> Iterator[Problem]:
    for i, duty in enumerate(plan.duties):
        lacking: dict[Recipient, list[str]] = {}
        for unit in resolve_units(duty.reporters, registry):
            _found, missing = resolve_recipients(
                duty.recipients, unit, registry, office_name=plan.office.name
            )
            for recipient in missing:
                lacking.setdefault(recipient, []).append(unit.name)
        for recipient, names in lacking.items():
            shown = "、".join(names[:SHOWN]) + ("等" if len(names) > SHOWN else "")
            yield Problem(
                ("duties", i, "recipients"),
                _(
                    "duty {name} ({key}): {count} reporter(s) have no {recipient} in the "
                    "registry to send the report to: {units}"
                ).format(
                    name=duty.name,
                    key=duty.key,
                    count=len(names),
                    recipient=recipient_name(recipient),
                    units=shown,
                ),
            )
