"""Rules that relate one part of a structurally valid plan to another.

Each returns Problems with the path of the offending value, so the loader can
point at the line in the file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

from campaign.i18n import _
from campaign.plan.schema import FormField, Plan, Task
from campaign.plan.units import Selector

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str
    line: int | None = None

    @property
    def where(self) -> str:
        return format_path(self.path)

    def __str__(self) -> str:
        where = self.where or _("(plan)")
        if self.line:
            return _("line {line}: {where}: {message}").format(
                line=self.line, where=where, message=self.message
            )
        return f"{where}: {self.message}"


def format_path(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def check_plan(plan: Plan) -> list[Problem]:
    from campaign.plan.directive_checks import check_directives
    from campaign.plan.routing import routing_checks

    return [
        *_identity(plan),
        *_windows(plan),
        *_duplicate_keys(plan),
        *_forms(plan),
        *_duties(plan),
        *_targets(plan),
        *_office_units(plan),
        *check_directives(plan),
        *routing_checks(plan),
    ]


def _office_units(plan: Plan) -> Iterator[Problem]:
    """`office` (the issuing bureau itself) needs the plan's root_bureau."""
    if plan.root_bureau is not None:
        return
    chosen: list[tuple[Path, Selector]] = [(("directive_to",), plan.directive_to)]
    chosen += [(("duties", i, "reporters"), d.reporters) for i, d in enumerate(plan.duties)]
    for path, selector in chosen:
        if selector.names_office:
            yield Problem(
                path, _("'office' names the issuing bureau: give its code as root_bureau")
            )


def _identity(plan: Plan) -> Iterator[Problem]:
    try:
        ZoneInfo(plan.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        yield Problem(("timezone",), _("unknown timezone {zone!r}").format(zone=plan.timezone))
    try:
        CronSim(plan.tick_cron, datetime(2000, 1, 1))
    except CronSimError as exc:
        yield Problem(
            ("tick_cron",),
            _("invalid cron expression {cron!r}: {reason}").format(cron=plan.tick_cron, reason=exc),
        )


def _windows(plan: Plan) -> Iterator[Problem]:
    kinds = {p.kind for p in plan.phases}
    if "implementation" not in kinds:
        yield Problem(("phases",), _("the plan has no phase of kind 'implementation'"))
    for i, phase in enumerate(plan.phases):
        at: Path = ("phases", i)
        if phase.end < phase.start:
            yield Problem(
                (*at, "end"),
                _("phase ends ({end}) before it starts ({start})").format(
                    end=phase.end, start=phase.start
                ),
            )
            continue  # containment in an inverted window would only repeat the problem
        for t, task in enumerate(phase.tasks):
            yield from _task_window(task, phase.start, phase.end, (*at, "tasks", t))
        for j, action in enumerate(phase.actions):
            act_at: Path = (*at, "actions", j)
            if action.end < action.start:
                yield Problem(
                    (*act_at, "end"),
                    _("action ends ({end}) before it starts ({start})").format(
                        end=action.end, start=action.start
                    ),
                )
                continue
            if action.start < phase.start or action.end > phase.end:
                yield Problem(
                    act_at,
                    _(
                        "action {action!r} ({start} to {end}) lies outside its phase {phase!r} "
                        "({phase_start} to {phase_end})"
                    ).format(
                        action=action.key,
                        start=action.start,
                        end=action.end,
                        phase=phase.key,
                        phase_start=phase.start,
                        phase_end=phase.end,
                    ),
                )
            for t, task in enumerate(action.tasks):
                yield from _task_window(task, action.start, action.end, (*act_at, "tasks", t))


def _task_window(task: Task, start: date, end: date, at: Path) -> Iterator[Problem]:
    if task.start and task.end and task.end < task.start:
        yield Problem(
            (*at, "end"),
            _("task ends ({end}) before it starts ({start})").format(
                end=task.end, start=task.start
            ),
        )
    for name in ("start", "end"):
        value = getattr(task, name)
        if value and not start <= value <= end:
            message = (
                _("task start {value} lies outside {start} to {end}")
                if name == "start"
                else _("task end {value} lies outside {start} to {end}")
            )
            yield Problem((*at, name), message.format(value=value, start=start, end=end))


def _duplicate_keys(plan: Plan) -> Iterator[Problem]:
    windows: list[tuple[str, Path]] = []
    for i, phase in enumerate(plan.phases):
        windows.append((phase.key, ("phases", i, "key")))
        windows += [
            (a.key, ("phases", i, "actions", j, "key")) for j, a in enumerate(phase.actions)
        ]
    groups: list[tuple[str, list[tuple[str, Path]]]] = [
        (_("phase/action"), windows),
        (_("form"), [(f.key, ("forms", i, "key")) for i, f in enumerate(plan.forms)]),
        (_("duty"), [(d.key, ("duties", i, "key")) for i, d in enumerate(plan.duties)]),
        (_("target"), [(t.key, ("targets", i, "key")) for i, t in enumerate(plan.targets)]),
        (_("group"), [(g.key, ("groups", i, "key")) for i, g in enumerate(plan.groups)]),
    ]
    for i, form in enumerate(plan.forms):
        groups.append(
            (
                _("field of form {form!r}").format(form=form.key),
                [(f.key, ("forms", i, "fields", j, "key")) for j, f in enumerate(form.fields)],
            )
        )
    for what, entries in groups:
        counts = Counter(key for key, _path in entries)
        seen: set[str] = set()
        for key, path in entries:
            if counts[key] > 1 and key in seen:
                yield Problem(path, _("duplicate {what} key {key!r}").format(what=what, key=key))
            seen.add(key)


def _forms(plan: Plan) -> Iterator[Problem]:
    for i, form in enumerate(plan.forms):
        fields = {f.key: f for f in form.fields}
        for j, field in enumerate(form.fields):
            at: Path = ("forms", i, "fields", j)
            if field.type == "text" and (field.min is not None or field.max is not None):
                yield Problem(
                    at, _("text field {key!r} cannot have min or max").format(key=field.key)
                )
            if field.min is not None and field.max is not None and field.min > field.max:
                yield Problem(
                    (*at, "min"),
                    _("min {min} is greater than max {max}").format(min=field.min, max=field.max),
                )
            if field.type == "percent":
                for bound in ("min", "max"):
                    value = getattr(field, bound)
                    if value is not None and not 0 <= value <= 100:
                        yield Problem(
                            (*at, bound), _("a percentage bound must lie within 0 to 100")
                        )
            if field.type == "text" and field.accumulation == "cumulative":
                yield Problem((*at, "accumulation"), _("a text field cannot be cumulative"))
            yield from _kind_rules(field, at)
        for j, rule in enumerate(form.part_of_whole):
            for side in ("part", "whole"):
                name = getattr(rule, side)
                at = ("forms", i, "part_of_whole", j, side)
                if name not in fields:
                    yield Problem(
                        at,
                        _("form {form!r} has no field {field!r}").format(form=form.key, field=name),
                    )
                elif fields[name].type == "text":
                    yield Problem(
                        at, _("field {field!r} is text and cannot be compared").format(field=name)
                    )
                elif not fields[name].numeric:
                    yield Problem(
                        at,
                        _("field {field!r} is not a number and cannot be compared").format(
                            field=name
                        ),
                    )


def _kind_rules(field: FormField, at: Path) -> Iterator[Problem]:
    """yes_no, date and choice fields: no bounds, not cumulative; choices for a choice."""
    if field.type in ("yes_no", "date", "choice"):
        if field.min is not None or field.max is not None:
            yield Problem(
                at,
                _("field {key!r} is not a number and cannot have min or max").format(key=field.key),
            )
        if field.accumulation == "cumulative":
            yield Problem((*at, "accumulation"), _("only a numeric field can be cumulative"))
    if field.type == "choice":
        if len(field.choices) < 2:
            yield Problem((*at, "choices"), _("a choice field needs at least two choices"))
        seen: set[str] = set()
        for k, choice in enumerate(field.choices):
            if choice in seen:
                yield Problem(
                    (*at, "choices", k), _("choice {choice!r} appears twice").format(choice=choice)
                )
            seen.add(choice)
    elif field.choices:
        yield Problem((*at, "choices"), _("only a field of type 'choice' has choices"))


def _duties(plan: Plan) -> Iterator[Problem]:
    windows = plan.windows()
    forms = {f.key for f in plan.forms}
    for i, duty in enumerate(plan.duties):
        at: Path = ("duties", i)
        if duty.form is not None and duty.form not in forms:
            yield Problem((*at, "form"), _("no report form with key {key!r}").format(key=duty.form))
        if duty.form is None and duty.kind != "ad_hoc":
            yield Problem((*at, "form"), _("a duty other than ad_hoc needs a report form"))
        keys = duty.window_keys
        for j, key in enumerate(keys):
            if key not in windows:
                where = (*at, "phase") if isinstance(duty.phase, str) else (*at, "phase", j)
                yield Problem(where, _("no phase or action with key {key!r}").format(key=key))
        schedule = duty.schedule
        if (schedule.type in ("any_time", "after_event")) != (duty.kind == "ad_hoc"):
            yield Problem(
                (*at, "schedule", "type"),
                _("ad_hoc duties, and only they, use the 'any_time' or 'after_event' schedule"),
            )
        if schedule.type == "after_event" and duty.form in forms:
            types = {f.key: f.type for f in plan.form(duty.form).fields}
            if schedule.field not in types:
                yield Problem(
                    (*at, "schedule", "field"),
                    _("form {form!r} has no field {field!r}").format(
                        form=duty.form, field=schedule.field
                    ),
                )
            elif types[schedule.field] not in ("date", "text"):
                yield Problem(
                    (*at, "schedule", "field"),
                    _(
                        "field {field!r} cannot hold the event's date or time: "
                        "use a date or text field"
                    ).format(field=schedule.field),
                )
        if (
            schedule.type == "monthly"
            and schedule.first_due is not None
            and all(k in windows for k in keys)
        ):
            spans = [windows[k][1] or windows[k][0] for k in keys]
            start = min((w.start for w in spans), default=plan.start)
            if not start <= schedule.first_due:
                yield Problem(
                    (*at, "schedule", "first_due"),
                    _("due date {due} is before the duty starts").format(due=schedule.first_due),
                )
        if schedule.type == "after_end":
            for j, key in enumerate(schedule.of):
                if key not in windows:
                    yield Problem(
                        (*at, "schedule", "of", j),
                        _("no phase or action with key {key!r}").format(key=key),
                    )
        if schedule.type == "by_date" and schedule.opens and schedule.opens > schedule.due:
            yield Problem((*at, "schedule", "opens"), _("the duty opens after it is due"))
        if schedule.type == "dates":
            for j, (a, b) in enumerate(zip(schedule.dates, schedule.dates[1:], strict=False)):
                if b <= a:
                    yield Problem(
                        (*at, "schedule", "dates", j + 1), _("dates must be in increasing order")
                    )
        if schedule.type in ("dates", "by_date"):
            dues = schedule.dates if schedule.type == "dates" else [schedule.due]
            for due in dues:
                if not plan.start <= due:
                    yield Problem(
                        (*at, "schedule"),
                        _("due date {due} is before the campaign starts").format(due=due),
                    )


def _targets(plan: Plan) -> Iterator[Problem]:
    forms = {f.key: f for f in plan.forms}
    for i, target in enumerate(plan.targets):
        at: Path = ("targets", i)
        form = forms.get(target.form)
        if form is None:
            yield Problem(
                (*at, "form"), _("no report form with key {key!r}").format(key=target.form)
            )
            continue
        fields = {f.key: f for f in form.fields}
        ratio = target.metric.ratio
        names: list[tuple[str, str | None, str]]
        if ratio is not None:
            names = [
                ("ratio", "numerator", ratio.numerator),
                ("ratio", "denominator", ratio.denominator),
            ]
        else:
            names = [("field", None, target.metric.field or "")]
        for first, second, name in names:
            path: Path = (*at, "metric", first) + ((second,) if second else ())
            if name not in fields:
                yield Problem(
                    path,
                    _("form {form!r} has no field {field!r}").format(form=form.key, field=name),
                )
            elif fields[name].type == "text":
                message = (
                    _("field {field!r} is text; a ratio needs a numeric field")
                    if first == "ratio"
                    else _("field {field!r} is text; a target needs a numeric field")
                )
                yield Problem(path, message.format(field=name))
            elif not fields[name].numeric:
                yield Problem(
                    path,
                    _("field {field!r} is not a number; a target needs a numeric field").format(
                        field=name
                    ),
                )
