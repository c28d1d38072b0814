"""Rules about the plan's directives (通知): their 发文字号 and 成文日期.

The plan's own 通知 carries the plan's 发文字号 and document.issued_on; each later one (a
phase's or action's, when the plan issues one per phase) needs a 发文字号 of its own. A
成文日期 after the day its 通知 is issued is refused: the document would be dated after it
went out.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from campaign.i18n import _
from campaign.plan.checks import Path, Problem, format_path
from campaign.plan.schema import Action, Phase, Plan


def check_directives(plan: Plan) -> list[Problem]:
    if plan.document.directives == "plan":
        return list(_one_for_the_plan(plan))
    return list(_one_per_window(plan))


def _windows(plan: Plan) -> Iterator[tuple[Phase | Action, Path]]:
    for i, phase in enumerate(plan.phases):
        yield phase, ("phases", i)
        for j, action in enumerate(phase.actions):
            yield action, ("phases", i, "actions", j)


def _one_for_the_plan(plan: Plan) -> Iterator[Problem]:
    for window, at in _windows(plan):
        for name in ("directive_title", "document_number", "issued_on"):
            if getattr(window, name) is not None:
                yield Problem(
                    (*at, name),
                    _(
                        "the plan issues one directive for the whole plan "
                        "(document.directives: plan): a phase or action has none of its own"
                    ),
                )


def _one_per_window(plan: Plan) -> Iterator[Problem]:
    first = min(plan.phases, key=lambda p: p.start)
    numbers: dict[str, Path] = {plan.document_number: ("document_number",)}
    for window, at in _windows(plan):
        if not window.directive:
            continue
        own = window is first
        issued_on, issued_at = (
            (plan.document.issued_on, ("document", "issued_on"))
            if own
            else (window.issued_on, (*at, "issued_on"))
        )
        if issued_on is not None and issued_on > window.start:
            yield _dated_after(issued_at, issued_on, window.start)
        if own:
            continue
        number = window.document_number
        if number is None:
            yield Problem(
                (*at, "document_number"),
                _(
                    "the directive of {window!r} needs its own document number (发文字号): "
                    "the plan's belongs to the plan's own directive"
                ).format(window=window.key),
            )
        elif number in numbers:
            yield Problem(
                (*at, "document_number"),
                _("document number {number!r} is already used by {other}").format(
                    number=number, other=format_path(numbers[number])
                ),
            )
        else:
            numbers[number] = (*at, "document_number")


def _dated_after(at: Path, issued_on: date, sent: date) -> Problem:
    return Problem(
        at,
        _(
            "the directive is dated {issued_on} (成文日期) but issued on {sent}: "
            "a directive cannot be dated after the day it goes out"
        ).format(issued_on=issued_on, sent=sent),
    )
