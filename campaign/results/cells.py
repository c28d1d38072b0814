"""Cell writing for the results workbooks: headers, rows with number formats, lines of
text. Every value goes through xlsx_table.put_cell (text stays text, never a formula)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from copy import copy
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from campaign.documents.xlsx_table import put_cell

INTEGER, DECIMAL, RATE = "#,##0", "#,##0.00", "0.00"
NO_DATA = "无数据"
FONT = "宋体"
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD = PatternFill("solid", fgColor="D9D9D9")


def start_sheet(ws: Worksheet, title: str, head: Sequence[str]) -> int:
    put_cell(ws.cell(1, 1), title)
    ws.cell(1, 1).font = Font(name=FONT, size=14, bold=True)
    write_header(ws, 3, head)
    for i, text in enumerate(head, 1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(text) * 2 + 2))
    ws.freeze_panes = "C4" if len(head) > 2 else "A4"
    return 4


def write_header(ws: Worksheet, row: int, head: Sequence[str]) -> None:
    for i, text in enumerate(head, 1):
        cell = ws.cell(row, i)
        put_cell(cell, text)
        cell.font, cell.fill, cell.border = Font(name=FONT, bold=True), _HEAD, _BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def write_row(
    ws: Worksheet,
    row: int,
    values: Sequence[Any],
    formats: Sequence[str | None],
    *,
    bold: bool = False,
) -> None:
    for i, (value, number_format) in enumerate(zip(values, formats, strict=True), 1):
        empty = blank(value)
        text = isinstance(value, str)
        # a new cell carrying a copy of the shared style: ws.cell() and a style copy
        # afterwards cost twice as much, 3,000 units × 30 columns
        style = _style(ws, bold, None if empty or text else number_format)
        cell = Cell(ws, row=row, column=i, style_array=style)
        ws._add_cell(cell)
        if empty:
            put_cell(cell, NO_DATA if number_format else "")
        elif text:
            put_cell(cell, value)  # after the style: its quotePrefix is part of it
        else:
            put_cell(cell, cell_number(value))


def _style(ws: Worksheet, bold: bool, number_format: str | None) -> StyleArray:
    """The style (font, box, number format) of a data cell, built once per workbook: a
    style assigned attribute by attribute costs ~50 µs a cell, 3,000 units × 30 columns."""
    cache: dict[tuple[bool, str | None], StyleArray] = ws.parent.__dict__.setdefault(
        "_results_styles", {}
    )
    key = (bold, number_format)
    if key not in cache:
        proto = _scratch(ws)
        proto.border, proto.font = _BOX, Font(name=FONT, bold=bold)
        if number_format:
            proto.number_format = number_format
        cache[key] = copy(proto._style)
    return cache[key]


def _scratch(ws: Worksheet) -> Any:
    """A cell outside any sheet's data, to build a style on (styles belong to the workbook)."""
    return Cell(ws)


def write_lines(ws: Worksheet, row: int, texts: Iterable[str]) -> None:
    for i, line in enumerate(texts):
        put_cell(ws.cell(row + i, 1), line)


def number_format_of(f: Any) -> str:
    return INTEGER if f.type == "integer" else DECIMAL


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def cell_number(value: Any) -> int | float:
    number = float(value)
    return int(number) if number.is_integer() else number


def plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def outline(ws: Worksheet, row: int, level: int = 1) -> None:
    """Group a row under the one above it (Excel's outline, folded open)."""
    ws.row_dimensions[row].outline_level = level
