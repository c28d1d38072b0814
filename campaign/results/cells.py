"""Writing the results workbooks (.xlsx: the 汇总表, the export, the acceptance table):
sheets written row by row with xlsxwriter, headers, rows with number formats, lines of
text. Rows and columns are numbered from 1, as in Excel.

Text stays text: every string is written as a string cell (never a formula), and one that
Excel would read as a formula (xlsx_table.needs_quote) also carries quotePrefix. Workbooks
are written in xlsxwriter's constant_memory mode: each row goes to disk when the next one
starts, so rows must be written in order (a sheet's rows top to bottom; a cell of an
earlier row is dropped). The 3,000-unit 汇总表 takes about a third of openpyxl's time, and
the export of every figure a constant amount of memory.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from campaign.documents.xlsx_table import needs_quote

INTEGER, DECIMAL, RATE = "#,##0", "#,##0.00", "0.00"
NO_DATA = "无数据"
FONT = "宋体"
_BOX = {"border": 1, "border_color": "#000000"}  # thin, black, all four sides
_HEAD = {"bold": True, "pattern": 1, "fg_color": "#D9D9D9", "align": "center",
         "valign": "vcenter", "text_wrap": True, **_BOX}  # fmt: skip
_TITLE = {"bold": True, "font_size": 14}
_WRAPPED = {"text_wrap": True, "valign": "top"}
_PIXELS_PER_CHARACTER = 7  # Calibri 11's digit: a width of N characters is stored as N


class Book:
    """A results workbook being written; `sheet` adds a sheet. Leaving the block writes
    the file, unless an error left it: then nothing is written (the rows written so far,
    in a folder of its own, are removed)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._rows = tempfile.TemporaryDirectory(prefix="xlsx-rows-")
        self._book = xlsxwriter.Workbook(
            str(path),
            {"constant_memory": True, "nan_inf_to_errors": True, "tmpdir": self._rows.name},
        )
        self._formats: dict[tuple[tuple[str, Any], ...], Format] = {}
        self._cells: dict[tuple[bool, str | None, bool, bool], Format | None] = {}

    def sheet(self, name: str) -> Sheet:
        return Sheet(self, self._book.add_worksheet(name))

    def format(self, **properties: Any) -> Format | None:
        """The format with these properties, made once per workbook (None: the default)."""
        if not properties:
            return None
        key = tuple(sorted(properties.items()))
        if key not in self._formats:
            self._formats[key] = self._book.add_format(properties)
        return self._formats[key]

    def cell_format(
        self, bold: bool, number_format: str | None, wrap: bool, quote: bool
    ) -> Format | None:
        """The format of a data cell (looked up per cell: 3,000 units × 50 columns)."""
        key = (bold, number_format, wrap, quote)
        if key not in self._cells:
            style: dict[str, Any] = {"font_name": FONT, "bold": bold, **_BOX}
            if number_format:
                style["num_format"] = number_format
            if wrap:
                style |= _WRAPPED
            if quote:
                style["quote_prefix"] = True
            self._cells[key] = self.format(**style)
        return self._cells[key]

    def __enter__(self) -> Book:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            if error is None:
                self._book.close()
        finally:
            self._rows.cleanup()


class Sheet:
    def __init__(self, book: Book, worksheet: Worksheet) -> None:
        self.book, self.worksheet = book, worksheet

    def text(self, row: int, column: int, value: str, **properties: Any) -> None:
        """A string cell (quotePrefix when Excel would read it as a formula); "" leaves the
        cell empty (with its format, if any)."""
        if not value:
            self.worksheet.write_blank(row - 1, column - 1, None, self.book.format(**properties))
            return
        if needs_quote(value):
            properties["quote_prefix"] = True
        self.worksheet.write_string(row - 1, column - 1, value, self.book.format(**properties))

    def value(self, row: int, column: int, value: str | float) -> None:
        """A plain cell: text as text, else a number."""
        if isinstance(value, str):
            self.text(row, column, value)
        else:
            self.worksheet.write_number(row - 1, column - 1, cell_number(value))

    def width(self, column: int, characters: int) -> None:
        self.worksheet.set_column_pixels(column - 1, column - 1, characters * _PIXELS_PER_CHARACTER)

    def freeze(self, row: int, column: int) -> None:
        """Freeze the rows above `row` and the columns left of `column`."""
        self.worksheet.freeze_panes(row - 1, column - 1)


def write_title(ws: Sheet, title: str) -> None:
    ws.text(1, 1, title, font_name=FONT, **_TITLE)


def start_sheet(ws: Sheet, title: str, head: Sequence[str]) -> int:
    """The title in A1, the header in row 3, the columns' widths, the panes frozen below
    the header (and right of the unit's column); returns the first data row."""
    write_title(ws, title)
    write_header(ws, 3, head)
    for i, text in enumerate(head, 1):
        ws.width(i, max(10, min(40, len(text) * 2 + 2)))
    ws.freeze(4, 3 if len(head) > 2 else 1)
    return 4


def write_header(ws: Sheet, row: int, head: Sequence[str]) -> None:
    for i, text in enumerate(head, 1):
        ws.text(row, i, text, font_name=FONT, **_HEAD)


def write_row(
    ws: Sheet,
    row: int,
    values: Sequence[Any],
    formats: Sequence[str | None],
    *,
    bold: bool = False,
    wrapped: Collection[int] = (),
) -> None:
    """A row of boxed cells: numbers in their format, a blank as 无数据 where a number
    was due (else empty), text as text; the columns in `wrapped` wrap, aligned to the top."""
    sheet, r, style = ws.worksheet, row - 1, ws.book.cell_format
    for c, (value, number_format) in enumerate(zip(values, formats, strict=True)):
        wrap = c + 1 in wrapped
        if blank(value) and number_format:
            sheet.write_string(r, c, NO_DATA, style(bold, None, wrap, False))
        elif blank(value) or value == "":
            sheet.write_blank(r, c, None, style(bold, None, wrap, False))
        elif isinstance(value, str):
            sheet.write_string(r, c, value, style(bold, None, wrap, needs_quote(value)))
        else:
            sheet.write_number(r, c, cell_number(value), style(bold, number_format, wrap, False))


def write_lines(ws: Sheet, row: int, texts: Iterable[str]) -> None:
    for i, line in enumerate(texts):
        ws.text(row + i, 1, line)


def number_format_of(f: Any) -> str:
    return INTEGER if f.type == "integer" else DECIMAL


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def cell_number(value: Any) -> int | float:
    number = float(value)
    return int(number) if number.is_integer() else number


def plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def outline(ws: Sheet, row: int, level: int = 1) -> None:
    """Group a row under the one above it (Excel's outline, folded open); before the next
    row is written (constant_memory)."""
    ws.worksheet.set_row(row - 1, None, None, {"level": level})
