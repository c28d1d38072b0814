"""Routing (逐级上报): a duty's reporters answer to their ancestor at the `via` level, which
reviews them and sends its own report, their aggregate, to the office.

`routing_checks`: what the plan itself gets wrong (a kind without periods to relay, a via
level not above the reporters). `relay_problems`: reporters of the registry without an
active ancestor at the via level (what refuses a launch, beside campaign.plan.reach).
`relay_units`: the one resolution of each reporter's relay unit, used by the tick.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from campaign.i18n import _
from campaign.plan.checks import Path, Problem
from campaign.plan.schema import ROUTED_KINDS, Duty, Plan
from campaign.plan.units import Registry, Unit, resolve_units

LEVEL_RANK = {"province": 0, "city": 1, "county": 2}
SHOWN = 5  # units named in a message before "…"


def routing_checks(plan: Plan) -> Iterator[Problem]:
    """A routing on a duty of a kind it does not fit, or via a level not above its
    reporters' (a level the reporters' selector names)."""
    for i, duty in enumerate(plan.duties):
        if duty.routing is None:
            continue
        at: Path = ("duties", i, "routing")
        if duty.kind not in ROUTED_KINDS:
            yield Problem(
                at,
                _(
                    "only progress, stage_summary and final_summary duties can be routed "
                    "level by level (this duty is {kind})"
                ).format(kind=duty.kind),
            )
            continue
        via = duty.routing.via
        if duty.reporters.names_office:
            yield Problem(
                (*at, "via"), _("the issuing bureau itself cannot report through a lower level")
            )
        for clause in duty.reporters.any_of:
            for level in clause.level:
                if level == "all" or LEVEL_RANK[level] <= LEVEL_RANK[via]:
                    yield Problem(
                        (*at, "via"),
                        _(
                            "via {via} must be a level above the reporters' ({level}): "
                            "the reporters answer to their ancestor at that level"
                        ).format(via=via, level=level),
                    )


def relay_of(unit: Unit, via: str, registry: Registry) -> Unit | None:
    """The unit's active ancestor at the via level (None: it has none)."""
    seen, current = {unit.code}, unit.parent_code
    while current is not None and current not in seen:
        seen.add(current)
        parent = registry.units.get(current)
        if parent is None:
            return None
        if parent.level == via:
            return parent if parent.active else None
        current = parent.parent_code
    return None


def relay_units(duty: Duty, registry: Registry, codes: Iterable[str]) -> dict[str, str]:
    """Each reporter's relay unit (code by reporter code); reporters without one, and every
    reporter of a duty without routing, are left out (their answers go to the office)."""
    if duty.routing is None:
        return {}
    found: dict[str, str] = {}
    for code in codes:
        unit = registry.units.get(code)
        relay = relay_of(unit, duty.routing.via, registry) if unit is not None else None
        if relay is not None:
            found[code] = relay.code
    return found


def relay_problems(plan: Plan, registry: Registry) -> Iterator[Problem]:
    """Reporters of a routed duty that have no active ancestor at its via level."""
    for i, duty in enumerate(plan.duties):
        if duty.routing is None or duty.kind not in ROUTED_KINDS:
            continue
        via = duty.routing.via
        lacking = [
            u.name
            for u in resolve_units(duty.reporters, registry)
            if relay_of(u, via, registry) is None
        ]
        if lacking:
            shown = "、".join(lacking[:SHOWN]) + ("等" if len(lacking) > SHOWN else "")
            yield Problem(
                ("duties", i, "routing", "via"),
                _(
                    "duty {name} ({key}): {count} reporter(s) have no unit at level {via} "
                    "above them in the registry to review and aggregate their reports: {units}"
                ).format(name=duty.name, key=duty.key, count=len(lacking), via=via, units=shown),
            )
