"""Evaluate the plan's numeric targets (整治目标) over the bureaus' latest report figures.

A pure function: `reports` maps form key -> bureau code -> field key -> value, the
latest accepted or pending figures of each bureau. A target reads each bureau's latest
report of its form (stocks such as 获证企业数, and cumulative counts, are read as they
stand). `per_bureau` targets are met when every bureau that reported meets the threshold
(those that did not are listed as missing: no data, not a failure of the others);
`overall` targets compare the sum over bureaus (a ratio of sums for ratios).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from campaign.plan.schema import Plan, Target

Figures = Mapping[str, Mapping[str, Mapping[str, Any]]]

COMPARE: dict[str, Callable[[Decimal, Decimal], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}
HUNDRED = Decimal(100)
PLACES = Decimal("0.01")


@dataclass(frozen=True)
class TargetResult:
    key: str
    name: str
    scope: str
    comparator: str
    threshold: str
    unit: str
    value: str | None
    met: bool | None
    per_bureau: dict[str, str | None] = field(default_factory=dict)
    failing: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def evaluate_targets(
    plan: Plan, reports: Figures, expected: Mapping[str, Sequence[str]]
) -> list[TargetResult]:
    """Every target of the plan; `expected` lists, per form, the bureaus that owe a report."""
    return [
        evaluate_target(t, reports.get(t.form, {}), expected.get(t.form, ())) for t in plan.targets
    ]


def evaluate_target(
    target: Target, figures: Mapping[str, Mapping[str, Any]], expected_bureaus: Sequence[str]
) -> TargetResult:
    compare = COMPARE[target.comparator]
    parts = {code: _parts(target, figures[code]) for code in sorted(figures)}
    missing = sorted(c for c in expected_bureaus if parts.get(c) is None)
    per_bureau = {code: _metric(target, p) for code, p in parts.items() if p is not None}
    if target.scope == "per_bureau":
        failing = sorted(
            c for c, v in per_bureau.items() if v is None or not compare(v, target.threshold)
        )
        # A bureau with no report is named in `missing`: no data, not a failure of others.
        met = None if not per_bureau else not failing
        values = [v for v in per_bureau.values() if v is not None]
        value = min(values) if values else None
    else:
        failing = []
        present = [p for p in parts.values() if p is not None]
        value = _overall(target, present)
        met = None if value is None else compare(value, target.threshold)
    return TargetResult(
        key=target.key,
        name=target.name,
        scope=target.scope,
        comparator=target.comparator,
        threshold=str(target.threshold),
        unit=target.unit,
        value=_show(value),
        met=met,
        per_bureau={c: _show(v) for c, v in per_bureau.items()},
        failing=failing,
        missing=missing,
    )


def _number(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _parts(target: Target, values: Mapping[str, Any]) -> tuple[Decimal, Decimal] | None:
    """(numerator, denominator) of a ratio, or (value, 1) of a field; None if not reported."""
    ratio = target.metric.ratio
    if ratio is None:
        value = _number(values.get(target.metric.field or ""))
        return None if value is None else (value, Decimal(1))
    numerator, denominator = (
        _number(values.get(ratio.numerator)),
        _number(values.get(ratio.denominator)),
    )
    if numerator is None or denominator is None:
        return None
    return numerator, denominator


def _metric(target: Target, parts: tuple[Decimal, Decimal]) -> Decimal | None:
    numerator, denominator = parts
    if target.metric.ratio is None:
        return numerator
    if denominator == 0:
        return None
    return numerator / denominator * HUNDRED


def _overall(target: Target, present: list[tuple[Decimal, Decimal]]) -> Decimal | None:
    if not present:
        return None
    numerator = sum((p[0] for p in present), Decimal(0))
    if target.metric.ratio is None:
        return numerator
    denominator = sum((p[1] for p in present), Decimal(0))
    return None if denominator == 0 else numerator / denominator * HUNDRED


def _show(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(PLACES))
