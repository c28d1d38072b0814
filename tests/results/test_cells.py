"""The results workbooks' cells (written by xlsxwriter, row by row), opened back with
openpyxl: values and their types, number formats, fonts, boxes, quotePrefix on text
Excel would take for a formula, wrapping, widths and frozen panes."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zipfile import ZipFile

import numpy as np
import pytest
from openpyxl import load_workbook

from campaign.documents.xlsx_table import needs_quote
from campaign.results.cells import (
    DECIMAL,
    INTEGER,
    NO_DATA,
    RATE,
    Book,
    Sheet,
    blank,
    cell_number,
    start_sheet,
    write_lines,
    write_row,
)

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


def written(tmp_path: Path) -> Any:
    with Book(tmp_path / "cells.xlsx") as book:
        ws = book.sheet("表")
        row = start_sheet(ws, "=标题", ["序号", "单位", "检查企业数（家次）", "d", "e", "f"])
        for values, formats, bold in ROWS:
            write_row(ws, row, values, formats, bold=bold, wrapped={5})
            row += 1
        write_lines(ws, row + 1, ["说明", "-注"])
    return load_workbook(tmp_path / "cells.xlsx")["表"]


def look(cell: Any) -> tuple[Any, ...]:
    return (
        cell.value,
        cell.data_type if cell.value is not None else None,
        cell.number_format,
        cell.font.b,
        cell.font.name,
        cell.border.left.style,
        cell.quotePrefix,
        cell.alignment.wrap_text,
    )


def test_values_formats_and_text_that_stays_text(tmp_path: Path) -> None:
    ws = written(tmp_path)
    rows = [[look(c) for c in r] for r in ws.iter_rows(min_row=4, max_row=6)]
    box = ("宋体", "thin")
    assert rows[0][:4] == [
        (1, "n", INTEGER, False, *box, False, None),
        ("甲局", "s", "General", False, *box, False, None),
        (12, "n", INTEGER, False, *box, False, None),
        (3.5, "n", DECIMAL, False, *box, False, None),
    ]
    assert rows[0][4] == ("无数据", "s", "General", False, *box, False, True)  # a number due
    assert rows[0][5][:2] == (None, None)  # no number due: empty, but boxed
    assert rows[0][5][5] == "thin"
    assert rows[1][0] == ("=HYPERLINK(1)", "s", "General", False, *box, True, None)
    assert rows[1][1][:2] == ("-5%", "s") and rows[1][1][6]
    assert rows[1][2][:3] == (7, "n", INTEGER) and rows[1][3][:3] == (0.125, "n", RATE)
    assert rows[1][4][:2] == (None, None) and rows[1][5][6]  # "" is empty; "+1" quoted
    assert rows[2][1] == ("合计", "s", "General", True, *box, False, None)
    assert rows[2][4][:2] == ("不作合计", "s")


def test_title_header_lines_widths_and_panes(tmp_path: Path) -> None:
    ws = written(tmp_path)
    title, head = ws["A1"], ws["C3"]
    assert (title.value, title.data_type, title.quotePrefix) == ("=标题", "s", True)
    assert (title.font.name, title.font.sz, title.font.b) == ("宋体", 14, True)
    assert head.value == "检查企业数（家次）" and head.font.b and head.border.top.style == "thin"
    assert head.fill.fill_type == "solid" and head.fill.fgColor.rgb.endswith("D9D9D9")
    assert (head.alignment.horizontal, head.alignment.wrap_text) == ("center", True)
    assert [ws.cell(r, 1).value for r in (8, 9)] == ["说明", "-注"]
    assert ws.cell(9, 1).quotePrefix and ws.cell(8, 1).font.name != "宋体"
    widths = {i: d.width for d in ws.column_dimensions.values() for i in range(d.min, d.max + 1)}
    assert widths[1] == 10 and widths[3] == 20  # exactly as asked, in characters
    assert ws.freeze_panes == "C4"


def test_an_error_while_writing_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "half.xlsx"
    with pytest.raises(ValueError, match="half"), Book(path) as book:
        ws = book.sheet("表")
        for row in range(1, 5000):
            write_row(ws, row, [row, "甲局"], [INTEGER, None])
        raise ValueError("half written")
    assert not path.exists()
    assert not Path(book._rows.name).exists()  # nor the rows written so far


# text xlsxwriter escapes or marks (XML characters, control characters and their _xHHHH_
# look-alikes, space at either end, a rich-string look-alike), infinity and a very long
# string: left to xlsxwriter or escaped as it does
AWKWARD: list[Any] = [
    'a<b>&"c"',
    "行一\n行二",
    "tab\there",
    "bell\x07",
    "_x0041_",
    " lead",
    "trail ",
    "<r>not rich</r>",
    "\ufffe",
    float("inf"),
    -float("inf"),
    "长" * 20_000,
    2**60,
    1e-7,
]


def sheet_xml(path: Path) -> bytes:
    with ZipFile(path) as z:
        return z.read("xl/worksheets/sheet1.xml") + z.read("xl/styles.xml")


def cell_by_cell(ws: Sheet, row: int, values: list[Any], formats: list[str | None]) -> None:
    """The row as xlsxwriter writes it one write_* per cell (write_row's rules)."""
    sheet, style = ws.worksheet, ws.book.cell_format
    for c, (value, number_format) in enumerate(zip(values, formats, strict=True)):
        wrap = c + 1 == 2
        if blank(value) and number_format:
            sheet.write_string(row - 1, c, NO_DATA, style(False, None, wrap, False))
        elif blank(value) or value == "":
            sheet.write_blank(row - 1, c, None, style(False, None, wrap, False))
        elif isinstance(value, str):
            sheet.write_string(row - 1, c, value, style(False, None, wrap, needs_quote(value)))
        else:
            sheet.write_number(
                row - 1, c, cell_number(value), style(False, number_format, wrap, False)
            )


def test_whole_rows_are_the_xml_xlsxwriter_writes_cell_by_cell(tmp_path: Path) -> None:
    """write_row's ready cells against xlsxwriter's own write_* per cell, the same values
    and formats: the same sheet XML and styles, byte for byte (a row above the last one
    written dropped by both)."""
    rows = [(values[:3], formats[:3]) for values, formats, _ in ROWS]
    rows += [([v, v, None], [None, None, INTEGER]) for v in AWKWARD]
    written: dict[bool, bytes] = {}
    for whole in (True, False):
        path = tmp_path / f"{whole}.xlsx"
        with Book(path) as book:
            ws = book.sheet("表") if whole else Sheet(book, book._book.add_worksheet("表"))
            row = start_sheet(ws, "标题", ["a", "b", "c"])
            for at, (values, formats) in [
                *enumerate(rows, row),
                (row, ([1, 2, 3], [None] * 3)),  # above the last row: dropped
            ]:
                if whole:
                    write_row(ws, at, values, formats, wrapped={2})
                else:
                    cell_by_cell(ws, at, values, formats)
            write_lines(ws, row + len(rows) + 1, ["说明"])
        written[whole] = sheet_xml(path)
    assert written[True] == written[False]
