"""The campaign plan (实施方案) as pydantic models: the shape of a plan YAML file.

Structural rules live here; rules that relate one part of the plan to another
(an action inside its phase, a duty naming a form that exists) live in checks.py,
so that every problem is reported with its own path.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from campaign.i18n import N_

# The shared vocabulary and the schedule and target shapes live in their own modules;
# they are re-exported here, where the whole plan is read.
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
from campaign.plan.fields import (
    Days,
    Figure,
    Line,
    Name,
    PlanDate,
    Text,
)
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
from campaign.plan.units import DEFAULT_RECIPIENTS, Recipient, Selector, UnitGroup, selector


class Office(PlanModel):
    """The leadership-group office (领导小组办公室) that runs the campaign."""

    name: Line = Field(min_length=1)
    contact: Line = Field(min_length=1, description="Contact person (联系人).")
    phone: Line = Field(min_length=1)
    email: Email


class Forward(PlanModel):
    """转发: the units of one level forward each directive to the units below them as
    their own 通知, within this long after it is issued (campaign/forwarding)."""

    by: Literal["province", "city", "county"] = Field(description="The level that forwards.")
    within: Offset = Field(description="How long after the directive is issued.")


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
        "(a level such as city, mapped to the plan's own words for those units).",
    )
    issuer_short: Line | None = Field(
        default=None,
        description="How mail and pages name the issuing bureau in a sentence (省局); "
        "default issuing_authority.",
    )
    forward: Forward | None = Field(
        default=None,
        description="Units of a level forward (转发) each directive to their own units below.",
    )


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
    choices: list[Name] = Field(
        default_factory=list, max_length=50, description="The options of a 'choice' field."
    )

    @property
    def numeric(self) -> bool:
        return self.type in NUMERIC_TYPES


NARRATIVE_KEY = "__narrative__"
"""The key of a form's narrative (情况说明) among its fields: in the .xlsx table, in an
answer's problems, on the web form."""


class Narrative(PlanModel):
    label: Name = "情况说明"
    required: bool = True
    max_length: int = Field(default=20000, gt=0, le=100_000)


class AttachmentRule(PlanModel):
    """Files the answer carries (佐证材料): required or not, and what they are."""

    label: Name = "附件"
    required: bool = False
    help: Text = ""


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
    attachment: AttachmentRule = Field(default_factory=AttachmentRule)


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


Task.model_rebuild()
Phase.model_rebuild()
Action.model_rebuild()
