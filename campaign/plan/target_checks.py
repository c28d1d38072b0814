"""Rules of the targets' shapes (ranges, alternatives, baselines, per-unit thresholds,
an owner), and the warnings of `campaign validate` about a target that can never be
evaluated. Problems refuse the plan; warnings do not."""

from __future__ import annotations

from collections.abc import Iterator

from campaign.i18n import _
from campaign.plan.checks import Path, Problem
from campaign.plan.schema import Condition, Metric, Plan, ReportForm, Target


def target_problems(plan: Plan) -> Iterator[Problem]:
    forms = {f.key: f for f in plan.forms}
    for i, target in enumerate(plan.targets):
        at: Path = ("targets", i)
        yield from _bounds(target, at)
        form = forms.get(target.form)
        for j, alternative in enumerate(target.alternatives):
            where: Path = (*at, "alternatives", j)
            yield from _bounds(alternative, where)
            if form is not None:
                yield from metric_problems(form, alternative.metric, (*where, "metric"))
        if target.owner is not None and target.per_unit:
            yield Problem(
                (*at, "per_unit"), _("a target owned by one unit cannot have per-unit thresholds")
            )


def _bounds(rule: Target | Condition, at: Path) -> Iterator[Problem]:
    if rule.comparator == "between" and rule.upper is None:
        yield Problem((*at, "upper"), _("'between' needs an upper bound ('upper')"))
    elif rule.comparator != "between" and rule.upper is not None:
        yield Problem((*at, "upper"), _("'upper' is only used with the comparator 'between'"))
    elif rule.upper is not None and rule.upper < rule.threshold:
        yield Problem(
            (*at, "upper"),
            _("the upper bound {upper} is below the threshold {threshold}").format(
                upper=rule.upper, threshold=rule.threshold
            ),
        )


def metric_problems(form: ReportForm, metric: Metric, at: Path) -> Iterator[Problem]:
    """Each field a metric reads exists on the form and holds a number."""
    fields = {f.key: f for f in form.fields}
    names: list[tuple[Path, str]]
    if metric.ratio is not None:
        names = [
            ((*at, "ratio", "numerator"), metric.ratio.numerator),
            ((*at, "ratio", "denominator"), metric.ratio.denominator),
        ]
    else:
        names = [((*at, "field"), metric.field or "")]
    for path, name in names:
        if name not in fields:
            yield Problem(
                path, _("form {form!r} has no field {field!r}").format(form=form.key, field=name)
            )
        elif not fields[name].numeric:
            yield Problem(
                path,
                _("field {field!r} is not a number; a target needs a numeric field").format(
                    field=name
                ),
            )


def target_warnings(plan: Plan) -> Iterator[Problem]:
    """Targets that can never be evaluated, or only on part of what they name."""
    for i, target in enumerate(plan.targets):
        at: Path = ("targets", i)
        duties = [d for d in plan.duties if d.form == target.form]
        periodic = [d for d in duties if d.kind != "ad_hoc"]
        if not duties:
            yield Problem(
                (*at, "form"),
                _("no duty asks for form {form!r}: target {key!r} can never be evaluated").format(
                    form=target.form, key=target.key
                ),
            )
        elif not periodic:
            yield Problem(
                (*at, "form"),
                _(
                    "form {form!r} is only reported ad hoc: target {key!r} may never be evaluated"
                ).format(form=target.form, key=target.key),
            )
        form = next((f for f in plan.forms if f.key == target.form), None)
        if form is None:
            continue
        optional = {f.key for f in form.fields if not f.required}
        read = [target.metric, *(c.metric for c in target.alternatives)]
        for metric in read:
            names = (
                [metric.ratio.numerator, metric.ratio.denominator]
                if metric.ratio
                else [metric.field or ""]
            )
            for name in names:
                if name in optional:
                    yield Problem(
                        (*at, "metric"),
                        _(
                            "field {field!r} may be left empty: units that leave it empty "
                            "have no data for target {key!r}"
                        ).format(field=name, key=target.key),
                    )
        if (
            target.baseline is not None
            and target.baseline.value is None
            and not target.baseline.per_unit
        ):
            yield Problem(
                (*at, "baseline"),
                _("the baseline gives no value: target {key!r} can never be evaluated").format(
                    key=target.key
                ),
            )
