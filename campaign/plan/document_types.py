"""The plan's document (通知): the office that runs the campaign and what the directive
document needs beyond the plan itself (GB/T 9704), forwarding (转发) included."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from campaign.plan.base import Email, PlanModel
from campaign.plan.fields import Line, PlanDate, Text
from campaign.plan.schedule_types import Offset


class Office(PlanModel):
    """The leadership-group office (领导小组办公室) that runs the campaign."""

    name: Line = Field(min_length=1)
    contact: Line = Field(min_length=1, description="Contact person (联系人).")
    phone: Line = Field(min_length=1)
    email: Email


class Forward(PlanModel):
    """转发: the units of one level forward each directive to the units below them as
    their own 通知, within this long after it is issued (campaign/forwarding)."""

    by: Literal["province", "city", "county"] = Field(description="The level that forwards.")
    within: Offset = Field(description="How long after the directive is issued.")


class Document(PlanModel):
    """What the directive document (通知) needs beyond the plan itself (GB/T 9704)."""

    recipients: Line = Field(min_length=1, description="主送机关.")
    issued_on: PlanDate = Field(description="成文日期.")
    printed_by: Line = Field(min_length=1, description="印发机关.")
    printed_on: PlanDate | None = Field(default=None, description="印发日期; default issued_on.")
    cc: list[Line] = Field(default_factory=list, max_length=100, description="抄送.")
    subject_words: list[Line] = Field(default_factory=list, max_length=20, description="主题词.")
    directives: Literal["plan", "phases"] = Field(
        default="phases",
        description="'plan': one 通知 for the whole plan (every phase, task and duty), issued "
        "on issued_on; 'phases': one at the start of each phase or action that names one.",
    )
    title: Line | None = Field(
        default=None, description="标题 of the plan's 通知; default 关于印发《plan title》的通知."
    )
    opening: Text = Field(default="", description="The 通知's opening paragraph (缘由).")
    addressees: dict[Line, Line] = Field(
        default_factory=dict,
        max_length=50,
        description="How the 通知 names a duty's reporters, by their reporters value "
        "(a level such as city, mapped to the plan's own words for those units).",
    )
    issuer_short: Line | None = Field(
        default=None,
        description="How mail and pages name the issuing bureau in a sentence (省局); "
        "default issuing_authority.",
    )
    forward: Forward | None = Field(
        default=None,
        description="Units of a level forward (转发) each directive to their own units below.",
    )
