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

from campaign.plan.schema import Plan, Task

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
        at = f"line {self.line}: " if self.line else ""
        return f"{at}{self.where or '(plan)'}: {self.message}"


def format_path(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def check_plan(plan: Plan) -> list[Problem]:
    return [
        *_identity(plan),
        *_windows(plan),
        *_duplicate_keys(plan),
        *_forms(plan),
        *_duties(plan),
        *_targets(plan),
    ]


def _identity(plan: Plan) -> Iterator[Problem]:
    try:
        ZoneInfo(plan.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        yield Problem(("timezone",), f"unknown timezone {plan.timezone!r}")
    try:
        CronSim(plan.tick_cron, datetime(2000, 1, 1))
    except CronSimError as exc:
        yield Problem(("tick_cron",), f"invalid cron expression {plan.tick_cron!r}: {exc}")


def _windows(plan: Plan) -> Iterator[Problem]:
    kinds = {p.kind for p in plan.phases}
    if "implementation" not in kinds:
        yield Problem(("phases",), "the plan has no phase of kind 'implementation'")
    for i, phase in enumerate(plan.phases):
        at: Path = ("phases", i)
        if phase.end < phase.start:
            yield Problem(
                (*at, "end"), f"phase ends ({phase.end}) before it starts ({phase.start})"
            )
            continue  # containment in an inverted window would only repeat the problem
        for t, task in enumerate(phase.tasks):
            yield from _task_window(task, phase.start, phase.end, (*at, "tasks", t))
        for j, action in enumerate(phase.actions):
            act_at: Path = (*at, "actions", j)
            if action.end < action.start:
                yield Problem(
                    (*act_at, "end"),
                    f"action ends ({action.end}) before it starts ({action.start})",
                )
                continue
            if action.start < phase.start or action.end > phase.end:
                yield Problem(
                    act_at,
                    f"action {action.key!r} ({action.start} to {action.end}) lies outside its "
                    f"phase {phase.key!r} ({phase.start} to {phase.end})",
                )
            for t, task in enumerate(action.tasks):
                yield from _task_window(task, action.start, action.end, (*act_at, "tasks", t))


def _task_window(task: Task, start: date, end: date, at: Path) -> Iterator[Problem]:
    if task.start and task.end and task.end < task.start:
        yield Problem((*at, "end"), f"task ends ({task.end}) before it starts ({task.start})")
    for name in ("start", "end"):
        value = getattr(task, name)
        if value and not start <= value <= end:
            yield Problem((*at, name), f"task {name} {value} lies outside {start} to {end}")


def _duplicate_keys(plan: Plan) -> Iterator[Problem]:
    windows: list[tuple[str, Path]] = []
    for i, phase in enumerate(plan.phases):
        windows.append((phase.key, ("phases", i, "key")))
        windows += [
            (a.key, ("phases", i, "actions", j, "key")) for j, a in enumerate(phase.actions)
        ]
    groups: list[tuple[str, list[tuple[str, Path]]]] = [
        ("phase/action", windows),
        ("form", [(f.key, ("forms", i, "key")) for i, f in enumerate(plan.forms)]),
        ("duty", [(d.key, ("duties", i, "key")) for i, d in enumerate(plan.duties)]),
        ("target", [(t.key, ("targets", i, "key")) for i, t in enumerate(plan.targets)]),
    ]
    for i, form in enumerate(plan.forms):
        groups.append(
            (
                f"field of form {form.key!r}",
                [(f.key, ("forms", i, "fields", j, "key")) for j, f in enumerate(form.fields)],
            )
        )
    for what, entries in groups:
        counts = Counter(key for key, _ in entries)
        seen: set[str] = set()
        for key, path in entries:
            if counts[key] > 1 and key in seen:
                yield Problem(path, f"duplicate {what} key {key!r}")
            seen.add(key)


def _forms(plan: Plan) -> Iterator[Problem]:
    for i, form in enumerate(plan.forms):
        fields = {f.key: f for f in form.fields}
        for j, field in enumerate(form.fields):
            at: Path = ("forms", i, "fields", j)
            if field.type == "text" and (field.min is not None or field.max is not None):
                yield Problem(at, f"text field {field.key!r} cannot have min or max")
            if field.min is not None and field.max is not None and field.min > field.max:
                yield Problem((*at, "min"), f"min {field.min} is greater than max {field.max}")
            if field.type == "percent":
                for bound in ("min", "max"):
                    value = getattr(field, bound)
                    if value is not None and not 0 <= value <= 100:
                        yield Problem((*at, bound), f"a percent {bound} must lie within 0 to 100")
            if field.type == "text" and field.accumulation == "cumulative":
                yield Problem((*at, "accumulation"), "a text field cannot be cumulative")
        for j, rule in enumerate(form.part_of_whole):
            for side in ("part", "whole"):
                name = getattr(rule, side)
                at = ("forms", i, "part_of_whole", j, side)
                if name not in fields:
                    yield Problem(at, f"form {form.key!r} has no field {name!r}")
                elif fields[name].type == "text":
                    yield Problem(at, f"field {name!r} is text and cannot be compared")


def _duties(plan: Plan) -> Iterator[Problem]:
    windows = plan.windows()
    forms = {f.key for f in plan.forms}
    for i, duty in enumerate(plan.duties):
        at: Path = ("duties", i)
        if duty.form is not None and duty.form not in forms:
            yield Problem((*at, "form"), f"no report form with key {duty.form!r}")
        if duty.form is None and duty.kind != "ad_hoc":
            yield Problem((*at, "form"), "a duty other than ad_hoc needs a report form")
        if duty.phase is not None and duty.phase not in windows:
            yield Problem((*at, "phase"), f"no phase or action with key {duty.phase!r}")
        schedule = duty.schedule
        if (schedule.type == "any_time") != (duty.kind == "ad_hoc"):
            yield Problem(
                (*at, "schedule", "type"),
                "ad_hoc duties, and only they, use the 'any_time' schedule",
            )
        if schedule.type in ("weekly", "monthly") and duty.phase is None:
            yield Problem((*at, "phase"), f"a {schedule.type} duty needs a phase or action window")
        if schedule.type == "after_end":
            for j, key in enumerate(schedule.of):
                if key not in windows:
                    yield Problem(
                        (*at, "schedule", "of", j), f"no phase or action with key {key!r}"
                    )
        if schedule.type == "by_date" and schedule.opens and schedule.opens > schedule.due:
            yield Problem((*at, "schedule", "opens"), "the duty opens after it is due")
        if schedule.type == "dates":
            for j, (a, b) in enumerate(zip(schedule.dates, schedule.dates[1:], strict=False)):
                if b <= a:
                    yield Problem(
                        (*at, "schedule", "dates", j + 1), "dates must be in increasing order"
                    )
        if schedule.type in ("dates", "by_date"):
            dues = schedule.dates if schedule.type == "dates" else [schedule.due]
            for due in dues:
                if not plan.start <= due:
                    yield Problem(
                        (*at, "schedule"), f"due date {due} is before the campaign starts"
                    )


def _targets(plan: Plan) -> Iterator[Problem]:
    forms = {f.key: f for f in plan.forms}
    for i, target in enumerate(plan.targets):
        at: Path = ("targets", i)
        form = forms.get(target.form)
        if form is None:
            yield Problem((*at, "form"), f"no report form with key {target.form!r}")
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
                yield Problem(path, f"form {form.key!r} has no field {name!r}")
            elif fields[name].type == "text":
                what = "a ratio" if first == "ratio" else "a target"
                yield Problem(path, f"field {name!r} is text; {what} needs a numeric field")
