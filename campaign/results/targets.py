"""Each target of the plan against its threshold, per unit and overall, with the gap.

The one evaluation of targets: the compiled results and the stored stage summaries both
call `evaluate`. A unit's value is read from its latest report in the window
(figures.FormFigures.latest, numerator and denominator from the same report): a target is
the state at the stage's end, as the plan's stocks (企业数, 获证企业数) and cumulative
counts stand. A unit that sent nothing is 无数据: it is named, and it does not make the
others fail. A ratio whose denominator is zero is 无法计算 (said so, never 0%).

Shapes a plan can give (campaign.plan.schema.Target):
- a comparator, or 'between' a threshold and an `upper` bound (3至5个, both included);
- `alternatives`: other conditions, any one of which also meets it (不少于50%或500家);
- a `baseline`: the value compared is the change against it (提高1个百分点);
- `per_unit` thresholds: a unit's own threshold instead of the plan's;
- an `owner`: the one unit the target concerns; the others are not evaluated.

Overall: a ratio is the ratio of the sums over the units with data; a number field is the
sum; a percent field is never summed. A target that is per unit by nature (scope
per_bureau, a percent field, per-unit thresholds or alternatives) is met overall when every
unit with data meets it; an owned target is its owner's result.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from campaign.plan.schema import Condition, Metric, Plan, Target

COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}
SIGNS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}
MET, NOT_MET, NO_DATA, NO_DENOMINATOR = "达标", "未达标", "无数据（未报）", "无法计算（分母为零）"
NO_BASELINE = "无法计算（无基数）"
NOT_EVALUATED = "无法评价"


@dataclass(frozen=True)
class Rule:
    """One condition of a target, as evaluated: the target's own or an alternative."""

    metric: Metric
    comparator: str
    threshold: float
    upper: float | None
    unit: str

    @classmethod
    def of(cls, c: Target | Condition) -> Rule:
        upper = None if c.upper is None else float(c.upper)
        return cls(c.metric, c.comparator, float(c.threshold), upper, c.unit)

    def holds(self, value: float, threshold: float | None = None) -> bool:
        low = self.threshold if threshold is None else threshold
        value = round(value, 2)
        if self.comparator == "between":
            return low <= value <= (self.upper if self.upper is not None else low)
        return COMPARE[self.comparator](value, low)

    def gap(self, value: float, threshold: float | None = None) -> float:
        """How far from the threshold (negative: short of a lower bound); 0 inside a range."""
        low = self.threshold if threshold is None else threshold
        if self.comparator == "between" and self.upper is not None:
            if value < low:
                return round(value - low, 2)
            return round(max(value - self.upper, 0.0), 2)
        return round(value - low, 2)

    def text(self, threshold: float | None = None) -> str:
        low = plain(self.threshold if threshold is None else threshold)
        if self.comparator == "between":
            return f"{low}至{plain(self.upper if self.upper is not None else 0)}{self.unit}"
        return f"{SIGNS[self.comparator]} {low}{self.unit}"


def plain(number: float) -> str:
    return f"{number:.2f}".rstrip("0").rstrip(".")


def requirement(target: Target) -> str:
    """The target's requirement in words: ≥ 50% 或 ≥ 500家; 比2008年提高 ≥ 1个百分点."""
    texts = [Rule.of(target).text(), *(Rule.of(c).text() for c in target.alternatives)]
    text = " 或 ".join(texts)
    if target.baseline is not None:
        text = f"较{target.baseline.label or '基数'}变化 {text}"
    if target.per_unit:
        text += "（部分单位另定）"
    if target.owner:
        text += f"（{target.owner}）"
    return text


def evaluate(
    plan: Plan,
    target: Target,
    latest: pd.DataFrame,
    units: pd.DataFrame,
) -> tuple[pd.DataFrame, dict[str, object]]:
    """(per-unit rows in registry order, the overall row) of one target."""
    rule = Rule.of(target)
    alternatives = [Rule.of(c) for c in target.alternatives]
    if target.owner is not None:
        units = units[units["code"] == target.owner]
    codes = units["code"].tolist()
    numerators, denominators, measures, states = _columns(target.metric, latest, codes)
    others = [(alt, _columns(alt.metric, latest, codes)[2]) for alt in alternatives]
    rows = []
    for i, (code, name) in enumerate(zip(codes, units["name"].tolist(), strict=True)):
        threshold = float(target.per_unit.get(code, target.threshold))
        measured, status = measures[i], states[i]
        value = measured
        if measured is not None and target.baseline is not None:
            baseline = target.baseline.per_unit.get(code, target.baseline.value)
            if baseline is None:
                value, status = None, NO_BASELINE
            else:
                value = measured - float(baseline)
        met_by = ""
        if status in (MET, NOT_MET):
            assert value is not None
            met = rule.holds(value, threshold)
            for alt, alt_values in others if not met else ():
                if alt_values[i] is not None and alt.holds(alt_values[i]):  # type: ignore[arg-type]
                    met = True
                    met_by = f"{_metric_label(plan, target, alt.metric)} {alt.text()}"
                    break
            status = MET if met else NOT_MET
        rows.append(
            {
                "target": target.key,
                "unit": code,
                "name": name,
                "numerator": numerators[i],
                "denominator": denominators[i],
                "measured": None if measured is None else round(measured, 2),
                "value": None if value is None else round(value, 2),
                "threshold": threshold,
                "status": status,
                "gap": None if value is None else rule.gap(value, threshold),
                "met_by": met_by,
            }
        )
    per_unit = pd.DataFrame(
        rows,
        columns=[
            "target",
            "unit",
            "name",
            "numerator",
            "denominator",
            "measured",
            "value",
            "threshold",
            "status",
            "gap",
            "met_by",
        ],
    )
    return per_unit, _overall(plan, target, rule, per_unit)


def _overall(plan: Plan, target: Target, rule: Rule, per_unit: pd.DataFrame) -> dict[str, object]:
    statuses = per_unit["status"]
    with_data = per_unit[statuses.isin([MET, NOT_MET])]
    met_units, failed_units = int((statuses == MET).sum()), int((statuses == NOT_MET).sum())
    no_data = per_unit.loc[statuses.isin([NO_DATA, NO_BASELINE]), "name"].tolist()
    zero = per_unit.loc[statuses == NO_DENOMINATOR, "name"].tolist()
    percent_field = target.metric.ratio is None and field_type(plan, target) == "percent"
    value: float | None = None
    note = ""
    if target.owner is not None:
        if len(with_data):
            value = float(with_data["value"].iloc[0])
            note = "本目标仅评价责任单位"
    elif target.metric.ratio is not None:
        reported = per_unit[statuses.isin([MET, NOT_MET, NO_DENOMINATOR])]
        denominator = float(reported["denominator"].sum()) if len(reported) else 0.0
        if len(reported) and denominator:
            value = float(reported["numerator"].sum()) / denominator * 100
            note = "由各单位分子、分母合计计算"
        elif len(reported):
            note = "各单位分母合计为零，无法计算"
    elif percent_field:
        if len(with_data):
            v = with_data["value"]
            note = (
                f"百分数不作合计：各单位最小值{v.min():.2f}、中位数{v.median():.2f}、"
                f"最大值{v.max():.2f}；有数据的单位均达标方为达标"
            )
    elif len(with_data):
        value = float(with_data["measured"].sum())
        note = "各单位合计"
    if value is not None and target.baseline is not None and target.owner is None:
        # The overall figure against the plan's overall baseline, not the units' own.
        if target.baseline.value is not None:
            value -= float(target.baseline.value)
            note += f"，较{target.baseline.label or '基数'}{plain(float(target.baseline.value))}"
        else:
            value, note = None, "方案未给出总体基数，总体不作计算；有数据的单位均达标方为达标"
    by_units = (
        target.scope == "per_bureau"
        or percent_field
        or bool(target.per_unit)
        or bool(target.alternatives)
        or target.owner is not None
        or (target.baseline is not None and value is None)
    )
    if by_units:
        met: bool | None = None if not len(with_data) else failed_units == 0
        if target.scope == "per_bureau" and value is None and len(with_data):
            value = float(with_data["value"].min())
            note = note or "各单位中的最低值"
    else:
        met = None if value is None else rule.holds(value)
    if met is None and not note:
        note = "无单位数据，无法评价"
    return {
        "target": target.key,
        "name": target.name,
        "scope": "逐单位" if target.scope == "per_bureau" else "总体",
        "comparator": target.comparator,
        "threshold": float(target.threshold),
        "unit_of_measure": target.unit,
        "requirement": requirement(target),
        "value": None if value is None else round(value, 2),
        "gap": None if value is None else rule.gap(value),
        "status": MET if met else (NOT_MET if met is False else NOT_EVALUATED),
        "met": met,
        "by_units": by_units,
        "units_met": met_units,
        "units_not_met": failed_units,
        "units_no_data": "、".join(no_data),
        "units_zero_denominator": "、".join(zero),
        "note": note,
    }


def field_type(plan: Plan, target: Target) -> str:
    form = plan.form(target.form)
    return next((f.type for f in form.fields if f.key == target.metric.field), "decimal")


def _metric_label(plan: Plan, target: Target, metric: Metric) -> str:
    labels = {f.key: f.label for f in plan.form(target.form).fields}
    if metric.ratio is not None:
        return f"{labels.get(metric.ratio.numerator, metric.ratio.numerator)}比例"
    return labels.get(metric.field or "", metric.field or "")


def _columns(
    metric: Metric, latest: pd.DataFrame, codes: list[str]
) -> tuple[list[float | None], list[float | None], list[float | None], list[str]]:
    """(numerators, denominators, values, states) of a metric, one entry per unit in the
    units' order; a state MET here means 'has a value'. One reindex per field, not a lookup
    per unit (3,000 units)."""
    ratio = metric.ratio
    if ratio is None:
        figures = _column(latest, metric.field or "", codes)
        states = [NO_DATA if v is None else MET for v in figures]
        return [None] * len(codes), [None] * len(codes), figures, states
    tops, bottoms = (
        _column(latest, ratio.numerator, codes),
        _column(latest, ratio.denominator, codes),
    )
    values: list[float | None] = []
    states = []
    for top, bottom in zip(tops, bottoms, strict=True):
        if top is None or bottom is None:
            values.append(None)
            states.append(NO_DATA)
        elif bottom == 0:
            values.append(None)
            states.append(NO_DENOMINATOR)
        else:
            values.append(top / bottom * 100)
            states.append(MET)
    return tops, bottoms, values, states


def _column(latest: pd.DataFrame, field: str, codes: list[str]) -> list[float | None]:
    """The field's figure of each unit (None where none), in the units' order."""
    if field not in latest.columns or not len(latest):
        return [None] * len(codes)
    column = pd.to_numeric(latest[field], errors="coerce").reindex(codes)
    figures = column.to_numpy(dtype=float, na_value=math.nan).tolist()
    return [None if math.isnan(v) else v for v in figures]
