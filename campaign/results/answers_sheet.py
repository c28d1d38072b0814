"""The 选项统计 sheet of the 汇总表: yes/no and choice answers counted per option (never
summed), then each unit's answer, dates included."""

from __future__ import annotations

from typing import TYPE_CHECKING

from campaign.results.cells import INTEGER, Sheet, start_sheet, write_header, write_row

if TYPE_CHECKING:
    from campaign.results.compile import Compiled


def write_answers(ws: Sheet, title: str, compiled: Compiled) -> None:
    row = start_sheet(
        ws, f"{title}：选项统计", ["指标", "选项", "单位数", "作答单位数", "选择该项的单位"]
    )
    for r in compiled.answer_counts.to_dict("records"):
        values = [r["label"], r["option"], r["count"], r["units_answered"], r["units"]]
        write_row(ws, row, values, [None, None, INTEGER, INTEGER, None])
        row += 1
    row += 1
    write_header(ws, row, ["指标", "单位", "报告期", "填报内容"])
    row += 1
    for r in compiled.answers.to_dict("records"):
        write_row(ws, row, [r["label"], r["name"], r["period_label"], r["value"]], [None] * 4)
        row += 1
    ws.width(5, 60)
