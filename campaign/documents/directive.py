"""The directive (通知) of a phase or action, composed from the plan: what to do, by whom, when.

`build_directive` turns the plan and a directive event into a `Directive`, a plain
description of the document (title, 主送, numbered tasks with 责任单位, reporting duties
with their deadlines, 附件, signature, 版记). The .docx writer and the HTML preview both
render this one description, so they never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from campaign.plan.schema import (
    WEEKDAYS,
    Action,
    AfterEnd,
    AfterEvent,
    AnyTime,
    ByDate,
    Duty,
    FixedDates,
    Monthly,
    Phase,
    Plan,
    ReportForm,
    Task,
    Weekly,
)
from campaign.schedule import Event, duty_periods, offset_date, plan_workdays
from campaign.templating import cn_md
from campaign.workdays import WorkCalendar

BlockKind = Literal["heading1", "heading2", "paragraph", "item"]
CN_NUMBERS = "一二三四五六七八九十"
WEEKDAY_CN = dict(zip(WEEKDAYS, "一二三四五六日", strict=True))
REPORTERS_CN = {"city": "各市州局", "county": "各县（市、区）局", "all": "各地方局"}


@dataclass(frozen=True)
class Block:
    """One paragraph of the body; `lead` is the bold run of a numbered item (三级标题)."""

    kind: BlockKind
    text: str
    lead: str = ""


@dataclass(frozen=True)
class Appendix:
    """附件: a blank statistical table of one report form."""

    number: int
    title: str
    rows: list[tuple[str, str, str, str]]  # 序号, 指标名称, 计量单位, 填报说明


@dataclass(frozen=True)
class Directive:
    authority_mark: str
    document_number: str
    title: str
    recipients: str
    blocks: list[Block]
    signature: str
    issued_on: date
    cc: list[str]
    printed_by: str
    printed_on: date
    appendices: list[Appendix] = field(default_factory=list)
    acknowledge_by: date | None = None

    @property
    def attachment_names(self) -> list[str]:
        return [a.title for a in self.appendices]


def build_directive(
    *,
    plan: Plan,
    event: Event,
    issued_on: date | None = None,
    document_number: str | None = None,
    work: WorkCalendar | None = None,
) -> Directive:
    """The directive a directive event sends, its body taken from the plan."""
    work = plan_workdays(plan, work)
    phase = plan.phase(event.phase_key)
    action = (
        next(a for a in phase.actions if a.key == event.action_key) if event.action_key else None
    )
    first = _is_first_directive(plan, event)
    issued = issued_on or (plan.document.issued_on if first else event.date)
    ack_by = (
        offset_date(event.date, plan.acknowledge_within, work) if plan.acknowledge_within else None
    )
    core = plan.title.removesuffix("实施方案")
    window_name = action.name if action else phase.name
    title = (
        f"关于开展{core}{window_name}的通知" if action else f"关于做好{core}{phase.name}工作的通知"
    )
    duties = [(d, dues) for d in plan.duties if (dues := _dues_in(plan, d, phase, action, work))]
    forms = _forms_of(plan, [d for d, _ in duties])
    blocks = [_intro(plan, phase, action, first)]
    blocks += _task_blocks(phase, action)
    blocks += _duty_blocks(plan, duties, forms)
    blocks += _closing(plan, ack_by)
    return Directive(
        authority_mark=f"{plan.issuing_authority}文件",
        document_number=document_number or plan.document_number,
        title=title,
        recipients=plan.document.recipients,
        blocks=blocks,
        signature=plan.issuing_authority,
        issued_on=issued,
        cc=list(plan.document.cc),
        printed_by=plan.document.printed_by,
        printed_on=(plan.document.printed_on or issued) if first else issued,
        appendices=[_appendix(i, form) for i, form in enumerate(forms, start=1)],
        acknowledge_by=ack_by,
    )


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


def _is_first_directive(plan: Plan, event: Event) -> bool:
    first = min(plan.phases, key=lambda p: p.start)
    return event.phase_key == first.key and event.action_key is None


def _intro(plan: Plan, phase: Phase, action: Action | None, first: bool) -> Block:
    window = action or phase
    when = f"{_date(window.start)}至{_date(window.end)}"
    name = f"{phase.name}{action.name}" if action else phase.name
    description = _sentence(window.description)
    if first:
        text = (
            f"省局制定了《{plan.title}》（{plan.document_number}），专项整治自{_date(plan.start)}"
            f"开始，至{_date(plan.end)}结束。{name}时间为{when}。{description}"
            "请按方案的要求，结合本地实际，制定具体的工作措施，抓紧、抓实、抓出成效。"
            "现将有关事项通知如下："
        )
    else:
        text = (
            f"根据《{plan.title}》（{plan.document_number}）的部署，{name}时间为{when}。"
            f"{description}现将有关事项通知如下："
        )
    return Block("paragraph", text)


def _task_blocks(phase: Phase, action: Action | None) -> list[Block]:
    blocks = [Block("heading1", "一、工作任务")]
    if action is not None:
        return blocks + _tasks(action.tasks)
    blocks += _tasks(phase.tasks)
    for i, act in enumerate(phase.actions):
        heading = f"（{CN_NUMBERS[i % 10]}）{act.name}（{_md_range(act.start, act.end)}）"
        blocks.append(Block("heading2", heading))
        if act.description:
            blocks.append(Block("paragraph", _sentence(act.description)))
        blocks += _tasks(act.tasks)
    return blocks


def _tasks(tasks: list[Task]) -> list[Block]:
    return [
        Block("item", _sentence(t.description) + _units(t), lead=f"{n}．{_sentence(t.title)}")
        for n, t in enumerate(tasks, start=1)
    ]


def _units(task: Task) -> str:
    note = f"责任单位：{'、'.join(task.lead_units)}"
    if task.cooperating_named:
        note += f"；配合单位：{'、'.join(task.cooperating_named)}"
    if task.start and task.end:
        note += f"；时间：{_md_range(task.start, task.end)}"
    elif task.start:
        note += f"；时间：{cn_md(task.start)}起"
    elif task.end:
        note += f"；时间：{cn_md(task.end)}前完成"
    return f"（{note}）"


def _dues_in(
    plan: Plan, duty: Duty, phase: Phase, action: Action | None, work: WorkCalendar
) -> list[tuple[str, date]]:
    """(period label, due) of the duty's periods that belong to this phase (or action)."""
    if isinstance(duty.schedule, AnyTime | AfterEvent):
        return [("随时", phase.end)]
    out = []
    for period, in_phase, in_action in duty_periods(plan, duty, work):
        if in_phase.key != phase.key:
            continue
        if action is not None and not (
            (in_action is not None and in_action.key == action.key)
            or (in_action is None and action.start <= period.due <= action.end)
        ):
            continue
        out.append((period.label, period.due))
    return out


def _duty_blocks(
    plan: Plan, duties: list[tuple[Duty, list[tuple[str, date]]]], forms: list[ReportForm]
) -> list[Block]:
    if not duties:
        return []
    blocks = [Block("heading1", "二、报送要求")]
    for n, (duty, dues) in enumerate(duties, start=1):
        who = duty.reporters.label or REPORTERS_CN.get(duty.reporters.shorthand() or "", "各单位")
        form_note = ""
        if duty.form and not isinstance(duty.schedule, AnyTime):
            form = plan.form(duty.form)
            form_note = f"，填报《{form.title}》（附件{forms.index(form) + 1}）"
        blocks.append(
            Block(
                "item",
                _schedule_text(duty, dues, who) + form_note + "。",
                lead=f"{n}．{duty.name}。",
            )
        )
    blocks.append(
        Block(
            "paragraph",
            "报送方式：各单位通过省局报送通知邮件中的专用链接在线填报，"
            "或填写随报送通知下发的统计表后通过该链接上传。逾期未报的，省局将予以催报并通报。",
        )
    )
    return blocks


def _schedule_text(duty: Duty, dues: list[tuple[str, date]], who: str) -> str:
    """When to report, without repeating the duty's name (the item's lead names it)."""
    schedule = duty.schedule
    first, last = dues[0][1], dues[-1][1]
    if isinstance(schedule, Weekly):
        day = WEEKDAY_CN[schedule.weekday]
        return (
            f"{who}每周至少报送一次，于每周{day}前报送，"
            f"本阶段首次报送截止日期为{cn_md(first)}，最后一次为{cn_md(last)}"
        )
    if isinstance(schedule, Monthly):
        every = {1: "每月", 2: "每两个月", 3: "每季度", 6: "每半年", 12: "每年"}.get(
            schedule.interval, f"每{schedule.interval}个月"
        )
        return f"{who}{every}报送一次，本阶段截止日期依次为{_dates(dues)}"
    if isinstance(schedule, FixedDates):
        return f"{who}分别于{_dates(dues)}前报送"
    if isinstance(schedule, AfterEnd):
        within = schedule.within
        span = f"{within.days}日" if within.days is not None else f"{within.working_days}个工作日"
        each = "；".join(f"{label}于{cn_md(due)}前" for label, due in dues)
        return f"{who}在阶段性工作结束后{span}内上报（{each}）"
    if isinstance(schedule, ByDate):
        return f"{who}于{cn_md(schedule.due)}以前上报"
    if isinstance(schedule, AfterEvent):
        limit = schedule.within
        span = (
            f"{limit.hours}小时"
            if limit.hours is not None
            else f"{limit.days}日"
            if limit.days is not None
            else f"{limit.working_days}个工作日"
        )
        return f"{who}于{schedule.event}后{span}内报送"
    return "重大情况要做到随时发现，随时报送"


def _closing(plan: Plan, ack_by: date | None) -> list[Block]:
    office = plan.office
    blocks = [Block("heading1", "三、有关要求")]
    n = 1
    if ack_by is not None:
        blocks.append(
            Block(
                "item",
                f"请于{cn_md(ack_by)}前通过电子邮件中的签收链接签收本通知，逾期未签收的将予以催办。",
                lead=f"{n}．及时签收。",
            )
        )
        n += 1
    blocks.append(
        Block(
            "item",
            "各地要指定信息报送责任人，严格按照要求报送工作信息。"
            f"联系人：{office.contact}，电话：{office.phone}，电子邮箱：{office.email}。",
            lead=f"{n}．及时报送工作信息。",
        )
    )
    return blocks


def _forms_of(plan: Plan, duties: list[Duty]) -> list[ReportForm]:
    forms: list[ReportForm] = []
    for duty in duties:
        if duty.form and not isinstance(duty.schedule, AnyTime):
            form = plan.form(duty.form)
            if form not in forms:
                forms.append(form)
    return forms


def _appendix(number: int, form: ReportForm) -> Appendix:
    rows = []
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
    return Appendix(number=number, title=form.title, rows=rows)


def _date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _md_range(start: date, end: date) -> str:
    return f"{cn_md(start)}至{cn_md(end)}"


def _dates(dues: list[tuple[str, date]]) -> str:
    return "、".join(cn_md(due) for _, due in dues)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in "。！？；：" else text + "。"
