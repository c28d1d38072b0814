"""Read a plan file: decode, parse YAML, validate, and point every problem at its line."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path as FilePath
from typing import Any

import yaml
from pydantic import ValidationError

from campaign.plan.checks import Path, Problem, check_plan
from campaign.plan.schema import Plan
from campaign.plan.yaml_read import ComposedPlan, PlanYAMLLimit, read_limited, too_big


class PlanError(Exception):
    """A plan that cannot be used; .problems lists every reason."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: {len(problems)} problem(s)\n" + "\n".join(map(str, problems)))


@dataclass
class LoadResult:
    plan: Plan | None
    problems: list[Problem] = field(default_factory=list)


def load_plan(path: str | FilePath) -> Plan:
    """The plan in the file at path; raises PlanError listing every problem."""
    path = FilePath(path)
    try:
        raw = read_limited(path)
    except OSError as exc:
        raise PlanError(str(path), [Problem((), f"cannot read the file: {exc.strerror}")]) from exc
    result = parse_plan(raw)
    if result.plan is None:
        raise PlanError(str(path), result.problems)
    return result.plan


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
            None, [Problem((), "the file is not UTF-8 text (save it as UTF-8)", line)]
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
        return LoadResult(None, [Problem((), f"YAML syntax error: {reason}", at_line)])
    if not isinstance(data, dict):
        return LoadResult(None, [Problem((), "a plan must be a YAML mapping of fields", 1)])
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        problems = [_from_pydantic(err, data, lines) for err in exc.errors()]
        return LoadResult(None, _unique(problems))
    problems = [_with_line(p, lines) for p in check_plan(plan)]
    return LoadResult(None if problems else plan, problems)


def _index_lines(node: yaml.Node, at: Path, lines: dict[Path, int], dups: list[Problem]) -> None:
    lines[at] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                dups.append(
                    Problem((*at, key), f"key {key!r} appears twice", key_node.start_mark.line + 1)
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
    if err["type"] == "missing":
        message = "this field is required"
    elif err["type"] == "extra_forbidden":
        message = "unknown field (check its spelling)"
    elif message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    else:
        message = _bound_message(err) or message
    if err["type"] == "union_tag_invalid" or err["type"] == "literal_error":
        message = message.replace("Input tag", "value").replace("Input should be", "should be")
        value = err.get("input")
        if isinstance(value, str | int):
            message = f"{value!r}: {message}"
    return _with_line(Problem(path, message), lines)


_NOT_A_DATE = frozenset(
    {"date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"}
)


def _bound_message(err: Any) -> str | None:
    """A Chinese message for the bounds the schema puts on values, or None."""
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind in _NOT_A_DATE:
        value = err.get("input")
        shown = repr(value) if isinstance(value, str) else str(value)
        return f"{shown} 不是有效日期（应为 YYYY-MM-DD，且该日存在）"
    bounds = {
        "greater_than_equal": ("不得小于", "ge"),
        "less_than_equal": ("不得大于", "le"),
        "greater_than": ("须大于", "gt"),
        "less_than": ("须小于", "lt"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        return f"{words} {_number(ctx.get(key))}"
    if kind == "string_too_long":
        return f"不得超过 {ctx.get('max_length')} 个字符"
    if kind == "too_long":
        return f"最多 {ctx.get('max_length')} 项"
    if kind in ("int_parsing", "int_parsing_size"):
        return "须为整数"
    if kind == "finite_number":
        return "须为有限的数"
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
