"""Who forwards: the directed units at the plan's forwarding level that have units below."""

from __future__ import annotations

from collections.abc import Iterable

from campaign.plan.schema import Plan
from campaign.plan.units import Registry, Unit


def children(registry: Registry, code: str) -> list[Unit]:
    """The active units directly below a unit, by code."""
    found = [u for u in registry.units.values() if u.parent_code == code and u.active]
    return sorted(found, key=lambda u: u.code)


def forwarding_units(plan: Plan, registry: Registry, directed: Iterable[str]) -> list[str]:
    """Of the directed units, those that forward: at the plan's forwarding level, active,
    with at least one active unit below them. None when the plan asks for no forwarding."""
    forward = plan.document.forward
    if forward is None:
        return []
    found = []
    for code in sorted(set(directed)):
        unit = registry.units.get(code)
        if unit and unit.active and unit.level == forward.by and children(registry, code):
            found.append(code)
    return found
