"""Check an answer against the plan's report form: one Chinese message per problem.

Checks, in the order a bureau reads the form: each field's type, range and presence;
part not greater than whole (plan.form.part_of_whole); cumulative figures never below the
bureau's previous accepted report; the narrative (情况说明); the attachments (and one at
least when the form requires it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from campaign.plan.schema import NARRATIVE_KEY, ReportForm
from campaign.replies.attachments import check_attachments
from campaign.replies.errors import ATTACHMENTS, Problem, ReportInvalid
from campaign.replies.values import as_number, check_value, clean_text, plain, unit_suffix
from models.attachment import AttachmentKind
from models.reply import ReportCreate


@dataclass(frozen=True)
class Baseline:
    """The bureau's previous accepted report of the same form (for cumulative figures)."""

    values: dict[str, object]
    label: str


@dataclass(frozen=True)
class CleanReport:
    values: dict[str, str | None]
    numbers: dict[str, Decimal] = field(default_factory=dict)
    narrative: str = ""


def validate_report(
    *, form: ReportForm, report_in: ReportCreate, baseline: Baseline | None = None
) -> CleanReport:
    """The clean answer, or ReportInvalid listing every problem (nothing is stored here)."""
    problems: list[Problem] = []
    known = {f.key for f in form.fields}
    for key in report_in.values:
        if key not in known:
            problems.append(Problem(None, f"本表没有指标代码“{key}”"))

    values: dict[str, str | None] = {}
    numbers: dict[str, Decimal] = {}
    for form_field in form.fields:
        checked = check_value(form_field, report_in.values.get(form_field.key))
        if checked.message:
            problems.append(Problem(form_field.key, checked.message))
        values[form_field.key] = checked.stored
        if checked.number is not None:
            numbers[form_field.key] = checked.number

    labels = {f.key: f.label for f in form.fields}
    for rule in form.part_of_whole:
        part, whole = numbers.get(rule.part), numbers.get(rule.whole)
        if part is not None and whole is not None and part > whole:
            problems.append(
                Problem(
                    rule.part,
                    f"“{labels[rule.part]}”（{plain(part)}）不能大于"
                    f"“{labels[rule.whole]}”（{plain(whole)}）",
                )
            )

    if baseline is not None:
        for form_field in form.fields:
            if form_field.accumulation != "cumulative" or form_field.key not in numbers:
                continue
            before = as_number(baseline.values.get(form_field.key))
            if before is not None and numbers[form_field.key] < before:
                problems.append(
                    Problem(
                        form_field.key,
                        f"“{form_field.label}”为累计数，不能小于上次审核通过的报告"
                        f"（{baseline.label}：{plain(before)}{unit_suffix(form_field)}）",
                    )
                )

    narrative = clean_text(report_in.narrative).strip()
    if form.narrative is not None:
        if not narrative and form.narrative.required:
            problems.append(Problem(NARRATIVE_KEY, f"请填写“{form.narrative.label}”"))
        elif len(narrative) > form.narrative.max_length:
            problems.append(
                Problem(
                    NARRATIVE_KEY,
                    f"“{form.narrative.label}”不能超过{form.narrative.max_length}字"
                    f"（现为{len(narrative)}字）",
                )
            )
    else:
        narrative = ""

    problems.extend(check_attachments(report_in.attachments))
    if form.attachment.required and not any(
        a.kind == AttachmentKind.attachment for a in report_in.attachments
    ):
        problems.append(Problem(ATTACHMENTS, f"请上传“{form.attachment.label}”"))
    if problems:
        raise ReportInvalid(_in_form_order(problems, form))
    return CleanReport(values=values, numbers=numbers, narrative=narrative)


def _in_form_order(problems: list[Problem], form: ReportForm) -> list[Problem]:
    order: dict[str | None, int] = {None: -1}
    order.update({f.key: i for i, f in enumerate(form.fields)})
    return sorted(problems, key=lambda p: order.get(p.field, len(order)))
