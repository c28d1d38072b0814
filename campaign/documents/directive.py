"""The directive (通知) of the plan, a phase or an action, composed from the plan.

`build_directive` gathers what the 通知 covers (the plan's phases, or one phase or action:
their tasks with 责任单位, the reporting duties with their deadlines, the forms attached)
and the template documents/directive_body.txt words it; a plan's own templates_dir may
replace that template. Not a word of any one plan is written here: titles, the opening,
the names of the addressees come from the plan, the sentences around them from the
template. The .docx writer and the HTML preview both render the resulting `Directive`.

The lines the template writes: "# …" 一级标题, "## …" 二级标题, "* lead ‖ text" a numbered
item with a bold lead, any other line a paragraph; blank lines are dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from campaign.documents.official import Appendix, Block, OfficialDocument, attachment_label
from campaign.plan.schema import (
    WEEKDAYS,
    Action,
    AfterEvent,
    AnyTime,
    Duty,
    Phase,
    Plan,
    ReportForm,
    Task,
)
from campaign.schedule import Event, duty_periods, offset_date, plan_workdays
from campaign.templating import cn_date, cn_md, get_environment
from campaign.workdays import WorkCalendar

BODY_TEMPLATE = "documents/directive_body.txt"
CN_DIGITS = "零一二三四五六七八九"
WEEKDAY_CN = dict(zip(WEEKDAYS, "一二三四五六日", strict=True))
FORM_HEADER = ("序号", "指标名称", "计量单位", "填报说明")
FORM_PREAMBLE = "填报单位（盖章）：                    报告期："
FORM_WIDTHS_MM = (14, 70, 22, 50)
Scope = Literal["plan", "phase", "action"]


@dataclass(frozen=True)
class Directive(OfficialDocument):
    """A 通知 the campaign sends: a 公文 the units acknowledge (签收) by a date."""

    acknowledge_by: date | None = None


@dataclass(frozen=True)
class Section:
    """A phase or action as the 通知 lists it: its window, description and tasks."""

    name: str
    start: date
    end: date
    description: str
    tasks: list[Task]
    actions: list[Section] = field(default_factory=list)


@dataclass(frozen=True)
class DutyDues:
    """A duty as the 通知 states it: who reports, when (its dues here), on which form."""

    duty: Duty
    who: str
    dues: list[tuple[str, date]]  # (period label, due date)
    form: ReportForm | None
    form_label: str  # 附件, 附件1 …

    @property
    def first(self) -> date:
        return self.dues[0][1]

    @property
    def last(self) -> date:
        return self.dues[-1][1]


def build_directive(
    *,
    plan: Plan,
    event: Event,
    issued_on: date | None = None,
    document_number: str | None = None,
    work: WorkCalendar | None = None,
    plan_templates: Path | None = None,
) -> Directive:
    """The directive a directive event sends, its body taken from the plan."""
    work = plan_workdays(plan, work)
    phase = plan.phase(event.phase_key)
    action = (
        next(a for a in phase.actions if a.key == event.action_key) if event.action_key else None
    )
    scope: Scope = (
        "plan" if plan.document.directives == "plan" else ("action" if action else "phase")
    )
    own = is_plans_own(plan, event)
    window: Phase | Action = action or phase
    ack_by = (
        offset_date(event.date, plan.acknowledge_within, work) if plan.acknowledge_within else None
    )
    duties = _duties(plan, scope, phase, action, work)
    forms = _forms_of(plan, [d.duty for d in duties])
    duties = [
        DutyDues(
            d.duty, d.who, d.dues, d.form,
            attachment_label(forms.index(d.form) + 1, len(forms)) if d.form in forms else "",
        )
        for d in duties
    ]  # fmt: skip
    sections = (
        [_section(p) for p in sorted(plan.phases, key=lambda p: p.start)]
        if scope == "plan"
        else [_section(window)]
    )
    dates = [plan.start, plan.end, *(due for d in duties for _, due in d.dues)]
    context = {
        "plan": plan,
        "document": plan.document,
        "office": plan.office,
        "scope": scope,
        "own": own,
        "phase": phase,
        "action": action,
        "window_name": f"{phase.name}{action.name}" if action else phase.name,
        "sections": sections,
        "duties": duties,
        "acknowledge_by": ack_by,
        "day": cn_date if len({d.year for d in dates}) > 1 else cn_md,
        "full_date": cn_date,
        "cn": cn_number,
        "weekday": WEEKDAY_CN.get,
        "sentence": sentence,
    }
    text = get_environment(plan_templates).get_template(BODY_TEMPLATE).render(**context)
    issued = issued_on or _issued_on(plan, window, own, event)
    return Directive(
        authority_mark=f"{plan.issuing_authority}文件",
        document_number=document_number or _document_number(plan, window, own),
        title=_title(plan, phase, action, own),
        recipients=plan.document.recipients,
        blocks=parse_blocks(text),
        signature=plan.issuing_authority,
        issued_on=issued,
        cc=list(plan.document.cc),
        printed_by=plan.document.printed_by,
        printed_on=(plan.document.printed_on or issued) if own else issued,
        appendices=[_appendix(i, form) for i, form in enumerate(forms, start=1)],
        acknowledge_by=ack_by,
    )


def is_plans_own(plan: Plan, event: Event) -> bool:
    """Whether the event's directive is the plan's own 通知 (the plan's 发文字号 and date):
    the one of a plan issuing one, else the first phase's."""
    first = min(plan.phases, key=lambda p: p.start)
    return event.phase_key == first.key and event.action_key is None


def parse_blocks(text: str) -> list[Block]:
    """The body's blocks from the lines the template writes (see the module's doc)."""
    blocks = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("## "):
            blocks.append(Block("heading2", line[3:].strip()))
        elif line.startswith("# "):
            blocks.append(Block("heading1", line[2:].strip()))
        elif line.startswith("* "):
            lead, _, rest = line[2:].partition("‖")
            blocks.append(Block("item", rest.strip(), lead=lead.strip()))
        else:
            blocks.append(Block("paragraph", line))
    return blocks


def cn_number(n: int) -> str:
    """一 … 九十九: the numbers of 一、 and （一）."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def sentence(text: str) -> str:
    """The text ending with a full stop (unless it already ends a sentence)."""
    text = text.strip()
    return text if not text or text[-1] in "。！？；：" else text + "。"


def field_hint(
    *,
    type_: str,
    minimum: object,
    maximum: object,
    required: bool,
    help_: str,
    choices: Sequence[str] = (),
) -> str:
    """填报说明 of a form field, e.g. 整数，≥0 (shared by the directive and the .xlsx table)."""
    words = {
        "integer": "整数",
        "decimal": "数值",
        "percent": "百分比（%）",
        "text": "文字",
        "yes_no": "填“是”或“否”",
        "date": "日期（年-月-日）",
        "choice": "选填一项：" + "、".join(choices),
    }
    parts = [words.get(type_, type_)]
    if minimum is not None and maximum is not None:
        parts.append(f"{minimum}～{maximum}")
    elif minimum is not None:
        parts.append(f"≥{minimum}")
    elif maximum is not None:
        parts.append(f"≤{maximum}")
    if not required:
        parts.append("选填")
    if help_:
        parts.append(help_)
    return "，".join(parts)


def _title(plan: Plan, phase: Phase, action: Action | None, own: bool) -> str:
    window = action or phase
    if window.directive_title:
        return window.directive_title
    if own:
        return plan.document.title or f"关于印发《{plan.title}》的通知"
    return f"关于{phase.name}{action.name if action else ''}的通知"


def _document_number(plan: Plan, window: Phase | Action, own: bool) -> str:
    return plan.document_number if own else (window.document_number or plan.document_number)


def _issued_on(plan: Plan, window: Phase | Action, own: bool, event: Event) -> date:
    """成文日期: the plan's for its own 通知, else the window's, else the day it is issued."""
    return plan.document.issued_on if own else (window.issued_on or event.date)


def _section(window: Phase | Action) -> Section:
    actions = window.actions if isinstance(window, Phase) else []
    return Section(
        name=window.name,
        start=window.start,
        end=window.end,
        description=sentence(window.description),
        tasks=list(window.tasks),
        actions=[_section(a) for a in actions],
    )


def _duties(
    plan: Plan, scope: Scope, phase: Phase, action: Action | None, work: WorkCalendar
) -> list[DutyDues]:
    found = []
    for duty in plan.duties:
        dues = _dues_in(plan, duty, scope, phase, action, work)
        if dues:
            form = plan.form(duty.form) if duty.form else None
            found.append(DutyDues(duty, _addressee(plan, duty), dues, form, ""))
    return found


def _addressee(plan: Plan, duty: Duty) -> str:
    """How the 通知 names the duty's reporters: the plan's words, else 各报送单位."""
    chosen = duty.reporters
    return chosen.label or plan.document.addressees.get(chosen.shorthand() or "", "各报送单位")


def _dues_in(
    plan: Plan, duty: Duty, scope: Scope, phase: Phase, action: Action | None, work: WorkCalendar
) -> list[tuple[str, date]]:
    """(period label, due) of the duty's periods that this 通知 covers."""
    if isinstance(duty.schedule, AnyTime | AfterEvent):
        return [("随时", plan.end if scope == "plan" else phase.end)]
    out = []
    for period, in_phase, in_action in duty_periods(plan, duty, work):
        if scope != "plan":
            if in_phase.key != phase.key:
                continue
            if action is not None and not (
                (in_action is not None and in_action.key == action.key)
                or (in_action is None and action.start <= period.due <= action.end)
            ):
                continue
        out.append((period.label, period.due))
    return out


def _forms_of(plan: Plan, duties: list[Duty]) -> list[ReportForm]:
    forms: list[ReportForm] = []
    for duty in duties:
        if duty.form and not isinstance(duty.schedule, AnyTime):
            form = plan.form(duty.form)
            if form not in forms:
                forms.append(form)
    return forms


def _appendix(number: int, form: ReportForm) -> Appendix:
    rows: list[tuple[str, ...]] = []
    for i, f in enumerate(form.fields, start=1):
        label = f.label + ("（累计）" if f.accumulation == "cumulative" else "")
        hint = field_hint(
            type_=f.type,
            minimum=f.min,
            maximum=f.max,
            required=f.required,
            help_=f.help,
            choices=f.choices,
        )
        rows.append((str(i), label, f.unit, hint))
    if form.narrative is not None:
        rows.append((str(len(rows) + 1), form.narrative.label, "", "文字"))
    return Appendix(
        number=number,
        title=form.title,
        rows=rows,
        header=FORM_HEADER,
        preamble=FORM_PREAMBLE,
        widths_mm=FORM_WIDTHS_MM,
    )
