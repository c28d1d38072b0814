"""write_row creates its cells with their style at once (the 汇总表 of 3,000 units is
written in half the time): what is written, opened back, is what the plain openpyxl way
writes, cell by cell."""

from __future__ import annotations

from copy import copy
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from campaign.documents.xlsx_table import put_cell
from campaign.results.cells import DECIMAL, INTEGER, NO_DATA, RATE, blank, cell_number, write_row
from campaign.results.cells import _style as style_of

ROWS: list[tuple[list[Any], list[str | None], bool]] = [
    (
        [1, "甲局", 12.0, np.float64(3.5), None, float("nan")],
        [INTEGER, None, INTEGER, DECIMAL, RATE, None],
        False,
    ),
    (
        ["=HYPERLINK(1)", "-5%", np.int64(7), 0.125, "", "+1"],
        [None, None, INTEGER, RATE, INTEGER, None],
        False,
    ),
    (["", "合计", 17, 14.0, "不作合计", None], [None, None, INTEGER, INTEGER, None, None], True),
]


def reference_row(
    ws: Worksheet, row: int, values: list[Any], formats: list[str | None], bold: bool
) -> None:
    """The plain way (ws.cell, then the style, then the value), as write_row did before."""
    for i, (value, number_format) in enumerate(zip(values, formats, strict=True), 1):
        cell = ws.cell(row, i)
        numeric = not blank(value) and not isinstance(value, str)
        cell._style = copy(style_of(ws, bold, number_format if numeric else None))
        if blank(value):
            put_cell(cell, NO_DATA if number_format else "")
        elif isinstance(value, str):
            put_cell(cell, value)
        else:
            put_cell(cell, cell_number(value))


def written(tmp_path: Path, name: str, fast: bool) -> list[list[tuple[Any, ...]]]:
    wb = Workbook()
    ws = wb.active
    for row, (values, formats, bold) in enumerate(ROWS, 4):
        if fast:
            write_row(ws, row, values, formats, bold=bold)
        else:
            reference_row(ws, row, values, formats, bold)
    ws.cell(5, 5).alignment = Alignment(wrap_text=True)  # restyled afterwards (情况说明)
    wb.save(tmp_path / name)
    back = load_workbook(tmp_path / name).active
    return [
        [
            (
                c.value,
                c.data_type,
                c.number_format,
                c.font.b,
                c.font.name,
                c.border.left.style,
                c.quotePrefix,
                c.alignment.wrap_text,
            )
            for c in r
        ]
        for r in back.iter_rows(min_row=4)
    ]


def test_cells_as_the_plain_way_writes_them(tmp_path):
    fast = written(tmp_path, "fast.xlsx", fast=True)
    assert fast == written(tmp_path, "plain.xlsx", fast=False)
    assert fast[0][4][:3] == ("无数据", "s", "General")
    assert fast[1][0][0] == "=HYPERLINK(1)" and fast[1][0][1] == "s" and fast[1][0][6]
    assert fast[2][1][3] is True and fast[0][2][:3] == (12, "n", INTEGER)


def test_a_restyled_cell_leaves_its_neighbours_alone(tmp_path):
    wb = Workbook()
    ws = wb.active
    write_row(ws, 4, [1, 2], [INTEGER, INTEGER])
    ws.cell(4, 1).alignment = Alignment(wrap_text=True)
    assert ws.cell(4, 1).alignment.wrap_text and not ws.cell(4, 2).alignment.wrap_text
