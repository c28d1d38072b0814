"""The plan's phases (阶段), their concentrated actions (集中行动) and tasks (任务分解),
tracked tasks (任务台账) with what they deliver."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from campaign.i18n import N_
from campaign.plan.base import Key, PhaseKind, PlanModel
from campaign.plan.duty_types import ReminderPolicy
from campaign.plan.fields import Figure, Line, Name, PlanDate, Text
from campaign.plan.schedule_types import DutySchedule


class Deliverable(PlanModel):
    """What a tracked task delivers, read from a field of its report form: a figure (done
    once it reaches `target`), a document (done once named), or done / not done (a
    yes/no field: 1 done, 0 not yet)."""

    type: Literal["done", "figure", "document"]
    field: Line = Field(min_length=1, description="Key of the field of the task's form.")
    target: Figure | None = Field(default=None, description="A figure: done at this value.")


class Task(PlanModel):
    """A task of the plan's 任务分解. With a `key` it is tracked (任务台账): its units
    report its progress like any duty, and its state (未启动/推进中/已完成/逾期) follows."""

    key: Key | None = Field(default=None, description="Set: a tracked task (任务台账).")
    title: Line = Field(min_length=1)
    description: Text = ""
    lead_units: list[Line] = Field(
        default_factory=list, max_length=100, description="牵头单位 (责任单位)."
    )
    cooperating_units: list[Line] = Field(
        default_factory=list, max_length=100, description="配合单位."
    )
    cooperating_note: Line | None = Field(
        default=None,
        description="Cooperating units named only in words (相关处室): shown, never asked.",
    )
    start: PlanDate | None = None
    end: PlanDate | None = None
    deadline: PlanDate | None = Field(default=None, description="完成时限 of a tracked task.")
    progress: DutySchedule | None = Field(
        default=None, description="When its units report progress; default: once, by deadline."
    )
    form: Line | None = Field(default=None, description="Key of the form its units answer.")
    deliverable: Deliverable | None = None
    reporters: Literal["lead", "all"] = Field(
        default="lead", description="Who reports: the lead units, or cooperating ones as well."
    )
    reminders: ReminderPolicy | None = None

    @model_validator(mode="after")
    def _tracked(self) -> Task:
        tracking = (self.deadline, self.progress, self.form, self.deliverable)
        if self.key is None:
            if any(v is not None for v in tracking):
                raise ValueError(N_("deadline, progress, form and deliverable need a task key"))
            if not self.lead_units:
                raise ValueError(N_("a task names its lead units"))
            return self
        if self.deadline is None and self.progress is None:
            raise ValueError(N_("a tracked task needs a deadline or a progress schedule"))
        if self.form is None or self.deliverable is None:
            raise ValueError(N_("a tracked task needs a form and a deliverable"))
        if not self.lead_units and not self.cooperating_units:
            raise ValueError(N_("a tracked task names its lead or cooperating units"))
        return self

    @property
    def cooperating_named(self) -> list[str]:
        """The cooperating units as documents name them: units, then the plan's words."""
        return [
            *self.cooperating_units,
            *([self.cooperating_note] if self.cooperating_note else []),
        ]

    def reporting_units(self) -> list[str]:
        """The units that report its progress (names or codes of the registry)."""
        if self.reporters == "all" or not self.lead_units:
            return [*self.lead_units, *self.cooperating_units]
        return list(self.lead_units)


class Action(PlanModel):
    """A concentrated action (集中行动) inside a phase, with its own window."""

    key: Key
    name: Name
    start: PlanDate
    end: PlanDate
    description: Text = ""
    directive: Line | None = Field(
        default=None, description="Template of a directive sent at the action's start."
    )
    directive_title: Line | None = Field(default=None, description="标题 of its 通知.")
    document_number: Line | None = Field(default=None, description="发文字号 of its 通知.")
    issued_on: PlanDate | None = Field(
        default=None, description="成文日期 of its 通知; default the day it is issued."
    )
    tasks: list[Task] = Field(default_factory=list, max_length=200)


class Phase(PlanModel):
    key: Key
    kind: PhaseKind
    name: Name
    start: PlanDate
    end: PlanDate
    description: Text = ""
    directive: Line | None = Field(
        default="directive",
        description="Template of the directive sent at the phase start; null sends none.",
    )
    directive_title: Line | None = Field(default=None, description="标题 of its 通知.")
    document_number: Line | None = Field(default=None, description="发文字号 of its 通知.")
    issued_on: PlanDate | None = Field(
        default=None, description="成文日期 of its 通知; default the day it is issued."
    )
    tasks: list[Task] = Field(default_factory=list, max_length=200)
    actions: list[Action] = Field(default_factory=list, max_length=50)
