"""Read a plan file: decode, parse YAML, validate, and point every problem at its line."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path as FilePath
from typing import Any

import yaml
from pydantic import ValidationError

from campaign.i18n import N_, _, ngettext
from campaign.plan.checks import Path, Problem, check_plan
from campaign.plan.schema import Plan
from campaign.plan.target_checks import target_problems, target_warnings
from campaign.plan.yaml_read import ComposedPlan, PlanYAMLLimit, read_limited, too_big


class PlanError(Exception):
    """A plan that cannot be used; .problems lists every reason."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        header = ngettext("{source}: {n} problem", "{source}: {n} problems", len(problems))
        super().__init__(
            header.format(source=source, n=len(problems)) + "\n" + "\n".join(map(str, problems))
        )


@dataclass
class LoadResult:
    plan: Plan | None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # the plan is usable regardless


def load_plan(path: str | FilePath) -> Plan:
    """The plan in the file at path; raises PlanError listing every problem."""
    path = FilePath(path)
    try:
        raw = read_limited(path)
    except OSError as exc:
        raise PlanError(
            str(path),
            [Problem((), _("cannot read the file: {reason}").format(reason=exc.strerror))],
        ) from exc
    result = parse_plan(raw)
    if result.plan is None:
        raise PlanError(str(path), result.problems)
    return result.plan


def plan_warnings(path: str | FilePath) -> list[Problem]:
    """What `campaign validate` warns about in a valid plan (e.g. a target that can
    never be evaluated), each with its line."""
    return parse_plan(read_limited(FilePath(path))).warnings


def locate(problems: list[Problem], text: str) -> list[Problem]:
    """Problems found in a loaded plan (e.g. against a registry), each with its line in
    the plan's text."""
    lines: dict[Path, int] = {}
    try:
        node = ComposedPlan(text).node
    except (PlanYAMLLimit, yaml.YAMLError):
        return problems
    if node is not None:
        _index_lines(node, (), lines, [])
    return [_with_line(p, lines) for p in problems]


def load_plan_text(text: str, source: str = "<plan>") -> Plan:
    result = parse_plan(text.encode("utf-8"))
    if result.plan is None:
        raise PlanError(source, result.problems)
    return result.plan


def parse_plan(raw: bytes) -> LoadResult:
    """Validate plan bytes; never raises for bad input."""
    oversize = too_big(len(raw))
    if oversize:
        return LoadResult(None, [Problem((), oversize)])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return LoadResult(
            None, [Problem((), _("the file is not UTF-8 text (save it as UTF-8)"), line)]
        )
    try:
        composed = ComposedPlan(text)
        node = composed.node
        lines: dict[Path, int] = {}
        duplicates: list[Problem] = []
        if node is not None:
            _index_lines(node, (), lines, duplicates)
        if duplicates:
            return LoadResult(None, duplicates)
        data = composed.construct()
    except PlanYAMLLimit as exc:
        return LoadResult(None, [Problem(exc.path, exc.message, exc.line)])
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at_line = mark.line + 1 if mark else None
        reason = getattr(exc, "problem", None) or str(exc)
        return LoadResult(
            None, [Problem((), _("YAML syntax error: {reason}").format(reason=reason), at_line)]
        )
    if not isinstance(data, dict):
        return LoadResult(None, [Problem((), _("a plan must be a YAML mapping of fields"), 1)])
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        problems = [_from_pydantic(err, data, lines) for err in exc.errors()]
        return LoadResult(None, _unique(problems))
    problems = [_with_line(p, lines) for p in (*check_plan(plan), *target_problems(plan))]
    if problems:
        return LoadResult(None, problems)
    return LoadResult(plan, [], [_with_line(p, lines) for p in target_warnings(plan)])


def _index_lines(node: yaml.Node, at: Path, lines: dict[Path, int], dups: list[Problem]) -> None:
    lines[at] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                dups.append(
                    Problem(
                        (*at, key),
                        _("key {key!r} appears twice").format(key=key),
                        key_node.start_mark.line + 1,
                    )
                )
            seen.add(key)
            lines[(*at, key)] = key_node.start_mark.line + 1
            _index_lines(value_node, (*at, key), lines, dups)
            lines[(*at, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index_lines(item, (*at, i), lines, dups)


def _data_path(loc: tuple[Any, ...], data: Any) -> Path:
    """Pydantic's loc less the union tags it inserts, so it names a place in the file."""
    path: list[str | int] = []
    current = data
    for part in loc:
        if isinstance(current, dict) and part in current:
            current = current[part]
            path.append(part)
        elif isinstance(current, list) and isinstance(part, int) and part < len(current):
            current = current[part]
            path.append(part)
        elif isinstance(current, dict) and isinstance(part, str) and not path[-1:] == [part]:
            # A missing key, or a tag pydantic adds for a union member: keep missing keys only
            # when they are the last part (the field that is required).
            if part == loc[-1]:
                path.append(part)
            continue
    return tuple(path)


def _from_pydantic(err: Any, data: Any, lines: dict[Path, int]) -> Problem:
    path = _data_path(tuple(err["loc"]), data)
    message = err["msg"]
    if err["type"] in PYDANTIC_MESSAGES:
        message = _(PYDANTIC_MESSAGES[err["type"]])
    elif message.startswith("Value error, "):
        message = _(message.removeprefix("Value error, "))
    else:
        message = _bound_message(err) or message
    if err["type"] in ("union_tag_invalid", "literal_error"):
        expected = (err.get("ctx") or {}).get("expected") or (err.get("ctx") or {}).get(
            "expected_tags", ""
        )
        expected = str(expected).replace("' or '", "', '")
        message = _("should be one of {expected}").format(expected=expected)
        value = (err.get("ctx") or {}).get("tag", err.get("input"))
        if isinstance(value, str | int):
            message = f"{value!r}: {message}"
    return _with_line(Problem(path, message), lines)


# Pydantic's English messages by error type, as the catalogue words them.
PYDANTIC_MESSAGES = {
    "missing": N_("this field is required"),
    "extra_forbidden": N_("unknown field (check its spelling)"),
    "decimal_parsing": N_("should be a number"),
    "decimal_type": N_("should be a number"),
    "float_parsing": N_("should be a number"),
    "float_type": N_("should be a number"),
    "int_type": N_("should be a whole number"),
    "int_from_float": N_("should be a whole number"),
    "bool_parsing": N_("should be true or false"),
    "bool_type": N_("should be true or false"),
    "string_type": N_("should be text"),
    "list_type": N_("should be a list"),
    "dict_type": N_("should be a mapping of fields"),
    "model_type": N_("should be a mapping of fields"),
    "model_attributes_type": N_("should be a mapping of fields"),
    "string_too_short": N_("should not be empty"),
    "too_short": N_("should not be empty"),
    "string_pattern_mismatch": N_("contains characters not allowed here"),
    "datetime_type": N_("should be a date and time"),
    "datetime_parsing": N_("should be a date and time"),
    "time_type": N_("should be a time of day (HH:MM)"),
    "time_parsing": N_("should be a time of day (HH:MM)"),
    "union_tag_not_found": N_("the 'type' field is required"),
    "decimal_max_digits": N_("has too many digits"),
    "decimal_max_places": N_("has too many decimal places"),
    "decimal_whole_digits": N_("has too many digits before the decimal point"),
    "enum": N_("is not one of the allowed values"),
}

_NOT_A_DATE = frozenset(
    {"date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"}
)


def _bound_message(err: Any) -> str | None:
    """A Chinese message for the bounds the schema puts on values, or None."""
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind in _NOT_A_DATE:
        value = err.get("input")
        shown = repr(value) if isinstance(value, str) else str(value)
        return _("{value} is not a valid date (YYYY-MM-DD, a day that exists)").format(value=shown)
    bounds = {
        "greater_than_equal": (N_("must not be less than {bound}"), "ge"),
        "less_than_equal": (N_("must not be greater than {bound}"), "le"),
        "greater_than": (N_("must be greater than {bound}"), "gt"),
        "less_than": (N_("must be less than {bound}"), "lt"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        return _(words).format(bound=_number(ctx.get(key)))
    if kind == "string_too_long":
        return _("must not be longer than {n} characters").format(n=ctx.get("max_length"))
    if kind == "too_long":
        return _("at most {n} items").format(n=ctx.get("max_length"))
    if kind in ("int_parsing", "int_parsing_size"):
        return _("should be a whole number")
    if kind == "finite_number":
        return _("should be a finite number")
    return None


def _number(value: Any) -> str:
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    return str(value)


def _with_line(problem: Problem, lines: dict[Path, int]) -> Problem:
    path = problem.path
    while path and path not in lines:
        path = path[:-1]
    return Problem(problem.path, problem.message, lines.get(path))


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[Path, str]] = set()
    out = []
    for p in problems:
        if (p.path, p.message) not in seen:
            seen.add((p.path, p.message))
            out.append(p)
    return out
