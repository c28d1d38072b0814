"""The plan's shared vocabulary: identifiers, enumerations and the base of its models."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from campaign.plan.fields import (
    single_line,
)

Key = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_-]*$",
        max_length=64,
        description="Identifier: lowercase letters, digits, '-' and '_'.",
    ),
]
Email = Annotated[
    str,
    Field(pattern=r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[A-Za-z]{2,}$", max_length=254),
    AfterValidator(single_line),
]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
PhaseKind = Literal["mobilization", "implementation", "acceptance"]
FieldType = Literal["integer", "decimal", "percent", "text", "yes_no", "date", "choice"]
NUMERIC_TYPES: tuple[str, ...] = ("integer", "decimal", "percent")
"""Field types that hold a number: summed, compared, read by targets. yes_no (是/否), date
and choice (one of `choices`) are counted, never summed."""
DutyKind = Literal["progress", "stage_summary", "final_summary", "ad_hoc", "task"]
"""'task': the progress duty of a tracked task, derived from the task (campaign.tasks)."""
Comparator = Literal[">=", ">", "<=", "<", "=="]
TargetComparator = Literal[">=", ">", "<=", "<", "==", "between"]


class PlanModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
