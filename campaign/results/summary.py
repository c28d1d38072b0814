"""A stored summary (阶段小结, 总结, 检查验收) as JSON, and what changed between versions.

Pure functions over `Compiled`: `summary_result` is what a CampaignSummary version holds
(units by name, figures as text so that versions compare exactly), `figure_items` the flat
"item → value" view two versions are compared on, `changes_between` the differences and
`change_notes` the same in words (a figure corrected downward is said to be).
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import date
from typing import Any

import pandas as pd

from campaign.plan.schema import Plan
from campaign.results.compile import Compiled, summed_targets
from campaign.results.figures import FormFigures
from campaign.results.load import rows_of, window_of
from campaign.results.targets import MET, NO_DATA, NO_DENOMINATOR, NOT_MET
from campaign.schedule import Event
from campaign.schedule.events import window_key

Stage = tuple[str, str, date | None, date | None]
WHOLE: Stage = ("", "全程", None, None)


def stage_of_event(plan: Plan, event: Event) -> Stage:
    """The stage a summary event compiles: the phase or action its reports close (a stage
    summary's period is that window), the whole campaign for the final summary and the
    acceptance."""
    if event.kind == "acceptance" or event.duty is None:
        return WHOLE
    if plan.duty(event.duty).kind == "final_summary":
        return WHOLE
    windows = plan.windows()
    key = event.period if event.period in windows else window_key(event)
    return window_of(plan, key) if key in windows else WHOLE


def text(value: Any) -> str | None:
    """A figure as it is shown and compared: None when absent, integers without decimals,
    others with two."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    number = float(value)
    if number.is_integer():
        return str(int(number))
    return f"{number:.2f}"


def summary_result(
    compiled: Compiled, plan: Plan, *, heading: str, today: date | None
) -> dict[str, Any]:
    """What a summary version stores."""
    names = dict(zip(compiled.units["code"], compiled.units["name"], strict=True))
    overall = compiled.completeness_overall
    reports: dict[str, int | str | None] = {
        column: int(overall[column].iloc[0]) if len(overall) else 0
        for column in ("owed", "reported", "on_time", "late", "missing", "pending", "returned")
    }
    reports["reporting_rate"] = text(overall["reporting_rate"].iloc[0]) if len(overall) else None
    return {
        "title": compiled.title,
        "document_number": compiled.document_number,
        "heading": heading,
        "stage": {
            "key": compiled.stage_key,
            "name": compiled.stage_name,
            "start": compiled.start.isoformat() if compiled.start else None,
            "end": compiled.end.isoformat() if compiled.end else None,
        },
        "today": today.isoformat() if today else None,
        "units": names,
        "reports": reports,
        "by_unit": _by_unit(compiled),
        "targets": _targets(compiled, plan),
        "totals": _totals(compiled),
        "laggards": [
            {"unit": r.unit, "name": r.name, "reasons": r.reasons}
            for r in compiled.laggards.itertuples(index=False)
        ],
        "ranking": [
            {"rank": int(r.rank), "unit": r.unit, "name": r.name, "targets_met": int(r.targets_met)}
            for r in compiled.ranking.itertuples(index=False)
        ],
        "notes": list(compiled.notes),
    }


def _by_unit(compiled: Compiled) -> list[dict[str, Any]]:
    rows = []
    for r in compiled.completeness_unit.itertuples(index=False):
        rows.append(
            {
                "unit": r.unit,
                "name": r.name,
                "owed": int(r.owed),
                "reported": int(r.reported),
                "on_time": int(r.on_time),
                "late": int(r.late),
                "missing": int(r.missing),
                "returned": int(r.returned),
                "reporting_rate": text(r.reporting_rate),
            }
        )
    return rows


def _targets(compiled: Compiled, plan: Plan) -> list[dict[str, Any]]:
    targets = []
    scope_of = {t.key: t.scope for t in plan.targets}
    summed = summed_targets(plan)
    for row in compiled.targets_overall.to_dict("records"):
        mine = compiled.targets_unit[compiled.targets_unit["target"] == row["target"]]
        targets.append(
            {
                "key": row["target"],
                "name": row["name"],
                "scope": scope_of.get(row["target"], "overall"),
                "comparator": row["comparator"],
                "requirement": row.get("requirement") or "",
                "threshold": text(row["threshold"]),
                "unit": row["unit_of_measure"],
                "value": text(row["value"]),
                "gap": text(row["gap"]),
                "status": row["status"],
                "met": {MET: True, NOT_MET: False}.get(row["status"]),
                "by_units": bool(row.get("by_units")),
                "note": row["note"],
                "failing": []
                if row["target"] in summed
                else mine.loc[mine["status"] == NOT_MET, "name"].tolist(),
                "missing": mine.loc[mine["status"] == NO_DATA, "name"].tolist(),
                "zero_denominator": mine.loc[mine["status"] == NO_DENOMINATOR, "name"].tolist(),
                "per_unit": {
                    unit: {"value": text(value), "status": status, "gap": text(gap)}
                    for unit, value, status, gap in rows_of(mine, "unit", "value", "status", "gap")
                },
            }
        )
    return targets


def _totals(compiled: Compiled) -> list[dict[str, Any]]:
    if compiled.main_form is None or compiled.main_form not in compiled.figures:
        return []
    return totals_of(compiled.figures[compiled.main_form])


def totals_of(figures: FormFigures) -> list[dict[str, Any]]:
    """A form's totals as a summary states them (its `totals`)."""
    rows = []
    for r in figures.totals.to_dict("records"):
        rows.append(
            {
                "field": r["field"],
                "label": r["label"],
                "unit": r["unit_of_measure"] or "",
                "total": text(r["total"]),
                "min": text(r["min"]),
                "median": text(r["median"]),
                "max": text(r["max"]),
                "units_reported": int(r["units_reported"]),
                "note": r["note"],
            }
        )
    return rows


def figure_items(result: dict[str, Any]) -> dict[str, str | None]:
    """item (Chinese, units by name) → value: what two versions are compared on."""
    items: dict[str, str | None] = {}
    reports = result.get("reports", {})
    for column, label in (("reported", "已报"), ("late", "迟报"), ("missing", "未报")):
        items[f"报送情况：{label}"] = str(reports.get(column, 0))
    for row in result.get("by_unit", []):
        items[f"{row['name']}：已报"] = str(row["reported"])
    for t in result.get("targets", []):
        unit = t["unit"] or ""
        items[f"{t['name']}（总体）"] = _with_unit(t["value"], unit, t["status"])
        names = result.get("units", {})
        for code, cell in t.get("per_unit", {}).items():
            items[f"{names.get(code, code)}：{t['name']}"] = _with_unit(
                cell["value"], unit, cell["status"]
            )
    for total in result.get("totals", []):
        value = total["total"] if total["total"] is not None else total["median"]
        items[f"{total['label']}（合计）"] = _with_unit(value, total["unit"], "无数据")
    return items


def _with_unit(value: str | None, unit: str, status: str) -> str:
    return status if value is None else f"{value}{unit}"


def digest(result: dict[str, Any]) -> str:
    """The hash two versions are compared by: their figures and their notes."""
    body = {"items": figure_items(result), "notes": result.get("notes", [])}
    text_ = json.dumps(body, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text_.encode("utf-8")).hexdigest()


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item whose value differs, in the order of the newer version."""
    old, new = figure_items(before), figure_items(after)
    order = list(new) + [k for k in old if k not in new]
    return [
        {"item": k, "before": old.get(k), "after": new.get(k)}
        for k in order
        if old.get(k) != new.get(k)
    ]


def change_notes(changes: list[dict[str, Any]], previous_version: int) -> list[str]:
    """The changes in words; a figure lower than before is said to be corrected downward."""
    if not changes:
        return []
    parts = []
    for c in changes:
        before, after = c["before"] or "无", c["after"] or "无"
        word = "下调为" if _lower(c["before"], c["after"]) else "变为"
        parts.append(f"{c['item']}由{before}{word}{after}")
    return [f"与第{previous_version}版相比：" + "；".join(parts) + "。"]


def _lower(before: str | None, after: str | None) -> bool:
    b, a = _leading_number(before), _leading_number(after)
    return b is not None and a is not None and a < b


def _leading_number(value: str | None) -> float | None:
    if value is None:
        return None
    digits = ""
    for ch in value:
        if ch.isdigit() or ch in ".-":
            digits += ch
        else:
            break
    try:
        return float(digits)
    except ValueError:
        return None
