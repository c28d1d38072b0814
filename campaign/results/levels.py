"""Summaries by level (逐级汇总): a routed duty's figures and completeness, province → city
→ county.

A request with `relay_to` = C is a detail row under C (a county's answer, reviewed and
aggregated by its city C); the office's figures are built from the other requests only —
the relay units' aggregate reports and any direct reporters (`top_level`), so no county
is counted twice. Under each relay unit (`by_level`): its own submitted figures (its
accepted aggregate report), its detail units' accepted figures, their sum, and the
difference from what it submitted (in words where there is one); its detail units'
completeness beside its own report's. Pure functions of the loader's frames.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from campaign.plan.schema import FormField, Plan, ReportForm
from campaign.results.completeness import COUNT_COLUMNS, counts
from campaign.results.figures import ACCEPTED, form_figures, numeric
from campaign.results.load import Frames

AGGREGATE = "aggregate"  # models.request.RequestKind.aggregate
OWN_COLUMNS = tuple(f"own_{c}" for c in COUNT_COLUMNS)
RELAY_COLUMNS = ["unit", "name", "units", *COUNT_COLUMNS, "reporting_rate", "on_time_rate",
                 *OWN_COLUMNS, "own_text"]  # fmt: skip


@dataclass(frozen=True)
class LevelFigures:
    """One form's figures by level. submitted: per relay unit (registry order), its accepted
    aggregate reports' figures over the window; detail: per detail unit, its accepted
    figures and `relay`; sums: per relay unit, the sum of its detail units (None for
    percents, never summed); difference: submitted − sums (None where either is missing);
    words: per relay unit, the differences in words."""

    form: ReportForm
    fields: list[FormField]
    submitted: pd.DataFrame
    detail: pd.DataFrame
    sums: pd.DataFrame
    difference: pd.DataFrame
    words: dict[str, list[str]]


@dataclass(frozen=True)
class Levels:
    """relays: one row per relay unit (RELAY_COLUMNS): `units` detail units under it, the
    COUNT_COLUMNS of their requests, and own_* the counts of its own aggregate reports
    (own_text in words); figures: per form with relayed answers."""

    relays: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=RELAY_COLUMNS))
    figures: dict[str, LevelFigures] = field(default_factory=dict)

    @property
    def routed(self) -> bool:
        return len(self.relays) > 0


def relayed(requests: pd.DataFrame) -> pd.Series:
    """Which requests are detail rows under a relay unit."""
    return requests["relay_to"].notna()


def top_level(frames: Frames) -> Frames:
    """The office's frames: the requests with no relay unit (aggregate reports and direct
    reporters) and the units they ask; the frames themselves when nothing is relayed."""
    detail = relayed(frames.requests)
    if not bool(detail.any()):
        return frames
    office = _only(frames, frames.requests[~detail])
    # a unit not asked yet (added after launch, a period not open) stays the office's
    unasked = ~frames.units["code"].isin(frames.requests["unit"])
    units = frames.units[frames.units["code"].isin(office.requests["unit"]) | unasked].copy()
    units["order"] = range(len(units))
    return replace(office, units=units.reset_index(drop=True))


def under(
    frames: Frames, relay: str, duty_key: str | None = None, period_key: str | None = None
) -> Frames:
    """The frames of the requests relayed to one unit (of one duty period, when given),
    each as a top-level one (what that unit's own digest, pages and aggregate compile)."""
    r = frames.requests
    mine = r["relay_to"] == relay
    if duty_key is not None:
        mine &= r["duty_key"] == duty_key
    if period_key is not None:
        mine &= r["period_key"] == period_key
    return _only(frames, r[mine].assign(relay_to=None))


def _only(frames: Frames, requests: pd.DataFrame) -> Frames:
    """The frames of these requests: their units (registry order), answers and figures."""
    requests = requests.reset_index(drop=True)
    units = frames.units[frames.units["code"].isin(set(requests["unit"]))].copy()
    units["order"] = range(len(units))
    ids = set(requests["request_id"])

    def kept(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["request_id"].isin(ids)].reset_index(drop=True)

    return replace(
        frames,
        units=units.reset_index(drop=True),
        requests=requests,
        answers=kept(frames.answers),
        values=kept(frames.values),
        texts=kept(frames.texts),
    )


def by_level(
    plan: Plan, units: pd.DataFrame, joined: pd.DataFrame, states: pd.DataFrame,
    values: pd.DataFrame,
) -> Levels:  # fmt: skip
    """joined: the window's requests with their latest answers (every level); states: their
    request_states; units: every unit asked, registry order."""
    detail_mask = relayed(joined)
    if not bool(detail_mask.any()):
        return Levels()
    detail = joined[detail_mask]
    names = dict(zip(units["code"], units["name"], strict=True))
    codes = set(detail["relay_to"])
    order = [c for c in units["code"] if c in codes] + sorted(codes - set(names))
    relay_units = pd.DataFrame({"code": order, "name": [names.get(c, c) for c in order]})
    own = joined[~detail_mask & joined["unit"].isin(codes) & (joined["kind"] == AGGREGATE)]
    relay_of = detail.drop_duplicates("unit", keep="last").set_index("unit")["relay_to"]
    detail_units = units[units["code"].isin(set(detail["unit"]))][["code", "name"]]
    figures = {}
    routed_duties = set(detail["duty_key"])
    for form in plan.forms:
        duties = {d.key for d in plan.duties if d.form == form.key}
        if duties & routed_duties and numeric(form):
            figures[form.key] = _figures(plan, form, relay_units, detail_units, relay_of,
                                         own, detail, values)  # fmt: skip
    return Levels(relays=_relays(relay_units, states, detail_mask), figures=figures)


def _figures(
    plan: Plan, form: ReportForm, relay_units: pd.DataFrame, detail_units: pd.DataFrame,
    relay_of: pd.Series, own: pd.DataFrame, detail: pd.DataFrame, values: pd.DataFrame,
) -> LevelFigures:  # fmt: skip
    fields = numeric(form)
    keys = [f.key for f in fields]
    submitted = form_figures(plan, form, relay_units, own, values, ACCEPTED).by_unit
    below = form_figures(plan, form, detail_units, detail, values, ACCEPTED).by_unit
    below["relay"] = below["unit"].map(relay_of)
    order = {code: i for i, code in enumerate(relay_units["code"])}
    below = below.assign(_o=below["relay"].map(order)).sort_values("_o", kind="stable")
    below = below.drop(columns="_o").reset_index(drop=True)
    grouped = below.groupby("relay", sort=False)
    sums = pd.DataFrame({"unit": relay_units["code"]})
    for f in fields:
        summed = grouped[f.key].sum(min_count=1) if f.type != "percent" else pd.Series(dtype=float)
        sums[f.key] = sums["unit"].map(summed).astype(float)
    mine = submitted.set_index("unit")[keys].astype(float)
    theirs = sums.set_index("unit")[keys]
    difference = (mine - theirs).reset_index()
    words = {
        code: _in_words(fields, mine.loc[code], theirs.loc[code]) for code in relay_units["code"]
    }
    return LevelFigures(form, fields, submitted, below, sums, difference, words)


def _in_words(fields: list[FormField], mine: pd.Series, theirs: pd.Series) -> list[str]:
    """Where the relay unit's figure differs from its detail units' sum, in words."""
    if bool(mine.isna().all()) and not bool(theirs.isna().all()):
        return ["尚无审核通过的本级汇总报告，下级合计仅供参考"]
    words = []
    for f in fields:
        a, b = mine[f.key], theirs[f.key]
        if f.type == "percent" or pd.isna(a) or pd.isna(b) or a == b:
            continue
        unit = f.unit or ""
        more = "多" if a > b else "少"
        words.append(
            f"{f.label}：本级上报{number_text(a)}{unit}，所辖单位合计{number_text(b)}{unit}，"
            f"{more}{number_text(abs(a - b))}{unit}"
        )
    return words


def _relays(relay_units: pd.DataFrame, states: pd.DataFrame, detail: pd.Series) -> pd.DataFrame:
    """Per relay unit: its detail units' completeness and its own aggregate reports'."""
    frame = relay_units.rename(columns={"code": "unit"})
    below = states[detail.reindex(states.index, fill_value=False)]
    counted = counts(below, ["relay_to"]).rename(columns={"relay_to": "unit"})
    frame = frame.merge(counted, on="unit", how="left")
    frame["units"] = frame["unit"].map(below.groupby("relay_to")["unit"].nunique())
    mine = states[states["unit"].isin(set(frame["unit"])) & (states["kind"] == AGGREGATE)]
    if len(mine):
        own = mine.groupby("unit")[list(COUNT_COLUMNS)].sum().astype(int)
        own.columns = list(OWN_COLUMNS)
        frame = frame.merge(own.reset_index(), on="unit", how="left")
    number_columns = ["units", *COUNT_COLUMNS, *(OWN_COLUMNS if len(mine) else ())]
    frame[number_columns] = frame[number_columns].fillna(0).astype(int)
    for column in OWN_COLUMNS:
        if column not in frame:
            frame[column] = 0
    frame["own_text"] = [own_text(r) for r in frame.to_dict("records")]
    return frame[RELAY_COLUMNS]


def own_text(row: dict[str, Any]) -> str:
    """A relay unit's own aggregate reports in words: 已报1/应报1（迟报1）…"""
    owed, reported = row["own_owed"], row["own_reported"]
    if not owed:
        return "未到期" if not reported else f"已报{reported}"
    extra = [f"{label}{row[k]}" for k, label in
             (("own_late", "迟报"), ("own_missing", "未报"), ("own_returned", "退回"),
              ("own_pending", "待审核")) if row[k]]  # fmt: skip
    return f"已报{reported}/应报{owed}" + (f"（{'、'.join(extra)}）" if extra else "")


def number_text(value: float) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"


ROW_KINDS = {"relay": "本级上报", "detail": "", "sum": "所辖单位合计", "difference": "差额"}


def level_rows(levels: Levels, form: str, top: pd.DataFrame | None = None) -> list[dict[str, Any]]:
    """The drill-down of one form, in order: per relay unit its submitted row, its detail
    units, their sum and the difference (words in `note`); then the direct reporters
    (rows of `top`, the office's per-unit table, not relay units). Each row: kind (relay,
    detail, sum, difference, direct), unit, name, relay, values (one per field), note."""
    figures = levels.figures[form]
    keys = [f.key for f in figures.fields]
    rows: list[dict[str, Any]] = []
    submitted = figures.submitted.set_index("unit")
    sums = figures.sums.set_index("unit")
    difference = figures.difference.set_index("unit")
    below = figures.detail.groupby("relay", sort=False)
    for code in submitted.index:
        name = submitted.loc[code, "name"]
        words = "；".join(figures.words.get(code, []))
        rows.append(_row("relay", code, name, code, [submitted.loc[code, k] for k in keys], words))
        if code in below.groups:
            for r in below.get_group(code).to_dict("records"):
                rows.append(_row("detail", r["unit"], r["name"], code, [r[k] for k in keys]))
        for kind, frame in (("sum", sums), ("difference", difference)):
            label = f"{name}{ROW_KINDS[kind]}"
            rows.append(_row(kind, code, label, code, [frame.loc[code, k] for k in keys]))
    if top is not None:
        for r in top[~top["unit"].isin(set(submitted.index))].to_dict("records"):
            rows.append(_row("direct", r["unit"], r["name"], None, [r[k] for k in keys]))
    return rows


def _row(
    kind: str, unit: str, name: str, relay: str | None, values: list[Any], note: str = ""
) -> dict[str, Any]:
    return {"kind": kind, "unit": unit, "name": name, "relay": relay, "values": values,
            "note": note}  # fmt: skip
