"""The 汇总表 workbook (.xlsx) of compiled results: the sheet every office builds by hand.

Sheets: 按单位 (the lead form's figures per unit, totals row), 按期次 (per period: figures
and reporting), 待审核 (reports awaiting review, in no total), 报送情况 (completeness and
timeliness per unit, totals row), for a routed duty 逐级汇总 and 逐级报送情况
(campaign.results.levels_sheet: cities, their counties, sums and differences), 目标
(each target overall, then per unit), 未报 (every
report owed and not received, and the units behind), 情况说明 (narratives and text
fields), 排名, 说明 (notes). Chinese headers, unit names (never codes), registry order,
number formats. Every text cell from a plan or a unit is written as text, never a formula
(campaign.results.cells, which writes the sheets row by row with xlsxwriter).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from campaign.results.answers_sheet import write_answers
from campaign.results.cells import (
    INTEGER,
    RATE,
    Book,
    Sheet,
    blank,
    number_format_of,
    start_sheet,
    write_header,
    write_lines,
    write_row,
    write_title,
)
from campaign.results.compile import Compiled
from campaign.results.figures import FormFigures
from campaign.results.levels_sheet import write_levels, write_relays
from campaign.results.load import rows_of
from campaign.results.pending_sheet import field_header, write_pending


def write_workbook(compiled: Compiled, path: Path) -> Path:
    title = f"{compiled.title}（{compiled.stage_name}）汇总表"
    lead = compiled.figures.get(compiled.main_form or "")
    with Book(path) as wb:
        if lead is not None:
            _by_unit(wb.sheet("按单位"), title, lead)
            _by_period(wb.sheet("按期次"), title, compiled, lead)
            names = dict(zip(compiled.units["code"], compiled.units["name"], strict=True))
            write_pending(wb.sheet("待审核"), title, compiled.pending[lead.form.key], names)
        _completeness(wb.sheet("报送情况"), title, compiled)
        if compiled.levels.routed:
            for form in compiled.levels.figures:
                name = "逐级汇总" if form == compiled.main_form else f"逐级汇总-{form}"[:31]
                write_levels(wb.sheet(name), title, compiled, form)
            write_relays(wb.sheet("逐级报送情况"), title, compiled)
        _targets(wb.sheet("目标"), title, compiled)
        _missing(wb.sheet("未报"), title, compiled)
        _narratives(wb.sheet("情况说明"), title, compiled)
        if len(compiled.answers):
            write_answers(wb.sheet("选项统计"), title, compiled)
        _ranking(wb.sheet("排名"), title, compiled)
        _notes(wb.sheet("说明"), title, compiled)
    return path


def _by_unit(ws: Sheet, title: str, lead: FormFigures) -> None:
    fields = lead.fields
    head = ["序号", "单位", *(field_header(f) for f in fields), "已报期数"]
    row = start_sheet(ws, f"{title}：{lead.form.title}", head)
    for i, r in enumerate(lead.by_unit.itertuples(index=False), 1):
        values = [i, r.name, *(getattr(r, f.key) for f in fields), r.periods_reported]
        write_row(ws, row, values, [INTEGER, None, *(number_format_of(f) for f in fields), INTEGER])
        row += 1
    totals = lead.totals.set_index("field")
    total_values: list[Any] = ["", "合计"]
    for f in fields:
        t = totals.loc[f.key]
        total_values.append("不作合计" if f.type == "percent" else t["total"])
    total_values.append("")
    write_row(
        ws, row, total_values, [None, None, *(number_format_of(f) for f in fields), None], bold=True
    )
    notes = [f"{t.label}：{t.note}" for t in lead.totals.itertuples() if t.note]
    write_lines(ws, row + 2, notes)


def _by_period(ws: Sheet, title: str, compiled: Compiled, lead: FormFigures) -> None:
    fields = lead.fields
    head = [
        "报告期",
        *(field_header(f) for f in fields),
        "报送单位数",
        "应报",
        "已报",
        "未报",
        "迟报",
        "报送率（%）",
    ]
    row = start_sheet(ws, f"{title}：各期汇总", head)
    reporting = (
        compiled.completeness_period.set_index("period_key")
        if len(compiled.completeness_period)
        else None
    )
    for r in lead.period_totals.itertuples(index=False):
        c = (
            reporting.loc[r.period_key]
            if reporting is not None and r.period_key in reporting.index
            else None
        )
        if c is not None and getattr(c, "ndim", 1) > 1:
            c = c.iloc[0]
        counts = (
            [c["owed"], c["reported"], c["missing"], c["late"], c["reporting_rate"]]
            if c is not None
            else [None] * 5
        )
        values = [r.period_label, *(getattr(r, f.key) for f in fields), r.units_reported, *counts]
        formats = [
            None,
            *(number_format_of(f) for f in fields),
            INTEGER,
            INTEGER,
            INTEGER,
            INTEGER,
            INTEGER,
            RATE,
        ]
        write_row(ws, row, values, formats)
        row += 1
    if not len(lead.period_totals):
        write_lines(ws, row, ["本阶段没有已审核通过的报告。"])
    write_lines(
        ws, row + 1, ["百分数字段按期列示各单位中位数，不作合计；累计数为当期各单位累计数之和。"]
    )


COUNT_HEAD = [
    "应报",
    "已报",
    "按时",
    "迟报",
    "未报",
    "待审核",
    "退回",
    "报送率（%）",
    "按时率（%）",
]
COUNT_KEYS = [
    "owed",
    "reported",
    "on_time",
    "late",
    "missing",
    "pending",
    "returned",
    "reporting_rate",
    "on_time_rate",
]
COUNT_FORMATS = [INTEGER] * 7 + [RATE, RATE]


def _completeness(ws: Sheet, title: str, compiled: Compiled) -> None:
    row = start_sheet(ws, f"{title}：报送情况", ["序号", "单位", *COUNT_HEAD])
    for i, r in enumerate(rows_of(compiled.completeness_unit, "name", *COUNT_KEYS), 1):
        write_row(ws, row, [i, *r], [INTEGER, None, *COUNT_FORMATS])
        row += 1
    total = compiled.completeness_overall.iloc[0].to_dict()
    write_row(
        ws,
        row,
        ["", "合计", *(total[k] for k in COUNT_KEYS)],
        [None, None, *COUNT_FORMATS],
        bold=True,
    )


def _targets(ws: Sheet, title: str, compiled: Compiled) -> None:
    head = [
        "目标",
        "范围",
        "要求",
        "总体值",
        "差距",
        "结论",
        "达标单位数",
        "未达标单位数",
        "无数据单位",
        "分母为零单位",
        "说明",
    ]
    row = start_sheet(ws, f"{title}：目标完成情况", head)
    for t in compiled.targets_overall.to_dict("records"):
        requirement = t["requirement"]
        values = [
            t["name"],
            t["scope"],
            requirement,
            t["value"],
            t["gap"],
            t["status"],
            t["units_met"],
            t["units_not_met"],
            t["units_no_data"],
            t["units_zero_denominator"],
            t["note"],
        ]
        write_row(
            ws,
            row,
            values,
            [None, None, None, RATE, RATE, None, INTEGER, INTEGER, None, None, None],
        )
        row += 1
    if not len(compiled.targets_overall):
        write_lines(ws, row, ["方案未设定量化目标。"])
        row += 1
    row += 1
    write_header(ws, row, ["单位", "目标", "数值", "差距", "结论", "本单位目标值", "说明"])
    row += 1
    unit_columns = ("name", "target_name", "value", "gap", "status", "threshold", "met_by")
    for *values, met_by in rows_of(compiled.targets_unit, *unit_columns):
        values.append(f"按“{met_by}”达标" if met_by else "")
        write_row(ws, row, values, [None, None, RATE, RATE, None, RATE, None])
        row += 1


def _missing(ws: Sheet, title: str, compiled: Compiled) -> None:
    row = start_sheet(ws, f"{title}：未报情况", ["单位", "报送事项", "报告期", "报送截止", "情况"])
    reports = rows_of(compiled.missing_reports, "name", "duty", "period_label", "due_date", "state")
    for name, duty, period_label, due_date, state in reports:
        due = due_date.isoformat() if due_date is not None and not blank(due_date) else ""
        write_row(ws, row, [name, duty, period_label, due, state], [None] * 5)
        row += 1
    if not len(compiled.missing_reports):
        write_lines(ws, row, ["无未报单位。"])
        row += 1
    row += 1
    write_header(ws, row, ["滞后单位", "未报（期）", "迟报（次）", "未达标目标", "情况"])
    row += 1
    for values in rows_of(compiled.laggards, "name", "missing", "late", "behind", "reasons"):
        write_row(ws, row, values, [None, INTEGER, INTEGER, None, None])
        row += 1


def _narratives(ws: Sheet, title: str, compiled: Compiled) -> None:
    row = start_sheet(ws, f"{title}：情况说明", ["单位", "报送事项", "报告期", "类别", "内容"])
    for values in rows_of(compiled.narratives, "name", "duty", "period_label", "label", "value"):
        write_row(ws, row, values, [None] * 5, wrapped={5})
        row += 1
    if not len(compiled.narratives):
        write_lines(ws, row, ["本阶段没有已审核通过的情况说明。"])
    ws.width(5, 80)


def _ranking(ws: Sheet, title: str, compiled: Compiled) -> None:
    row = start_sheet(
        ws,
        f"{title}：排名",
        ["名次", "单位", "达标目标数", "报送率（%）", "迟报（次）", "未报（期）"],
    )
    ranked = ("rank", "name", "targets_met", "reporting_rate", "late", "missing")
    for values in rows_of(compiled.ranking, *ranked):
        write_row(ws, row, values, [INTEGER, None, INTEGER, RATE, INTEGER, INTEGER])
        row += 1
    write_lines(ws, row + 1, ["排名依据：达标目标数、报送率、迟报次数，其余相同者按单位名录顺序。"])


def _notes(ws: Sheet, title: str, compiled: Compiled) -> None:
    write_title(ws, f"{title}：说明")
    window = (
        "全程"
        if compiled.start is None
        else f"{compiled.start.isoformat()} 至 {compiled.end.isoformat() if compiled.end else ''}"
    )
    lines = [
        f"统计范围：{compiled.stage_name}（{window}）",
        "数据口径：仅计审核通过的报告；待审核报告单独列示。",
    ]
    write_lines(ws, 3, lines + (compiled.notes or ["无其他说明。"]))
    ws.width(1, 100)
