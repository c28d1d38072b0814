"""Each target of the plan against its threshold, per unit and overall, with the gap.

A unit's value is read from its latest report in the window (figures.FormFigures.latest,
numerator and denominator from the same report): a target is the state at the stage's
end, as the plan's stocks (企业数, 获证企业数) and cumulative counts stand.
A unit that sent nothing is 无数据: it is named, and it does not make the others fail.
A ratio whose denominator is zero is 无法计算 (said so, never 0%). Overall: a ratio is
the ratio of the sums over the units with data; a number field is the sum; a percent
field is never summed: the target is met overall when every unit with data meets it.
"""

from __future__ import annotations

import operator
from collections.abc import Callable

import pandas as pd

from campaign.plan.schema import Plan, Target

COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}
MET, NOT_MET, NO_DATA, NO_DENOMINATOR = "达标", "未达标", "无数据（未报）", "无法计算（分母为零）"


def evaluate(
    plan: Plan,
    target: Target,
    latest: pd.DataFrame,
    units: pd.DataFrame,
) -> tuple[pd.DataFrame, dict[str, object]]:
    """(per-unit rows in registry order, the overall row) of one target."""
    compare = COMPARE[target.comparator]
    threshold = float(target.threshold)
    ratio = target.metric.ratio
    fields = [ratio.numerator, ratio.denominator] if ratio else [target.metric.field or ""]
    percent_field = ratio is None and _field_type(plan, target) == "percent"
    rows = []
    for code, name in zip(units["code"], units["name"], strict=True):
        parts = [_get(latest, code, f) for f in fields]
        value: float | None = None
        if any(p is None for p in parts):
            status = NO_DATA
        elif ratio is not None and parts[1] == 0:
            status = NO_DENOMINATOR
        else:
            value = parts[0] / parts[1] * 100 if ratio is not None else parts[0]  # type: ignore[operator]
            status = MET if compare(round(value, 2), threshold) else NOT_MET  # type: ignore[arg-type]
        rows.append(
            {
                "target": target.key,
                "unit": code,
                "name": name,
                "numerator": parts[0] if ratio else None,
                "denominator": parts[1] if ratio else None,
                "value": None if value is None else round(value, 2),
                "status": status,
                "gap": None if value is None else round(value - threshold, 2),
            }
        )
    columns = ["target", "unit", "name", "numerator", "denominator", "value", "status", "gap"]
    per_unit = pd.DataFrame(rows, columns=columns)
    return per_unit, _overall(target, per_unit, threshold, compare, percent_field)


def _overall(
    target: Target,
    per_unit: pd.DataFrame,
    threshold: float,
    compare: Callable[[float, float], bool],
    percent_field: bool,
) -> dict[str, object]:
    statuses = per_unit["status"] if not per_unit.empty else pd.Series(dtype=str)
    with_data = per_unit[statuses.isin([MET, NOT_MET])] if not per_unit.empty else per_unit
    met_units, failed_units = int((statuses == MET).sum()), int((statuses == NOT_MET).sum())
    no_data = per_unit.loc[statuses == NO_DATA, "name"].tolist() if not per_unit.empty else []
    zero = per_unit.loc[statuses == NO_DENOMINATOR, "name"].tolist() if not per_unit.empty else []
    value: float | None = None
    note = ""
    if target.metric.ratio is not None:
        reported = per_unit[statuses.isin([MET, NOT_MET, NO_DENOMINATOR])]
        denominator = float(reported["denominator"].sum()) if len(reported) else 0.0
        if len(reported) and denominator:
            value = round(float(reported["numerator"].sum()) / denominator * 100, 2)
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
        value = round(float(with_data["value"].sum()), 2)
        note = "各单位合计"
    if target.scope == "per_bureau" or percent_field:
        met: bool | None = None if not len(with_data) else failed_units == 0
        if target.scope == "per_bureau" and value is None and len(with_data):
            value = round(float(with_data["value"].min()), 2)
            note = note or "各单位中的最低值"
    else:
        met = None if value is None else compare(value, threshold)
    if met is None and not note:
        note = "无单位数据，无法评价"
    return {
        "target": target.key,
        "name": target.name,
        "scope": "逐单位" if target.scope == "per_bureau" else "总体",
        "comparator": target.comparator,
        "threshold": threshold,
        "unit_of_measure": target.unit,
        "value": value,
        "gap": None if value is None else round(value - threshold, 2),
        "status": MET if met else (NOT_MET if met is False else "无法评价"),
        "units_met": met_units,
        "units_not_met": failed_units,
        "units_no_data": "、".join(no_data),
        "units_zero_denominator": "、".join(zero),
        "note": note,
    }


def _field_type(plan: Plan, target: Target) -> str:
    form = plan.form(target.form)
    return next((f.type for f in form.fields if f.key == target.metric.field), "decimal")


def _get(latest: pd.DataFrame, code: str, field: str) -> float | None:
    if code not in latest.index or field not in latest.columns:
        return None
    value = latest.at[code, field]
    return None if pd.isna(value) else float(value)
