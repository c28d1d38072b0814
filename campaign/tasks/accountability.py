"""The plan's accountability rules (通报, 约谈, 纳入考核) applied to the units' record."""

from __future__ import annotations

from typing import Any

from campaign.plan.schema import Plan


def apply_rules(
    plan: Plan, late: dict[str, int], overdue: dict[str, int], units: list[str]
) -> list[dict[str, Any]]:
    """Each rule of the plan with the units (names) it applies to: `late` counts each unit's
    reports late or missing past due, `overdue` its overdue tasks; `units` is every unit."""
    return [
        {
            "key": rule.key,
            "measure": rule.measure,
            "late_times": rule.late_times,
            "overdue_tasks": rule.overdue_tasks,
            "units": [u for u in units if rule.applies(late.get(u, 0), overdue.get(u, 0))],
        }
        for rule in plan.accountability
    ]


def measures_for(plan: Plan, late: int, overdue: int) -> list[str]:
    """The measures of the rules with a threshold that a unit's record reaches."""
    return [
        r.measure
        for r in plan.accountability
        if (r.late_times is not None or r.overdue_tasks is not None) and r.applies(late, overdue)
    ]
