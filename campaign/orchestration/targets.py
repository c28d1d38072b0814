"""The plan's targets (整治目标) over the bureaus' latest report figures, for the stored
stage summaries and the acceptance.

The evaluation itself is campaign.results.targets.evaluate (the one way, shared with the
compiled results): here the summaries' figures (form key -> bureau code -> field key ->
value, the latest accepted or pending report of each bureau) are put in its frame, and
its rows read back as the JSON the summaries store. A bureau asked for a report that sent
none is `missing` (no data, not a failure of the others).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from campaign.plan.schema import Plan, Target
from campaign.replies.values import as_number
from campaign.results.targets import NO_BASELINE, NO_DATA, NO_DENOMINATOR, NOT_MET, evaluate

Figures = Mapping[str, Mapping[str, Mapping[str, Any]]]


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
    requirement: str = ""
    per_bureau: dict[str, str | None] = field(default_factory=dict)
    failing: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    zero_denominator: list[str] = field(default_factory=list)
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def evaluate_targets(
    plan: Plan, reports: Figures, expected: Mapping[str, Sequence[str]]
) -> list[TargetResult]:
    """Every target of the plan; `expected` lists, per form, the bureaus that owe a report."""
    return [
        evaluate_target(plan, t, reports.get(t.form, {}), expected.get(t.form, ()))
        for t in plan.targets
    ]


def evaluate_target(
    plan: Plan,
    target: Target,
    figures: Mapping[str, Mapping[str, Any]],
    expected_bureaus: Sequence[str],
) -> TargetResult:
    codes = sorted(set(figures) | set(expected_bureaus))
    units = pd.DataFrame({"code": codes, "name": codes})
    latest = pd.DataFrame.from_dict(
        {code: {k: _number(v) for k, v in figures[code].items()} for code in figures},
        orient="index",
    )
    per_unit, overall = evaluate(plan, target, latest, units)
    reported = per_unit[per_unit["status"] != NO_DATA]
    return TargetResult(
        key=target.key,
        name=target.name,
        scope=target.scope,
        comparator=target.comparator,
        threshold=_show(float(target.threshold)),  # type: ignore[arg-type]
        unit=target.unit,
        value=_show(overall["value"]),  # type: ignore[arg-type]
        met=overall["met"],  # type: ignore[arg-type]
        requirement=str(overall["requirement"]),
        per_bureau={r.unit: _show(r.value) for r in reported.itertuples()},
        failing=[str(r.unit) for r in per_unit.itertuples() if r.status == NOT_MET]
        if overall["by_units"]
        else [],
        zero_denominator=[str(r.unit) for r in per_unit.itertuples() if r.status == NO_DENOMINATOR],
        missing=[str(r.unit) for r in per_unit.itertuples() if r.status in (NO_DATA, NO_BASELINE)],
        note=str(overall["note"]),
    )


def _number(value: Any) -> float | None:
    number = as_number(value)
    return None if number is None or not number.is_finite() else float(number)


def _show(value: float | None) -> str | None:
    return None if value is None or pd.isna(value) else f"{value:.2f}"
