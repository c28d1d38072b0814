"""One entered figure or text, checked against its form field and normalized for storage."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from campaign.plan.schema import FormField

MAX_TEXT_CHARS = 2000  # a text field; the form's maxlength too
# Control characters other than tab and line breaks (C0, DEL, C1) and unpaired surrogates:
# nothing a person reads, and PostgreSQL text cannot hold NUL, mail headers refuse them,
# UTF-8 cannot encode a lone surrogate (an .xlsx can carry one as _xD800_).
_UNREADABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_NUMBER = re.compile(r"^[+-]?\d{1,18}(\.\d{1,6})?$")
_DATE = re.compile(r"^(\d{4})(?:[-/.]|年)(\d{1,2})(?:[-/.]|月)(\d{1,2})日?$")
YES, NO = "是", "否"
YES_NO = {
    **dict.fromkeys(("是", "y", "yes", "true", "√", "✓", "有"), YES),
    **dict.fromkeys(("否", "n", "no", "false", "×", "✗", "无"), NO),
}
"""What a person types (or a cell holds) for yes and no, as stored: 是 / 否."""
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


@dataclass(frozen=True)
class Checked:
    """stored: the normalized text kept in the database (None: left empty);
    number: the value as a Decimal for numeric fields; message: the problem, if any."""

    stored: str | None
    number: Decimal | None = None
    message: str | None = None


def clean_text(raw: str) -> str:
    """Free text as stored (text fields, the narrative, file names): line breaks as LF,
    the characters _UNREADABLE matches removed. Lengths are checked after this, so the
    form's maxlength (which counts a line break once) and the check agree."""
    return _UNREADABLE.sub("", raw.replace("\r\n", "\n").replace("\r", "\n"))


def plain(number: Decimal) -> str:
    """A decimal as plain text without exponent or trailing zeros: 12, 0.5, 1200."""
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "+0") else text


def unit_suffix(field: FormField) -> str:
    return (
        field.unit if field.unit and field.unit != "%" else ("%" if field.type == "percent" else "")
    )


def check_value(field: FormField, raw: str | None) -> Checked:
    """The entry for field: empty, a type problem, a range problem, or the clean value.
    Figures keep any control character, and so are refused as not a number."""
    text = unicodedata.normalize("NFKC", raw or "")
    if field.type == "text":
        text = clean_text(text)
    text = text.strip()
    if not text:
        if field.required:
            return Checked(None, message=f"请填写“{field.label}”")
        return Checked(None)
    if field.type == "text":
        if len(text) > MAX_TEXT_CHARS:
            return Checked(None, message=f"“{field.label}”不能超过{MAX_TEXT_CHARS}字")
        return Checked(text)
    if field.type == "yes_no":
        answer = YES_NO.get(text.lower())
        if answer is None:
            return Checked(None, message=f"“{field.label}”应填写“是”或“否”")
        return Checked(answer)
    if field.type == "date":
        day = parse_date(text)
        if day is None:
            return Checked(None, message=f"“{field.label}”应填写日期，如2009-03-05")
        return Checked(day.isoformat())
    if field.type == "choice":
        # Compared as typed and as read from a cell (both NFKC): the plan's own text stored.
        choices = {unicodedata.normalize("NFKC", c).strip(): c for c in field.choices}
        if text not in choices:
            options = "、".join(field.choices)
            return Checked(None, message=f"“{field.label}”应从以下选项中选择一项：{options}")
        return Checked(choices[text])
    number = _parse_number(text, percent=field.type == "percent")
    if number is None:
        kind = "整数" if field.type == "integer" else "数字"
        return Checked(None, message=f"“{field.label}”应填写{kind}")
    if field.type == "integer" and number != number.to_integral_value():
        return Checked(None, message=f"“{field.label}”应填写整数")
    if field.type == "percent" and not (Decimal(0) <= number <= Decimal(100)):
        return Checked(None, message=f"“{field.label}”应在0至100之间（百分数）")
    if field.min is not None and number < field.min:
        if field.min == 0:
            return Checked(None, message=f"“{field.label}”不能为负数")
        return Checked(
            None, message=f"“{field.label}”不能小于{plain(field.min)}{unit_suffix(field)}"
        )
    if field.max is not None and number > field.max:
        return Checked(
            None, message=f"“{field.label}”不能大于{plain(field.max)}{unit_suffix(field)}"
        )
    return Checked(plain(number), number)


def parse_date(text: str) -> date | None:
    """2009-03-05, 2009/3/5, 2009.3.5, 2009年3月5日, or a cell's 2009-03-05 00:00:00."""
    match = _DATE.match(text.replace(" 00:00:00", "").replace(" ", ""))
    if not match:
        return None
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return day if 1900 <= day.year <= 2100 else None


def _parse_number(text: str, *, percent: bool) -> Decimal | None:
    text = text.replace(" ", "")
    if percent and text.endswith("%"):
        text = text[:-1]
    if _GROUPED.match(text):
        text = text.replace(",", "")
    if not _NUMBER.match(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        return None


def as_number(stored: object) -> Decimal | None:
    """A stored value (decimal text) as a Decimal; None for empty or non-numeric."""
    if stored is None or isinstance(stored, bool):
        return None
    try:
        return Decimal(str(stored))
    except InvalidOperation:
        return None
