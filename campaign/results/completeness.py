"""Completeness (应报 / 已报 / 未报) and timeliness (按时 / 迟报), per unit, period, overall.

A request counts as owed (应报) once its due date has passed at `today` (or when it has
an answer); one not yet due is 未到期 and owed by nobody yet. An answer accepted or
awaiting review is 已报 (按时 or 迟报 by the answer's own flag); a returned answer is
退回重报 and counts as not reported until a new version arrives.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from campaign.results.figures import ANSWERED, PENDING, RETURNED

COUNT_COLUMNS = ("owed", "reported", "on_time", "late", "missing", "pending", "returned")


def request_states(joined: pd.DataFrame, today: date | None) -> pd.DataFrame:
    """joined (requests with their latest answer) with boolean columns COUNT_COLUMNS and
    `not_due`."""
    frame = joined.copy()
    reported = frame["review_status"].isin(ANSWERED)
    due = frame["due_date"]
    not_due = pd.Series(False, index=frame.index)
    if today is not None:
        not_due = due.notna() & (due.map(lambda d: d is not None and d >= today)) & ~reported
    late_answer = frame["late_answer"] if "late_answer" in frame else frame["late"]
    frame["not_due"] = not_due
    frame["owed"] = ~not_due
    frame["reported"] = reported
    frame["late"] = reported & late_answer.fillna(False).astype(bool)
    frame["on_time"] = reported & ~frame["late"]
    frame["missing"] = frame["owed"] & ~reported
    frame["pending"] = frame["review_status"] == PENDING
    frame["returned"] = frame["owed"] & (frame["review_status"] == RETURNED)
    return frame


def counts(states: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """The COUNT_COLUMNS summed by the given columns, with the reporting and on-time rates
    (percent of owed; None when nothing was owed)."""
    summed = states.groupby(by, sort=False)[list(COUNT_COLUMNS)].sum().astype(int)
    return with_rates(summed.reset_index())


def overall(states: pd.DataFrame) -> pd.DataFrame:
    row = states[list(COUNT_COLUMNS)].sum().astype(int).to_frame().T
    return with_rates(row.reset_index(drop=True))


def with_rates(frame: pd.DataFrame) -> pd.DataFrame:
    owed = frame["owed"].where(frame["owed"] > 0)
    frame["reporting_rate"] = (frame["reported"] / owed * 100).round(2)
    frame["on_time_rate"] = (frame["on_time"] / owed * 100).round(2)
    return frame


def by_unit(states: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Every unit in registry order, with zero counts where it owed nothing."""
    table = counts(states, ["unit"]) if not states.empty else None
    frame = units[["code", "name"]].rename(columns={"code": "unit"})
    if table is None:
        for column in COUNT_COLUMNS:
            frame[column] = 0
        return with_rates(frame)
    frame = frame.merge(table, on="unit", how="left")
    frame[list(COUNT_COLUMNS)] = frame[list(COUNT_COLUMNS)].fillna(0).astype(int)
    return frame


def by_period(states: pd.DataFrame) -> pd.DataFrame:
    keys = ["period_end", "duty_key", "period_key", "period_label"]
    if states.empty:
        return pd.DataFrame(columns=[*keys, *COUNT_COLUMNS, "reporting_rate", "on_time_rate"])
    return counts(states, keys).sort_values(keys, kind="stable").reset_index(drop=True)
