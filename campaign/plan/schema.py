"""The campaign plan (实施方案) as pydantic models: the shape of a plan YAML file.

Structural rules live here; rules that relate one part of the plan to another
(an action inside its phase, a duty naming a form that exists) live in checks.py,
so that every problem is reported with its own path.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from campaign.i18n import N_
from campaign.plan.fields import (
    Days,
    Figure,
    Line,
    Name,
    PlanDate,
    Text,
    WorkingDays,
    single_line,
)

Key = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_-]*$",
        max_length=64,
        description="Identifier: lowercase letters, digits, '-' and '_'.",
    ),
]
Email = Annotated[
    str,
    Field(pattern=r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[A-Za-z]{2,}$", max_length=254),
    AfterValidator(single_line),
]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
PhaseKind = Literal["mobilization", "implementation", "acceptance"]
FieldType = Literal["integer", "decimal", "percent", "text"]
DutyKind = Literal["progress", "stage_summary", "final_summary", "ad_hoc"]
ReporterLevel = Literal["city", "county", "all"]
Comparator = Literal[">=", ">", "<=", "<", "=="]


class PlanModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Office(PlanModel):
    """The leadership-group office (领导小组办公室) that runs the campaign."""

    name: Line = Field(min_length=1)
    contact: Line = Field(min_length=1, description="Contact person (联系人).")
    phone: Line = Field(min_length=1)
    email: Email


class Document(PlanModel):
    """What the directive document (通知) needs beyond the plan itself (GB/T 9704)."""

    recipients: Line = Field(min_length=1, description="主送机关.")
    issued_on: PlanDate = Field(description="成文日期.")
    printed_by: Line = Field(min_length=1, description="印发机关.")
    printed_on: PlanDate | None = Field(default=None, description="印发日期; default issued_on.")
    cc: list[Line] = Field(default_factory=list, max_length=100, description="抄送.")
    subject_words: list[Line] = Field(default_factory=list, max_length=20, description="主题词.")
    directives: Literal["plan", "phases"] = Field(
        default="phases",
        description="'plan': one 通知 for the whole plan (every phase, task and duty), issued "
        "on issued_on; 'phases': one at the start of each phase or action that names one.",
    )
    title: Line | None = Field(
        default=None, description="标题 of the plan's 通知; default 关于印发《plan title》的通知."
    )
    opening: Text = Field(default="", description="The 通知's opening paragraph (缘由).")
    addressees: dict[Line, Line] = Field(
        default_factory=dict,
        max_length=50,
        description="How the 通知 names a duty's reporters, by their reporters value "
        "(city: 各市州局).",
    )


class Offset(PlanModel):
    """A number of calendar days or of working days (工作日), exactly one of the two."""

    days: Days | None = None
    working_days: WorkingDays | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Offset:
        if (self.days is None) == (self.working_days is None):
            raise ValueError(N_("give exactly one of 'days' or 'working_days'"))
        return self


class Task(PlanModel):
    title: Line = Field(min_length=1)
    description: Text = ""
    lead_units: list[Line] = Field(min_length=1, max_length=100, description="牵头单位 (责任单位).")
    cooperating_units: list[Line] = Field(
        default_factory=list, max_length=100, description="配合单位."
    )
    start: PlanDate | None = None
    end: PlanDate | None = None


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


class FormField(PlanModel):
    key: Key
    label: Name
    type: FieldType
    unit: Line = ""
    min: Figure | None = None
    max: Figure | None = None
    required: bool = True
    accumulation: Literal["period", "cumulative"] = Field(
        default="period",
        description="'period': the figure for this period only; 'cumulative': since the "
        "campaign began, never lower than the bureau's last accepted report.",
    )
    help: Text = ""


NARRATIVE_KEY = "__narrative__"
"""The key of a form's narrative (情况说明) among its fields: in the .xlsx table, in an
answer's problems, on the web form."""


class Narrative(PlanModel):
    label: Name = "情况说明"
    required: bool = True
    max_length: int = Field(default=20000, gt=0, le=100_000)


class PartOfWhole(PlanModel):
    """A check that one figure never exceeds another (合格批次 ≤ 抽查批次)."""

    part: Line
    whole: Line


class ReportForm(PlanModel):
    key: Key
    title: Line = Field(min_length=1, description="e.g. 工作进展情况统计表.")
    fields: list[FormField] = Field(default_factory=list, max_length=200)
    narrative: Narrative | None = Field(default_factory=Narrative)
    part_of_whole: list[PartOfWhole] = Field(default_factory=list, max_length=200)


class Weekly(PlanModel):
    """One period a week (Monday to Sunday); due on the given weekday."""

    type: Literal["weekly"]
    weekday: Weekday = "friday"


class Monthly(PlanModel):
    """One period a calendar month (every `interval` months: 3 = quarterly)."""

    type: Literal["monthly"]
    day: int = Field(ge=1, le=31, description="Day of month the report is due (clamped).")
    due_month: Literal["same", "next"] = Field(
        default="next", description="'next': the report on month M is due in month M+1."
    )
    interval: int = Field(default=1, ge=1, le=12)


class FixedDates(PlanModel):
    """Reports due on a fixed list of dates; each covers the days since the previous one."""

    type: Literal["dates"]
    dates: list[PlanDate] = Field(min_length=1, max_length=400)


class AfterEnd(PlanModel):
    """A report due a number of (working) days after each named phase or action ends."""

    type: Literal["after_end"]
    of: list[Line] = Field(min_length=1, max_length=100, description="Keys of phases or actions.")
    within: Offset


class ByDate(PlanModel):
    """One report due by a date (e.g. the final summary by 12-01)."""

    type: Literal["by_date"]
    due: PlanDate
    opens: PlanDate | None = Field(default=None, description="Default: the duty's phase start.")


class AnyTime(PlanModel):
    """Ad-hoc reports (重大情况随时报送) a bureau may send at any time."""

    type: Literal["any_time"]


DutySchedule = Annotated[
    Weekly | Monthly | FixedDates | AfterEnd | ByDate | AnyTime, Field(discriminator="type")
]


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


class Duty(PlanModel):
    """A reporting duty: who reports what, on which schedule."""

    key: Key
    name: Name = Field(description="e.g. 动态信息, 阶段小结.")
    kind: DutyKind
    form: Line | None = Field(default=None, description="Key of the report form.")
    phase: Line | None = Field(
        default=None, description="Key of the phase or action whose window bounds the duty."
    )
    reporters: ReporterLevel = "city"
    schedule: DutySchedule
    reminders: ReminderPolicy | None = Field(
        default=None, description="Overrides the plan's reminder policy for this duty."
    )


class Ratio(PlanModel):
    numerator: Line
    denominator: Line


class Metric(PlanModel):
    """A field's value, or the ratio of two fields as a percentage; exactly one of the two."""

    field: Line | None = None
    ratio: Ratio | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Metric:
        if (self.field is None) == (self.ratio is None):
            raise ValueError(N_("give exactly one of 'field' or 'ratio'"))
        return self


class Target(PlanModel):
    """A numeric target (整治目标), e.g. 监督抽查合格率 ≥ 90%."""

    key: Key
    name: Name
    form: Line
    metric: Metric
    comparator: Comparator
    threshold: Figure
    unit: Line = ""
    scope: Literal["per_bureau", "overall"] = "overall"


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
    directive_to: ReporterLevel = Field(
        default="city", description="Which bureaus receive the directives (主送)."
    )
    acknowledge_within: Offset | None = Field(
        default_factory=lambda: Offset(working_days=2),
        description="Bureaus acknowledge (签收) each directive within this; null: no 签收.",
    )
    phases: list[Phase] = Field(min_length=1, max_length=20)
    forms: list[ReportForm] = Field(default_factory=list, max_length=50)
    duties: list[Duty] = Field(default_factory=list, max_length=100)
    reminders: ReminderPolicy = Field(default_factory=ReminderPolicy)
    targets: list[Target] = Field(default_factory=list, max_length=100)

    # Lookups used across the product -------------------------------------------------------
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

    def reminder_policy(self, duty: Duty) -> ReminderPolicy:
        return duty.reminders or self.reminders
