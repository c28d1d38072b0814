"""Numeric targets of a plan and their shapes (docs/targets.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from campaign.i18n import N_
from campaign.plan.base import Key, PlanModel, TargetComparator
from campaign.plan.fields import (
    Figure,
    Line,
    Name,
)


class Ratio(PlanModel):
    numerator: Line
    denominator: Line


class Metric(PlanModel):
    """A field's value, or the ratio of two fields as a percentage; exactly one of the two."""

    field: Line | None = None
    ratio: Ratio | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Metric:
        if (self.field is None) == (self.ratio is None):
            raise ValueError(N_("give exactly one of 'field' or 'ratio'"))
        return self


class Condition(PlanModel):
    """One alternative way of meeting a target (或): its own metric and threshold."""

    metric: Metric
    comparator: TargetComparator
    threshold: Figure
    upper: Figure | None = Field(default=None, description="Upper bound of 'between'.")
    unit: Line = ""


class Baseline(PlanModel):
    """The figure a change is measured against (比2008年提高1个百分点): the plan's overall
    value, and a unit's own where the plan gives one."""

    value: Figure | None = None
    per_unit: dict[Line, Figure] = Field(default_factory=dict, max_length=5000)
    label: Line = Field(default="", description="e.g. 2008年.")


class Target(PlanModel):
    """A numeric target (整治目标), e.g. 监督抽查合格率 ≥ 90%.

    Shapes (see docs/targets.md): 'between' with `upper` (3至5个); `alternatives`, any one
    of which also meets it (不少于50%或500家); a `baseline` the change is measured
    against (提高1个百分点); `per_unit` thresholds; an `owner`, the one unit it concerns."""

    key: Key
    name: Name
    form: Line
    metric: Metric
    comparator: TargetComparator
    threshold: Figure
    unit: Line = ""
    scope: Literal["per_bureau", "overall"] = "overall"
    upper: Figure | None = Field(default=None, description="Upper bound of 'between'.")
    alternatives: list[Condition] = Field(default_factory=list, max_length=10)
    baseline: Baseline | None = None
    per_unit: dict[Line, Figure] = Field(
        default_factory=dict, max_length=5000, description="Unit code -> its own threshold."
    )
    owner: Line | None = Field(default=None, description="Code of the one unit it concerns.")
