"""Bounded value types of the plan schema: texts, dates, day counts and figures.

Every text a plan gives ends up somewhere a line break breaks: a mail header, a document
title, a column of fixed width. Every number ends up in date arithmetic or a comparison.
The bounds here keep each of them within what the product can send, store and compute,
and refuse the rest at `campaign validate` with the field and its line.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, Field

FIRST_DATE = date(2000, 1, 1)
LAST_DATE = date(2100, 12, 31)
MAX_DAYS = 366  # calendar days of an offset, a reminder or a deadline
MAX_WORKING_DAYS = 250  # about a year of working days
MAX_FIGURE = Decimal("1e15")  # bounds of form figures (min/max) and of target thresholds
NAME_LENGTH = 80  # names and labels: they also head period labels (column of 100)
LINE_LENGTH = 200  # other single-line texts: titles, units, addresses


def single_line(value: str) -> str:
    for i, char in enumerate(value, start=1):
        if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            raise ValueError(
                f"不得包含换行符或其他控制字符（第 {i} 个字符为 U+{ord(char):04X}）；"
                "此项须写在一行内"
            )
    return value


def _text(value: str) -> str:
    for i, char in enumerate(value, start=1):
        if char not in "\n\t" and unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            raise ValueError(f"不得包含控制字符（第 {i} 个字符为 U+{ord(char):04X}）")
    return value


def _in_range(value: date) -> date:
    if not FIRST_DATE <= value <= LAST_DATE:
        raise ValueError(f"日期 {value} 超出允许范围（{FIRST_DATE} 至 {LAST_DATE}）")
    return value


Line = Annotated[str, Field(max_length=LINE_LENGTH), AfterValidator(single_line)]
"""A single-line text (title, address, unit, template name): no line breaks."""

Name = Annotated[str, Field(min_length=1, max_length=NAME_LENGTH), AfterValidator(single_line)]
"""The name of a phase, action, duty, form field or target: one short line."""

Text = Annotated[str, AfterValidator(_text)]
"""A description: several lines allowed, no other control characters."""

PlanDate = Annotated[date, AfterValidator(_in_range)]
"""A date of the plan, within FIRST_DATE to LAST_DATE."""

Days = Annotated[int, Field(ge=0, le=MAX_DAYS)]
WorkingDays = Annotated[int, Field(ge=0, le=MAX_WORKING_DAYS)]
Figure = Annotated[Decimal, Field(ge=-MAX_FIGURE, le=MAX_FIGURE)]
