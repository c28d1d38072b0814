"""Figures per (unit, period), spread per request then grouped: the same table as a
pivot over every figure, including two requests answering the same period."""

from __future__ import annotations

from datetime import date

import pandas as pd

from campaign.results.figures import PERIOD_KEYS, _per_period

W1, W2 = date(2026, 1, 11), date(2026, 1, 18)
MINE = pd.DataFrame(
    [
        (1, "001", W1, "w1", "第1周"),
        (2, "002", W1, "w1", "第1周"),
        (3, "001", W2, "w2", "第2周"),
        (4, "001", W2, "w2", "第2周"),  # a second duty on the same form, same period
        (5, "003", None, "s1", "阶段"),  # no period end: left out, as a pivot leaves it
    ],
    columns=["request_id", *PERIOD_KEYS],
)
LONG = pd.DataFrame(
    [
        (1, "a", 1.0),
        (1, "b", 2.0),
        (2, "a", 3.0),
        (3, "a", 4.0),
        (3, "b", 5.0),
        (4, "a", 6.0),  # b not given by request 4: request 3's b stands
        (5, "a", 7.0),
    ],
    columns=["request_id", "field", "value"],
)


def pivoted(long: pd.DataFrame) -> pd.DataFrame:
    return long.merge(MINE, on="request_id").pivot_table(
        index=PERIOD_KEYS, columns="field", values="value", aggfunc="last"
    )


def test_as_a_pivot_over_every_figure():
    table = _per_period(LONG, MINE)
    pd.testing.assert_frame_equal(table, pivoted(LONG))
    assert table.loc[("001", W2, "w2", "第2周")].tolist() == [6.0, 5.0]
    assert "003" not in table.index.get_level_values("unit")


def test_nothing_reported():
    empty = LONG.iloc[0:0]
    pd.testing.assert_frame_equal(_per_period(empty, MINE), pivoted(empty))
