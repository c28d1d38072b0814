"""The 待审核 sheet of the 汇总表: figures received but not yet accepted, shown apart."""

from __future__ import annotations

from typing import Any

from campaign.results.cells import Sheet, number_format_of, start_sheet, write_lines, write_row
from campaign.results.figures import FormFigures


def field_header(f: Any) -> str:
    suffix = "（累计）" if f.accumulation == "cumulative" else ""
    unit = f"（{f.unit}）" if f.unit and f.unit != "%" else ("（%）" if f.type == "percent" else "")
    return f"{f.label}{suffix}{unit}"


def write_pending(ws: Sheet, title: str, pending: FormFigures, names: dict[str, str]) -> None:
    """One row per pending report (unit, period), registry order; not in any total."""
    fields = pending.fields
    head = ["单位", "报告期", *(field_header(f) for f in fields)]
    row = start_sheet(ws, f"{title}：待审核报告（未计入汇总）", head)
    order = {code: i for i, code in enumerate(names)}
    rows = pending.by_period.assign(_order=pending.by_period["unit"].map(order))
    for r in rows.sort_values(["_order", "period_end"], kind="stable").to_dict("records"):
        values = [names.get(r["unit"], r["unit"]), r["period_label"], *(r[f.key] for f in fields)]
        write_row(ws, row, values, [None, None, *(number_format_of(f) for f in fields)])
        row += 1
    if not len(rows):
        write_lines(ws, row, ["没有待审核的报告。"])
