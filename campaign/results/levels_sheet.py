"""The 逐级汇总 and 逐级报送情况 sheets of the 汇总表 for a routed duty: per relay unit
(city) its submitted figures, its detail units (counties, grouped under it), their sum and
the difference; the total from the top-level rows only; each relay unit's completeness
including its detail units."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from campaign.results.cells import (
    INTEGER,
    RATE,
    Sheet,
    number_format_of,
    outline,
    start_sheet,
    write_lines,
    write_row,
)
from campaign.results.levels import level_rows
from campaign.results.pending_sheet import field_header

if TYPE_CHECKING:
    from campaign.results.compile import Compiled

NOT_SUMMED = "不作合计"
TOTAL_NOTE = (
    "合计只计各单位本级上报数（含直报单位）：下级单位的数据已含在其上级上报数中，不重复计算；"
    "所辖单位合计仅计审核通过的报告，差额为本级上报数减所辖单位合计。"
)


def write_levels(ws: Sheet, title: str, compiled: Compiled, form: str) -> None:
    figures = compiled.levels.figures[form]
    fields = figures.fields
    head = ["层级", "单位", *(field_header(f) for f in fields), "说明"]
    row = start_sheet(ws, f"{title}：逐级汇总（{figures.form.title}）", head)
    formats = [None, None, *(number_format_of(f) for f in fields), None]
    top = compiled.figures[form].by_unit
    for r in level_rows(compiled.levels, form, top):
        kind = r["kind"]
        values: list[Any] = list(r["values"])
        if kind in ("sum", "difference"):
            values = [
                NOT_SUMMED if f.type == "percent" else v
                for f, v in zip(fields, values, strict=True)
            ]
        level = {"relay": "本级上报", "detail": "下级", "direct": "直报"}.get(kind, "")
        name = f"　　{r['name']}" if kind == "detail" else r["name"]
        write_row(ws, row, [level, name, *values, r["note"]], formats, bold=kind == "relay")
        if kind != "relay" and kind != "direct":
            outline(ws, row)
        row += 1
    totals = compiled.figures[form].totals.set_index("field")
    total = [NOT_SUMMED if f.type == "percent" else totals.loc[f.key, "total"] for f in fields]
    write_row(ws, row, ["", "合计", *total, ""], formats, bold=True)
    write_lines(ws, row + 2, [TOTAL_NOTE])


RELAY_HEAD = ["单位", "本级汇总报告", "下辖单位数", "应报", "已报", "按时", "迟报", "未报",
              "待审核", "退回", "报送率（%）"]  # fmt: skip
RELAY_KEYS = ["units", "owed", "reported", "on_time", "late", "missing", "pending", "returned",
              "reporting_rate"]  # fmt: skip


def write_relays(ws: Sheet, title: str, compiled: Compiled) -> None:
    row = start_sheet(ws, f"{title}：逐级报送情况（下辖单位）", RELAY_HEAD)
    for r in compiled.levels.relays.to_dict("records"):
        values = [r["name"], r["own_text"], *(r[k] for k in RELAY_KEYS)]
        write_row(ws, row, values, [None, None, *([INTEGER] * 8), RATE])
        row += 1
    write_lines(
        ws,
        row + 1,
        ["应报至报送率：各单位下辖单位的报告；本级汇总报告：该单位向上报送的汇总报告。"],
    )
