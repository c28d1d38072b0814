"""Report forms (报表) of a plan: their fields, narrative (情况说明), attachments
(佐证材料) and part-of-whole checks."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from campaign.plan.base import NUMERIC_TYPES, FieldType, Key, PlanModel
from campaign.plan.fields import Figure, Line, Name, Text


class FormField(PlanModel):
    key: Key
    label: Name
    type: FieldType
    unit: Line = ""
    min: Figure | None = None
    max: Figure | None = None
    required: bool = True
    accumulation: Literal["period", "cumulative"] = Field(
        default="period",
        description="'period': the figure for this period only; 'cumulative': since the "
        "campaign began, never lower than the bureau's last accepted report.",
    )
    help: Text = ""
    choices: list[Name] = Field(
        default_factory=list, max_length=50, description="The options of a 'choice' field."
    )

    @property
    def numeric(self) -> bool:
        return self.type in NUMERIC_TYPES


NARRATIVE_KEY = "__narrative__"
"""The key of a form's narrative (情况说明) among its fields: in the .xlsx table, in an
answer's problems, on the web form."""


class Narrative(PlanModel):
    label: Name = "情况说明"
    required: bool = True
    max_length: int = Field(default=20000, gt=0, le=100_000)


class AttachmentRule(PlanModel):
    """Files the answer carries (佐证材料): required or not, and what they are."""

    label: Name = "附件"
    required: bool = False
    help: Text = ""


class PartOfWhole(PlanModel):
    """A check that one figure never exceeds another (合格批次 ≤ 抽查批次)."""

    part: Line
    whole: Line


class ReportForm(PlanModel):
    key: Key
    title: Line = Field(min_length=1, description="e.g. 工作进展情况统计表.")
    fields: list[FormField] = Field(default_factory=list, max_length=200)
    narrative: Narrative | None = Field(default_factory=Narrative)
    part_of_whole: list[PartOfWhole] = Field(default_factory=list, max_length=200)
    attachment: AttachmentRule = Field(default_factory=AttachmentRule)
