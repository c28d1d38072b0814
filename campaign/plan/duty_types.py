"""Reporting duties of a plan: who reports what on which schedule, their reminder
policy (提醒, 催报, escalation) and level-by-level routing (逐级上报)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from campaign.plan.base import DutyKind, Key, PlanModel
from campaign.plan.fields import Days, Line, Name
from campaign.plan.schedule_types import DutySchedule, Offset
from campaign.plan.units import DEFAULT_RECIPIENTS, Recipient, Selector, selector


class ReminderPolicy(PlanModel):
    before_due: list[Days] = Field(
        default_factory=lambda: [1],
        max_length=10,
        description="Days before the due date: a reminder.",
    )
    after_due: list[Days] = Field(
        default_factory=lambda: [1], max_length=10, description="Days after the due date: 催报."
    )
    escalate_after: Offset | None = Field(
        default_factory=lambda: Offset(working_days=3),
        description="After this long past due, the parent bureau gets a copy.",
    )


class Routing(PlanModel):
    """A duty reported level by level (逐级上报): each reporter's answer goes to its
    ancestor at the `via` level, which reviews it and sends its own report, the aggregate
    of its accepted reporters, `relay_due` after the reporters' due date."""

    via: Literal["province", "city", "county"] = Field(
        description="The level that reviews and aggregates: the reporters' ancestor there."
    )
    relay_due: Offset = Field(
        description="The via unit's report is due this long after the reporters' due date."
    )


ROUTED_KINDS = ("progress", "stage_summary", "final_summary")
"""The duty kinds a routing applies to: reports on a form, asked per period."""


class Duty(PlanModel):
    """A reporting duty: who reports what, on which schedule."""

    key: Key
    name: Name = Field(description="e.g. 动态信息, 阶段小结.")
    kind: DutyKind
    form: Line | None = Field(default=None, description="Key of the report form.")
    phase: Line | list[Line] | None = Field(
        default=None,
        description="Key of the phase or action whose window bounds the duty, or a list of "
        "them (the duty runs from the first's start to the last's end); none: the whole plan.",
    )
    reporters: Selector = Field(
        default_factory=lambda: selector("city"),
        description="Who reports: a level, office, or a selector (campaign/plan/units.py).",
    )
    recipients: list[Recipient] = Field(
        default_factory=lambda: list(DEFAULT_RECIPIENTS),
        min_length=1,
        max_length=10,
        description="To whom the report goes: office, parent, government or {unit: code}.",
    )
    schedule: DutySchedule
    reminders: ReminderPolicy | None = Field(
        default=None, description="Overrides the plan's reminder policy for this duty."
    )
    routing: Routing | None = Field(
        default=None, description="Reported level by level through a via unit (逐级上报)."
    )

    @property
    def window_keys(self) -> list[str]:
        """The phases and actions bounding the duty (none: the whole plan)."""
        if self.phase is None:
            return []
        return [self.phase] if isinstance(self.phase, str) else list(self.phase)
