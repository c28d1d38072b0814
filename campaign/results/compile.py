"""A stage's (or the whole campaign's) results, compiled from the loader's frames.

`compile_results` is a pure function: frames in, a `Compiled` out (DataFrames and Chinese
notes). The workbook, the charts and the CLI only present what it holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from campaign.plan.schema import Plan
from campaign.results.choices import (
    BY_UNIT_COLUMNS,
    COUNT_COLUMNS,
    counts,
    latest_answers,
    listed_fields,
)
from campaign.results.completeness import by_period, by_unit, overall, request_states
from campaign.results.figures import (
    ACCEPTED,
    PENDING,
    RETURNED,
    FormFigures,
    answered_requests,
    form_figures,
    main_form,
)
from campaign.results.levels import Levels, by_level, relayed, top_level
from campaign.results.load import Frames
from campaign.results.targets import MET, NO_DENOMINATOR, NOT_MET, evaluate
from campaign.tasks.accountability import measures_for

REPORT_KINDS = ("request", "stage_summary", "final_summary", "aggregate")


@dataclass
class Compiled:
    title: str
    document_number: str
    stage_key: str
    stage_name: str
    start: date | None
    end: date | None
    units: pd.DataFrame
    figures: dict[str, FormFigures]
    pending: dict[str, FormFigures]
    main_form: str | None
    completeness_unit: pd.DataFrame
    completeness_period: pd.DataFrame
    completeness_overall: pd.DataFrame
    targets_unit: pd.DataFrame
    targets_overall: pd.DataFrame
    narratives: pd.DataFrame
    ranking: pd.DataFrame
    laggards: pd.DataFrame
    missing_reports: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    answers: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=BY_UNIT_COLUMNS))
    """Each unit's latest yes/no, choice and date answers (campaign.results.choices)."""
    answer_counts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COUNT_COLUMNS))
    """Per yes/no and choice field, the count of each option (是 / 否, the choices)."""
    levels: Levels = field(default_factory=Levels)
    """A routed duty's figures and completeness by level (campaign.results.levels); every
    other field holds the office's figures, from requests with no relay unit only."""


def in_window(requests: pd.DataFrame, start: date | None, end: date | None) -> pd.DataFrame:
    """The requests of periods ending inside the window (due date when no period end)."""
    when = requests["period_end"].where(requests["period_end"].notna(), requests["due_date"])
    keep = requests["kind"].isin(REPORT_KINDS)
    if start is not None:
        keep &= when.map(lambda d: d is None or pd.isna(d) or d >= start)
    if end is not None:
        keep &= when.map(lambda d: d is None or pd.isna(d) or d <= end)
    return requests[keep]


def compile_results(
    frames: Frames,
    *,
    stage: tuple[str, str, date | None, date | None] = ("", "全程", None, None),
    today: date | None = None,
) -> Compiled:
    key, name, start, end = stage
    everything, frames = frames, top_level(frames)  # the top-level rule: never counted twice
    plan, units = frames.plan, frames.units
    requests = in_window(frames.requests, start, end)
    joined = answered_requests(requests, frames.answers)
    states = request_states(joined, today)
    figures = {}
    pending = {}
    for form in plan.forms:
        if any(d.form == form.key for d in plan.duties):
            figures[form.key] = form_figures(plan, form, units, joined, frames.values, ACCEPTED)
            pending[form.key] = form_figures(plan, form, units, joined, frames.values, PENDING)
    targets_unit, targets_overall = _targets(frames, figures)
    completeness_unit = by_unit(states, units)
    compiled = Compiled(
        title=frames.title,
        document_number=frames.document_number,
        stage_key=key,
        stage_name=name,
        start=start,
        end=end,
        units=units,
        figures=figures,
        pending=pending,
        main_form=(main_form(plan).key if main_form(plan) else None),  # type: ignore[union-attr]
        completeness_unit=completeness_unit,
        completeness_period=by_period(states),
        completeness_overall=overall(states),
        targets_unit=targets_unit,
        targets_overall=targets_overall,
        narratives=_narratives(joined, frames, units),
        ranking=_ranking(units, completeness_unit, targets_unit),
        laggards=_laggards(units, completeness_unit, targets_unit, frames),
        missing_reports=_missing(states, units, frames),
    )
    compiled.answers = latest_answers(plan, units, joined, frames.texts)
    compiled.answer_counts = counts(plan, compiled.answers)
    compiled.notes = _notes(compiled, states, joined, frames)
    if everything is not frames:
        compiled.levels = _levels(everything, start, end, today)
    return compiled


def _levels(frames: Frames, start: date | None, end: date | None, today: date | None) -> Levels:
    """Figures and completeness by level, from the requests of every level."""
    requests = in_window(frames.requests, start, end)
    if not bool(relayed(requests).any()):
        return Levels()
    joined = answered_requests(requests, frames.answers)
    states = request_states(joined, today)
    return by_level(frames.plan, frames.units, joined, states, frames.values)


def _targets(frames: Frames, figures: dict[str, FormFigures]) -> tuple[pd.DataFrame, pd.DataFrame]:
    per_unit, overall_rows = [], []
    for target in frames.plan.targets:
        if target.form not in figures:
            continue
        rows, row = evaluate(
            frames.plan, target, figures[target.form].latest, _asked_on(frames, target.form)
        )
        rows["target_name"] = target.name
        per_unit.append(rows)
        overall_rows.append(row)
    unit_frame = (
        pd.concat(per_unit, ignore_index=True)
        if per_unit
        else pd.DataFrame(
            columns=["target", "unit", "name", "value", "status", "gap", "target_name"]
        )
    )
    return unit_frame, pd.DataFrame(overall_rows)


def _asked_on(frames: Frames, form: str) -> pd.DataFrame:
    """The units asked for a report on `form`: a target reads no one else (the office that
    reports only its own quarterly analysis is not 'no data' on the cities' monthly form).
    Before anyone is asked, every unit."""
    duties = [d.key for d in frames.plan.duties if d.form == form]
    asked = frames.requests.loc[frames.requests["duty_key"].isin(duties), "unit"].unique()
    if not len(asked):  # not asked of anyone yet: every unit, each "no data"
        return frames.units
    return frames.units[frames.units["code"].isin(asked)]


def _narratives(joined: pd.DataFrame, frames: Frames, units: pd.DataFrame) -> pd.DataFrame:
    """Accepted answers' narratives and text fields (典型案例…), per unit and period."""
    accepted = joined[joined["review_status"] == ACCEPTED]
    labels = {f.key: f.label for form in frames.plan.forms for f in form.fields}
    listed = listed_fields(frames.plan)  # yes/no, choices, dates: counted apart, not prose
    texts = frames.texts[
        frames.texts["request_id"].isin(accepted["request_id"])
        & ~frames.texts["field"].isin(list(listed))
    ].copy()
    texts["label"] = texts["field"].map(labels).fillna(texts["field"])
    narrative = accepted[accepted["narrative"].fillna("").str.strip() != ""][["request_id"]].copy()
    narrative["label"] = "情况说明"
    narrative["value"] = (
        accepted.set_index("request_id").loc[narrative["request_id"], "narrative"].values
    )
    parts = pd.concat([narrative, texts[["request_id", "label", "value"]]], ignore_index=True)
    duty_names = {d.key: d.name for d in frames.plan.duties}
    parts = parts.merge(
        accepted[["request_id", "unit", "duty_key", "period_label", "period_end"]], on="request_id"
    )
    parts["duty"] = parts["duty_key"].map(duty_names).fillna(parts["duty_key"])
    parts = parts.merge(units[["code", "name", "order"]], left_on="unit", right_on="code")
    parts = parts.sort_values(["order", "period_end", "request_id"], kind="stable")
    return parts[["unit", "name", "duty", "period_label", "label", "value"]].reset_index(drop=True)


def _ranking(units: pd.DataFrame, complete: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Units ranked by targets met, then reporting rate, then fewest late reports, then
    registry order."""
    met = targets[targets["status"] == MET].groupby("unit").size()
    frame = complete[["unit", "name", "reporting_rate", "late", "missing"]].copy()
    frame["targets_met"] = frame["unit"].map(met).fillna(0).astype(int)
    frame["order"] = range(len(frame))
    frame["_rate"] = frame["reporting_rate"].fillna(-1)
    frame = frame.sort_values(
        ["targets_met", "_rate", "late", "order"],
        ascending=[False, False, True, True],
        kind="stable",
    )
    frame["rank"] = range(1, len(frame) + 1)
    return frame.drop(columns=["_rate", "order"]).reset_index(drop=True)


def summed_targets(plan: Plan) -> set[str]:
    """Overall targets on a summed number field (a total over units): no unit is behind
    one by itself."""
    summed = set()
    for t in plan.targets:
        if t.scope != "overall" or t.metric.ratio is not None:
            continue
        kinds = {f.key: f.type for f in plan.form(t.form).fields}
        if kinds.get(t.metric.field or "") != "percent":
            summed.add(t.key)
    return summed


def _laggards(
    units: pd.DataFrame, complete: pd.DataFrame, targets: pd.DataFrame, frames: Frames
) -> pd.DataFrame:
    summed = summed_targets(frames.plan)
    unit_targets = targets[(targets["status"] == NOT_MET) & ~targets["target"].isin(summed)]
    behind = unit_targets.groupby("unit")["target_name"].agg("、".join)
    rows = []
    for row in complete.itertuples(index=False):
        reasons = []
        if row.missing:
            reasons.append(f"未报{row.missing}期")
        if row.late:
            reasons.append(f"迟报{row.late}次")
        if row.unit in behind.index:
            reasons.append(f"未达标：{behind[row.unit]}")
        measures = measures_for(frames.plan, int(row.missing) + int(row.late), 0)
        if measures:
            reasons.append(f"问责措施：{'、'.join(measures)}")
        if reasons:
            rows.append(
                {
                    "unit": row.unit,
                    "name": row.name,
                    "missing": row.missing,
                    "late": row.late,
                    "behind": behind.get(row.unit, ""),
                    "measures": "、".join(measures),
                    "reasons": "；".join(reasons),
                }
            )
    columns = ["unit", "name", "missing", "late", "behind", "measures", "reasons"]
    return pd.DataFrame(rows, columns=columns)


def _missing(states: pd.DataFrame, units: pd.DataFrame, frames: Frames) -> pd.DataFrame:
    """Every report owed and not (validly) received: unit, duty, period, why."""
    columns = ["unit", "name", "duty", "period_label", "due_date", "state"]
    if states.empty:
        return pd.DataFrame(columns=columns)
    rows = states[states["missing"]].merge(
        units[["code", "name", "order"]], left_on="unit", right_on="code"
    )
    duty_names = {d.key: d.name for d in frames.plan.duties}
    rows["duty"] = rows["duty_key"].map(duty_names).fillna(rows["duty_key"])
    rows["state"] = rows["returned"].map({True: "退回待重报", False: "未报"})
    rows = rows.sort_values(["order", "period_end"], kind="stable")
    return rows[columns].reset_index(drop=True)


def _notes(
    compiled: Compiled, states: pd.DataFrame, joined: pd.DataFrame, frames: Frames
) -> list[str]:
    """What a reader must know about the figures, in words."""
    notes: list[str] = []
    names = dict(zip(frames.units["code"], frames.units["name"], strict=True))
    if states.empty:
        notes.append("本阶段没有应报的报告，各项数据为空。")
    elif not bool(states["reported"].any()):
        notes.append("本阶段尚未收到任何报告：各项数据为空（不是零），所有单位均列为未报。")
    pending = int((joined["review_status"] == PENDING).sum())
    if pending:
        notes.append(f"另有{pending}份报告待审核，其数据未计入汇总（单独列示）。")
    reviewed = joined[joined["review_status"].notna()]
    all_returned = (reviewed["review_status"] == RETURNED).groupby(reviewed["unit"]).all()
    for code in all_returned.index[all_returned.to_numpy(dtype=bool)]:
        notes.append(f"{names.get(code, code)}：报告均被退回，尚无有效数据，未计入汇总。")
    zero = compiled.targets_unit[compiled.targets_unit["status"] == NO_DENOMINATOR]
    for row in zero.itertuples(index=False):
        notes.append(f"{row.name}：“{row.target_name}”的分母为零，无法计算，不计为达标或未达标。")
    notes.extend(_joined_late(frames.requests, names))
    return notes


def _joined_late(requests: pd.DataFrame, names: dict[str, str]) -> list[str]:
    """Units asked later than the others on a duty (added after launch)."""
    notes = []
    periodic = requests[requests["kind"] == "request"]
    for _, duty in periodic.groupby("duty_key", sort=False):
        first = duty.groupby("period_key", sort=False)["period_end"].first().min()
        starts = duty.groupby("unit")["period_end"].min()
        for code in [c for c in names if c in starts.index and starts[c] > first]:
            label = duty.loc[
                (duty["unit"] == code) & (duty["period_end"] == starts[code]), "period_label"
            ].iloc[0]
            note = f"{names[code]}：启动后加入，自{label}起应报，此前各期不计为未报。"
            if note not in notes:
                notes.append(note)
    return notes
