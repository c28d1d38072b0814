"""When a duty's reports fall due: the schedule shapes of a plan (docs/schedules.md)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from campaign.i18n import N_
from campaign.plan.base import PlanModel, Weekday
from campaign.plan.fields import (
    Days,
    Line,
    Name,
    PlanDate,
    WorkingDays,
)


class Offset(PlanModel):
    """A number of calendar days or of working days (工作日), exactly one of the two."""

    days: Days | None = None
    working_days: WorkingDays | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Offset:
        if (self.days is None) == (self.working_days is None):
            raise ValueError(N_("give exactly one of 'days' or 'working_days'"))
        return self


class Weekly(PlanModel):
    """One period a week (Monday to Sunday); due on the given weekday."""

    type: Literal["weekly"]
    weekday: Weekday = "friday"


class Monthly(PlanModel):
    """One period a calendar month (every `interval` months: 2 = every two months,
    3 = quarterly, 6 = half-yearly, 12 = yearly)."""

    type: Literal["monthly"]
    day: int = Field(ge=1, le=31, description="Day of month the report is due (clamped).")
    due_month: Literal["same", "next"] = Field(
        default="next", description="'next': the report on month M is due in month M+1."
    )
    interval: Literal[1, 2, 3, 4, 6, 12] = Field(
        default=1, description="Months a period lasts; periods align on the calendar year."
    )
    first_due: PlanDate | None = Field(
        default=None,
        description="首次报送: the first period's report is due by this date instead; the "
        "later ones follow the rule.",
    )


class FixedDates(PlanModel):
    """Reports due on a fixed list of dates; each covers the days since the previous one."""

    type: Literal["dates"]
    dates: list[PlanDate] = Field(min_length=1, max_length=400)


class AfterEnd(PlanModel):
    """A report due a number of (working) days after each named phase or action ends."""

    type: Literal["after_end"]
    of: list[Line] = Field(min_length=1, max_length=100, description="Keys of phases or actions.")
    within: Offset


class ByDate(PlanModel):
    """One report due by a date (e.g. the final summary by 12-01)."""

    type: Literal["by_date"]
    due: PlanDate
    opens: PlanDate | None = Field(default=None, description="Default: the duty's phase start.")


class Within(PlanModel):
    """A time limit after an event: days, working days or hours, exactly one of them."""

    days: Days | None = None
    working_days: WorkingDays | None = None
    hours: int | None = Field(default=None, ge=1, le=24 * 31)

    @model_validator(mode="after")
    def _exactly_one(self) -> Within:
        given = [v for v in (self.days, self.working_days, self.hours) if v is not None]
        if len(given) != 1:
            raise ValueError(N_("give exactly one of 'days', 'working_days' or 'hours'"))
        return self


class AfterEvent(PlanModel):
    """A report due within a time limit after an event the unit itself reports (a decision
    taken, an accident): the report gives the event's moment in the form field `field`."""

    type: Literal["after_event"]
    event: Name = Field(description="What happened, e.g. 作出行政处罚决定.")
    field: Line = Field(description="Key of the form field holding the event's date or time.")
    within: Within


class AnyTime(PlanModel):
    """Ad-hoc reports (重大情况随时报送) a bureau may send at any time."""

    type: Literal["any_time"]


DutySchedule = Annotated[
    Weekly | Monthly | FixedDates | AfterEnd | ByDate | AfterEvent | AnyTime,
    Field(discriminator="type"),
]
