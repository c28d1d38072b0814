"""Compiled answers of the fields that are not numbers: yes/no (是/否), choices and dates.

They are never summed: a yes/no field is the count of 是 (and of 否), a choice field the
count of each option, over the units' latest answers in the window (the state at the
stage's end); each unit's answer is kept too (a date is only listed). Pure functions over
the loader's frames (these answers are in `Frames.texts`).
"""

from __future__ import annotations

import pandas as pd

from campaign.plan.schema import FormField, Plan
from campaign.replies.values import NO, YES
from campaign.results.figures import ACCEPTED

COUNTED_TYPES = ("yes_no", "choice")
LISTED_TYPES = ("yes_no", "choice", "date")
COUNT_COLUMNS = ["form", "field", "label", "option", "count", "units_answered", "units"]
BY_UNIT_COLUMNS = ["form", "field", "label", "unit", "name", "period_label", "value"]


def listed_fields(plan: Plan) -> dict[str, FormField]:
    return {f.key: f for form in plan.forms for f in form.fields if f.type in LISTED_TYPES}


def options(field: FormField) -> list[str]:
    return [YES, NO] if field.type == "yes_no" else list(field.choices)


def latest_answers(
    plan: Plan,
    units: pd.DataFrame,
    joined: pd.DataFrame,
    texts: pd.DataFrame,
    status: str = ACCEPTED,
) -> pd.DataFrame:
    """Each unit's latest answer to each yes/no, choice and date field (BY_UNIT_COLUMNS),
    registry order."""
    fields = listed_fields(plan)
    form_of = {d.key: d.form for d in plan.duties if d.form}
    mine = joined[joined["review_status"] == status]
    long = texts[texts["field"].isin(list(fields)) & texts["request_id"].isin(mine["request_id"])]
    if long.empty:
        return pd.DataFrame(columns=BY_UNIT_COLUMNS)
    long = long.merge(
        mine[["request_id", "unit", "duty_key", "period_label", "period_end"]], on="request_id"
    )
    long["form"] = long["duty_key"].map(form_of)
    long = long.sort_values(["period_end", "request_id"], kind="stable")
    latest = long.groupby(["form", "field", "unit"], sort=False).tail(1)
    latest = latest.merge(units[["code", "name", "order"]], left_on="unit", right_on="code")
    latest["label"] = latest["field"].map({k: f.label for k, f in fields.items()})
    field_order = {k: i for i, k in enumerate(fields)}
    latest["_field"] = latest["field"].map(field_order)
    latest = latest.sort_values(["form", "_field", "order"], kind="stable")
    return latest[BY_UNIT_COLUMNS].reset_index(drop=True)


def counts(plan: Plan, by_unit: pd.DataFrame) -> pd.DataFrame:
    """One row per (field, option) of the yes/no and choice fields (COUNT_COLUMNS): how
    many units answered it, of how many answered the field, and which (by name)."""
    rows = []
    for form in plan.forms:
        for f in form.fields:
            if f.type not in COUNTED_TYPES:
                continue
            mine = by_unit[(by_unit["form"] == form.key) & (by_unit["field"] == f.key)]
            for option in options(f):
                chose = mine[mine["value"] == option]
                rows.append(
                    {
                        "form": form.key,
                        "field": f.key,
                        "label": f.label,
                        "option": option,
                        "count": len(chose),
                        "units_answered": len(mine),
                        "units": "、".join(chose["name"]),
                    }
                )
    return pd.DataFrame(rows, columns=COUNT_COLUMNS)
