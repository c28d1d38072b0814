"""The campaign plan (实施方案) as pydantic models: the shape of a plan YAML file.

Structural rules live here; rules that relate one part of the plan to another
(an action inside its phase, a duty naming a form that exists) live in checks.py,
so that every problem is reported with its own path.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, model_validator

# The plan's parts live in their own modules: the shared vocabulary (base), schedules,
# targets, the document (通知), phases and tasks, report forms and duties. They are
# re-exported here, where the whole plan is read.
from campaign.plan.base import (  # noqa: F401
    NUMERIC_TYPES,
    WEEKDAYS,
    Comparator,
    DutyKind,
    Email,
    FieldType,
    Key,
    PhaseKind,
    PlanModel,
    TargetComparator,
    Weekday,
)
from campaign.plan.document_types import Document, Forward, Office  # noqa: F401
from campaign.plan.duty_types import ROUTED_KINDS, Duty, ReminderPolicy, Routing  # noqa: F401
from campaign.plan.fields import Line, Name, PlanDate
from campaign.plan.form_types import (  # noqa: F401
    NARRATIVE_KEY,
    AttachmentRule,
    FormField,
    Narrative,
    PartOfWhole,
    ReportForm,
)
from campaign.plan.phase_types import Action, Deliverable, Phase, Task  # noqa: F401
from campaign.plan.schedule_types import (  # noqa: F401
    AfterEnd,
    AfterEvent,
    AnyTime,
    ByDate,
    DutySchedule,
    FixedDates,
    Monthly,
    Offset,
    Weekly,
    Within,
)
from campaign.plan.target_types import Baseline, Condition, Metric, Ratio, Target  # noqa: F401
from campaign.plan.units import Selector, UnitGroup, selector


class PlanCalendar(PlanModel):
    """Days the plan declares holidays or working days, beyond the official calendar."""

    holidays: list[PlanDate] = Field(default_factory=list, max_length=400)
    workdays: list[PlanDate] = Field(default_factory=list, max_length=400)


class AccountabilityRule(PlanModel):
    """A measure the plan states against units (通报, 约谈, 纳入考核), as data the summaries
    apply: to units late at least `late_times` times, or with at least `overdue_tasks`
    overdue tasks, or (neither given) to every unit."""

    key: Key
    measure: Name = Field(description="The plan's word for it, e.g. 通报批评, 约谈.")
    late_times: int | None = Field(default=None, ge=1, le=1000)
    overdue_tasks: int | None = Field(default=None, ge=1, le=1000)

    def applies(self, late: int, overdue: int) -> bool:
        if self.late_times is None and self.overdue_tasks is None:
            return True
        return (self.late_times is not None and late >= self.late_times) or (
            self.overdue_tasks is not None and overdue >= self.overdue_tasks
        )


class Plan(PlanModel):
    """A whole campaign plan (实施方案)."""

    document_number: Line = Field(
        min_length=1, max_length=100, description="发文字号, e.g. 鄂质监发〔2007〕77号."
    )
    title: Line = Field(min_length=1)
    issuing_authority: Line = Field(min_length=1)
    office: Office
    timezone: Line = "Asia/Shanghai"
    root_bureau: Line | None = Field(
        default=None, description="Code of the issuing bureau; reporters are its descendants."
    )
    tick_cron: Line = Field(
        default="30 8 * * *", description="When the campaign's tick runs (plan timezone)."
    )
    templates_dir: Line | None = Field(
        default=None, description="Folder of the plan's own templates, relative to the plan."
    )
    document: Document
    directive_to: Selector = Field(
        default_factory=lambda: selector("city"),
        description="Which units receive the directives (主送), reporters or not (参照执行).",
    )
    groups: list[UnitGroup] = Field(
        default_factory=list, max_length=100, description="Named sets of units (试点单位)."
    )
    acknowledge_within: Offset | None = Field(
        default_factory=lambda: Offset(working_days=2),
        description="Bureaus acknowledge (签收) each directive within this; null: no 签收.",
    )
    due_on_holidays: Literal["next_workday", "as_written"] = Field(
        default="next_workday",
        description="A report due on a holiday or weekend is due on the next working day "
        "(遇节假日顺延), unless 'as_written'.",
    )
    calendar: PlanCalendar = Field(
        default_factory=lambda: PlanCalendar(),
        description="Holidays and adjusted working days (调休) the plan itself announces.",
    )
    phases: list[Phase] = Field(min_length=1, max_length=20)
    forms: list[ReportForm] = Field(default_factory=list, max_length=50)
    duties: list[Duty] = Field(default_factory=list, max_length=100)
    reminders: ReminderPolicy = Field(default_factory=ReminderPolicy)
    targets: list[Target] = Field(default_factory=list, max_length=100)
    accountability: list[AccountabilityRule] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _task_duties(self) -> Plan:
        """Each tracked task's progress duty joins `duties` (kind 'task', keyed by the
        task), so that it is requested, reminded and escalated like every duty."""
        from campaign.tasks.duties import task_duties  # noqa: PLC0415 (needs Plan's parts)

        written = [d for d in self.duties if d.kind != "task"]
        object.__setattr__(self, "duties", [*written, *task_duties(self)])
        return self

    # Lookups used across the product -------------------------------------------------------
    @property
    def issuer(self) -> str:
        """The issuing bureau as mail and pages name it: document.issuer_short (省局), else
        issuing_authority. Never a word of another plan."""
        return self.document.issuer_short or self.issuing_authority

    def phase(self, key: str) -> Phase:
        return next(p for p in self.phases if p.key == key)

    def form(self, key: str) -> ReportForm:
        return next(f for f in self.forms if f.key == key)

    def duty(self, key: str) -> Duty:
        return next(d for d in self.duties if d.key == key)

    def windows(self) -> dict[str, tuple[Phase, Action | None]]:
        """Every phase and action by key, as (phase, action-or-None)."""
        found: dict[str, tuple[Phase, Action | None]] = {}
        for phase in self.phases:
            found[phase.key] = (phase, None)
            for action in phase.actions:
                found[action.key] = (phase, action)
        return found

    @property
    def start(self) -> date:
        return min(p.start for p in self.phases)

    @property
    def end(self) -> date:
        return max(p.end for p in self.phases)

    @property
    def spans_years(self) -> bool:
        """Whether the plan's dates need their year in what people read."""
        return self.start.year != self.end.year

    def reminder_policy(self, duty: Duty) -> ReminderPolicy:
        return duty.reminders or self.reminders
